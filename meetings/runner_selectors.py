"""Reads for the live runner, scoped to the person asking.

Every participant polls the runner's state about once a second, so the read is shaped for it:
one query finds the meeting (only among those the user may see), its run and everything about
the viewer (facilitator? member? checked in?); when the viewer's version is current nothing
else is read. Otherwise one more query reads the running order and, only in the segments that
show them, one more the check-ins or the commitments."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import signing
from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from groups.models import Cohort, Membership
from groups.selectors import cohorts_visible_to
from meetings.models import (
    Attendance,
    Commitment,
    Meeting,
    MeetingRun,
    MeetingSegment,
    MemberUpdate,
    SegmentKind,
)
from meetings.permissions import can_drive_runner, can_manage_meeting

PRESENT = [Attendance.Status.PRESENT, Attendance.Status.LATE]
# A meeting may be started (and members may check in) this long before its scheduled start...
EARLY_START = timedelta(hours=1)
# ... and no later than this after its scheduled end.
LATE_START = timedelta(hours=6)


def checkin_open(meeting, run: MeetingRun | None, now=None) -> bool:
    now = now or timezone.now()
    return (
        not meeting.is_cancelled
        and not (run is not None and run.is_ended)
        and meeting.starts_at - EARLY_START <= now <= meeting.ends_at + LATE_START
    )


# The run's version, kept in the cache by the writers (runner._bump) so that an unchanged poll
# is answered without reading the database; a day, then read again from the database.
VERSION_KEY = "runner-version:{}"
VERSION_SECONDS = 24 * 3600
_POLL_SIGNER = signing.Signer(salt="meetings.runner.poll")


def version_publish(meeting_id: int, version: int) -> None:
    cache.set(VERSION_KEY.format(meeting_id), version, VERSION_SECONDS)


def version_remember(meeting_id: int, version: int) -> None:
    """After a read from the database: fill the cache only where no writer has put a value
    (a writer's value is never older than what a reader saw)."""
    cache.add(VERSION_KEY.format(meeting_id), version, VERSION_SECONDS)


def version_cached(meeting_id: int) -> int | None:
    return cache.get(VERSION_KEY.format(meeting_id))


def poll_token(user_id: int, meeting_id: int) -> str:
    """Given with the runner page to someone who may see the meeting: it lets their polls be
    answered from the cache. Without it a poll reads the database (and is scoped there), so
    nobody learns the version of a meeting they may not see."""
    return _POLL_SIGNER.signature(f"{user_id}:{meeting_id}")


def poll_token_valid(token: str, user_id: int, meeting_id: int) -> bool:
    return bool(token) and constant_time_compare(token, poll_token(user_id, meeting_id))


def runner_meeting(user, pk: int) -> Meeting:
    """The meeting with its run and what the runner needs to know about the viewer, in one
    query; 404 when the user may not see it."""
    facilitates = Cohort.facilitators.through.objects.filter(
        cohort_id=OuterRef("cohort_id"), user_id=user.pk
    )
    members = (
        Membership.objects.active()
        .filter(cohort_id=OuterRef("cohort_id"))
        .order_by()
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    present = (
        Attendance.objects.filter(meeting_id=OuterRef("pk"), status__in=PRESENT)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    meeting = (
        Meeting.objects.filter(pk=pk, cohort__in=cohorts_visible_to(user))
        .select_related("cohort", "run", "run__timekeeper")
        .annotate(
            viewer_facilitates=Exists(facilitates),
            viewer_is_member=Exists(
                Membership.objects.active().filter(cohort_id=OuterRef("cohort_id"), member=user)
            ),
            viewer_checkin=Subquery(
                Attendance.objects.filter(meeting_id=OuterRef("pk"), member=user).values("status")[
                    :1
                ]
            ),
            member_count=Subquery(members, output_field=IntegerField()),
            present_count=Subquery(present, output_field=IntegerField()),
        )
        .first()
    )
    if meeting is None:
        raise Http404
    # The permission predicates read the cohort's facilitators from here (no second query).
    meeting.cohort.facilitator_ids = {user.pk} if meeting.viewer_facilitates else set()
    return meeting


def run_of(meeting) -> MeetingRun | None:
    try:
        return meeting.run
    except MeetingRun.DoesNotExist:
        return None


def version_of(meeting) -> int:
    run = run_of(meeting)
    return run.version if run else 0


@dataclass
class Step:
    segment: MeetingSegment
    state: str  # done, current, skipped, upcoming


@dataclass
class RunnerState:
    meeting: Meeting
    run: MeetingRun | None
    version: int
    steps: list[Step]
    current: MeetingSegment | None
    next_segment: MeetingSegment | None
    can_drive: bool
    can_manage: bool
    can_edit: bool
    is_member: bool
    viewer_checkin: str | None
    checkin_open: bool
    member_count: int
    present_count: int
    planned_total: int
    now: datetime
    # Seconds the segments still to come are planned to take (after the current one).
    rest_seconds: int
    checkins: list[Attendance] = field(default_factory=list)
    commitments_open: list[Commitment] = field(default_factory=list)
    commitments_made: list[Commitment] = field(default_factory=list)
    # In the updates segment: the members' updates, for who is low and who asked for time.
    updates: list[MemberUpdate] = field(default_factory=list)

    @property
    def is_started(self) -> bool:
        return self.run is not None and self.run.is_started

    @property
    def is_ended(self) -> bool:
        return self.run is not None and self.run.is_ended

    @property
    def is_live(self) -> bool:
        return self.run is not None and self.run.is_live

    @property
    def viewer_checkin_label(self) -> str:
        return Attendance.Status(self.viewer_checkin).label.lower() if self.viewer_checkin else ""

    @property
    def over_length(self) -> int:
        """Minutes the running order needs beyond the meeting's length (0 when it fits)."""
        return max(0, self.planned_total - self.meeting.duration_minutes)

    @property
    def shows_checkin(self) -> bool:
        return not self.is_ended and (
            not self.is_started or (self.current and self.current.kind == SegmentKind.OPENING)
        )

    @property
    def shows_commitments(self) -> bool:
        return self.current is not None and self.current.kind == SegmentKind.COMMITMENTS_REVIEW

    @property
    def shows_updates(self) -> bool:
        return self.current is not None and self.current.kind == SegmentKind.UPDATES

    @property
    def updates_low(self) -> list[MemberUpdate]:
        return sorted((u for u in self.updates if u.is_low), key=lambda u: u.lowest)

    @property
    def updates_asking(self) -> list[MemberUpdate]:
        return [u for u in self.updates if u.needs_time]

    @property
    def actual_total_minutes(self) -> int:
        return round(sum(s.segment.actual_seconds or 0 for s in self.steps) / 60)


def runner_state(user, meeting: Meeting) -> RunnerState:
    run = run_of(meeting)
    segments = list(
        MeetingSegment.objects.filter(meeting=meeting)
        # A presentation segment shows its topic's presentation (same query).
        .select_related("agenda_item", "agenda_item__topic", "agenda_item__presenter")
        .order_by("position")
    )
    current = None
    if run is not None and run.current_segment_id is not None:
        current = next((s for s in segments if s.pk == run.current_segment_id), None)
    steps = []
    for segment in segments:
        if segment.skipped:
            state = "skipped"
        elif current is not None and segment.pk == current.pk:
            state = "current"
        elif segment.ended_at is not None:
            state = "done"
        else:
            state = "upcoming"
        steps.append(Step(segment, state))
    upcoming = [s.segment for s in steps if s.state == "upcoming"]
    manage = can_manage_meeting(user, meeting)
    started = run is not None and run.is_started
    state = RunnerState(
        meeting=meeting,
        run=run,
        version=run.version if run else 0,
        steps=steps,
        current=current,
        next_segment=upcoming[0] if upcoming else None,
        can_drive=can_drive_runner(user, meeting, run) and not meeting.is_cancelled,
        can_manage=manage,
        can_edit=manage and not started and not meeting.is_cancelled,
        is_member=meeting.viewer_is_member,
        viewer_checkin=meeting.viewer_checkin,
        checkin_open=checkin_open(meeting, run),
        member_count=meeting.member_count or 0,
        present_count=meeting.present_count or 0,
        planned_total=sum(s.segment.allowed_minutes for s in steps if s.state != "skipped"),
        now=timezone.now(),
        rest_seconds=sum(s.allowed_minutes for s in upcoming) * 60,
    )
    if state.shows_checkin and (manage or state.can_drive):
        state.checkins = list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("member")
            .order_by("member__last_name", "member__first_name", "member_id")
        )
    elif state.shows_commitments:
        commitments = list(
            Commitment.objects.filter(meeting__cohort=meeting.cohort_id)
            .filter(
                Q(meeting__starts_at__lt=meeting.starts_at, done_at__isnull=True)
                | Q(meeting=meeting)
            )
            .select_related("owner")
            .order_by("due_date", "created_at")
        )
        state.commitments_open = [c for c in commitments if c.meeting_id != meeting.pk]
        state.commitments_made = [c for c in commitments if c.meeting_id == meeting.pk]
    elif state.shows_updates:
        state.updates = list(
            MemberUpdate.objects.filter(
                meeting=meeting,
                member__in=Membership.objects.active()
                .filter(cohort_id=meeting.cohort_id)
                .values("member_id"),
            )
            .select_related("member")
            .order_by("member__last_name", "member__first_name", "member_id")
        )
    return state
