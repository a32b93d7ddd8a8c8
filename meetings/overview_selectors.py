"""The admins' overview of every cohort, riskiest first. Risk is computed in SQL for every
cohort in one query, kept in the cache until the data it reads changes (ranked_figures), and
filtered, counted and paged from there; a page's cohorts and their sparklines come from one
query each. Nothing here runs per cohort.

Risk, from the figures of the last ATTENDANCE_DAYS days:
- high: an open norms review item, or attendance below DYING (70%: "below 70% a group dies");
- medium: an open norms warning, attendance below WEAK (80%), or fewer seated members than the
  cohort's minimum size;
- low: none of these, or the cohort is closed.
Attendance is present or late over the attendance recorded at held meetings, excused absences
left out of both. Within a level, the lowest attendance comes first (cohorts without any come
last), then the name.
"""

from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import isnan, nan

from django.db import connection
from django.db.models import Count, Q, prefetch_related_objects

from core.versions import COHORTS, HEALTH, cached
from groups.models import Cohort, Membership
from meetings.models import Attendance, Meeting, NormBreach

ATTENDANCE_DAYS = 180
SPARK_DAYS = 365
WEAK, DYING = 80, 70
CHUNK = 500
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


class Risk:
    HIGH, MEDIUM, LOW = 3, 2, 1
    CHOICES = [("high", "High"), ("medium", "Medium"), ("low", "Low")]
    BY_NAME = {"high": HIGH, "medium": MEDIUM, "low": LOW}
    LABEL = {HIGH: "High", MEDIUM: "Medium", LOW: "Low"}


def _facilitated_by(words: str) -> set[int]:
    """The cohorts with a facilitator whose name or email contains ``words``."""
    return set(
        Cohort.facilitators.through.objects.filter(
            Q(user__first_name__icontains=words)
            | Q(user__last_name__icontains=words)
            | Q(user__email__icontains=words)
        ).values_list("cohort_id", flat=True)
    )


# Each figure is aggregated once for every cohort in a single pass over its table (grouped
# subqueries joined to the cohorts), not as a correlated subquery per cohort: the ORM repeats a
# correlated annotation wherever the risk and the ordering use it (nine subplans run 4,000
# times each took a second at 4,000 cohorts; this takes tens of milliseconds).
RISK_SQL = """
WITH seats AS (
    SELECT cohort_id, COUNT(*) AS n FROM {membership} WHERE status = %(active)s GROUP BY cohort_id
), breaches AS (
    SELECT cohort_id,
           SUM(CASE WHEN level = %(review)s AND decided_at IS NULL THEN 1 ELSE 0 END) AS reviews,
           SUM(CASE WHEN level = %(warning)s THEN 1 ELSE 0 END) AS warnings
    FROM {breach} WHERE cleared_at IS NULL GROUP BY cohort_id
), recent AS (
    SELECT m.cohort_id,
           SUM(CASE WHEN a.status <> %(excused)s THEN 1 ELSE 0 END) AS recorded,
           SUM(CASE WHEN a.status IN (%(present)s, %(late)s) THEN 1 ELSE 0 END) AS came
    FROM {attendance} a JOIN {meeting} m ON m.id = a.meeting_id
    WHERE m.status = %(scheduled)s AND m.starts_at >= %(since)s AND m.starts_at <= %(now)s
    GROUP BY m.cohort_id
), figures AS (
    SELECT c.*,
           COALESCE(seats.n, 0) AS seated,
           COALESCE(breaches.reviews, 0) AS open_reviews,
           COALESCE(breaches.warnings, 0) AS open_warnings,
           100.0 * recent.came / NULLIF(recent.recorded, 0) AS attendance
    FROM {cohort} c
    LEFT JOIN seats ON seats.cohort_id = c.id
    LEFT JOIN breaches ON breaches.cohort_id = c.id
    LEFT JOIN recent ON recent.cohort_id = c.id
), risked AS (
    SELECT figures.*,
           CASE WHEN status = %(closed)s THEN 1
                WHEN open_reviews > 0 OR attendance < %(dying)s THEN 3
                WHEN open_warnings > 0 OR attendance < %(weak)s OR seated < min_size THEN 2
                ELSE 1 END AS risk
    FROM figures
)
"""


