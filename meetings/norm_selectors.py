"""Reads of the group norms: each member's standing against their cohort's policy, the admins'
review queue and the audit. The standing of any number of cohorts is read in a fixed number of
queries (the daily evaluation reads all of them at once)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from groups.models import Cohort, Membership
from meetings.models import (
    Attendance,
    Commitment,
    Meeting,
    NormBreach,
    NormEvent,
    NormPolicy,
    Rsvp,
)

# Commitments due within this many days count towards follow-through.
FOLLOW_THROUGH_DAYS = 365
# Fewer commitments due than this say nothing about a member's follow-through.
FOLLOW_THROUGH_MIN_DUE = 3
MAX_WINDOW = 24


@dataclass
class Standing:
    """One member's numbers against their cohort's norms."""

    member_id: int
    meetings_counted: int = 0
    absent_meetings: list = field(default_factory=list)
    late_rsvps: int = 0
    commitments_due: int = 0
    commitments_on_time: int = 0

    @property
    def absences(self) -> int:
        return len(self.absent_meetings)

    @property
    def follow_through_percent(self) -> int | None:
        if not self.commitments_due:
            return None
        return round(100 * self.commitments_on_time / self.commitments_due)

    def follow_through_low(self, policy: NormPolicy) -> bool:
        return (
            self.commitments_due >= FOLLOW_THROUGH_MIN_DUE
            and self.follow_through_percent < policy.follow_through_percent
        )

    def detail(self, kind: str, policy: NormPolicy) -> str:
        if kind == NormBreach.Kind.ATTENDANCE:
            return f"absent from {self.absences} of the last {self.meetings_counted} meetings"
        if kind == NormBreach.Kind.RSVP:
            return (
                f"{self.late_rsvps} of the last {self.meetings_counted} meetings answered "
                f"late or not at all"
            )
        return (
            f"{self.commitments_on_time} of {self.commitments_due} commitments done by "
            f"their due date"
        )


@dataclass
class NormFacts:
    policies: dict  # cohort id -> NormPolicy
    standings: dict  # (cohort id, member id) -> Standing
    open_breaches: dict  # (cohort id, member id, kind, level) -> NormBreach
    meetings: dict = field(default_factory=dict)  # cohort id -> counted meetings, newest first


def policies_for(cohort_ids) -> dict[int, NormPolicy]:
    """Each cohort's own policy, else the organisation's, else the built-in defaults."""
    rows = list(NormPolicy.objects.filter(cohort__in=cohort_ids)) + list(
        NormPolicy.objects.filter(cohort__isnull=True).order_by("pk")[:1]
    )
    default = next((p for p in rows if p.cohort_id is None), None) or NormPolicy()
    own = {p.cohort_id: p for p in rows if p.cohort_id is not None}
    return {pk: own.get(pk, default) for pk in cohort_ids}


def organisation_policy() -> NormPolicy:
    return NormPolicy.objects.filter(cohort__isnull=True).order_by("pk").first() or NormPolicy()


def counted_meetings(cohort_ids, now: datetime) -> dict[int, list[Meeting]]:
    """Each cohort's held meetings (started, not cancelled), newest first, at most MAX_WINDOW."""
    ranked = (
        Meeting.objects.filter(
            cohort__in=cohort_ids, status=Meeting.Status.SCHEDULED, starts_at__lte=now
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("cohort")], order_by=F("starts_at").desc())
        )
        .filter(rank__lte=MAX_WINDOW)
        .order_by("cohort", "-starts_at")
    )
    result = defaultdict(list)
    for meeting in ranked:
        result[meeting.cohort_id].append(meeting)
    return result


def norm_facts(*, cohort_ids=None, now: datetime, member_id: int | None = None) -> NormFacts:
    if cohort_ids is None:
        cohort_ids = list(
            Cohort.objects.filter(status=Cohort.Status.ACTIVE).values_list("pk", flat=True)
        )
    cohort_ids = list(cohort_ids)
    policies = policies_for(cohort_ids)
    seats = Membership.objects.active().filter(cohort__in=cohort_ids)
    if member_id is not None:
        seats = seats.filter(member_id=member_id)
    joined = {(s.cohort_id, s.member_id): s.joined_at for s in seats}
    member_ids = {m for _, m in joined}
    meetings = {
        cohort_id: found[: policies[cohort_id].window_meetings]
        for cohort_id, found in counted_meetings(cohort_ids, now).items()
    }
    by_pk = {m.pk: m for found in meetings.values() for m in found}
    standings = {key: Standing(member_id=key[1]) for key in joined}
    for (cohort_id, member_id_), standing in standings.items():
        standing.meetings_counted = sum(
            1 for m in meetings.get(cohort_id, []) if m.starts_at >= joined[cohort_id, member_id_]
        )
    for meeting_id, member, status in Attendance.objects.filter(
        meeting__in=list(by_pk), member__in=member_ids
    ).values_list("meeting_id", "member_id", "status"):
        standing = standings.get((by_pk[meeting_id].cohort_id, member))
        if standing is not None and status == Attendance.Status.ABSENT:
            standing.absent_meetings.append(by_pk[meeting_id])
    answered = {
        (meeting_id, member): answered_at
        for meeting_id, member, answered_at in Rsvp.objects.filter(
            meeting__in=list(by_pk), member__in=member_ids
        ).values_list("meeting_id", "member_id", "answered_at")
    }
    for (cohort_id, member), standing in standings.items():
        policy = policies[cohort_id]
        for meeting in meetings.get(cohort_id, []):
            # Meetings before the member joined say nothing about them.
            if meeting.starts_at < joined[cohort_id, member]:
                continue
            at = answered.get((meeting.pk, member))
            if at is None or at > meeting.starts_at - timedelta(hours=policy.rsvp_hours):
                standing.late_rsvps += 1
        standing.absent_meetings.sort(key=lambda m: m.starts_at, reverse=True)
    today = now.date()
    for cohort_id, owner, due, done_at in Commitment.objects.filter(
        meeting__cohort__in=cohort_ids,
        owner__in=member_ids,
        due_date__lt=today,
        due_date__gte=today - timedelta(days=FOLLOW_THROUGH_DAYS),
    ).values_list("meeting__cohort_id", "owner_id", "due_date", "done_at"):
        standing = standings.get((cohort_id, owner))
        if standing is None:
            continue
        standing.commitments_due += 1
        if done_at is not None and done_at.date() <= due:
            standing.commitments_on_time += 1
    breaches = NormBreach.objects.filter(cohort__in=cohort_ids, cleared_at__isnull=True)
    if member_id is not None:
        breaches = breaches.filter(member_id=member_id)
    open_breaches = {(b.cohort_id, b.member_id, b.kind, b.level): b for b in breaches}
    return NormFacts(
        policies=policies, standings=standings, open_breaches=open_breaches, meetings=meetings
    )


def review_queue() -> QuerySet[NormBreach]:
    """Review items waiting for a decision, oldest first."""
    return (
        NormBreach.objects.filter(
            level=NormBreach.Level.REVIEW, decided_at__isnull=True, cleared_at__isnull=True
        )
        .select_related("cohort", "member")
        .order_by("opened_at", "pk")
    )


def review_item_for(pk: int) -> NormBreach:
    return get_object_or_404(review_queue(), pk=pk)


def norm_events(cohort, *, member_id: int | None = None, limit: int = 30) -> list[NormEvent]:
    events = NormEvent.objects.filter(cohort=cohort)
    if member_id is not None:
        events = events.filter(member_id=member_id)
    return list(
        events.select_related("member", "actor", "meeting").order_by("-created_at", "-pk")[:limit]
    )
