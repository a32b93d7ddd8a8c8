"""Schedules and one meeting: a cohort's meetings, creating a series or a meeting, the meeting
page, RSVP, editing, cancelling, its calendar file and its notification log."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import posted, service_error_messages, service_error_show
from core.models import Notification
from core.page_cache import NOT_KEPT, cached_page, next_moment
from core.versions import ORG, cohort_version, person_version
from groups.permissions import can_manage_cohort
from groups.selectors import cohort_at_remember, cohort_for, cohort_id_at, cohort_visible
from meetings import (
    calendar,
    forms,
    forum_selectors,
    notification_kinds,
    recurrence,
    selectors,
    services,
)
from meetings.permissions import can_manage_meeting
from meetings.views.page import fragment, page_context


def cohort_meetings(request, slug: str):
    if request.htmx:
        return _upcoming_meetings(request, slug)
    cohort = cohort_for(request.user, slug)
    context = {
        "cohort": cohort,
        # Dashboards and cohort pages pull the next few; the page lists a year.
        "upcoming": selectors.upcoming(cohort, limit=3 if request.htmx else 12),
        "past": selectors.past(cohort),
        "can_manage": can_manage_cohort(request.user, cohort),
    }
    template = "meetings/cohort_meetings.html"
    if request.htmx:
        template += "#upcoming-meetings"
    return render(request, template, context)


def _upcoming_meetings(request, slug: str):
    """The next few meetings, the fragment a cohort page and dashboards pull: kept for each
    viewer until the cohort or the viewer changes, or the first of them ends (and leaves)."""
    cohort_id = cohort_id_at(slug)
    shown = []

    def render_fragment():
        cohort = cohort_visible(request.user, slug)
        cohort_at_remember(cohort)
        if cohort.pk != cohort_id:  # the slug moved to another cohort since it was looked up
            shown.append(NOT_KEPT)
        upcoming = list(selectors.upcoming(cohort, limit=3))
        # One that ends leaves the list just after its end (the list holds those ending now).
        shown.extend(meeting.ends_at + timedelta(microseconds=1) for meeting in upcoming)
        context = {"cohort": cohort, "upcoming": upcoming}
        return render(request, "meetings/cohort_meetings.html#upcoming-meetings", context)

    if cohort_id is None:  # not seen yet, or no such cohort
        return render_fragment()
    return cached_page(
        request,
        versions=[cohort_version(cohort_id), person_version(request.user.pk)],
        render=render_fragment,
        until=lambda: NOT_KEPT if NOT_KEPT in shown else next_moment(shown),
    )


def series_create(request, slug: str):
    cohort = cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    form = forms.SeriesForm(posted(request), initial={"time_zone": cohort.home_time_zone})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.series_create(
            cohort=cohort,
            actor=request.user,
            title=d["title"],
            rrule=d["rule"],
            first_date=d["first_date"],
            start_time=d["start_time"],
            duration_minutes=d["duration_minutes"],
            time_zone=d["time_zone"],
            location=d["location"],
            video_url=d["video_url"],
        )
        messages.success(request, f"Series scheduled: {recurrence.describe(d['rule'])}.")
        return redirect("cohort_meetings", slug=cohort.slug)
    return render(request, "meetings/series_form.html", {"cohort": cohort, "form": form})


def meeting_create(request, slug: str):
    cohort = cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    form = forms.MeetingForm(
        posted(request), initial={"time_zone": cohort.home_time_zone, "duration_minutes": 120}
    )
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(cohort=cohort, actor=request.user, **form.cleaned_data)
        messages.success(request, "Meeting scheduled.")
        return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request, "meetings/meeting_form.html", {"cohort": cohort, "form": form, "meeting": None}
    )


def meeting_detail(request, pk: int):
    """The meeting page, kept for each viewer until something in the cohort or of theirs
    changes (core.page_cache), or the clock moves it on: updates open, the meeting starts,
    ends, the evaluation closes."""
    moments = []

    def render_page():
        meeting = selectors.meeting_for(request.user, pk)
        selectors.meeting_cohort_remember(meeting)
        context = page_context(request, meeting)
        moments.extend(forum_selectors.page_moments(meeting, context["updates_open_on"]))
        return render(request, "meetings/meeting_detail.html", context)

    cohort_id = selectors.meeting_cohort_id(pk)
    if cohort_id is None:  # not seen yet, or no such meeting
        return render_page()
    return cached_page(
        request,
        versions=[cohort_version(cohort_id), person_version(request.user.pk), ORG],
        render=render_page,
        until=lambda: next_moment(moments),
    )


def meeting_notifications(request, pk: int):
    """Who was sent what and when about this meeting, and what was skipped and why."""
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    rows = Notification.objects.filter(scope=notification_kinds.scope_of(meeting.pk)).order_by(
        "due_at", "kind", "recipient"
    )
    return render(
        request, "meetings/meeting_notifications.html", {"meeting": meeting, "rows": rows}
    )


@require_POST
def meeting_rsvp(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    form = forms.RsvpForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.rsvp_set(meeting=meeting, member=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as problem:
            if not request.htmx:
                service_error_show(request, problem)
                return redirect("meeting_detail", pk=pk)
            error = " ".join(service_error_messages(problem))
    else:
        error = "Choose yes, no or maybe."
    if error and not request.htmx:
        messages.error(request, error)
        return redirect("meeting_detail", pk=pk)
    return (
        fragment(request, meeting, "rsvp", rsvp_error=error)
        if error
        else fragment(request, meeting, "rsvp")
    )


def meeting_edit(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    in_series = meeting.series_id is not None
    initial = {
        "title": meeting.title,
        "local_date": meeting.local_date,
        "local_time": meeting.local_time,
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location,
        "video_url": meeting.video_url,
        "scope": "this",
    }
    form = forms.MeetingEditForm(posted(request), initial=initial, in_series=in_series)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d.get("scope") == "following":
            n = services.series_update_following(
                meeting=meeting,
                actor=request.user,
                start_time=d["local_time"],
                duration_minutes=d["duration_minutes"],
                location=d["location"],
                video_url=d["video_url"],
                title=d["title"],
            )
            messages.success(request, f"{n} meeting{'s' if n != 1 else ''} updated.")
        else:
            services.meeting_update(
                meeting=meeting,
                actor=request.user,
                local_date=d["local_date"],
                local_time=d["local_time"],
                duration_minutes=d["duration_minutes"],
                location=d["location"],
                video_url=d["video_url"],
                title=d["title"],
            )
            messages.success(request, "Meeting moved; calendars will update.")
        return redirect("meeting_detail", pk=pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"cohort": meeting.cohort, "form": form, "meeting": meeting},
    )


@require_POST
def meeting_cancel(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    try:
        services.meeting_cancel(meeting=meeting, actor=request.user)
    except ValidationError as error:
        service_error_show(request, error)
    else:
        messages.success(request, "Meeting cancelled; calendars will show it as cancelled.")
    return redirect("meeting_detail", pk=pk)


def meeting_ics(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    body = calendar.calendar_for([meeting], name=meeting.cohort.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