ORDER_SQL = (
    "SELECT id, risk, attendance, seated, open_reviews, open_warnings, status, format "
    "FROM risked ORDER BY risk DESC, CASE WHEN attendance IS NULL THEN 1 ELSE 0 END, "
    "attendance, name, id"
)
STATUSES = list(Cohort.Status.values)
FORMATS = [value for value, _ in Cohort._meta.get_field("format").choices]


@dataclass
class Figures:
    """Every cohort's figures, riskiest first, one array per column (a cache read of 4,000
    cohorts is then a few flat buffers, not 4,000 tuples). Attendance is NaN without any;
    status and format are indexes into STATUSES and FORMATS."""

    ids: array
    risk: bytes
    attendance: array
    seated: array
    open_reviews: array
    open_warnings: array
    status: bytes
    format: bytes


def _sql_params(now: datetime) -> tuple[str, dict]:
    sql = RISK_SQL.format(
        membership=Membership._meta.db_table,
        breach=NormBreach._meta.db_table,
        attendance=Attendance._meta.db_table,
        meeting=Meeting._meta.db_table,
        cohort=Cohort._meta.db_table,
    )
    params = {
        "active": Membership.Status.ACTIVE,
        "review": NormBreach.Level.REVIEW,
        "warning": NormBreach.Level.WARNING,
        "excused": Attendance.Status.EXCUSED,
        "present": Attendance.Status.PRESENT,
        "late": Attendance.Status.LATE,
        "scheduled": Meeting.Status.SCHEDULED,
        "since": now - timedelta(days=ATTENDANCE_DAYS),
        "now": now,
        "closed": Cohort.Status.CLOSED,
        "dying": DYING,
        "weak": WEAK,
    }
    return sql, params


def ranked_figures(now: datetime) -> Figures:
    """Every cohort's figures, riskiest first. One query over every cohort, cached until a
    cohort or a seat (COHORTS) or a meeting, an attendance or a breach (HEALTH) changes, and
    for the hour at most: the window of ATTENDANCE_DAYS moves on with the clock."""

    def compute() -> Figures:
        sql, params = _sql_params(now)
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} {ORDER_SQL}", params)
            rows = cursor.fetchall()
        return Figures(
            ids=array("q", (r[0] for r in rows)),
            risk=bytes(r[1] for r in rows),
            attendance=array("d", (nan if r[2] is None else float(r[2]) for r in rows)),
            seated=array("q", (r[3] for r in rows)),
            open_reviews=array("q", (r[4] for r in rows)),
            open_warnings=array("q", (r[5] for r in rows)),
            status=bytes(STATUSES.index(r[6]) for r in rows),
            format=bytes(FORMATS.index(r[7]) for r in rows),
        )

    # Change the shape with Figures: a deploy that changes them then reads no old value.
    key = f"cohorts-by-risk:figures:{now:%Y-%m-%dT%H}"
    return cached((COHORTS, HEALTH), key, compute, timeout=3600, shape="figures-2")


class CohortsByRisk:
    """The filtered cohorts with their risk figures, riskiest first (what the paginator needs:
    a count and slices); a slice is one query for its cohorts, whose instances carry
    ``seated``, ``open_reviews``, ``open_warnings``, ``attendance`` (None without any) and
    ``risk``. The figures of every cohort come from ranked_figures (cached)."""

    def __init__(self, *, now: datetime, filters: dict):
        self.figures = f = ranked_figures(now)
        chosen = range(len(f.ids))  # positions in the figures, riskiest first
        if filters.get("status") in STATUSES:
            code = STATUSES.index(filters["status"])
            chosen = [i for i in chosen if f.status[i] == code]
        if filters.get("format") in FORMATS:
            code = FORMATS.index(filters["format"])
            chosen = [i for i in chosen if f.format[i] == code]
        if filters.get("risk") in Risk.BY_NAME:
            level = Risk.BY_NAME[filters["risk"]]
            chosen = [i for i in chosen if f.risk[i] == level]
        if filters.get("q"):
            named = set(
                Cohort.objects.filter(name__icontains=filters["q"]).values_list("pk", flat=True)
            )
            chosen = [i for i in chosen if f.ids[i] in named]
        if filters.get("facilitator"):
            facilitated = _facilitated_by(filters["facilitator"])
            chosen = [i for i in chosen if f.ids[i] in facilitated]
        self._chosen = chosen

    def count(self) -> int:
        return len(self._chosen)

    def rows(self, offset: int, limit: int) -> list[Cohort]:
        """One slice, riskiest first, with each cohort's facilitators."""
        f, part = self.figures, self._chosen[offset : offset + limit]
        if not part:
            return []
        found = Cohort.objects.in_bulk([f.ids[i] for i in part])
        cohorts = []
        for i in part:
            cohort = found.get(f.ids[i])
            if cohort is None:  # deleted since the figures were computed
                continue
            cohort.risk = f.risk[i]
            cohort.attendance = None if isnan(f.attendance[i]) else f.attendance[i]
            cohort.seated = f.seated[i]
            cohort.open_reviews = f.open_reviews[i]
            cohort.open_warnings = f.open_warnings[i]
            cohorts.append(cohort)
        prefetch_related_objects(cohorts, "facilitators")
        return cohorts

    def __getitem__(self, key: slice) -> list[Cohort]:
        start = key.start or 0
        stop = key.stop if key.stop is not None else self.count()
        return self.rows(start, max(0, stop - start))

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        """Every cohort, a chunk at a time (the CSV export streams them)."""
        for offset in range(0, self.count(), CHUNK):
            yield from self.rows(offset, CHUNK)


