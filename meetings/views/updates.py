"""Member updates before a meeting: a member's own form and the cohort's one-screen summary."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from core.http import posted, service_error_show
from meetings import forum_forms, forum_selectors, forum_services
from meetings.permissions import can_manage_meeting

FORM = "meetings/updates/update_form.html"
SUMMARY = "meetings/updates/summary.html"


def update_edit(request, pk: int):
    """The member's own update: written from the day updates open, changeable until the start."""
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    if not forum_selectors.is_cohort_member(request.user, meeting):
        raise PermissionDenied
    update = forum_selectors.my_update(meeting, request.user)
    form = forum_forms.MemberUpdateForm(
        posted(request), initial=forum_forms.MemberUpdateForm.initial_from(update)
    )
    opens, _ = forum_selectors.update_window(meeting)
    now = timezone.now()
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            update = forum_services.member_update_save(
                meeting=meeting, member=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            if not request.htmx:
                messages.success(request, "Your update is saved; your cohort will read it.")
                return redirect("meeting_detail", pk=pk)
            saved = True
    context = {
        "meeting": meeting,
        "form": form,
        "update": update,
        "saved": saved,
        "opens": opens,
        "is_open": opens <= now
        and not forum_selectors.has_started(meeting, now)
        and not meeting.is_cancelled,
        "not_yet": now < opens,
    }
    return render(request, FORM + ("#update-form" if request.htmx else ""), context)


def updates_summary(request, pk: int):
    """Everyone's update for the meeting: who is low, who asked for time, and (for the
    facilitators) who has not written one. Cohort-mates and facilitators only."""
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    manage = can_manage_meeting(request.user, meeting)
    if not (manage or forum_selectors.is_cohort_member(request.user, meeting)):
        raise PermissionDenied
    context = {
        "meeting": meeting,
        "summary": forum_selectors.updates_summary(meeting),
        "can_manage": manage,
    }
    return render(request, SUMMARY + ("#updates-summary" if request.htmx else ""), context)
