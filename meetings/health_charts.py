"""Health over time, drawn as server-rendered SVG: the figures per held meeting (started, not
cancelled) of a cohort, or of one member in it, and the geometry of their line charts. Read in
a fixed number of queries whatever the number of meetings.

Definitions (the tests compute the same in SQL):
- attendance: present or late, over the attendance recorded for the meeting less the excused
  absences, which count neither for nor against (%);
- rolling six: the same over the last six meetings up to this one (%);
- RSVP response: answers over the members seated when it started (%);
- RSVP lead time: how long before the start members first answered, on average (days; a later
  change of answer does not move it);
- evaluation: the average rating (1–10);
- updates: member updates over the members seated (%);
- follow-through: commitments made at the meeting and due before today that were done by their
  due date, over those due (%);
- overruns: segments that ran longer than their planned and extra minutes;
- silent members: members seated through the last SILENT_MEETINGS meetings up to this one who
  brought no topic and presented nothing at any of them (none before that many were held).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q

from groups.models import Membership
from meetings.models import (
    AgendaItem,
    Attendance,
    Commitment,
    Evaluation,
    Meeting,
    MeetingSegment,
    MemberUpdate,
    Rsvp,
)

ROLLING = 6
# No topic or presentation in this many meetings in a row makes a member silent (the chair calls).
SILENT_MEETINGS = 2
DAY_SECONDS = 86400
WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


@dataclass
class Series:
    name: str
    values: list  # float | None per meeting
    css: str = "chart-line-1"
    segments: list = field(default_factory=list)  # polyline "x,y x,y" strings
    dots: list = field(default_factory=list)  # (x, y, label, value)


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    unit: str
    maximum: float
    labels: list
    series: list
    width: int = WIDTH
    height: int = HEIGHT
    gridlines: list = field(default_factory=list)  # (y, label)
    ticks: list = field(default_factory=list)  # (x, label)

    @property
    def rows(self) -> list:
        """The data table: one row per meeting, one cell per series."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]

    @property
    def is_empty(self) -> bool:
        return not self.labels


