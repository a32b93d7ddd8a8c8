"""Seating one approved member in an existing cohort with open seats: ranked suggestions with
the hard checks (capacity, format, geography, industry mode, meeting-time window, conflicts)
and reasons in plain words, and the one-click placement.

The database keeps the open cohorts of a format the member takes and, for in-person ones, a
home city in a box around the member; seats, the industry rule, the exact distance and the
meeting window are checked in Python on the survivors' rosters, read in three queries whatever
their number (subqueries per cohort cost a second at 4,000 cohorts); conflicts of interest,
the dearest check, only for the best-ranked cohorts until enough suggestions pass. Placing goes
through ``services.membership_add``, which locks the cohort and the member, so capacity and
conflicts hold under concurrent placements exactly as for a roster add.
"""

import math
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import cities
from groups import notification_kinds, services
from groups.models import Cohort, Membership
from groups.permissions import can_create_cohort
from members.choices import MeetingFormat
from members.conflicts import conflicts_between
from members.models import Profile, RankedChallenge, User

OPEN = [Cohort.Status.FORMING, Cohort.Status.ACTIVE]
# Meeting lengths the time window must fit (PRODUCT.md: monthly 3-8 h in person, 1.5-2.5 h
# virtual), in minutes.
MEETING_MINUTES = {
    MeetingFormat.IN_PERSON: 180,
    MeetingFormat.HYBRID: 180,
    MeetingFormat.VIRTUAL: 90,
}
# How the score weighs each part.
SHARED_CHALLENGE = 1.0  # per cohort member who ranks one of the member's challenges
THEME = 2.0  # per cohort theme among the member's challenges
SIZE_PEER = 2.0  # at most, for a company of the cohort's typical size
HYBRID_FAR = 2.0  # a hybrid cohort's penalty per max-distance beyond its limit
# Conflicts are checked in batches of this many cohorts, best first.
CONFLICT_BATCH = 25

CHECKS = {
    "capacity": "full",
    "format": "meet in a format {name} does not take",
    "geography": "meet too far from {city}",
    "industry": "would break their industry rule",
    "time": "have no common meeting window with {name}'s hours",
    "conflicts": "seat someone {name} has a conflict of interest with",
}


@dataclass
class Suggestion:
    cohort: Cohort
    score: float
    seats_open: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class Placement:
    member: User
    suggestions: list[Suggestion]
    # How many open cohorts each hard check ruled out (only the checks that ruled any out).
    ruled_out: dict[str, int]
    considered: int

    @property
    def why_none(self) -> str:
        """Why nothing fits, in one sentence."""
        name = self.member.display_name
        if self.considered == 0:
            return "No cohort is forming or active."
        profile = self.member.profile
        city = profile.city or "their city"
        parts = [
            f"{n} {CHECKS[check].format(name=name, city=city)}"
            for check, n in self.ruled_out.items()
        ]
        return (
            f"None of the {self.considered} forming or active cohorts fits {name}: "
            + "; ".join(parts)
            + ". Form a new cohort from the pool, or raise a cohort's size or distance."
        )


def _formats_for(preferred: str) -> list[str]:
    if preferred == MeetingFormat.IN_PERSON:
        return [MeetingFormat.IN_PERSON, MeetingFormat.HYBRID]
    if preferred == MeetingFormat.VIRTUAL:
        return [MeetingFormat.VIRTUAL, MeetingFormat.HYBRID]
    return [MeetingFormat.IN_PERSON, MeetingFormat.HYBRID, MeetingFormat.VIRTUAL]


