"""Reads for the forum protocol around a meeting: member updates, presentations, evaluations,
facilitator notes and the facilitator's preparation. Each takes a meeting already fetched
through a scoped selector (selectors.meeting_for), so another cohort's data is never reached."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from groups.models import Membership
from groups.selectors import roster
from meetings.models import (
    AgendaItem,
    Attendance,
    Evaluation,
    FacilitatorNote,
    Meeting,
    MeetingRun,
    MemberUpdate,
    NotificationSchedule,
)
from meetings.notification_kinds import AGENDA_PROMPT
from meetings.selectors import meetings_visible_to

# Attendance that means someone was not there to evaluate the meeting.
AWAY = (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)


def run_of(meeting: Meeting) -> MeetingRun | None:
    """The live runner's state, when the facilitator started the meeting in PeerNet."""
    try:
        return meeting.run
    except MeetingRun.DoesNotExist:
        return None


def has_started(meeting: Meeting, now: datetime | None = None) -> bool:
    """Started by the facilitator (the live runner) or by the clock."""
    now = now or timezone.now()
    run = run_of(meeting)
    return (run is not None and run.started_at is not None) or meeting.starts_at <= now


def has_ended(meeting: Meeting, now: datetime | None = None) -> bool:
    """Ended by the facilitator (the live runner) or by the clock."""
    now = now or timezone.now()
    run = run_of(meeting)
    return (run is not None and run.ended_at is not None) or meeting.ends_at <= now


def ended_at(meeting: Meeting) -> datetime:
    run = run_of(meeting)
    return run.ended_at if run is not None and run.ended_at else meeting.ends_at


def update_opens_hours(cohort_id: int) -> int:
    """Updates open when the agenda prompt goes out (it asks for both): the cohort's own
    offset, or the default when the cohort has none or switched the prompt off."""
    own = (
        NotificationSchedule.objects.filter(cohort_id=cohort_id)
        .values_list("agenda_prompt_hours", flat=True)
        .first()
    )
    return own or settings.NOTIFICATION_OFFSETS_HOURS[AGENDA_PROMPT]


def update_window(meeting: Meeting, *, hours: int | None = None) -> tuple[datetime, datetime]:
    """When members may write and change their update: from the agenda prompt to the start."""
    hours = hours or update_opens_hours(meeting.cohort_id)
    return meeting.starts_at - timedelta(hours=hours), meeting.starts_at


def evaluation_closes(meeting: Meeting) -> datetime:
    return ended_at(meeting) + timedelta(days=settings.EVALUATION_OPEN_DAYS)


def page_moments(meeting: Meeting, updates_open: datetime) -> list[datetime]:
    """When the meeting's page changes by the clock alone: updates open (``updates_open``, as
    the page worked it out), the meeting starts (RSVPs close, attendance opens), ends (the
    evaluation opens) and the evaluation closes."""
    return [
        updates_open,
        meeting.starts_at,
        meeting.ends_at,
        evaluation_closes(meeting),
    ]


def is_cohort_member(user, meeting: Meeting) -> bool:
    return Membership.objects.active().filter(cohort_id=meeting.cohort_id, member=user).exists()


# Member updates ---------------------------------------------------------------------------


def my_update(meeting: Meeting, user) -> MemberUpdate | None:
    return MemberUpdate.objects.filter(meeting=meeting, member=user).first()


@dataclass
class UpdatesSummary:
    """The one-screen summary: every update (lowest first), who is low, who asked for time,
    who has not written one."""

    updates: list[MemberUpdate]
    missing: list
    low: list[MemberUpdate] = field(default_factory=list)
    asking: list[MemberUpdate] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return len(self.updates)

    @property
    def expected(self) -> int:
        return len(self.updates) + len(self.missing)


