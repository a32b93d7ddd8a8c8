"""Reads in the meetings app, scoped to the person asking."""

from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.tokens import token_hash
from core.versions import cached_with_version, person_version
from groups.models import Membership
from groups.selectors import cohorts_visible_to, roster
from meetings.models import (
    SCORE,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Commitment,
    Meeting,
    Rsvp,
    Topic,
    Vote,
)
from members.models import User


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(cohort__in=cohorts_visible_to(user))


def _meeting_cohort_key(pk: int) -> str:
    return f"meeting-cohort:{pk}"


def meeting_cohort_id(pk: int) -> int | None:
    """The cohort of meeting ``pk`` if a page of it was shown before (a meeting never changes
    cohort), without a query; None otherwise."""
    return cache.get(_meeting_cohort_key(pk))


def meeting_cohort_remember(meeting: Meeting) -> None:
    cache.set(_meeting_cohort_key(meeting.pk), meeting.cohort_id, timeout=None)


def meeting_for(user, pk: int) -> Meeting:
    """One meeting with what its page shows, in a fixed number of queries; 404 if not visible."""
    meeting = get_object_or_404(
        meetings_visible_to(user)
        .select_related("cohort", "series", "run")
        .prefetch_related(
            "cohort__facilitators",
            Prefetch(
                "rsvps",
                queryset=Rsvp.objects.select_related("member").order_by(
                    "member__last_name", "member__first_name"
                ),
            ),
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.select_related("topic", "presenter")
                .annotate(
                    vote_count=Count("votes"),
                    my_vote=Exists(Vote.objects.filter(item=OuterRef("pk"), voter=user.pk)),
                )
                .order_by("position", "posted_at"),
            ),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member").order_by(
                    "member__last_name", "member__first_name", "member_id"
                ),
            ),
        ),
        pk=pk,
    )
    meeting.facilitator_ids = {f.pk for f in meeting.cohort.facilitators.all()}
    meeting.cohort.facilitator_ids = meeting.facilitator_ids
    return meeting


def open_commitments(cohort, *, before) -> QuerySet[Commitment]:
    """Commitments made at earlier meetings of the cohort and not yet done."""
    return (
        Commitment.objects.filter(
            meeting__cohort=cohort, meeting__starts_at__lt=before, done_at__isnull=True
        )
        .select_related("owner", "meeting")
        .order_by("due_date", "created_at")
    )


def page_commitments(meeting, *, made_here: bool) -> list[Commitment]:
    """The open commitments from the cohort's earlier meetings and, with ``made_here``, every
    commitment made at ``meeting``: one query, in the order of ``open_commitments``. The cohort
    condition is shared by both parts so that the meetings index finds the rows (an OR of the
    two filters as they stand scanned every commitment: 40 ms at 35,000 members, 1 ms so)."""
    wanted = Q(meeting__starts_at__lt=meeting.starts_at, done_at__isnull=True)
    if made_here:
        wanted |= Q(meeting=meeting)
    return list(
        Commitment.objects.filter(meeting__cohort=meeting.cohort_id)
        .filter(wanted)
        .select_related("owner", "meeting")
        .order_by("due_date", "created_at")
    )


def upcoming(cohort, *, limit: int = 5) -> QuerySet[Meeting]:
    return (
        cohort.meetings.filter(ends_at__gte=timezone.now())
        .select_related("cohort")
        .order_by("starts_at")[:limit]
    )


def past(cohort, *, limit: int = 12) -> QuerySet[Meeting]:
    return cohort.meetings.filter(ends_at__lt=timezone.now()).order_by("-starts_at")[:limit]


def backlog(user) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(owner=user)
        .annotate(score_value=SCORE)
        .order_by("-score_value", "-created_at")
    )


def member_cohort_ids(user) -> list[int]:
    """The cohorts where ``user`` holds a seat now, cached until their seats change (their
    person version: core.versioned), so a kept page of theirs names its cohorts' versions
    without a query."""
    return cached_with_version(
        person_version(user.pk),
        "seat-cohorts",
        lambda: sorted(
            set(Membership.objects.active().filter(member=user).values_list("cohort_id", flat=True))
        ),
        shape="cohort-ids",
    )


