"""A meeting's running order and its live runner: every write.

The running order is built from the meeting's template and its published agenda (one
presentation segment per agenda item, in the template's presentation slot) and stays editable
until the meeting starts. The runner keeps its state in the database: a start and end instant
per segment and the run's current segment, so a refresh or a second device shows the same.
Every change bumps ``MeetingRun.version`` under a row lock; controls carry the version they were
shown, so two people pressing "Next" at once advance the meeting once and the second is told."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from groups.models import Membership
from meetings import templates_lib
from meetings.models import (
    SEGMENT_MINUTES_MAX,
    AgendaItem,
    Attendance,
    MeetingRun,
    MeetingSegment,
    SegmentKind,
)
from meetings.permissions import can_drive_runner, can_manage_meeting
from meetings.runner_selectors import EARLY_START, LATE_START, checkin_open, version_publish

EXTEND_MINUTES = 5
# Checking in this long after the scheduled start records "late".
LATE_AFTER = timedelta(minutes=10)

STALE = (
    "Someone else changed the meeting a moment ago; this page now shows where it stands. "
    "Nothing was changed by your click."
)
NOT_EDITABLE = "The meeting has started: its running order can no longer change."


def has_begun(meeting) -> bool:
    """Past its scheduled start, or started early by its facilitator."""
    return (
        meeting.starts_at <= timezone.now()
        or MeetingRun.objects.filter(meeting=meeting, started_at__isnull=False).exists()
    )


def _require_manager(actor, meeting) -> None:
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied("Only this cohort's facilitators change the running order.")


def _run_locked(meeting) -> MeetingRun:
    """The run row, created on first need, locked until the end of the transaction."""
    MeetingRun.objects.get_or_create(meeting=meeting)
    return MeetingRun.objects.select_for_update().get(meeting=meeting)


def _bump(run: MeetingRun, **fields) -> None:
    """Apply ``fields`` and the next version; the caller holds the run's row lock. The cache
    learns the version before the commit, in version order (the lock serialises writers): a
    poll that sees it early reads the database, finds its own version still there and simply
    asks again a second later, while one that sees a stale cached version cannot happen."""
    fields["version"] = F("version") + 1
    MeetingRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    version_publish(run.meeting_id, run.version)


def _check_version(run: MeetingRun, expected: int | None) -> None:
    if expected is not None and expected != run.version:
        raise ValidationError(STALE, code="stale")


# Running order --------------------------------------------------------------------------


def _planned_segments(meeting) -> list[MeetingSegment]:
    template = templates_lib.template_for_meeting(meeting)
    items = list(
        AgendaItem.objects.filter(
            meeting=meeting,
            state__in=[AgendaItem.State.SCHEDULED, AgendaItem.State.DISCUSSED],
        )
        .select_related("topic", "presenter")
        .order_by("position", "posted_at")
        if meeting.agenda_published_at
        else []
    )
    if template is None and not items:
        raise ValidationError(
            "There is nothing to run yet: choose a template for this cohort or publish an agenda."
        )
    slots = [
        MeetingSegment(
            meeting=meeting,
            kind=SegmentKind.PRESENTATION,
            title=f"{item.topic.title} ({item.presenter.display_name})",
            planned_minutes=min(item.minutes, SEGMENT_MINUTES_MAX),
            agenda_item=item,
        )
        for item in items
    ]
    steps: list[MeetingSegment] = []
    placed = False
    for segment in template.segments.order_by("position") if template else []:
        if segment.kind == SegmentKind.PRESENTATION and slots:
            # The agenda's topics take the template's presentation slot (the first one; any
            # later placeholder would be a second, empty copy of the same slot).
            if not placed:
                for slot in slots:
                    slot.guidance = segment.guidance
                steps.extend(slots)
                placed = True
            continue
        steps.append(
            MeetingSegment(
                meeting=meeting,
                kind=segment.kind,
                title=segment.title,
                planned_minutes=segment.planned_minutes,
                guidance=segment.guidance,
            )
        )
    if slots and not placed:
        # No presentation slot in the template: before the closing commitments and evaluation.
        closing = (SegmentKind.COMMITMENTS_REVIEW, SegmentKind.EVALUATION)
        at = next((i for i, s in enumerate(steps) if s.kind in closing), len(steps))
        steps[at:at] = slots
    for position, step in enumerate(steps, start=1):
        step.position = position
    return steps


def running_order_ensure(*, meeting) -> list[MeetingSegment]:
    """The meeting's running order, built the first time anyone needs it. Idempotent; two
    first views at once build it once (the run row is locked while building)."""
    existing = list(meeting.segments.order_by("position"))
    if existing:
        return existing
    with transaction.atomic():
        run = _run_locked(meeting)
        existing = list(meeting.segments.order_by("position"))
        if existing:
            return existing
        if meeting.is_cancelled:
            raise ValidationError("This meeting is cancelled.")
        segments = MeetingSegment.objects.bulk_create(_planned_segments(meeting))
        _bump(run)
    return segments


def running_order_rebuild(*, meeting, actor) -> list[MeetingSegment]:
    """Start over from the template and the published agenda (before the meeting starts)."""
    _require_manager(actor, meeting)
    with transaction.atomic():
        run = _run_locked(meeting)
        if run.is_started:
            raise ValidationError(NOT_EDITABLE)
        fresh = _planned_segments(meeting)
        meeting.segments.all().delete()
        segments = MeetingSegment.objects.bulk_create(fresh)
        _bump(run, current_segment=None)
    return segments


def _editable_segment(segment: MeetingSegment, actor) -> MeetingRun:
    _require_manager(actor, segment.meeting)
    run = _run_locked(segment.meeting)
    if run.is_started:
        raise ValidationError(NOT_EDITABLE)
    return run


def _minutes_check(minutes) -> None:
    if not isinstance(minutes, int) or not 1 <= minutes <= SEGMENT_MINUTES_MAX:
        raise ValidationError(
            {"planned_minutes": f"Planned minutes must be from 1 to {SEGMENT_MINUTES_MAX}."}
        )


def segment_update(
    *, segment: MeetingSegment, actor, planned_minutes: int, title: str | None = None
) -> MeetingSegment:
    _minutes_check(planned_minutes)
    with transaction.atomic():
        run = _editable_segment(segment, actor)
        segment.planned_minutes = planned_minutes
        if title is not None:
            if not title.strip():
                raise ValidationError({"title": "Give the segment a title."})
            segment.title = title.strip()
        segment.save(update_fields=["planned_minutes", "title"])
        _bump(run)
    return segment


def segment_add(
    *, meeting, actor, kind: str, title: str, planned_minutes: int, guidance: str = ""
) -> MeetingSegment:
    """A new segment at the end of the running order."""
    if kind not in SegmentKind.values:
        raise ValidationError({"kind": "Choose a kind from the list."})
    if not title.strip():
        raise ValidationError({"title": "Give the segment a title."})
    _minutes_check(planned_minutes)
    _require_manager(actor, meeting)
    running_order_ensure(meeting=meeting)
    with transaction.atomic():
        run = _run_locked(meeting)
        if run.is_started:
            raise ValidationError(NOT_EDITABLE)
        last = meeting.segments.aggregate(last=Max("position"))["last"] or 0
        segment = MeetingSegment.objects.create(
            meeting=meeting,
            position=last + 1,
            kind=kind,
            title=title.strip(),
            planned_minutes=planned_minutes,
            guidance=guidance,
        )
        _bump(run)
    return segment


def segment_remove(*, segment: MeetingSegment, actor) -> None:
    with transaction.atomic():
        run = _editable_segment(segment, actor)
        if segment.meeting.segments.count() == 1:
            raise ValidationError("A meeting needs at least one segment: add another first.")
        segment.delete()
        _bump(run)


def segment_move(*, segment: MeetingSegment, actor, direction: str) -> None:
    """Swap with the neighbour above or below. Positions are unique per meeting, so the swap
    goes through position 0, which no segment holds."""
    if direction not in {"up", "down"}:
        raise ValidationError("Move a segment up or down.")
    with transaction.atomic():
        run = _editable_segment(segment, actor)
        siblings = MeetingSegment.objects.filter(meeting_id=segment.meeting_id)
        neighbour = (
            siblings.filter(position__lt=segment.position).order_by("-position")
            if direction == "up"
            else siblings.filter(position__gt=segment.position).order_by("position")
        ).first()
        if neighbour is None:
            return
        mine, theirs = segment.position, neighbour.position
        siblings.filter(pk=segment.pk).update(position=0)
        siblings.filter(pk=neighbour.pk).update(position=mine)
        siblings.filter(pk=segment.pk).update(position=theirs)
        segment.position = theirs
        _bump(run)


def timekeeper_set(*, meeting, actor, member) -> MeetingRun:
    """A member of the cohort who may drive the clock; None takes the role back."""
    _require_manager(actor, meeting)
    if (
        member is not None
        and not Membership.objects.active().filter(cohort=meeting.cohort, member=member).exists()
    ):
        raise ValidationError({"timekeeper": "The timekeeper must be a member of this cohort."})
    with transaction.atomic():
        run = _run_locked(meeting)
        if run.is_ended:
            raise ValidationError("This meeting has ended.")
        _bump(run, timekeeper=member)
    return run


# The live runner ------------------------------------------------------------------------


def _require_driver(actor, meeting, run) -> None:
    if not can_drive_runner(actor, meeting, run):
        raise PermissionDenied("Only the facilitators and the timekeeper run the meeting's clock.")


def _live(meeting, actor, expected_version) -> tuple[MeetingRun, MeetingSegment]:
    run = _run_locked(meeting)
    _require_driver(actor, meeting, run)
    _check_version(run, expected_version)
    if not run.is_started:
        raise ValidationError("The meeting has not started yet: start it first.")
    if run.is_ended:
        raise ValidationError("The meeting has ended: nothing more can change.")
    return run, MeetingSegment.objects.select_for_update().get(pk=run.current_segment_id)


def meeting_start(*, meeting, actor, expected_version: int | None = None) -> MeetingRun:
    now = timezone.now()
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    if now < meeting.starts_at - EARLY_START:
        raise ValidationError("A meeting can be started from one hour before its start time.")
    if now > meeting.ends_at + LATE_START:
        raise ValidationError("This meeting is long over: it can no longer be started.")
    running_order_ensure(meeting=meeting)
    with transaction.atomic():
        run = _run_locked(meeting)
        _require_driver(actor, meeting, run)
        _check_version(run, expected_version)
        if run.is_ended:
            raise ValidationError("The meeting has ended: it cannot start again.")
        if run.is_started:
            raise ValidationError("The meeting has already started.")
        first = meeting.segments.filter(skipped=False).order_by("position").first()
        if first is None:
            raise ValidationError("Every segment is skipped: restore one before starting.")
        MeetingSegment.objects.filter(pk=first.pk).update(started_at=now)
        _bump(run, started_at=now, current_segment=first)
    return run


def _next_of(segment: MeetingSegment) -> MeetingSegment | None:
    return (
        MeetingSegment.objects.filter(
            meeting_id=segment.meeting_id,
            position__gt=segment.position,
            skipped=False,
            started_at__isnull=True,
        )
        .order_by("position")
        .first()
    )


def meeting_advance(*, meeting, actor, expected_version: int) -> MeetingRun:
    """End the current segment and start the next; after the last one the meeting ends."""
    now = timezone.now()
    with transaction.atomic():
        run, current = _live(meeting, actor, expected_version)
        following = _next_of(current)
        MeetingSegment.objects.filter(pk=current.pk).update(ended_at=now)
        if following is None:
            _bump(run, ended_at=now, current_segment=None)
        else:
            MeetingSegment.objects.filter(pk=following.pk).update(started_at=now)
            _bump(run, current_segment=following)
    return run


def meeting_extend(
    *, meeting, actor, expected_version: int, minutes: int = EXTEND_MINUTES
) -> MeetingRun:
    with transaction.atomic():
        run, current = _live(meeting, actor, expected_version)
        if current.allowed_minutes + minutes > SEGMENT_MINUTES_MAX:
            raise ValidationError("This segment cannot be extended any further.")
        MeetingSegment.objects.filter(pk=current.pk).update(
            extra_minutes=F("extra_minutes") + minutes
        )
        _bump(run)
    return run


def segment_skip(*, meeting, actor, segment_id: int, expected_version: int) -> MeetingRun:
    """Leave out a segment still to come (the current one moves on with "Next")."""
    with transaction.atomic():
        run, _current = _live(meeting, actor, expected_version)
        segment = (
            MeetingSegment.objects.select_for_update()
            .filter(meeting=meeting, pk=segment_id)
            .first()
        )
        if segment is None or segment.started_at is not None or segment.skipped:
            raise ValidationError("Only a segment still to come can be skipped.")
        MeetingSegment.objects.filter(pk=segment.pk).update(skipped=True)
        _bump(run)
    return run


def meeting_end(*, meeting, actor, expected_version: int) -> MeetingRun:
    """End now: the current segment ends, those never reached are recorded as skipped."""
    now = timezone.now()
    with transaction.atomic():
        run, current = _live(meeting, actor, expected_version)
        MeetingSegment.objects.filter(pk=current.pk).update(ended_at=now)
        MeetingSegment.objects.filter(meeting=meeting, started_at__isnull=True).update(skipped=True)
        _bump(run, ended_at=now, current_segment=None)
    return run


# Check-in -------------------------------------------------------------------------------


def checkin(*, meeting, member) -> Attendance:
    """ "I'm here": present, or late once the meeting is LATE_AFTER past its start. What a
    facilitator already recorded stands (they confirm and correct on the attendance page)."""
    if not Membership.objects.active().filter(cohort=meeting.cohort, member=member).exists():
        raise PermissionDenied("Only members of this cohort check in to its meetings.")
    now = timezone.now()
    with transaction.atomic():
        run = _run_locked(meeting)
        if not checkin_open(meeting, run, now):
            raise ValidationError("Check-in is open from an hour before the meeting until it ends.")
        status = (
            Attendance.Status.LATE
            if now > meeting.starts_at + LATE_AFTER
            else Attendance.Status.PRESENT
        )
        attendance, created = Attendance.objects.get_or_create(
            meeting=meeting, member=member, defaults={"status": status, "recorded_by": member}
        )
        if created:
            _bump(run)
    return attendance


def run_version_bump(*, meeting) -> None:
    """Something the runner shows changed elsewhere (attendance confirmed or corrected, a
    commitment recorded): every page polling it fetches it again."""
    with transaction.atomic():
        run = MeetingRun.objects.select_for_update().filter(meeting=meeting).first()
        if run is not None:
            _bump(run)