def _offset_minutes(zone: str, day) -> int:
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=tz)
    return int(moment.utcoffset().total_seconds() // 60)


def _window_utc(zone: str, start: time, end: time, day) -> tuple[int, int]:
    """Someone's weekday hours as minutes of the UTC day (may run below 0 or past 1440)."""
    offset = _offset_minutes(zone, day)
    return (start.hour * 60 + start.minute - offset, end.hour * 60 + end.minute - offset)


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _size_bucket(employees: int | None) -> int:
    return sum((employees or 0) >= b for b in (50, 250, 1000))


def _bbox(point: tuple[float, float], km: float) -> Q:
    """Cohorts whose home city may be within ``km`` of ``point`` (a box; the exact distance is
    checked afterwards)."""
    lat, lon = point
    dlat = km / 111.0
    dlon = km / max(1e-6, 111.0 * math.cos(math.radians(min(89.0, abs(lat)))))
    box = Q(home_latitude__range=(lat - dlat, lat + dlat))
    if dlon < 180:
        low, high = lon - dlon, lon + dlon
        if low < -180:
            box &= Q(home_longitude__gte=low + 360) | Q(home_longitude__lte=high)
        elif high > 180:
            box &= Q(home_longitude__gte=low) | Q(home_longitude__lte=high - 360)
        else:
            box &= Q(home_longitude__range=(low, high))
    return box


# The largest max_distance_km any in-person cohort may have is read once per call, so the box
# is wide enough for every cohort's own limit.
def placement_suggestions(member: User, *, limit: int = 5) -> Placement:
    """Ranked cohorts with open seats that pass every hard check for ``member``."""
    profile = (
        Profile.objects.select_related("user").only(
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__time_zone",
            "industry",
            "employees",
            "preferred_format",
            "city",
            "latitude",
            "longitude",
            "meeting_hours_start",
            "meeting_hours_end",
        )
    ).get(user=member)
    member = profile.user
    mine = list(
        RankedChallenge.objects.filter(profile=profile)
        .order_by("rank")
        .values_list("challenge_id", "challenge__name")
    )
    challenge_ids = [pk for pk, _ in mine]
    challenge_names = dict(mine)
    point = profile.point

    open_cohorts = Cohort.objects.filter(status__in=OPEN)
    considered = open_cohorts.count()
    formats = _formats_for(profile.preferred_format)
    fitting_format = open_cohorts.filter(format__in=formats)
    in_person = Q(format=MeetingFormat.IN_PERSON, home_latitude__isnull=False)
    if point is None:
        near = ~in_person
    else:
        widest = (
            fitting_format.filter(in_person)
            .order_by("-max_distance_km")
            .values_list("max_distance_km", flat=True)
            .first()
        )
        near = ~in_person | _bbox(point, widest or 0)
    nearby = fitting_format.filter(near)
    # Seats and industries are checked on the rosters read below: as correlated subqueries
    # over every open cohort they cost a second at 4,000 cohorts.
    candidates = {
        c.pk: c
        for c in nearby.only(
            "name",
            "slug",
            "format",
            "max_size",
            "industry_mode",
            "home_city",
            "home_latitude",
            "home_longitude",
            "max_distance_km",
            "home_time_zone",
        )
    }

    ruled_out: dict[str, int] = {}

    def rule_out(check: str, n: int) -> None:
        if n:
            ruled_out[check] = ruled_out.get(check, 0) + n

    day = timezone.localdate()
    own = _window_utc(member.time_zone, profile.meeting_hours_start, profile.meeting_hours_end, day)
    rosters = _rosters(list(candidates), day)
    shared = _shared_counts(list(candidates), challenge_ids)
    themes = _theme_names(list(candidates), challenge_ids, challenge_names)

    ranked: list[Suggestion] = []
    far = no_window = full = industry = 0
    my_bucket = _size_bucket(profile.employees)
    for pk, cohort in candidates.items():
        roster = rosters.get(pk, [])
        if len(roster) >= cohort.max_size:
            full += 1
            continue
        industries = {row[4] for row in roster}
        mode = cohort.industry_mode
        if (mode == Cohort.IndustryMode.NO_OVERLAP and profile.industry in industries) or (
            mode == Cohort.IndustryMode.SINGLE and industries - {profile.industry}
        ):
            industry += 1
            continue
        reasons: list[str] = []
        score = 0.0
        home = cohort.home_point
        if cohort.format != MeetingFormat.VIRTUAL and home is not None and point is not None:
            km = cities.distance_km(point, home)
            if cohort.format == MeetingFormat.IN_PERSON and km > cohort.max_distance_km:
                far += 1
                continue
            where = f"{round(km)} km from {cohort.home_city}"
            if km > cohort.max_distance_km:
                score -= HYBRID_FAR * (km / cohort.max_distance_km - 1)
                where += f", beyond its {cohort.max_distance_km} km (they would join remotely)"
            reasons.append(f"Meets {where}.")
        elif cohort.format == MeetingFormat.VIRTUAL:
            reasons.append("Meets online: no travel.")
        minutes = MEETING_MINUTES.get(cohort.format, 180)
        low, high = own
        for _, start, end, _, _, _ in roster:
            low, high = max(low, start), min(high, end)
        if high - low < minutes:
            no_window += 1
            continue
        reasons.append(
            f"Everyone's weekday hours overlap {_clock(low)}–{_clock(high)} UTC, room for a "
            f"{minutes // 60:g}{'' if minutes % 60 == 0 else '.5'} h meeting."
        )
        n_shared = shared.get(pk, 0)
        cohort_themes = themes.get(pk, [])
        score += SHARED_CHALLENGE * n_shared + THEME * len(cohort_themes)
        if cohort_themes:
            reasons.append(f"Its themes include {_and(cohort_themes)}.")
        if n_shared:
            reasons.append(
                f"{n_shared} of the challenges its members rank are also {member.display_name}'s."
            )
        buckets = [_size_bucket(row[3]) for row in roster]
        if buckets:
            typical = sorted(buckets)[len(buckets) // 2]
            peer = SIZE_PEER * (1 - abs(typical - my_bucket) / 3)
            score += peer
            if typical == my_bucket:
                reasons.append("Companies of the same size band (peers first).")
        seats = cohort.max_size - len(roster)
        reasons.append(f"{seats} seat{'s' if seats != 1 else ''} open of {cohort.max_size}.")
        ranked.append(Suggestion(cohort=cohort, score=round(score, 2), seats_open=seats))
        ranked[-1].reasons = reasons
    rule_out("capacity", full)
    rule_out("industry", industry)
    rule_out("geography", far)
    rule_out("time", no_window)
    ranked.sort(key=lambda s: (-s.score, s.cohort.name, s.cohort.pk))

    suggestions: list[Suggestion] = []
    conflicted = 0
    for start in range(0, len(ranked), CONFLICT_BATCH):
        batch = ranked[start : start + CONFLICT_BATCH]
        roster_ids = [uid for s in batch for uid, *_ in rosters.get(s.cohort.pk, [])]
        conflicts = conflicts_between(member.pk, roster_ids)
        for s in batch:
            if any(uid in conflicts for uid, *_ in rosters.get(s.cohort.pk, [])):
                conflicted += 1
                continue
            suggestions.append(s)
        if len(suggestions) >= limit:
            break
    rule_out("conflicts", conflicted)
    if not suggestions:
        # Only when nothing fits: the counts the database filters hid, for the explanation.
        rule_out("format", considered - fitting_format.count())
        rule_out("geography", fitting_format.count() - len(candidates))
    return Placement(
        member=member,
        suggestions=suggestions[:limit],
        ruled_out=dict(sorted(ruled_out.items(), key=lambda kv: list(CHECKS).index(kv[0]))),
        considered=considered,
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _rosters(cohort_ids: list[int], day) -> dict[int, list[tuple]]:
    """Per cohort: (member id, window start, window end in UTC minutes, employees, industry,
    time zone)."""
    rows = (
        Membership.objects.active()
        .filter(cohort_id__in=cohort_ids)
        .values_list(
            "cohort_id",
            "member_id",
            "member__time_zone",
            "member__profile__meeting_hours_start",
            "member__profile__meeting_hours_end",
            "member__profile__employees",
            "member__profile__industry",
        )
    )
    out: dict[int, list] = {}
    offsets: dict[str, int] = {}
    for cohort_id, member_id, zone, start, end, employees, industry in rows:
        if zone not in offsets:
            offsets[zone] = _offset_minutes(zone, day)
        offset = offsets[zone]
        start = start or time(7, 0)
        end = end or time(19, 0)
        window = (start.hour * 60 + start.minute - offset, end.hour * 60 + end.minute - offset)
        out.setdefault(cohort_id, []).append((member_id, *window, employees, industry, zone))
    return out


def _shared_counts(cohort_ids: list[int], challenge_ids: list[int]) -> dict[int, int]:
    """Per cohort: how many (member, challenge) rankings of its members are among these."""
    if not challenge_ids:
        return {}
    rows = (
        Membership.objects.active()
        .filter(cohort_id__in=cohort_ids)
        .filter(member__profile__challenges__challenge_id__in=challenge_ids)
        .values_list("cohort_id", flat=True)
    )
    counts: dict[int, int] = {}
    for cohort_id in rows:
        counts[cohort_id] = counts.get(cohort_id, 0) + 1
    return counts


def _theme_names(
    cohort_ids: list[int], challenge_ids: list[int], names: dict[int, str]
) -> dict[int, list[str]]:
    if not challenge_ids:
        return {}
    out: dict[int, list[str]] = {}
    rows = Cohort.themes.through.objects.filter(
        cohort_id__in=cohort_ids, challenge_id__in=challenge_ids
    ).values_list("cohort_id", "challenge_id")
    for cohort_id, challenge_id in rows:
        out.setdefault(cohort_id, []).append(names[challenge_id])
    return out


def member_place(*, cohort: Cohort, member: User, actor: User) -> Membership:
    """Seat ``member`` in ``cohort`` (a roster add, with its locks and checks) and tell the
    cohort's facilitators, by a link-only notification."""
    if not can_create_cohort(actor):
        raise PermissionDenied("Only admins place members from the pool.")
    with transaction.atomic():
        membership = services.membership_add(cohort=cohort, member=member, actor=actor)
        notification_kinds.member_placed(membership=membership)
    return membership
