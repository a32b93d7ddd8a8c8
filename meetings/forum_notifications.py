"""What the forum protocol sends through the notification ledger (core.notifications).

Member updates need no email of their own: they open when the agenda prompt goes out, and
that prompt asks for the update as well as a topic (one email a week before, not two). The
evaluation prompt goes out once to each attendee when a meeting that was held has ended:
one the facilitator ran (ended in the live runner) or whose attendance was recorded. Link
only, never an update or an answer.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from core.models import Notification
from core.notifications.registry import Kind, Prepared, kind_register, planner_register
from meetings import forum_selectors
from meetings.models import Attendance, Evaluation, Meeting
from meetings.notification_kinds import _active_member_ids, scope_of

EVALUATION_PROMPT = "evaluation_prompt"


def _held_and_ended(now: datetime) -> Q:
    """Meetings held that ended within the catch-up period: ended in the live runner, or by
    the clock when their attendance was recorded."""
    since = now - timedelta(hours=settings.NOTIFICATION_CATCH_UP_HOURS)
    recorded = Exists(Attendance.objects.filter(meeting=OuterRef("pk")))
    by_clock = Q(ends_at__lte=now, ends_at__gt=since) & recorded
    by_runner = Q(run__ended_at__lte=now, run__ended_at__gt=since)
    return by_runner | (Q(run__ended_at__isnull=True) & by_clock)


def plan(now: datetime, since: datetime | None = None) -> list[Notification]:
    """Rows due by `now` and not yet in the ledger. The window is a day, so every tick looks
    at all of it: a handful of queries whatever the size of the ledger."""
    meetings = list(
        Meeting.objects.filter(
            Q(status=Meeting.Status.SCHEDULED) & _held_and_ended(now)
        ).select_related("run")
    )
    if not meetings:
        return []
    ids = [m.pk for m in meetings]
    existing = set(
        Notification.objects.filter(
            scope__in=[scope_of(pk) for pk in ids], kind=EVALUATION_PROMPT
        ).values_list("subject", "recipient")
    )
    skip = set(
        Evaluation.objects.filter(meeting__in=ids).values_list("meeting_id", "member_id")
    ) | set(
        Attendance.objects.filter(meeting__in=ids, status__in=forum_selectors.AWAY).values_list(
            "meeting_id", "member_id"
        )
    )
    members = _active_member_ids(m.cohort_id for m in meetings)
    rows = []
    for meeting in meetings:
        subject = scope_of(meeting.pk)
        for member_id, email in members.get(meeting.cohort_id, []):
            if (meeting.pk, member_id) in skip or (subject, email) in existing:
                continue
            rows.append(
                Notification(
                    kind=EVALUATION_PROMPT,
                    subject=subject,
                    scope=subject,
                    recipient=email,
                    user_id=member_id,
                    due_at=forum_selectors.ended_at(meeting),
                )
            )
    return rows


def prepare(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    """Whether each row is still useful, and the link (a fixed number of queries)."""
    ids = {int(row.scope.split(":")[1]) for row in rows}
    meetings = {m.pk: m for m in Meeting.objects.filter(pk__in=ids).select_related("cohort", "run")}
    evaluated = set(
        Evaluation.objects.filter(meeting__in=ids).values_list("meeting_id", "member_id")
    )
    members = {
        (cohort_id, member_id)
        for cohort_id, people in _active_member_ids(m.cohort_id for m in meetings.values()).items()
        for member_id, _ in people
    }
    result: dict[int, Prepared | str] = {}
    for row in rows:
        meeting = meetings.get(int(row.scope.split(":")[1]))
        reason = _stale(row, meeting, now, evaluated, members)
        if reason:
            result[row.pk] = reason
            continue
        result[row.pk] = Prepared(
            context={
                "meeting": meeting,
                "cohort_name": meeting.cohort.name,
                "link": settings.BASE_URL + reverse("evaluation_submit", args=[meeting.pk]),
            },
            share=meeting.pk,
            when=meeting.starts_at,
        )
    return result


def _stale(row, meeting, now, evaluated, members) -> str:
    if meeting is None:
        return "the meeting no longer exists"
    if meeting.is_cancelled:
        return "the meeting was cancelled"
    if (meeting.cohort_id, row.user_id) not in members:
        return "no longer a member of the cohort"
    if now > forum_selectors.evaluation_closes(meeting):
        return "stale: evaluations for the meeting had closed"
    if (meeting.pk, row.user_id) in evaluated:
        return "the member had already evaluated the meeting"
    return ""


def register() -> None:
    kind_register(
        Kind(
            name=EVALUATION_PROMPT,
            label="Evaluation prompt",
            template=EVALUATION_PROMPT,
            prepare=prepare,
            description="When a meeting you attended has ended: how valuable was it?",
        )
    )
    planner_register(plan)
