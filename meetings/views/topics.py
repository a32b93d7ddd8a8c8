"""A member's parking lot of topics, and the presenters a facilitator might ask."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.http import posted
from groups.models import Membership
from groups.permissions import can_manage_cohort
from groups.selectors import cohort_for
from meetings import forms, selectors, services
from meetings.models import Topic


def _backlog_owner(request):
    if not Membership.objects.active().filter(member=request.user).exists():
        raise Http404
    return request.user


def topic_list(request):
    owner = _backlog_owner(request)
    form = forms.TopicForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.topic_save(owner=owner, **form.cleaned_data)
        messages.success(request, "Topic added to your parking lot.")
        return redirect("topic_list")
    return render(
        request,
        "meetings/topic_list.html",
        {
            "topics": selectors.backlog(owner),
            "form": form,
            "meetings": selectors.postable_meetings(owner)[:6],
        },
    )


def topic_edit(request, pk: int):
    owner = _backlog_owner(request)
    topic = get_object_or_404(Topic.objects.filter(owner=owner), pk=pk)
    form = forms.TopicForm(posted(request), instance=topic)
    if request.method == "POST" and form.is_valid():
        services.topic_save(owner=owner, topic=topic, **form.cleaned_data)
        messages.success(request, "Topic saved.")
        return redirect("topic_list")
    return render(request, "meetings/topic_form.html", {"form": form, "topic": topic})


@require_POST
def topic_delete(request, pk: int):
    owner = _backlog_owner(request)
    topic = get_object_or_404(Topic.objects.filter(owner=owner), pk=pk)
    services.topic_delete(owner=owner, topic=topic)
    messages.success(request, "Topic removed.")
    return redirect("topic_list")


def presenters(request, slug: str):
    cohort = cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    return render(
        request,
        "meetings/presenters.html",
        {"cohort": cohort, "rows": selectors.suggest_presenters(cohort)},
    )
