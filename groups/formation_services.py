"""The formation engine inside PeerNet: pools become solver input, proposals become cohorts.

The solver itself (groups/formation/) knows nothing of Django; this module converts the
members app's profiles and conflicts into its input and its output back into cohorts.
"""

import hashlib
import json
import logging
import math
import re
import threading
import time
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

# groups.tasks imports this module too; its tasks are looked up when a run is queued, so the
# cycle is harmless.
from core.versions import COHORTS, POOL, cached, version_bump
from groups import formation, notification_kinds, selectors, tasks
from groups.models import Cohort, FormationRun, Membership, RosterEvent
from groups.permissions import can_create_cohort
from groups.services import _unique_slug
from members.conflicts import conflicts_among
from members.models import Challenge, Profile, RankedChallenge, User

# The queue formation runs go to (None: Celery's default routing). Tests point it at the
# queue of the worker they start.
QUEUE: str | None = None
# How often a running run writes its phase, elapsed time and best score to its row (the page
# polls every second).
HEARTBEAT_SECONDS = 0.5
logger = logging.getLogger(__name__)
SIZE_BUCKETS = [50, 250, 1000]  # employees: <50, 50-249, 250-999, 1000+
STAGES = ["lt1m", "1m-5m", "5m-13m", "13m-50m", "50m-250m", "250m+"]
FORMATS = {
    "in_person": formation.IN_PERSON | formation.HYBRID,
    "virtual": formation.VIRTUAL | formation.HYBRID,
    "hybrid": formation.ALL_FORMATS,
    "": formation.ALL_FORMATS,
}


def _offset_hours(zone: str, when: date) -> float:
    moment = datetime(when.year, when.month, when.day, 12, tzinfo=zoneinfo.ZoneInfo(zone))
    return moment.utcoffset().total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class PoolProfile:
    company: str
    city: str
    latitude: float | None
    longitude: float | None

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class PoolPerson:
    """What proposals and explanations show of a member: plain values, not a model instance
    (5,000 users with their profiles as instances were a second of the proposal page)."""

    pk: int
    first_name: str
    last_name: str
    email: str
    time_zone: str
    profile: PoolProfile

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


def pool_members(user_ids: list[int]) -> tuple[list[formation.Member], list[PoolPerson]]:
    """Solver profiles for these users, in the same order, in a fixed number of queries."""
    # Only the fields the solver and the explanations read, as plain rows: at 3,000 members in
    # the pool, model instances were most of the wizard's start page.
    rows = {
        row[0]: row
        for row in User.objects.filter(pk__in=user_ids).values_list(
            "pk",
            "first_name",
            "last_name",
            "email",
            "time_zone",
            "profile__id",
            "profile__company",
            "profile__employees",
            "profile__revenue_band",
            "profile__industry",
            "profile__preferred_format",
            "profile__city",
            "profile__latitude",
            "profile__longitude",
            "profile__meeting_hours_start",
            "profile__meeting_hours_end",
        )
    }
    ranked: dict[int, list[int]] = {}
    challenge_rows = (
        RankedChallenge.objects.filter(profile__user_id__in=user_ids)
        .order_by("rank")
        .values_list("profile_id", "challenge_id")
    )
    for profile_id, challenge_id in challenge_rows:
        ranked.setdefault(profile_id, []).append(challenge_id)
    today = timezone.localdate()
    offsets: dict[str, float] = {}
    out, people = [], []
    for pk in user_ids:
        (
            _,
            first,
            last,
            email,
            zone,
            profile_id,
            company,
            employees,
            revenue,
            industry,
            preferred,
            city,
            lat,
            lon,
            start,
            end,
        ) = rows[pk]
        if zone not in offsets:
            offsets[zone] = _offset_hours(zone, today)
        profile = PoolProfile(company=company or "", city=city or "", latitude=lat, longitude=lon)
        employees = employees or 0
        out.append(
            formation.Member(
                challenges=tuple(ranked.get(profile_id, ())),
                company_size=sum(employees >= b for b in SIZE_BUCKETS),
                stage=STAGES.index(revenue) if revenue in STAGES else 0,
                industry=industry or "none",
                tz_offset=offsets[zone],
                formats=FORMATS.get(preferred or "", formation.ALL_FORMATS),
                location=profile.point,
                place=profile.city,
                hours=formation.Hours(start=_hour(start, 7.0), end=_hour(end, 19.0)),
                zone=zone,
            )
        )
        people.append(PoolPerson(pk, first or "", last or "", email, zone, profile))
    return out, people


