"""Health over time, drawn as server-rendered SVG: the figures per held meeting (started, not
cancelled) of a cohort, or of one member in it, and the geometry of their line charts. Read in
a fixed number of queries whatever the number of meetings.

Definitions (the tests compute the same in SQL):
- attendance: present or late, over the attendance recorded for the meeting (%);
- rolling six: the same over the last six meetings up to this one (%);
- RSVP response: answers over the members seated when it started (%);
- evaluation: the average rating (1–10);
- updates: member updates over the members seated (%);
- follow-through: commitments made at the meeting and due before today that were done by their
  due date, over those due (%);
- overruns: segments that ran longer than their planned and extra minutes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, Q

from groups.models import Membership
from meetings.models import (
    Attendance,
    Commitment,
    Evaluation,
    Meeting,
    MeetingSegment,
    MemberUpdate,
    Rsvp,
)

ROLLING = 6
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
        return round(TOP + plot_h * (1 - min(value, chart.maximum) / chart.maximum), 1)

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


def _seated(cohort, meetings) -> dict[int, int]:
    """How many members held a seat when each meeting started."""
    seats = list(
        Membership.objects.filter(cohort=cohort).values_list("joined_at", "left_at", "status")
    )
    result = {}
    for meeting in meetings:
        at = meeting.starts_at
        result[meeting.pk] = sum(
            1
            for joined, left, status in seats
            if joined <= at
            and ((status == Membership.Status.ACTIVE and left is None) or (left and left > at))
        )
    return result


def _labels(meetings) -> list[str]:
    return [f"{m.local_date:%Y-%m-%d}" for m in meetings]


def cohort_figures(cohort, *, now: datetime) -> dict:
    """Every figure per held meeting, in meeting order, in eight queries."""
    meetings = _meetings(cohort, now)
    ids = [m.pk for m in meetings]
    attendance = {
        row["meeting"]: row
        for row in Attendance.objects.filter(meeting__in=ids)
        .values("meeting")
        .annotate(total=Count("id"), came=Count("id", filter=Q(status__in=ATTENDED)))
        .order_by()
    }
    rsvps = dict(
        Rsvp.objects.filter(meeting__in=ids)
        .values("meeting")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("meeting", "n")
    )
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
    seated = _seated(cohort, meetings)
    figures = defaultdict(list)
    for i, meeting in enumerate(meetings):
        row = attendance.get(meeting.pk, {"total": 0, "came": 0})
        figures["attendance"].append(_pct(row["came"], row["total"]))
        window = [attendance.get(m.pk) for m in meetings[max(0, i - ROLLING + 1) : i + 1]]
        figures["rolling"].append(
            _pct(sum(w["came"] for w in window if w), sum(w["total"] for w in window if w))
        )
        figures["rsvp"].append(_pct(rsvps.get(meeting.pk, 0), seated[meeting.pk]))
        avg = ratings.get(meeting.pk)
        figures["evaluation"].append(round(float(avg), 1) if avg is not None else None)
        figures["updates"].append(_pct(updates.get(meeting.pk, 0), seated[meeting.pk]))
        done, due = follow.get(meeting.pk, (0, 0))
        figures["follow_through"].append(_pct(done, due))
        figures["overruns"].append(overruns.get(meeting.pk, 0))
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
    answered = set(
        Rsvp.objects.filter(meeting__in=ids, member=member).values_list("meeting", flat=True)
    )
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
