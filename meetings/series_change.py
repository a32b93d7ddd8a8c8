"""Changing a series from one of its meetings on: a new rule ("first Tuesday" becomes "second
Wednesday"), a new start time or length, a new template. The plan says what moves (old and new
local date and time of each meeting, and which already hold RSVPs or topics) before anything
changes; applying it recomputes the same plan under a lock and carries it out.

The earlier meetings keep the old rule: the series is split. The old one ends the day before
the meeting the change starts from; a new series carries the new rule. Each following meeting
is paired, in order, with an occurrence of the new rule and moved there, keeping its identity
(UID) and telling calendars (SEQUENCE); meetings left over are cancelled, occurrences left
over are created. One change notice goes out, about the first meeting that moved."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from core.versions import HEALTH, version_bump
from groups.permissions import can_manage_cohort
from meetings import forum_selectors, notification_kinds, recurrence
from meetings.models import Meeting, MeetingSegment, MeetingTemplate, Series, aware
from meetings.services import HORIZON_DAYS, occurrences_sync

MOVE, CANCEL, ADD, SAME = "move", "cancel", "add", "same"


@dataclass
class Change:
    action: str
    meeting: Meeting | None
    old: datetime | None  # aware, in the series' zone
    new: datetime | None
    rsvps: int = 0
    topics: int = 0

    @property
    def holds_something(self) -> bool:
        return bool(self.rsvps or self.topics)


@dataclass
class SeriesChangePlan:
    series: Series
    rule: str
    first_date: date
    start_time: time
    duration_minutes: int
    template: MeetingTemplate | None
    template_changes: bool
    changes: list[Change] = field(default_factory=list)

    def of(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def described(self) -> str:
        return recurrence.describe(self.rule)


def _affected(meeting: Meeting) -> list[Meeting]:
    """This meeting and the later ones of its series that still follow the series (those
    changed on their own keep their change)."""
    return list(
        Meeting.objects.filter(
            Q(detached=False) | Q(pk=meeting.pk),
            series_id=meeting.series_id,
            original_date__gte=meeting.original_date,
            status=Meeting.Status.SCHEDULED,
        ).order_by("original_date")
    )


def _check(meeting: Meeting, actor, first_date: date, start_time: time, now: datetime) -> None:
    if not can_manage_cohort(actor, meeting.cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins change its series.")
    if meeting.series_id is None:
        raise ValidationError("This meeting is not part of a series.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled: change the series from a coming one.")
    if forum_selectors.has_started(meeting, now):
        raise ValidationError("This meeting has started: change the series from a coming one.")
    earlier = (
        Meeting.objects.filter(
            series_id=meeting.series_id,
            original_date__lt=meeting.original_date,
            status=Meeting.Status.SCHEDULED,
        )
        .order_by("-local_date")
        .values_list("local_date", flat=True)
        .first()
    )
    if earlier and first_date <= earlier:
        raise ValidationError(
            {
                "first_date": f"The new rule must start after the meeting of "
                f"{earlier:%-d %B %Y}, which keeps the old one."
            }
        )
    if aware(datetime.combine(first_date, start_time), meeting.time_zone) <= now:
        raise ValidationError({"first_date": "The first meeting under the new rule is past."})


def series_change_plan(
    *,
    meeting: Meeting,
    actor,
    rule: str,
    first_date: date,
    start_time: time,
    duration_minutes: int,
    template: MeetingTemplate | None = None,
    change_template: bool = False,
    now: datetime | None = None,
) -> SeriesChangePlan:
    """What would change, without changing anything."""
    now = now or timezone.now()
    _check(meeting, actor, first_date, start_time, now)
    rule = recurrence.validate(rule, first_date, start_time)
    series = meeting.series
    zone = series.time_zone
    horizon = timezone.localdate() + timedelta(days=HORIZON_DAYS)
    new = recurrence.expand(rule, first_date, start_time, until=horizon)
    old = _affected(meeting)
    held = {
        row["pk"]: row
        for row in Meeting.objects.filter(pk__in=[m.pk for m in old])
        .annotate(
            rsvp_count=Count("rsvps", distinct=True), topic_count=Count("agenda", distinct=True)
        )
        .values("pk", "rsvp_count", "topic_count")
    }
    plan = SeriesChangePlan(
        series=series,
        rule=rule,
        first_date=first_date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        template=template if change_template else series.template,
        template_changes=change_template and template != series.template,
    )
    for index in range(max(len(old), len(new))):
        before = old[index] if index < len(old) else None
        after = aware(new[index], zone) if index < len(new) else None
        counts = held.get(before.pk, {}) if before else {}
        then = aware(before.start_local, before.time_zone) if before else None
        if before and after:
            same = then == after and before.duration_minutes == duration_minutes
            action = SAME if same else MOVE
        else:
            action = CANCEL if before else ADD
        plan.changes.append(
            Change(
                action=action,
                meeting=before,
                old=then,
                new=after,
                rsvps=counts.get("rsvp_count", 0),
                topics=counts.get("topic_count", 0),
            )
        )
    return plan


def _end_rule(rule: str, last_day: date) -> str:
    """The rule, ending on `last_day` (its own UNTIL or COUNT replaced)."""
    kept = [
        p for p in recurrence.normalise(rule).split(";") if not p.startswith(recurrence.END_PARTS)
    ]
    return ";".join([*kept, f"UNTIL={last_day:%Y%m%d}T235959"])


def series_change_apply(*, meeting: Meeting, actor, **wanted) -> SeriesChangePlan:
    with transaction.atomic():
        old_series = Series.objects.select_for_update().get(pk=meeting.series_id)
        meeting = Meeting.objects.select_related("cohort", "series").get(pk=meeting.pk)
        plan = series_change_plan(meeting=meeting, actor=actor, **wanted)
        new_series = Series.objects.create(
            cohort_id=old_series.cohort_id,
            title=old_series.title,
            rrule=plan.rule,
            first_date=plan.first_date,
            start_time=plan.start_time,
            duration_minutes=plan.duration_minutes,
            time_zone=old_series.time_zone,
            location=old_series.location,
            video_url=old_series.video_url,
            template=plan.template,
            created_by=actor,
        )
        old_series.rrule = _end_rule(old_series.rrule, meeting.original_date - timedelta(days=1))
        old_series.save(update_fields=["rrule"])
        first_moved = None
        for change in plan.changes:
            if change.action in (MOVE, SAME):
                m = change.meeting
                m.series, m.original_date, m.detached = new_series, change.new.date(), False
                if change.action == MOVE:
                    m.local_date, m.local_time = change.new.date(), change.new.time()
                    m.duration_minutes = plan.duration_minutes
                    m.sequence = F("sequence") + 1
                m.save()
                if change.action == MOVE and first_moved is None:
                    first_moved = m
            elif change.action == CANCEL:
                Meeting.objects.filter(pk=change.meeting.pk).update(
                    status=Meeting.Status.CANCELLED, sequence=F("sequence") + 1, detached=True
                )
                version_bump(HEALTH)
        if plan.template_changes:
            # Running orders not yet under way are rebuilt from the new template when next
            # needed; one under way keeps its own.
            MeetingSegment.objects.filter(
                meeting__series=new_series, meeting__run__started_at__isnull=True
            ).delete()
        occurrences_sync(series=new_series)
        notice = first_moved or next((c.meeting for c in plan.changes if c.action == CANCEL), None)
        if notice is not None:
            notice.refresh_from_db()
            moved = len(plan.of(MOVE)) + len(plan.of(CANCEL))
            notification_kinds.meeting_changed(meeting=notice, following=moved)
    return plan