def _hour(value, default: float) -> float:
    return default if value is None else value.hour + value.minute / 60


# How long the meetings a formed cohort must find a common window for last (minutes), unless a
# run says otherwise.
MEETING_MINUTES = 180


def cohort_plan(
    members: list[formation.Member], *, min_size: int, max_size: int, max_km: float
) -> list[formation.CohortSpec] | None:
    """The cohorts to form from this pool: in-person cohorts around each metro with enough
    members who meet in person (the metro's most central city as home), and for everyone else
    (virtual only, no city, or too few nearby) virtual cohorts, or hybrid ones when some of them
    do not meet online. When the others are too few for a cohort of their own, the in-person
    cohort nearest to them becomes hybrid (the distance then only costs score), so they can join
    it. None when no plan fits the sizes (the engine then chooses formats freely)."""
    if min_size < 1 or max_size < min_size or not members:
        return None
    middle = (min_size + max_size) / 2

    def count_for(n: int) -> int:
        low, high = math.ceil(n / max_size), n // min_size
        return min(max(round(n / middle), low), high) if low <= high else 0

    # Distinct places first: a pool has a few hundred cities, not thousands of people.
    places: dict[tuple[float, float], list[int]] = {}
    for i, m in enumerate(members):
        if m.location is not None and m.formats & formation.IN_PERSON:
            places.setdefault(tuple(m.location), []).append(i)
    points = list(places)
    near = {p: [q for q in points if formation.haversine_km(p, q) <= max_km] for p in points}
    left = set(points)
    regions: list[tuple[tuple[float, float], str, list[int]]] = []
    others = [
        i
        for i, m in enumerate(members)
        if m.location is None or not m.formats & formation.IN_PERSON
    ]
    while left:
        centre = max(sorted(left), key=lambda p: sum(len(places[q]) for q in near[p] if q in left))
        taken = [q for q in near[centre] if q in left]
        people = [i for q in taken for i in places[q]]
        left -= set(taken)
        if count_for(len(people)):
            regions.append((centre, members[places[centre][0]].place, people))
        else:
            others.extend(people)
    specs = [
        formation.CohortSpec(format=formation.IN_PERSON, home=home, max_km=max_km, place=place)
        for home, place, people in regions
        for _ in range(count_for(len(people)))
    ]
    if others:
        online = all(members[i].formats & formation.VIRTUAL for i in others)
        extra = count_for(len(others))
        if extra:
            kind = formation.VIRTUAL if online else formation.HYBRID
            specs += [formation.CohortSpec(format=kind, max_km=max_km)] * extra
        elif specs:
            # Too few for a cohort of their own: the in-person cohort nearest to them takes
            # them as a hybrid one.
            located = [members[i].location for i in others if members[i].location is not None]

            def distance(spec: formation.CohortSpec) -> float:
                return sum(formation.haversine_km(spec.home, p) for p in located)

            nearest = min(range(len(specs)), key=lambda k: (distance(specs[k]), k))
            spec = specs[nearest]
            specs[nearest] = formation.CohortSpec(
                format=formation.HYBRID, home=spec.home, max_km=spec.max_km, place=spec.place
            )
        else:
            return None
    total = len(members)
    if not specs or not len(specs) * min_size <= total <= len(specs) * max_size:
        return None
    return specs


def _spec_write(spec: formation.CohortSpec) -> dict:
    return {
        "format": spec.format,
        "home": list(spec.home) if spec.home else None,
        "max_km": spec.max_km,
        "place": spec.place,
    }


