"""The meeting page's context and its fragments, shared by the sections that change a part of it."""

from django.shortcuts import redirect, render
from django.utils import timezone

from meetings import forms, selectors
from meetings.models import AgendaItem
from meetings.permissions import can_manage_meeting
from meetings.views.forum_context import forum_context


def page_context(request, meeting, **extra):
    manage = can_manage_meeting(request.user, meeting)
    members = selectors.roster(meeting.cohort)
    member_ids = {m.pk for m in members}
    rsvps = list(meeting.rsvps.all())
    mine = next((r for r in rsvps if r.member_id == request.user.pk), None)
    agenda = list(meeting.agenda.all())
    for item in agenda:
        item.can_read_outcome = manage or item.presenter_id == request.user.pk
    planned = sum(i.minutes for i in agenda if i.state != AgendaItem.State.PARKED)
    zone = timezone.get_current_timezone()
    # Open commitments from earlier meetings and, for facilitators, those made at this one.
    commitments = selectors.page_commitments(meeting, made_here=manage)
    is_member = request.user.pk in member_ids
    context = {
        "meeting": meeting,
        "cohort": meeting.cohort,
        "can_manage": manage,
        "is_member": is_member,
        "members": members,
        "rsvps": rsvps,
        "coming": [r for r in rsvps if r.answer == "yes"],
        "no_answer": [m for m in members if m.pk not in {r.member_id for r in rsvps}],
        "my_rsvp": mine,
        "rsvp_open": not meeting.is_cancelled and meeting.starts_at > timezone.now(),
        "attendance_open": not meeting.is_cancelled and meeting.starts_at <= timezone.now(),
        "attendance": list(meeting.attendance.all()),
        "agenda": agenda,
        "planned_minutes": planned,
        "over_time": planned > meeting.duration_minutes,
        "viewer_start": meeting.starts_at.astimezone(zone),
        "cohort_start": meeting.starts_at.astimezone(meeting.cohort.zone),
        "show_cohort_time": meeting.cohort.home_time_zone != timezone.get_current_timezone_name(),
        "commitments": [c for c in commitments if c.meeting_id != meeting.pk],
        "made_here": [c for c in commitments if c.meeting_id == meeting.pk],
        "post_form": forms.PostTopicForm(owner=request.user) if is_member else None,
        "commitment_form": forms.CommitmentForm(members=members) if manage else None,
        "priority_choices": AgendaItem.Priority.choices,
    }
    context.update(forum_context(request, meeting, manage=manage, is_member=is_member))
    context.update(extra)
    # The two forms are written out in the template (the default widget templates cost more
    # than the rest of the page): their choices as plain rows, the owners from the roster.
    post_form = context["post_form"]
    if post_form is not None and context["rsvp_open"]:
        context["topic_choices"] = list(
            post_form.fields["topic"].queryset.values_list("pk", "title")
        )
    return context


def fragment(request, meeting, partial: str, **extra):
    fresh = selectors.meeting_for(request.user, meeting.pk)
    if request.htmx:
        return render(
            request,
            f"meetings/meeting_detail.html#{partial}",
            page_context(request, fresh, **extra),
        )
    if extra:
        return render(
            request, "meetings/meeting_detail.html", page_context(request, fresh, **extra)
        )
    return redirect("meeting_detail", pk=meeting.pk)
