"""A member's parking lot of topics, and the presenters a facilitator might ask."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.http import posted
from core.page_cache import cached_page, next_moment
from core.versions import cohort_version, person_version
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
    """The parking lot, kept for its owner (core.page_cache) until their topics or seats
    change, a meeting of their cohorts changes, or the first meeting it offers starts (and
    takes no more topics)."""
    if request.method != "GET":
        return _topic_list_page(request, _backlog_owner(request))
    cohort_ids = selectors.member_cohort_ids(request.user)
    if not cohort_ids:  # no seat, no backlog (as _backlog_owner)
        raise Http404
    starts = []

    def render_page():
        return _topic_list_page(request, request.user, starts)

    return cached_page(
        request,
        versions=[person_version(request.user.pk), *map(cohort_version, cohort_ids)],
        render=render_page,
        until=lambda: next_moment(starts),
    )


def _topic_list_page(request, owner, starts=None):
    form = forms.TopicForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.topic_save(owner=owner, **form.cleaned_data)
        messages.success(request, "Topic added to your parking lot.")
        return redirect("topic_list")
    meetings = list(selectors.postable_meetings(owner)[:6])
    if starts is not None:
        starts.extend(meeting.starts_at for meeting in meetings)
    return render(
        request,
        "meetings/topic_list.html",
        {"topics": selectors.backlog(owner), "form": form, "meetings": meetings},
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