def _spec_read(data: dict) -> formation.CohortSpec:
    home = data.get("home")
    return formation.CohortSpec(
        format=int(data.get("format") or 0),
        home=(float(home[0]), float(home[1])) if home else None,
        max_km=float(data.get("max_km") or formation.DEFAULT_MAX_KM),
        place=data.get("place") or "",
    )


def _builder(member_ids: list[int]):
    """A function from run parameters to the solver's problem over these members (their
    profiles and conflicts are read once), and the members' users in solver order."""
    members, people = pool_members(member_ids)
    index = {pk: i for i, pk in enumerate(member_ids)}
    cannot = [(index[a], index[b]) for a, b in conflicts_among(member_ids)]

    slots: dict[int, object] = {}
    today = timezone.localdate()

    def build(p) -> formation.Problem:
        mode = formation.IndustryMode(p["industry_mode"])
        weights = formation.Weights(**p.get("weights", {}))
        spread = p.get("max_tz_spread")
        minutes = int(p.get("meeting_minutes") or MEETING_MINUTES)
        if minutes not in slots:
            slots[minutes] = formation.member_start_slots(
                members, meeting_minutes=minutes, week_of=today
            )
        # With the number of cohorts left to the engine, the pool's geography decides it: one
        # in-person cohort or more per metro, virtual or hybrid ones for the others.
        plan = None
        if p.get("cohorts"):
            plan = [_spec_read(spec) for spec in p["cohorts"]]
        elif p.get("n_groups") is None and p.get("geography", True):
            plan = cohort_plan(
                members,
                min_size=p["min_size"],
                max_size=p["max_size"],
                max_km=float(p.get("max_km") or formation.DEFAULT_MAX_KM),
            )
        return formation.make_problem(
            affinity=formation.build_features(members, weights, mode),
            sizes=(p["min_size"], p["max_size"]),
            n_groups=None if plan else p.get("n_groups"),
            cohorts=plan,
            locations=[m.location for m in members],
            start_slots=slots[minutes],
            meeting_minutes=minutes,
            cannot_link=cannot,
            tz_offsets=[m.tz_offset for m in members] if spread is not None else None,
            max_tz_spread=spread,
            formats=[m.formats for m in members],
            categories=(
                [m.industry for m in members] if mode is formation.IndustryMode.SINGLE else None
            ),
            members=members,
        )

    return build, people


def _problem(run: FormationRun):
    build, people = _builder(run.member_ids)
    return build(run.params), people


# How the wizard names each parameter when it asks for a change, and its change.
ADVICE = {
    "max_tz_spread": "Set the largest time-zone spread to {value:g} hours "
    "(or leave it empty for no limit).",
    "n_groups": "Set the number of cohorts to {value}.",
    "min_size": "Set the smallest cohort to {value}.",
    "max_size": "Set the largest cohort to {value}.",
    "industry_mode": "Choose “{label}” for industries.",
}


def _advice_text(advice: formation.Advice, people: list[User]) -> str:
    text = _humanise(advice.reason, people)
    if advice.parameter is None:
        return f"{text} No single change fixes this: widen the sizes or narrow the pool."
    label = ""
    if advice.parameter == "industry_mode":
        label = Cohort.IndustryMode(advice.value).label
    return f"{text} {ADVICE[advice.parameter].format(value=advice.value, label=label)}"


def pool_defaults(*, member_ids: list[int], defaults: dict) -> dict:
    """The wizard's starting parameters for this pool: ``defaults``, with each parameter the
    feasibility checks object to changed to the nearest value they accept (e.g. a wider
    time-zone spread for a pool spread across the world)."""
    settings = dict(defaults)
    if len(member_ids) < 2:
        return settings
    build, _ = _builder(member_ids)
    for _ in range(4):
        advice = formation.advise(settings, build)
        if advice is None or advice.parameter is None:
            break
        settings[advice.parameter] = advice.value
    return settings


