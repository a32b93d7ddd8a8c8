"""The admins' overview of every cohort, riskiest first. Risk is computed in SQL for the whole
filtered list (so it can be sorted and filtered before paging); a page's sparklines come from one
more query for all its cohorts. Nothing here runs per cohort.

Risk, from the figures of the last ATTENDANCE_DAYS days:
- high: an open norms review item, or attendance below DYING (70%: "below 70% a group dies");
- medium: an open norms warning, attendance below WEAK (80%), or fewer seated members than the
  cohort's minimum size;
- low: none of these.
Attendance is present or late over the attendance recorded at held meetings, excused absences
left out of both. Within a level, the lowest attendance comes first (cohorts without any come
last), then the name.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from groups.models import Cohort, Membership
from meetings.models import Attendance, Meeting, NormBreach

ATTENDANCE_DAYS = 180
SPARK_DAYS = 365
WEAK, DYING = 80, 70
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


class Risk:
    HIGH, MEDIUM, LOW = 3, 2, 1
    CHOICES = [("high", "High"), ("medium", "Medium"), ("low", "Low")]
    BY_NAME = {"high": HIGH, "medium": MEDIUM, "low": LOW}
    LABEL = {HIGH: "High", MEDIUM: "Medium", LOW: "Low"}


def _count(queryset, by: str, **aggregate_filter) -> Coalesce:
    """A correlated count of ``queryset``'s rows whose ``by`` is the outer cohort."""
    counted = (
        queryset.filter(**{by: OuterRef("pk")})
        .order_by()
        .values(by)
        .annotate(n=Count("pk", **aggregate_filter))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def cohorts_by_risk(*, now: datetime, filters: dict | None = None) -> QuerySet[Cohort]:
    """Every cohort with its risk figures, filtered, riskiest first; one query when read."""
    filters = filters or {}
    recent = Attendance.objects.filter(
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__lte=now,
        meeting__starts_at__gte=now - timedelta(days=ATTENDANCE_DAYS),
    ).exclude(status=Attendance.Status.EXCUSED)
    open_breaches = NormBreach.objects.filter(cleared_at__isnull=True)
    cohorts = Cohort.objects.annotate(
        seated=_count(Membership.objects.active(), "cohort"),
        open_reviews=_count(
            open_breaches.filter(level=NormBreach.Level.REVIEW, decided_at__isnull=True), "cohort"
        ),
        open_warnings=_count(open_breaches.filter(level=NormBreach.Level.WARNING), "cohort"),
        recorded=_count(recent, "meeting__cohort"),
        attended=_count(recent.filter(status__in=ATTENDED), "meeting__cohort"),
    ).annotate(
        attendance=Cast(F("attended"), FloatField()) * 100 / NullIf(F("recorded"), 0),
        risk=Case(
            When(Q(open_reviews__gt=0) | Q(attendance__lt=DYING), then=Value(Risk.HIGH)),
            When(
                Q(open_warnings__gt=0) | Q(attendance__lt=WEAK) | Q(seated__lt=F("min_size")),
                then=Value(Risk.MEDIUM),
            ),
            default=Value(Risk.LOW),
            output_field=IntegerField(),
        ),
    )
    if filters.get("risk") in Risk.BY_NAME:
        cohorts = cohorts.filter(risk=Risk.BY_NAME[filters["risk"]])
    if filters.get("status"):
        cohorts = cohorts.filter(status=filters["status"])
    if filters.get("format"):
        cohorts = cohorts.filter(format=filters["format"])
    if filters.get("facilitator"):
        words = filters["facilitator"]
        cohorts = cohorts.filter(
            Exists(
                Cohort.facilitators.through.objects.filter(cohort=OuterRef("pk")).filter(
                    Q(user__first_name__icontains=words)
                    | Q(user__last_name__icontains=words)
                    | Q(user__email__icontains=words)
                )
            )
        )
    return cohorts.order_by(
        F("risk").desc(), F("attendance").asc(nulls_last=True), "name", "pk"
    ).prefetch_related("facilitators")


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
    if cohort.open_reviews:
        reasons.append(f"{cohort.open_reviews} review item{'s' if cohort.open_reviews > 1 else ''}")
    if cohort.open_warnings:
        reasons.append(f"{cohort.open_warnings} warning{'s' if cohort.open_warnings > 1 else ''}")
    if cohort.attendance is not None and cohort.attendance < WEAK:
        reasons.append(f"attendance {round(cohort.attendance)}%")
    if cohort.seated < cohort.min_size:
        reasons.append(f"{cohort.seated} of at least {cohort.min_size} members")
    return reasons
