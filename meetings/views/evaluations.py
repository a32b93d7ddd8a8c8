"""After the meeting: each attendee's evaluation, and the individual answers (facilitators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from core.http import posted, service_error_show
from meetings import forum_forms, forum_selectors, forum_services
from meetings.models import Evaluation, MeetingSegment
from meetings.permissions import can_read_evaluations

FORM = "meetings/evaluations/evaluation_form.html"


def _segments(meeting):
    """The meeting's running order, to name the most valuable segment from (none: no field)."""
    segments = MeetingSegment.objects.filter(meeting=meeting).order_by("position")
    return segments if segments.exists() else None


def evaluation_submit(request, pk: int):
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    if not forum_selectors.may_evaluate(meeting, request.user):
        raise PermissionDenied
    now = timezone.now()
    mine = Evaluation.objects.filter(meeting=meeting, member=request.user).first()
    form = forum_forms.EvaluationForm(
        posted(request) if mine is None else None, segments=_segments(meeting)
    )
    if request.method == "POST" and mine is None and form.is_valid():
        try:
            mine = forum_services.evaluation_submit(
                meeting=meeting, member=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            if not request.htmx:
                messages.success(request, "Thank you: your evaluation is recorded.")
                return redirect("meeting_detail", pk=pk)
    context = {
        "meeting": meeting,
        "form": form,
        "mine": mine,
        "ended": forum_selectors.has_ended(meeting, now),
        "closed": now > forum_selectors.evaluation_closes(meeting),
        "averages": forum_selectors.evaluation_averages(meeting) if mine else None,
    }
    return render(request, FORM + ("#evaluation" if request.htmx else ""), context)


def evaluation_list(request, pk: int):
    """Every attendee's answer: the cohort's facilitators and admins only."""
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    if not can_read_evaluations(request.user, meeting):
        raise PermissionDenied
    return render(
        request,
        "meetings/evaluations/evaluation_list.html",
        {
            "meeting": meeting,
            "evaluations": forum_selectors.evaluations_for_facilitator(meeting),
            "averages": forum_selectors.evaluation_averages(meeting),
        },
    )