def whole_pool_defaults(*, defaults: dict) -> dict:
    """``pool_defaults`` for the whole pool, as the wizard's start page offers them: working
    them out takes a second or so of Python at 3,000 waiting members, so the result is cached
    until the pool changes (and per day: time-zone offsets are taken on today's date)."""

    def compute() -> dict:
        ids = list(selectors.pool().values_list("pk", flat=True))
        return pool_defaults(member_ids=ids, defaults=defaults)

    key = json.dumps([str(timezone.localdate()), defaults], sort_keys=True)
    key = "defaults:" + hashlib.sha256(key.encode()).hexdigest()
    return cached(POOL, key, compute, shape="settings-dict")


def run_start(*, actor, member_ids: list[int], params: dict) -> FormationRun:
    """Check the parameters against the pool, then queue the run. An impossible combination is
    a ValidationError on the parameter to change, saying what to change it to."""
    if not can_create_cohort(actor):
        raise PermissionDenied("Only admins form cohorts.")
    if not member_ids:
        raise ValidationError("No approved member is waiting for a cohort in this pool.")
    build, people = _builder(member_ids)
    advice = formation.advise(params, build)
    if advice is not None:
        raise ValidationError({advice.parameter or NON_FIELD_ERRORS: _advice_text(advice, people)})
    # The run keeps the cohorts the pool's geography planned, so the proposal can be shown a
    # page of cohorts at a time without planning the whole pool again.
    problem = build(params)
    if problem.cohorts and not params.get("cohorts"):
        params = {**params, "cohorts": [_spec_write(spec) for spec in problem.cohorts]}
    run = FormationRun.objects.create(created_by=actor, params=params, member_ids=member_ids)
    transaction.on_commit(lambda: tasks.formation_run.apply_async((run.pk,), queue=QUEUE))
    return run


