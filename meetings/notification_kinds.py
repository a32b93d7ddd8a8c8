"""What the meetings app sends through the notification ledger (core.notifications).

Scheduled kinds fall due a number of hours before a meeting starts (global defaults in
settings.NOTIFICATION_OFFSETS_HOURS, per cohort in NotificationSchedule): the agenda prompt,
the RSVP nudge and the reminder. Event kinds are recorded by services: the published agenda
and change notices (one per SEQUENCE). Every email is link-only: title, time and place, never
agenda or topic content.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications.dispatch import notify
from core.notifications.registry import Kind, Prepared, kind_register, planner_register
from groups.models import Membership
from meetings.calendar import calendar_for
from meetings.models import Meeting, NotificationSchedule, Rsvp

AGENDA_PROMPT = "agenda_prompt"
RSVP_NUDGE = "rsvp_nudge"
REMINDER = "reminder"
AGENDA_PUBLISHED = "agenda_published"
CHANGE_NOTICE = "change_notice"
SCHEDULED_KINDS = (AGENDA_PROMPT, RSVP_NUDGE, REMINDER)

STARTED = "stale: the meeting had started before this could be sent"


def scope_of(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def _meeting_id(row: Notification) -> int:
    return int(row.scope.split(":")[1])


def offsets_for(schedule: NotificationSchedule | None) -> dict[str, int]:
    """Hours before the start, per scheduled kind, for one cohort (0: not sent)."""
    defaults = settings.NOTIFICATION_OFFSETS_HOURS
    result = {}
    for kind in SCHEDULED_KINDS:
        own = schedule.offset_hours(kind) if schedule else None
        result[kind] = defaults[kind] if own is None else own
    return result


def _active_members(cohort_ids: Iterable[int]) -> dict[int, list]:
    members: dict[int, list] = {}
    for membership in (
        Membership.objects.active().filter(cohort_id__in=set(cohort_ids)).select_related("member")
    ):
        members.setdefault(membership.cohort_id, []).append(membership.member)
    return members


def _active_member_ids(cohort_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """(member id, email) per cohort, without building the member objects."""
    members: dict[int, list[tuple[int, str]]] = {}
    for cohort_id, member_id, email in (
        Membership.objects.active()
        .filter(cohort_id__in=set(cohort_ids))
        .values_list("cohort_id", "member_id", "member__email")
    ):
        members.setdefault(cohort_id, []).append((member_id, email))
    return members


# Planning ---------------------------------------------------------------------------------

CHANGES_OVERLAP = timedelta(minutes=5)


def _defaults() -> dict[str, int]:
    return {kind: settings.NOTIFICATION_OFFSETS_HOURS[kind] for kind in SCHEDULED_KINDS}


def _schedule_rows() -> list[tuple]:
    return list(
        NotificationSchedule.objects.order_by("cohort_id").values_list(
            "cohort_id", *(f"{kind}_hours" for kind in SCHEDULED_KINDS)
        )
    )


def _schedules() -> dict[int, dict[str, int]]:
    """The offsets of each cohort that has its own schedule (as offsets_for, in one query
    without building the objects)."""
    defaults = _defaults()
    return {
        cohort_id: {
            kind: defaults[kind] if own is None else own
            for kind, own in zip(SCHEDULED_KINDS, hours, strict=True)
        }
        for cohort_id, *hours in _schedule_rows()
    }


def plan_version() -> str:
    """Changes whenever a cohort's offsets or the defaults change: moments that were in the
    future may then lie in the past, so the next tick looks back over everything (plan
    without `since`)."""
    text = repr((_defaults(), _schedule_rows()))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def plan(now: datetime, since: datetime | None = None) -> list[Notification]:
    """Rows of the scheduled kinds that are due by `now` and not yet in the ledger.

    Meetings that started within NOTIFICATION_CATCH_UP_HOURS are included, so that what the
    scheduler missed while it was down is recorded (and then skipped with a reason when the
    sender finds it stale) rather than silently forgotten.

    With `since` (the previous tick's watermark) only the meetings that can have something
    new are read: one of whose moments (start minus an offset in use) passed after `since`,
    or that were created or changed after it, or whose cohort gained a member after it. For
    each, everything due and missing is planned, as without `since`.
    """
    schedules = _schedules()
    in_use = {h for offsets in [_defaults(), *schedules.values()] for h in offsets.values() if h}
    if not in_use:
        return []
    window = Q(
        status=Meeting.Status.SCHEDULED,
        starts_at__gt=now - timedelta(hours=settings.NOTIFICATION_CATCH_UP_HOURS),
        starts_at__lte=now + timedelta(hours=max(in_use)),
    )
    if since is not None:
        fell_due = Q()
        for hours in sorted(in_use):
            fell_due |= Q(
                starts_at__gt=since + timedelta(hours=hours),
                starts_at__lte=now + timedelta(hours=hours),
            )
        # Rows written in a transaction that committed after the last tick read them carry
        # an earlier time: look back a little further for changes (what exists is skipped).
        changed = since - CHANGES_OVERLAP
        joined = Membership.objects.filter(joined_at__gt=changed).values("cohort_id")
        window &= fell_due | Q(updated_at__gt=changed) | Q(cohort_id__in=joined)
    meetings = list(Meeting.objects.filter(window).only("pk", "cohort", "starts_at"))
    if not meetings:
        return []
    scopes = [scope_of(m.pk) for m in meetings]
    existing = set(
        Notification.objects.filter(scope__in=scopes, kind__in=SCHEDULED_KINDS).values_list(
            "kind", "subject", "recipient"
        )
    )
    answered = set(Rsvp.objects.filter(meeting__in=meetings).values_list("meeting_id", "member_id"))
    members = _active_member_ids(m.cohort_id for m in meetings)
    rows = []
    for meeting in meetings:
        offsets = schedules.get(meeting.cohort_id) or _defaults()
        subject = scope_of(meeting.pk)
        for kind in SCHEDULED_KINDS:
            if not offsets[kind]:
                continue  # a cohort switched this kind off
            due = meeting.starts_at - timedelta(hours=offsets[kind])
            if due > now:
                continue
            for member_id, email in members.get(meeting.cohort_id, []):
                if kind == RSVP_NUDGE and (meeting.pk, member_id) in answered:
                    continue
                if (kind, subject, email) in existing:
                    continue
                rows.append(
                    Notification(
                        kind=kind,
                        subject=subject,
                        scope=subject,
                        recipient=email,
                        user_id=member_id,
                        due_at=due,
                    )
                )
    return rows


# Events -----------------------------------------------------------------------------------


def agenda_published(*, meeting: Meeting) -> None:
    """Once per meeting: publishing again does not send again."""
    _notify_members(meeting, AGENDA_PUBLISHED, scope_of(meeting.pk))


def meeting_changed(*, meeting: Meeting, following: int = 1) -> None:
    """A moved, changed or cancelled occurrence: once per SEQUENCE, to current members."""
    if meeting.starts_at <= timezone.now():
        return
    subject = f"{scope_of(meeting.pk)}:seq:{meeting.sequence}"
    _notify_members(meeting, CHANGE_NOTICE, subject, context={"following": following})


def _notify_members(meeting: Meeting, kind: str, subject: str, context=None) -> None:
    members = _active_members([meeting.cohort_id]).get(meeting.cohort_id, [])
    notify(
        kind=kind,
        subject=subject,
        scope=scope_of(meeting.pk),
        recipients=[(member, member.email) for member in members],
        context=context,
    )


# Preparing a batch ------------------------------------------------------------------------


def prepare(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    """Check that each row is still useful and give the renderer its facts, in a fixed number
    of queries per batch (the .ics is built once per meeting)."""
    ids = {_meeting_id(row) for row in rows}
    meetings = {m.pk: m for m in Meeting.objects.filter(pk__in=ids).select_related("cohort")}
    answered = set(Rsvp.objects.filter(meeting_id__in=ids).values_list("meeting_id", "member_id"))
    members = {
        (cohort_id, member_id)
        for cohort_id, people in _active_member_ids(m.cohort_id for m in meetings.values()).items()
        for member_id, _ in people
    }
    ics: dict[int, bytes] = {}
    links: dict[int, tuple[str, str]] = {}
    result: dict[int, Prepared | str] = {}
    for row in rows:
        meeting = meetings.get(_meeting_id(row))
        reason = _stale(row, meeting, now, answered, members)
        if reason:
            result[row.pk] = reason
            continue
        attachments = []
        if row.kind in (REMINDER, CHANGE_NOTICE):
            if meeting.pk not in ics:
                ics[meeting.pk] = calendar_for([meeting], name=meeting.cohort.name)
            attachments.append(("meeting.ics", ics[meeting.pk], "text/calendar"))
        if meeting.pk not in links:
            links[meeting.pk] = (
                settings.BASE_URL + reverse("meeting_detail", args=[meeting.pk]),
                settings.BASE_URL + reverse("meeting_ics", args=[meeting.pk]),
            )
        link, ics_link = links[meeting.pk]
        result[row.pk] = Prepared(
            context={
                "meeting": meeting,
                "cohort_name": meeting.cohort.name,
                "link": link,
                "ics_link": ics_link,
                **row.context,
            },
            attachments=attachments,
            # Everyone gets the same email about a meeting but for their name, time zone and
            # unsubscribe link: rendered once per batch (times only through {{ when }}).
            share=(meeting.pk, json.dumps(row.context, sort_keys=True)),
            when=meeting.starts_at,
        )
    return result


def _stale(row, meeting, now, answered, members) -> str:
    if meeting is None:
        return "the meeting no longer exists"
    if now >= meeting.starts_at:
        return STARTED
    if row.kind == CHANGE_NOTICE:
        if row.subject != f"{scope_of(meeting.pk)}:seq:{meeting.sequence}":
            return "superseded by a later change to the meeting"
    elif meeting.is_cancelled:
        return "the meeting was cancelled"
    if (meeting.cohort_id, row.user_id) not in members:
        return "no longer a member of the cohort"
    if row.kind == RSVP_NUDGE and (meeting.pk, row.user_id) in answered:
        return "the member had already answered"
    if row.kind == AGENDA_PROMPT and meeting.agenda_published_at:
        return "the agenda was already published"
    return ""


def register() -> None:
    for name, label, description in [
        (
            AGENDA_PROMPT,
            "Agenda prompt",
            "A week before: your update, and what will you bring to the meeting?",
        ),
        (RSVP_NUDGE, "RSVP nudge", "A few days before, if you have not said whether you come."),
        (AGENDA_PUBLISHED, "Agenda published", "When the facilitator publishes the agenda."),
        (REMINDER, "Reminder", "The day before, with a calendar file."),
        (CHANGE_NOTICE, "Change notice", "When a meeting is moved, changed or cancelled."),
    ]:
        kind_register(
            Kind(name=name, label=label, template=name, prepare=prepare, description=description)
        )
    planner_register(plan, version=plan_version)