def _pct(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _layout(chart: Chart) -> Chart:
    n = len(chart.labels)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / (n - 1) if n > 1 else 0

    def x_of(i):
        return round(LEFT + (i * step if n > 1 else plot_w / 2), 1)

    def y_of(value):
        value = max(0, min(value, chart.maximum))
        return round(TOP + plot_h * (1 - value / chart.maximum), 1)

    chart.gridlines = [
        (y_of(chart.maximum * q / 4), _number(chart.maximum * q / 4)) for q in range(5)
    ]
    every = max(1, (n + 5) // 6)
    chart.ticks = [(x_of(i), chart.labels[i]) for i in range(0, n, every)]
    for s in chart.series:
        run = []
        for i, value in enumerate(s.values):
            if value is None:
                if run:
                    s.segments.append(" ".join(run))
                run = []
                continue
            x, y = x_of(i), y_of(value)
            run.append(f"{x},{y}")
            s.dots.append((x, y, chart.labels[i], value))
        if run:
            s.segments.append(" ".join(run))
    return chart


def _number(value: float) -> str:
    return f"{value:g}"


def _meetings(cohort, now: datetime) -> list[Meeting]:
    return list(
        Meeting.objects.filter(
            cohort=cohort, status=Meeting.Status.SCHEDULED, starts_at__lte=now
        ).order_by("starts_at", "pk")
    )


def _seats(cohort) -> list[tuple]:
    return list(
        Membership.objects.filter(cohort=cohort).values_list(
            "member_id", "joined_at", "left_at", "status"
        )
    )


def _seated_at(seats, at) -> set[int]:
    """The members who held a seat at this moment."""
    return {
        member
        for member, joined, left, status in seats
        if joined <= at
        and ((status == Membership.Status.ACTIVE and left is None) or (left and left > at))
    }


def _seated(seats, meetings) -> dict[int, int]:
    """How many members held a seat when each meeting started."""
    return {m.pk: len(_seated_at(seats, m.starts_at)) for m in meetings}


def _speakers(meeting_ids, member=None) -> dict[int, set[int]]:
    """Who brought a topic or presented at each meeting."""
    items = AgendaItem.objects.filter(meeting__in=meeting_ids)
    if member is not None:
        items = items.filter(presenter=member)
    result: dict[int, set[int]] = defaultdict(set)
    for meeting_id, presenter in items.values_list("meeting", "presenter").order_by():
        result[meeting_id].add(presenter)
    return result


def _silent(seats, meetings, speakers) -> list[float | None]:
    """Per meeting, how many members seated through the last SILENT_MEETINGS meetings said
    nothing at any of them."""
    result: list[float | None] = []
    for i in range(len(meetings)):
        if i + 1 < SILENT_MEETINGS:
            result.append(None)
            continue
        window = meetings[i + 1 - SILENT_MEETINGS : i + 1]
        through = _seated_at(seats, window[0].starts_at) & _seated_at(seats, window[-1].starts_at)
        spoke = set().union(*(speakers.get(m.pk, set()) for m in window))
        result.append(float(len(through - spoke)))
    return result


def _lead_days(answered_at, meeting) -> float:
    return (meeting.starts_at - answered_at).total_seconds() / DAY_SECONDS


def _tenths(value: float) -> float:
    """Rounded to a tenth, halves away from zero (as SQL's round, not Python's)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _labels(meetings) -> list[str]:
    return [f"{m.local_date:%Y-%m-%d}" for m in meetings]


def cohort_figures(cohort, *, now: datetime) -> dict:
    """Every figure per held meeting, in meeting order, in nine queries."""
    meetings = _meetings(cohort, now)
    ids = [m.pk for m in meetings]
    attendance = {
        row["meeting"]: row
        for row in Attendance.objects.filter(meeting__in=ids)
        .values("meeting")
        .annotate(
            total=Count("id", filter=~Q(status=Attendance.Status.EXCUSED)),
            came=Count("id", filter=Q(status__in=ATTENDED)),
        )
        .order_by()
    }
    answers: dict[int, list[datetime]] = defaultdict(list)
    for meeting_id, answered_at in (
        Rsvp.objects.filter(meeting__in=ids).values_list("meeting", "answered_at").order_by()
    ):
        answers[meeting_id].append(answered_at)
    ratings = dict(
        Evaluation.objects.filter(meeting__in=ids)
        .values("meeting")
        .annotate(avg=Avg("rating"))
        .order_by()
        .values_list("meeting", "avg")
    )
    updates = dict(
        MemberUpdate.objects.filter(meeting__in=ids)
        .values("meeting")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("meeting", "n")
    )
    follow = _follow_through(Commitment.objects.filter(meeting__in=ids), now)
    overruns = _overruns(MeetingSegment.objects.filter(meeting__in=ids))
    seats = _seats(cohort)
    seated = _seated(seats, meetings)
    silent = _silent(seats, meetings, _speakers(ids))
    figures = defaultdict(list)
    for i, meeting in enumerate(meetings):
        row = attendance.get(meeting.pk, {"total": 0, "came": 0})
        figures["attendance"].append(_pct(row["came"], row["total"]))
        window = [attendance.get(m.pk) for m in meetings[max(0, i - ROLLING + 1) : i + 1]]
        figures["rolling"].append(
            _pct(sum(w["came"] for w in window if w), sum(w["total"] for w in window if w))
        )
        answered = answers.get(meeting.pk, [])
        figures["rsvp"].append(_pct(len(answered), seated[meeting.pk]))
        figures["lead_days"].append(
            _tenths(sum(_lead_days(at, meeting) for at in answered) / len(answered))
            if answered
            else None
        )
        avg = ratings.get(meeting.pk)
        figures["evaluation"].append(round(float(avg), 1) if avg is not None else None)
        figures["updates"].append(_pct(updates.get(meeting.pk, 0), seated[meeting.pk]))
        done, due = follow.get(meeting.pk, (0, 0))
        figures["follow_through"].append(_pct(done, due))
        figures["overruns"].append(overruns.get(meeting.pk, 0))
    figures["silent"] = silent
    return {"meetings": meetings, **figures}


def member_figures(cohort, member, *, now: datetime) -> dict:
    """One member's own figures per held meeting of the cohort since they joined."""
    meetings = _meetings(cohort, now)
    joined = (
        Membership.objects.filter(cohort=cohort, member=member)
        .order_by("joined_at")
        .values_list("joined_at", flat=True)
        .first()
    )
    meetings = [m for m in meetings if joined is not None and m.starts_at >= joined]
    ids = [m.pk for m in meetings]
    status = dict(
        Attendance.objects.filter(meeting__in=ids, member=member).values_list("meeting", "status")
    )
    answered = dict(
        Rsvp.objects.filter(meeting__in=ids, member=member).values_list("meeting", "answered_at")
    )
    spoke = _speakers(ids, member)
    ratings = dict(
        Evaluation.objects.filter(meeting__in=ids, member=member).values_list("meeting", "rating")
    )
    updated = set(
        MemberUpdate.objects.filter(meeting__in=ids, member=member).values_list(
            "meeting", flat=True
        )
    )
    follow = _follow_through(Commitment.objects.filter(meeting__in=ids, owner=member), now)
    figures = defaultdict(list)
    for meeting in meetings:
        state = status.get(meeting.pk)
        figures["attendance"].append(
            None
            if state in (None, Attendance.Status.EXCUSED)
            else (100.0 if state in ATTENDED else 0.0)
        )
        figures["rsvp"].append(100.0 if meeting.pk in answered else 0.0)
        at = answered.get(meeting.pk)
        figures["lead_days"].append(_tenths(_lead_days(at, meeting)) if at else None)
        figures["spoke"].append(100.0 if spoke.get(meeting.pk) else 0.0)
        rating = ratings.get(meeting.pk)
        figures["evaluation"].append(float(rating) if rating is not None else None)
        figures["updates"].append(100.0 if meeting.pk in updated else 0.0)
        done, due = follow.get(meeting.pk, (0, 0))
        figures["follow_through"].append(_pct(done, due))
    return {"meetings": meetings, **figures}


def _follow_through(commitments, now: datetime) -> dict[int, tuple[int, int]]:
    result: dict[int, tuple[int, int]] = {}
    today = now.date()
    for meeting_id, due, done_at in commitments.filter(due_date__lt=today).values_list(
        "meeting", "due_date", "done_at"
    ):
        done, total = result.get(meeting_id, (0, 0))
        on_time = done_at is not None and done_at.date() <= due
        result[meeting_id] = (done + on_time, total + 1)
    return result


def _overruns(segments) -> dict[int, int]:
    result: dict[int, int] = defaultdict(int)
    for segment in segments.filter(started_at__isnull=False, ended_at__isnull=False).only(
        "meeting_id", "started_at", "ended_at", "planned_minutes", "extra_minutes"
    ):
        if segment.actual_seconds > segment.allowed_minutes * 60:
            result[segment.meeting_id] += 1
    return result


def _chart(slug, title, description, unit, maximum, labels, series) -> Chart:
    return _layout(
        Chart(
            slug=slug,
            title=title,
            description=description,
            unit=unit,
            maximum=maximum,
            labels=labels,
            series=[Series(name=n, values=v, css=f"chart-line-{i + 1}") for i, (n, v) in series],
        )
    )


def _days_scale(values) -> float:
    """A week, or the longest lead rounded up to whole weeks."""
    longest = max([0, *(v for v in values if v is not None)])
    return float(7 * max(1, math.ceil(longest / 7)))


def cohort_charts(cohort, *, now: datetime) -> list[Chart]:
    f = cohort_figures(cohort, now=now)
    labels = _labels(f["meetings"])
    count = len(labels)
    span = f"over {count} held meeting{'s' if count != 1 else ''}"
    max_overruns = max([*f.get("overruns", []), 4])
    return [
        _chart(
            "attendance",
            "Attendance",
            f"Share of recorded members who came to each meeting, and over the last six, {span}.",
            "%",
            100,
            labels,
            [
                (0, ("Per meeting", f.get("attendance", []))),
                (1, ("Rolling six", f.get("rolling", []))),
            ],
        ),
        _chart(
            "engagement",
            "RSVPs and updates",
            f"Share of seated members who answered the RSVP and who submitted an update, {span}.",
            "%",
            100,
            labels,
            [
                (0, ("RSVP response", f.get("rsvp", []))),
                (1, ("Updates submitted", f.get("updates", []))),
            ],
        ),
        _chart(
            "rsvp-lead-time",
            "RSVP lead time",
            f"How many days before each meeting members first answered its RSVP, on average, "
            f"{span}.",
            " days",
            _days_scale(f.get("lead_days", [])),
            labels,
            [(0, ("Days ahead", f.get("lead_days", [])))],
        ),
        _chart(
            "silent-members",
            "Silent members",
            f"Members seated through the last {SILENT_MEETINGS} meetings who brought no topic "
            f"and presented nothing at any of them, {span}.",
            "",
            max([*(v for v in f.get("silent", []) if v is not None), 4]),
            labels,
            [(0, ("Silent members", f.get("silent", [])))],
        ),
        _chart(
            "evaluation",
            "Evaluation average",
            f"Average rating out of 10 that attendees gave each meeting, {span}.",
            "/10",
            10,
            labels,
            [(0, ("Average rating", f.get("evaluation", [])))],
        ),
        _chart(
            "follow-through",
            "Commitment follow-through",
            f"Share of commitments made at each meeting, due before today, done by their due "
            f"date, {span}.",
            "%",
            100,
            labels,
            [(0, ("Done by the due date", f.get("follow_through", [])))],
        ),
        _chart(
            "overruns",
            "Segment overruns",
            f"Segments that ran longer than their planned and added minutes, {span}.",
            "",
            max_overruns,
            labels,
            [(0, ("Segments over time", [float(v) for v in f.get("overruns", [])]))],
        ),
    ]


def member_charts(cohort, member, *, now: datetime) -> list[Chart]:
    f = member_figures(cohort, member, now=now)
    labels = _labels(f["meetings"])
    return [
        _chart(
            "my-attendance",
            "Your attendance and RSVPs",
            "Whether you came to each meeting (100) or not (0; excused absences are left out), "
            "and whether you answered its RSVP.",
            "%",
            100,
            labels,
            [(0, ("Attended", f.get("attendance", []))), (1, ("Answered RSVP", f.get("rsvp", [])))],
        ),
        _chart(
            "my-rsvp-lead-time",
            "Your RSVP lead time",
            "How many days before each meeting you first answered its RSVP.",
            " days",
            _days_scale(f.get("lead_days", [])),
            labels,
            [(0, ("Days ahead", f.get("lead_days", [])))],
        ),
        _chart(
            "my-topics",
            "Your topics and presentations",
            "Whether you brought a topic or presented at each meeting (100) or not (0).",
            "%",
            100,
            labels,
            [(0, ("Topic or presentation", f.get("spoke", [])))],
        ),
        _chart(
            "my-follow-through",
            "Your updates and commitments",
            "Whether you submitted an update for each meeting, and the share of your commitments "
            "made there that you did by their due date.",
            "%",
            100,
            labels,
            [
                (0, ("Update submitted", f.get("updates", []))),
                (1, ("Commitments done on time", f.get("follow_through", []))),
            ],
        ),
        _chart(
            "my-evaluation",
            "Your evaluations",
            "The rating out of 10 you gave each meeting.",
            "/10",
            10,
            labels,
            [(0, ("Your rating", f.get("evaluation", [])))],
        ),
    ]