class _Progress:
    """Where a run is: written by the solving thread, saved to the row by the heartbeat."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.phase = FormationRun.Phase.PREPARING
        self.best: float | None = None
        self.searched = 0.0

    def on_phase(self, phase: str) -> None:
        self.phase = FormationRun.Phase(phase)

    def on_progress(self, best: float, searched: float) -> None:
        self.best, self.searched = best, searched

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def _progress_save(run_id: int, progress: _Progress) -> None:
    try:
        FormationRun.objects.filter(pk=run_id, status=FormationRun.Status.RUNNING).update(
            phase=progress.phase,
            elapsed=progress.elapsed(),
            best_score=progress.best,
            searched=progress.searched,
        )
    except DatabaseError:  # progress is a courtesy; the run goes on
        logger.warning("Could not save the progress of formation run %s", run_id, exc_info=True)


def _heartbeat(run_id: int, progress: _Progress, stop: threading.Event) -> None:
    # A thread of its own, so the page moves on even while the solver's compiled loop or the
    # compiler holds the task's thread for long stretches.
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            _progress_save(run_id, progress)
    finally:
        connections.close_all()  # this thread's own connection


def run_execute(*, run_id: int) -> FormationRun:
    """The Celery task's body: solve, saving the phase, elapsed time and best score on the row
    every HEARTBEAT_SECONDS as it goes."""
    run = FormationRun.objects.get(pk=run_id)
    if run.status not in {FormationRun.Status.QUEUED, FormationRun.Status.RUNNING}:
        return run  # ran already (a retry or a duplicate delivery)
    progress = _Progress()
    FormationRun.objects.filter(pk=run.pk).update(
        status=FormationRun.Status.RUNNING, phase=progress.phase, elapsed=0, searched=0
    )
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(run.pk, progress, stop), name=f"formation-{run.pk}-progress"
    )
    beat.start()
    try:
        problem, _ = _problem(run)
        solution = formation.solve(
            problem,
            time_limit=run.params["seconds"],
            seed=0,
            progress=progress.on_progress,
            phase=progress.on_phase,
        )
    except (formation.InfeasibleError, ValueError) as error:
        FormationRun.objects.filter(pk=run.pk).update(
            status=FormationRun.Status.FAILED, error=str(error), elapsed=progress.elapsed()
        )
        return FormationRun.objects.get(pk=run.pk)
    finally:
        stop.set()
        beat.join()
    FormationRun.objects.filter(pk=run.pk).update(
        status=FormationRun.Status.DONE,
        assignment=list(solution.assignment),
        best_score=solution.objective,
        elapsed=progress.elapsed(),
        searched=solution.seconds,
    )
    return FormationRun.objects.get(pk=run.pk)


def _humanise(reason: str, people: list[User]) -> str:
    def names(match: re.Match) -> str:
        listed = [people[int(i)].display_name for i in match[1].split(", ")]
        return ", ".join(listed[:-1]) + " and " + listed[-1]

    reason = re.sub(r"members ((?:\d+, )+\d+)", names, reason)
    reason = re.sub(
        r"members (\d+) and (\d+)",
        lambda m: f"{people[int(m[1])].display_name} and {people[int(m[2])].display_name}",
        reason,
    )
    reason = re.sub(r"member (\d+)", lambda m: people[int(m[1])].display_name, reason)
    reason = re.sub(r"cohort (\d+)", lambda m: f"proposed cohort {int(m[1]) + 1}", reason)
    return reason[0].upper() + reason[1:] + "."


COHORTS_PER_PAGE = 20
SIZE_LABELS = ["under 50", "50-249", "250-999", "1,000+"]


def _counted(values) -> list[tuple[str, int]]:
    """(value, count), most common first, then by first appearance."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def proposal(run: FormationRun, *, page: int | str | None = 1) -> dict:
    """What the proposal board shows: one page of cohorts (COHORTS_PER_PAGE cards), each with
    its score, format, meeting window and mix (industries, places, company sizes) and its
    members; every cohort's number and size for the move form; the total score.

    Only the page's members are read and explained: a cohort's score and explanation depend
    on its own members alone, so the page is a small problem of its own (the run keeps the
    cohorts' formats and homes in its parameters), and the total is the run's best score,
    which every move keeps up to date."""
    assignment = list(run.assignment)
    count = max(assignment) + 1 if assignment else 0
    sizes = [0] * count
    for c in assignment:
        sizes[c] += 1
    paginator = Paginator(range(count), COHORTS_PER_PAGE)
    page_obj = paginator.get_page(page)
    shown = list(page_obj.object_list)
    position = {c: k for k, c in enumerate(shown)}
    picked = [i for i, c in enumerate(assignment) if c in position]
    params = dict(run.params)
    specs = params.get("cohorts") or []
    params["cohorts"] = [specs[c] for c in shown] if specs else None
    params["n_groups"] = len(shown)
    params["geography"] = False
    build, people = _builder([run.member_ids[i] for i in picked])
    problem = build(params)
    local = [position[assignment[i]] for i in picked]
    members, cohorts, _ = formation.explain(problem, local)
    names = _challenge_names()
    industries = dict(Profile._meta.get_field("industry").choices)
    out = []
    for c in cohorts:
        index = shown[c.cohort]
        users = [people[i] for i in c.members]
        out.append(
            {
                "index": index,
                "number": index + 1,
                "score": round(c.score, 2),
                "size": len(c.members),
                "shared": [(names.get(k, str(k)), n) for k, n in c.shared_challenges],
                "industries": [(industries.get(k, k), n) for k, n in c.industry_mix],
                "places": _counted(
                    u.profile.city or u.time_zone.split("/")[-1].replace("_", " ") for u in users
                ),
                "sizes": _counted(SIZE_LABELS[problem.members[i].company_size] for i in c.members),
                "tz_spread": c.tz_spread,
                "format": formation.FORMAT_NAMES.get(c.format, ""),
                "home": problem.cohorts[c.cohort].place if problem.cohorts else "",
                "distance_km": None if c.distance_km is None else round(c.distance_km),
                "windows": _windows_text(c.windows),
                "members": [
                    {
                        "index": picked[i],
                        "user": people[i],
                        "gain": round(members[i].gain, 2),
                        "shared": [names.get(k, str(k)) for k in members[i].shared_challenges],
                    }
                    for i in c.members
                ],
            }
        )
    return {
        "cohorts": out,
        "page": page_obj,
        "cohort_count": count,
        "member_count": len(assignment),
        "all_cohorts": [(c, c + 1, sizes[c]) for c in range(count)],
        "objective": round(run.best_score or 0.0, 2),
    }


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _windows_text(windows) -> str:
    """ "Mon 12:00–19:00 UTC, Tue …": when a meeting fits every member (first three)."""
    if windows is None:
        return ""
    if not windows:
        return "no common window"

    def at(minute: int) -> str:
        day, rest = divmod(minute % (7 * 24 * 60), 24 * 60)
        return DAYS[day], f"{rest // 60:02d}:{rest % 60:02d}"

    parts = []
    for start, end in windows[:3]:
        (day, first), (_, last) = at(start), at(end)
        parts.append(f"{day} {first}–{last}")
    more = f" and {len(windows) - 3} more" if len(windows) > 3 else ""
    return ", ".join(parts) + " UTC" + more


