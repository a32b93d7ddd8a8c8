from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.http import form_errors_add, posted
from core.models import Notification
from groups.models import Membership
from groups.permissions import can_manage_cohort
from groups.selectors import cohort_for
from meetings import calendar, forms, notification_kinds, recurrence, selectors, services
from meetings.models import AgendaItem, Commitment, Topic
from meetings.permissions import can_manage_meeting

# Schedules ------------------------------------------------------------------------------


def cohort_meetings(request, slug: str):
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


# One meeting ----------------------------------------------------------------------------


def _page_context(request, meeting, **extra):
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
        "commitments": selectors.open_commitments(meeting.cohort, before=meeting.starts_at),
        "made_here": meeting.commitments.select_related("owner"),
        "post_form": forms.PostTopicForm(owner=request.user) if is_member else None,
        "commitment_form": forms.CommitmentForm(members=members) if manage else None,
    }
    context.update(extra)
    return context


def meeting_detail(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    return render(request, "meetings/meeting_detail.html", _page_context(request, meeting))


def _fragment(request, meeting, partial: str, **extra):
    fresh = selectors.meeting_for(request.user, meeting.pk)
    if request.htmx:
        return render(
            request,
            f"meetings/meeting_detail.html#{partial}",
            _page_context(request, fresh, **extra),
        )
    if extra:
        return render(
            request, "meetings/meeting_detail.html", _page_context(request, fresh, **extra)
        )
    return redirect("meeting_detail", pk=meeting.pk)


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
            error = problem.messages[0] if hasattr(problem, "messages") else str(problem)
    else:
        error = "Choose yes, no or maybe."
    if error and not request.htmx:
        messages.error(request, error)
        return redirect("meeting_detail", pk=pk)
    return (
        _fragment(request, meeting, "rsvp", rsvp_error=error)
        if error
        else _fragment(request, meeting, "rsvp")
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
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Meeting cancelled; calendars will show it as cancelled.")
    return redirect("meeting_detail", pk=pk)


def meeting_ics(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    body = calendar.calendar_for([meeting], name=meeting.cohort.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# Agenda ---------------------------------------------------------------------------------


@require_POST
def meeting_post_topic(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    form = forms.PostTopicForm(request.POST, owner=request.user)
    if form.is_valid():
        try:
            services.topic_post(meeting=meeting, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form_errors_add(
                form, error if isinstance(error, ValidationError) else ValidationError(str(error))
            )
    if form.errors:
        return _fragment(request, meeting, "agenda", post_form=form)
    return _fragment(request, meeting, "agenda")


def _item(meeting, item_pk) -> AgendaItem:
    return get_object_or_404(meeting.agenda.all(), pk=item_pk)


@require_POST
def agenda_vote(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    try:
        services.vote_toggle(item=_item(meeting, item_pk), voter=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return _fragment(request, meeting, "agenda")


@require_POST
def agenda_move(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        raise Http404
    services.agenda_move(item=_item(meeting, item_pk), actor=request.user, direction=direction)
    return _fragment(request, meeting, "agenda")


@require_POST
def agenda_item_update(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    item = _item(meeting, item_pk)
    form = forms.AgendaItemForm(request.POST)
    if form.is_valid():
        services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
    elif not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    else:
        messages.error(request, "Minutes must be a whole number from 1 to 480.")
    return _fragment(request, meeting, "agenda")


@require_POST
def agenda_outcome(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    item = _item(meeting, item_pk)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_notes_set(
                item=item, actor=request.user, notes=form.cleaned_data["notes"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
    if form.errors:
        # The text as typed comes back with the error; a null character cannot be shown,
        # so it is marked where it was.
        typed = request.POST.get("notes", "").replace("\x00", "\ufffd")
        return _fragment(
            request,
            meeting,
            "agenda",
            outcome_item=item.pk,
            outcome_errors=form.errors["notes"],
            outcome_typed=typed,
        )
    return _fragment(request, meeting, "agenda")


@require_POST
def agenda_publish(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    services.agenda_publish(meeting=meeting, actor=request.user)
    messages.success(request, "Agenda published.")
    return _fragment(request, meeting, "agenda")


# After the meeting -----------------------------------------------------------------------


def meeting_attendance(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    if meeting.is_cancelled or meeting.starts_at > timezone.now():
        messages.error(
            request,
            "This meeting was cancelled: there is no attendance to record."
            if meeting.is_cancelled
            else "Attendance can be recorded once the meeting has started.",
        )
        return redirect("meeting_detail", pk=pk)
    form = forms.AttendanceForm(
        posted(request),
        members=selectors.roster(meeting.cohort, at=meeting.starts_at),
        recorded={a.member_id: a.status for a in meeting.attendance.all()},
        rsvps={r.member_id: r.answer for r in meeting.rsvps.all()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                meeting=meeting, actor=request.user, statuses=form.statuses()
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, "Attendance saved.")
            return redirect("meeting_detail", pk=pk)
    return render(request, "meetings/attendance_form.html", {"meeting": meeting, "form": form})


@require_POST
def commitment_add(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = forms.CommitmentForm(request.POST, members=selectors.roster(meeting.cohort))
    if form.is_valid():
        services.commitment_create(meeting=meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, "Commitment recorded.")
        return redirect("meeting_detail", pk=pk)
    return render(
        request,
        "meetings/meeting_detail.html",
        _page_context(request, meeting, commitment_form=form),
    )


@require_POST
def commitment_done(request, pk: int):
    commitment = get_object_or_404(
        Commitment.objects.filter(
            meeting__in=selectors.meetings_visible_to(request.user)
        ).select_related("meeting__cohort"),
        pk=pk,
    )
    services.commitment_done(commitment=commitment, actor=request.user)
    messages.success(request, "Marked done.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("home")
    return redirect(target or reverse("home"))


# Topics ---------------------------------------------------------------------------------


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


# Calendar feed --------------------------------------------------------------------------


def calendar_settings(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(user=request.user)
            messages.success(request, "Your calendar feed is switched off.")
        else:
            token = services.feed_regenerate(user=request.user)
            messages.success(request, "New feed address created; the old one no longer works.")
    feed_url = None
    if token:
        path = reverse("calendar_feed", args=[token])
        feed_url = settings.BASE_URL + path
    has_feed = hasattr(request.user, "calendar_feed") and request.user.calendar_feed.pk
    return render(
        request,
        "meetings/calendar_settings.html",
        {
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://")
            if feed_url
            else None,
            "has_feed": bool(has_feed) or bool(token),
        },
    )


@login_not_required
def calendar_feed(request, token: str):
    user = selectors.feed_user(token)
    if user is None:
        raise Http404
    body = calendar.calendar_for(selectors.feed_meetings(user), name="PeerNet meetings")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def my_commitments(request):
    """The signed-in member's open commitments (a dashboard region)."""
    from meetings.selectors import member_commitments

    template = "meetings/my_commitments.html"
    if request.htmx:
        template += "#my-commitments"
    return render(request, template, {"commitments": member_commitments(request.user)})