def postable_meetings(user) -> QuerySet[Meeting]:
    """Coming meetings of the member's own cohorts."""
    cohorts = Membership.objects.active().filter(member=user).values("cohort")
    return (
        Meeting.objects.filter(
            cohort__in=cohorts, starts_at__gt=timezone.now(), status=Meeting.Status.SCHEDULED
        )
        .select_related("cohort")
        .order_by("starts_at")
    )


def suggest_presenters(cohort) -> list[dict]:
    """Members by their best topic score, then by how long since they last presented."""
    members = roster(cohort)
    best: dict[int, Topic] = {}
    for topic in Topic.objects.filter(owner__in=members).annotate(score_value=SCORE):
        if topic.owner_id not in best or topic.score_value > best[topic.owner_id].score_value:
            best[topic.owner_id] = topic
    last_presented: dict[int, object] = {}
    for item in AgendaItem.objects.filter(
        meeting__cohort=cohort, state=AgendaItem.State.DISCUSSED
    ).select_related("meeting"):
        when = item.meeting.starts_at
        if item.presenter_id not in last_presented or when > last_presented[item.presenter_id]:
            last_presented[item.presenter_id] = when
    now = timezone.now()
    rows = []
    for member in members:
        topic = best.get(member.pk)
        last = last_presented.get(member.pk)
        rows.append(
            {
                "member": member,
                "topic": topic,
                "score": topic.score_value if topic else 0,
                "last_presented": last,
                "days_since": (now - last).days if last else None,
            }
        )
    never = timedelta(days=100_000).days
    rows.sort(
        key=lambda r: (
            -r["score"],
            -(r["days_since"] if r["days_since"] is not None else never),
            r["member"].last_name,
        )
    )
    return rows


def feed_user(token: str) -> User | None:
    feed = CalendarFeed.objects.filter(token_hash=token_hash(token)).select_related("user").first()
    return feed.user if feed and feed.user.is_active else None


def feed_meetings(user) -> QuerySet[Meeting]:
    """Every meeting of the person's cohorts from 90 days ago on, cancelled ones included."""
    since = timezone.now() - timedelta(days=90)
    return (
        Meeting.objects.filter(cohort__in=cohorts_visible_to(user), ends_at__gte=since)
        .select_related("cohort")
        .order_by("starts_at")
    )


def member_commitments(user) -> QuerySet[Commitment]:
    return Commitment.objects.filter(owner=user, done_at__isnull=True).select_related(
        "meeting", "meeting__cohort"
    )


def attendance_rate(cohort) -> float | None:
    counts = Attendance.objects.filter(meeting__cohort=cohort).aggregate(
        total=Count("id"),
        present=Count("id", filter=Q(status__in=["present", "late"])),
    )
    return counts["present"] / counts["total"] if counts["total"] else None


def cohorts_health(cohorts) -> dict[int, tuple[Meeting | None, float | None]]:
    """For each cohort's id: its next meeting (not yet over) and its attendance rate, in two
    queries whatever the number of cohorts."""
    ids = [c.pk for c in cohorts]
    now = timezone.now()
    # The first meeting of each cohort, as a correlated subquery rather than DISTINCT ON, which
    # SQLite (the embedded mode) does not have.
    first = (
        Meeting.objects.filter(cohort=OuterRef("cohort"), ends_at__gte=now)
        .order_by("starts_at", "pk")
        .values("pk")[:1]
    )
    upcoming_by_cohort = {
        m.cohort_id: m
        for m in Meeting.objects.filter(cohort__in=ids, ends_at__gte=now, pk=Subquery(first))
    }
    counts = {
        row["meeting__cohort"]: row
        for row in Attendance.objects.filter(meeting__cohort__in=ids)
        .values("meeting__cohort")
        .annotate(
            # Excused absences count neither for nor against, as in the health charts.
            total=Count("id", filter=~Q(status=Attendance.Status.EXCUSED)),
            present=Count("id", filter=Q(status__in=["present", "late"])),
        )
        .order_by()
    }
    return {
        pk: (
            upcoming_by_cohort.get(pk),
            counts[pk]["present"] / counts[pk]["total"]
            if counts.get(pk, {}).get("total")
            else None,
        )
        for pk in ids
    }