def _challenge_names() -> dict[int, str]:
    return dict(Challenge.objects.values_list("pk", "name"))


def run_move(*, run: FormationRun, actor, member_index: int, to_cohort: int) -> str | None:
    """Move one member between proposed cohorts; the reason it is refused, or None."""
    if not can_create_cohort(actor):
        raise PermissionDenied("Only admins form cohorts.")
    if run.status != FormationRun.Status.DONE:
        return "This proposal can no longer change."
    problem, people = _problem(run)
    check = formation.check_move(problem, run.assignment, member_index, to_cohort)
    if not check.allowed:
        return _humanise(check.reason, people)
    assignment = list(run.assignment)
    assignment[member_index] = to_cohort
    FormationRun.objects.filter(pk=run.pk).update(assignment=assignment, best_score=check.objective)
    return None


def run_apply(*, run: FormationRun, actor) -> list[Cohort]:
    """Create the proposed cohorts and memberships in one transaction, audited."""
    if not can_create_cohort(actor):
        raise PermissionDenied("Only admins form cohorts.")
    with transaction.atomic():
        locked = FormationRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != FormationRun.Status.DONE:
            raise ValidationError("This proposal was applied already or is not ready.")
        taken = set(
            Membership.objects.active()
            .filter(member_id__in=locked.member_ids)
            .values_list("member_id", flat=True)
        )
        if taken:
            raise ValidationError(
                f"{len(taken)} of these members joined a cohort meanwhile; run the engine again."
            )
        p = locked.params
        stamp = timezone.localdate().strftime("%b %Y")
        cohorts = []
        for number in range(max(locked.assignment) + 1):
            name = f"{p.get('name_prefix') or 'New cohort'} {number + 1} ({stamp})"
            cohort = Cohort.objects.create(
                name=name,
                slug=_unique_slug(name),
                min_size=p["min_size"],
                max_size=p["max_size"],
                industry_mode=p["industry_mode"],
                status=Cohort.Status.FORMING,
                home_time_zone=p.get("home_time_zone") or "UTC",
            )
            RosterEvent.objects.create(
                cohort=cohort,
                actor=actor,
                action="created",
                reason=f"Formed by formation run {locked.pk}",
            )
            cohorts.append(cohort)
        reason = f"Placed by formation run {locked.pk}"
        Membership.objects.bulk_create(
            Membership(cohort=cohorts[c], member_id=pk)
            for pk, c in zip(locked.member_ids, locked.assignment, strict=True)
        )
        placed = {u.pk: u for u in User.objects.filter(pk__in=locked.member_ids)}
        for index, cohort in enumerate(cohorts):
            notification_kinds.welcome(
                cohort=cohort,
                members=[
                    placed[pk]
                    for pk, c in zip(locked.member_ids, locked.assignment, strict=True)
                    if c == index and pk in placed
                ],
            )
        # bulk_create sends no signals (groups/signals.py)
        version_bump(POOL)
        version_bump(COHORTS)
        RosterEvent.objects.bulk_create(
            RosterEvent(cohort=cohorts[c], member_id=pk, actor=actor, action="added", reason=reason)
            for pk, c in zip(locked.member_ids, locked.assignment, strict=True)
        )
        locked.status = FormationRun.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["status", "applied_at"])
    return cohorts
