"""A topic's presentation: what the cohort reads once its owner posts it to a meeting."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.http import posted, service_error_show
from meetings import forum_forms, forum_services
from meetings.models import Topic


def presentation_edit(request, pk: int):
    """The owner's alone: anyone else's topic is a 404."""
    topic = get_object_or_404(Topic.objects.filter(owner=request.user.pk), pk=pk)
    form = forum_forms.PresentationForm(posted(request), instance=topic)
    target = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = ""
    if request.method == "POST" and form.is_valid():
        try:
            # The form set its values on `topic`; the service compares with what is stored.
            stored = Topic.objects.get(pk=topic.pk)
            forum_services.presentation_save(topic=stored, owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, "Presentation saved.")
            return redirect(target or reverse("topic_list"))
    return render(
        request,
        "meetings/presentation_form.html",
        {"topic": topic, "form": form, "next": target},
    )