def cohorts_by_risk(*, now: datetime, filters: dict | None = None) -> CohortsByRisk:
    """Every cohort with its risk figures, filtered, riskiest first."""
    return CohortsByRisk(now=now, filters=filters or {})


@dataclass
class Sparkline:
    """Attendance per held meeting of the last year, as a small line."""

    values: list = field(default_factory=list)  # per meeting with attendance recorded (%)
    width: int = 120
    height: int = 28
    points: str = ""
    last: tuple | None = None  # (x, y) of the latest meeting

    @property
    def summary(self) -> str:
        if not self.values:
            return "No attendance recorded in the last year."
        shown = ", ".join(f"{v:g}%" for v in self.values)
        if len(self.values) == 1:
            return f"Attendance at the only meeting of the last year: {shown}."
        return f"Attendance at the last {len(self.values)} meetings, oldest first: {shown}."


def _spark(values: list[float]) -> Sparkline:
    line = Sparkline(values=values)
    if not values:
        return line
    pad = 3
    step = (line.width - 2 * pad) / (len(values) - 1) if len(values) > 1 else 0
    coords = [
        (
            round(pad + (i * step if len(values) > 1 else (line.width - 2 * pad) / 2), 1),
            round(pad + (line.height - 2 * pad) * (1 - v / 100), 1),
        )
        for i, v in enumerate(values)
    ]
    line.points = " ".join(f"{x},{y}" for x, y in coords)
    line.last = coords[-1]
    return line


def sparklines(cohort_ids, *, now: datetime) -> dict[int, Sparkline]:
    """Each cohort's attendance sparkline, for any number of cohorts in one query."""
    rows = (
        Meeting.objects.filter(
            cohort__in=cohort_ids,
            status=Meeting.Status.SCHEDULED,
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=SPARK_DAYS),
        )
        .annotate(
            recorded=Count("attendance", filter=~Q(attendance__status=Attendance.Status.EXCUSED)),
            came=Count("attendance", filter=Q(attendance__status__in=ATTENDED)),
        )
        .filter(recorded__gt=0)
        .order_by("cohort_id", "starts_at", "pk")
        .values_list("cohort_id", "recorded", "came")
    )
    values: dict[int, list[float]] = {pk: [] for pk in cohort_ids}
    for cohort_id, recorded, came in rows:
        values[cohort_id].append(round(100 * came / recorded, 1))
    return {pk: _spark(v) for pk, v in values.items()}


def risk_reasons(cohort) -> list[str]:
    """Why a cohort (annotated by cohorts_by_risk) is at the level it is."""
    reasons = []
    if cohort.status == Cohort.Status.CLOSED:
        return reasons
    if cohort.open_reviews:
        reasons.append(f"{cohort.open_reviews} review item{'s' if cohort.open_reviews > 1 else ''}")
    if cohort.open_warnings:
        reasons.append(f"{cohort.open_warnings} warning{'s' if cohort.open_warnings > 1 else ''}")
    if cohort.attendance is not None and cohort.attendance < WEAK:
        reasons.append(f"attendance {round(cohort.attendance)}%")
    if cohort.seated < cohort.min_size:
        reasons.append(f"{cohort.seated} of at least {cohort.min_size} members")
    return reasons