def updates_summary(meeting: Meeting) -> UpdatesSummary:
    """Two queries whatever the size of the cohort: the roster and the updates."""
    members = roster(meeting.cohort)
    updates = list(
        MemberUpdate.objects.filter(meeting=meeting, member__in=[m.pk for m in members])
        .select_related("member")
        .order_by("member__last_name", "member__first_name", "member_id")
    )
    written = {u.member_id for u in updates}
    return UpdatesSummary(
        updates=updates,
        missing=[m for m in members if m.pk not in written],
        low=sorted((u for u in updates if u.is_low), key=lambda u: u.lowest),
        asking=[u for u in updates if u.needs_time],
    )


def update_counts(meeting: Meeting, user) -> tuple[int, bool]:
    """How many of the cohort's members wrote an update, and whether ``user`` did: one query."""
    counts = MemberUpdate.objects.filter(
        meeting=meeting,
        member__in=Membership.objects.active()
        .filter(cohort_id=meeting.cohort_id)
        .values("member_id"),
    ).aggregate(n=Count("id"), mine=Count("id", filter=Q(member=user.pk)))
    return counts["n"], bool(counts["mine"])


# Presentations ----------------------------------------------------------------------------


def presentations(meeting: Meeting) -> list[AgendaItem]:
    """The topics posted to the meeting, with their presentation fields (one query)."""
    return list(
        meeting.agenda.exclude(state=AgendaItem.State.PARKED)
        .select_related("topic", "presenter")
        .order_by("position", "posted_at")
    )


# Evaluations ------------------------------------------------------------------------------


def evaluation_averages(meeting: Meeting) -> dict:
    """What the cohort sees: the average rating and how many answered (one query)."""
    row = Evaluation.objects.filter(meeting=meeting).aggregate(
        average=Avg("rating"), count=Count("id")
    )
    return {"average": row["average"], "count": row["count"]}


def evaluations_for_facilitator(meeting: Meeting) -> list[Evaluation]:
    """Individual answers, for the cohort's facilitators and admins only (checked by callers)."""
    return list(
        Evaluation.objects.filter(meeting=meeting)
        .select_related("member", "most_valuable")
        .order_by("member__last_name", "member__first_name", "member_id")
    )


def may_evaluate(meeting: Meeting, user) -> bool:
    """A member at the meeting's start who was not recorded absent or excused."""
    held = Membership.objects.held_at(meeting.starts_at).filter(
        cohort_id=meeting.cohort_id, member=user.pk
    )
    away = Attendance.objects.filter(meeting=meeting, member=user.pk, status__in=AWAY)
    return held.exists() and not away.exists()


def last_evaluation(meeting: Meeting) -> tuple[Meeting | None, dict]:
    """The cohort's previous meeting (ended, not cancelled) and its averages."""
    previous = (
        Meeting.objects.filter(
            cohort_id=meeting.cohort_id,
            starts_at__lt=meeting.starts_at,
            status=Meeting.Status.SCHEDULED,
        )
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return None, {"average": None, "count": 0}
    return previous, evaluation_averages(previous)


# Facilitator notes ------------------------------------------------------------------------


def facilitator_note(meeting: Meeting) -> FacilitatorNote | None:
    """Callers check can_read_facilitator_notes first."""
    return FacilitatorNote.objects.filter(meeting=meeting).select_related("updated_by").first()


# The facilitator's dashboard ----------------------------------------------------------------

PREP_DAYS = 3


def meetings_to_prepare(user, *, now: datetime | None = None) -> list[Meeting]:
    """Meetings of the cohorts ``user`` facilitates that start within PREP_DAYS and have not
    ended (one query)."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(
            cohort__facilitators=user,
            status=Meeting.Status.SCHEDULED,
            starts_at__lte=now + timedelta(days=PREP_DAYS),
            ends_at__gt=now,
        )
        .select_related("cohort")
        .order_by("starts_at")
    )


def meeting_scoped(user, pk: int) -> Meeting:
    """One meeting the user may see, with its cohort (one query); 404 otherwise."""
    return get_object_or_404(meetings_visible_to(user).select_related("cohort", "run"), pk=pk)
