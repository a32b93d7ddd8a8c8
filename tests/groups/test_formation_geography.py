"""Geography and meeting windows in the formation solver: conversions, checks, messages and
property tests that no solution ever breaks them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from groups.formation import (
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    CohortSpec,
    FeatureAffinity,
    Hours,
    InfeasibleError,
    Member,
    build_features,
    check_move,
    cohort_scores,
    form_cohorts,
    haversine_km,
    make_problem,
    member_start_slots,
    solve,
    utc_intervals,
    violations,
)
from groups.formation import solver as solver_module
from groups.formation.hours import start_slots, windows_of
from groups.formation.problem import cohort_violation

from .geo_instances import geo_instance

SYDNEY = (-33.87, 151.21)
MELBOURNE = (-37.81, 144.96)
PERTH = (-31.95, 115.86)
PARRAMATTA = (-33.815, 151.003)
LONDON = (51.51, -0.13)
PARIS = (48.86, 2.35)
# Reference weeks: Monday 22 March 2027 (London on GMT all week but Sunday, the 28th, when
# summer time starts) and Monday 29 March 2027 (London on BST).
WINTER = date(2027, 3, 24)
SUMMER = date(2027, 3, 31)


# --------------------------------------------------------------------------- conversions


def test_haversine_km_between_cities() -> None:
    assert round(haversine_km(SYDNEY, MELBOURNE)) == 713
    assert round(haversine_km(SYDNEY, PERTH)) == 3291
    assert haversine_km(SYDNEY, SYDNEY) == 0.0


def test_utc_intervals_default_hours_in_sydney_wrap_the_week() -> None:
    # 07:00-19:00 AEDT (UTC+11) on Monday is Sunday 20:00 to Monday 08:00 UTC.
    assert utc_intervals(Hours(), zone="Australia/Sydney", offset_hours=0, week_of=WINTER) == [
        (0, 480),
        (1200, 1920),
        (2640, 3360),
        (4080, 4800),
        (5520, 6240),
        (9840, 10080),
    ]


def test_utc_intervals_follow_daylight_saving_of_the_reference_week() -> None:
    assert utc_intervals(Hours(), zone="Europe/London", offset_hours=0, week_of=WINTER)[:2] == [
        (420, 1140),
        (1860, 2580),
    ]
    assert utc_intervals(Hours(), zone="Europe/London", offset_hours=0, week_of=SUMMER)[:2] == [
        (360, 1080),
        (1800, 2520),
    ]
    # Sunday 28 March 2027 starts on GMT and ends on BST.
    sunday = Hours(start=9, end=17, weekdays=(6,))
    assert utc_intervals(sunday, zone="Europe/London", offset_hours=0, week_of=WINTER) == [
        (9120, 9600)
    ]


def test_utc_intervals_fixed_offset_and_explicit_windows() -> None:
    late = Hours(windows=((6, 20, 24), (2, 8.5, 10)))
    assert utc_intervals(late, zone=None, offset_hours=-5, week_of=WINTER) == [
        (60, 300),
        (3690, 3780),  # Wednesday 13:30-15:00 UTC
    ]


def test_start_slots_need_the_whole_meeting_inside_the_hours() -> None:
    starts = start_slots([(60, 300)], 120)
    assert np.flatnonzero(starts).tolist() == list(range(4, 13))  # 01:00 to 03:00 starts
    assert windows_of(starts, 120) == [(60, 300)]
    # Sunday 23:00 UTC for two hours runs on into Monday.
    wrapped = start_slots([(0, 300), (10020, 10080)], 120)
    assert windows_of(wrapped, 120) == [(0, 300), (10020, 10185)]  # last start 23:45
    assert not start_slots([(60, 170)], 120).any()


# --------------------------------------------------------------------------- checks and messages


def _small_problem(**kwargs):
    members = [
        Member(location=SYDNEY, place="Sydney", zone="Australia/Sydney"),
        Member(location=PARRAMATTA, place="Parramatta", zone="Australia/Sydney"),
        Member(location=MELBOURNE, place="Melbourne", zone="Australia/Melbourne"),
        Member(location=PERTH, place="Perth", zone="Australia/Perth"),
        Member(location=LONDON, place="London", zone="Europe/London", formats=VIRTUAL),
        Member(zone="Australia/Sydney"),
    ]
    cohorts = [
        CohortSpec(format=IN_PERSON),
        CohortSpec(format=IN_PERSON, home=SYDNEY, place="Sydney"),
        CohortSpec(format=HYBRID, home=SYDNEY, place="Sydney"),
        CohortSpec(format=VIRTUAL),
    ]
    return make_problem(
        affinity=np.ones((6, 6)),
        sizes=(0, 6),
        formats=[m.formats for m in members],
        members=members,
        locations=[m.location for m in members],
        cohorts=cohorts,
        start_slots=member_start_slots(members, meeting_minutes=240, week_of=WINTER),
        meeting_minutes=240,
        **kwargs,
    )


def test_cohort_violation_names_members_and_places() -> None:
    p = _small_problem()
    assert cohort_violation(p, [0, 1], 0) is None
    assert cohort_violation(p, [0, 2], 0) == (
        "member 0 (Sydney) and member 2 (Melbourne) are 713 km apart, beyond the 80 km limit "
        "of in-person cohort 0"
    )
    assert cohort_violation(p, [0, 3], 1) == (
        "member 3 (Perth) is 3,291 km from the home of cohort 1 (Sydney), beyond its 80 km "
        "limit for meeting in person"
    )
    assert cohort_violation(p, [0, 5], 0) == (
        "member 5 has no location, and cohort 0 meets in person"
    )
    assert cohort_violation(p, [0, 4], 0) == (
        "member 4 (London) does not accept in-person meetings, the format of cohort 0"
    )
    # Hybrid and virtual cohorts take anyone, distance aside.
    assert cohort_violation(p, [0, 1, 2, 3, 5], 2) is None
    # Sydney's 07:00-19:00 (AEDT) and London's (GMT) share one hour, 07:00-08:00 UTC.
    assert cohort_violation(p, [0, 1, 4], 3) == (
        "member 4 (London) leaves no 4-hour meeting window with the rest of cohort 3"
    )
    # The member named is the one whose leaving gives the others a window, wherever it is.
    assert cohort_violation(p, [4, 0, 1], 3) == (
        "member 4 (London) leaves no 4-hour meeting window with the rest of cohort 3"
    )


def test_hybrid_cohort_pays_the_distance_penalty_per_member_beyond_its_home() -> None:
    p = _small_problem(distance_penalty=2.5)
    assignment = [2, 2, 2, 3, 3, 2]
    # Pairs: four members in cohort 2 (6 pairs) and two in cohort 3 (1 pair); Melbourne is
    # beyond 80 km of Sydney, Parramatta is not, member 5 has no location (no penalty).
    assert cohort_scores(p, assignment) == [0.0, 0.0, 6.0 - 2.5, 1.0]
    assert violations(p, assignment) == []
    # Perth joins: +4 with cohort 2's members, -1 with its partner left behind, -2.5 beyond the
    # home's limit. Perth's hours (AWST) overlap Sydney's from 23:00 to 08:00 UTC.
    check = check_move(p, assignment, 3, 2)
    assert (check.allowed, check.delta, check.cohort_scores) == (True, 0.5, (0.0, 0.0, 5.0, 0.0))
    # Parramatta leaves: -3 of affinity and no penalty saved.
    check = check_move(p, assignment, 1, 3)
    assert check.reason == (
        "member 1 (Parramatta) leaves no 4-hour meeting window with the rest of cohort 3"
    )
    check = check_move(p, assignment, 2, 3)
    assert (check.allowed, check.reason) == (
        False,
        "member 2 (Melbourne) leaves no 4-hour meeting window with the rest of cohort 3",
    )
    # Leaving the hybrid cohort saves Melbourne's penalty.
    check = check_move(p, assignment, 2, 1)
    assert check.reason == (
        "member 2 (Melbourne) is 713 km from the home of cohort 1 (Sydney), beyond its 80 km "
        "limit for meeting in person"
    )
    check = check_move(p, assignment, 0, 0)
    assert (check.allowed, check.delta, check.cohort_scores) == (True, -3.0, (0.0, 0.0, 0.5, 1.0))


def test_infeasible_geography_names_the_place_and_the_fix() -> None:
    perth = [Member(location=PERTH, place="Perth", formats=IN_PERSON) for _ in range(3)]
    others = [Member(location=LONDON, place="London") for _ in range(5)]
    members = perth + others
    cohorts = [CohortSpec(format=IN_PERSON, home=SYDNEY, place="Sydney"), CohortSpec(VIRTUAL)]
    with pytest.raises(InfeasibleError) as error:
        form_cohorts(members, sizes=(0, 8), cohorts=cohorts, max_iterations=10)
    assert (str(error.value), error.value.kind) == (
        "3 in-person members in Perth have no in-person cohort within 80 km: make one of their "
        "cohorts hybrid or virtual, add an in-person cohort near them, or raise the distance",
        "geography",
    )


def test_infeasible_window_and_format_name_the_fix() -> None:
    night = Hours(start=1, end=3)
    members = [Member(place="Sydney", hours=night)] + [Member() for _ in range(3)]
    with pytest.raises(InfeasibleError) as error:
        form_cohorts(members, sizes=(1, 4), meeting_minutes=240, week_of=WINTER)
    assert (str(error.value), error.value.kind) == (
        "member 0 (Sydney) has no 4-hour meeting window in their hours: widen their hours or "
        "shorten the meeting",
        "time_window",
    )
    virtual_only = [Member(formats=VIRTUAL) for _ in range(3)] + [Member()]
    with pytest.raises(InfeasibleError) as error:
        form_cohorts(virtual_only, sizes=(0, 4), cohorts=[CohortSpec(format=IN_PERSON)])
    assert (str(error.value), error.value.kind) == (
        "member 0 (and 2 other members) accepts only virtual meetings, which no cohort offers: "
        "add a virtual cohort",
        "formats",
    )


# --------------------------------------------------------------------------- never violated


def _with_features(problem, seed: int):
    rng = np.random.default_rng(seed)
    mat = rng.integers(0, 3, size=(problem.n, 4)).astype(np.float64)
    return replace(problem, affinity=FeatureAffinity(mat, np.array([1.0, 2.0, -1.0, 0.5])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(4, 48),
    g=st.integers(2, 6),
    strategy=st.sampled_from(["tabu", "decomposed", "features"]),
)
# Feasible instances on which every greedy construction attempt failed.
@example(seed=256, n=27, g=5, strategy="tabu")
@example(seed=373, n=29, g=5, strategy="tabu")
@example(seed=4510, n=48, g=6, strategy="tabu")
def test_solutions_never_break_distance_or_window(seed: int, n: int, g: int, strategy: str) -> None:
    g = min(g, n)
    problem = geo_instance(seed, n, g, slack=2, conflict_rate=0.05).problem
    form = "dense"
    if strategy == "features":
        problem, strategy, form = _with_features(problem, seed), "decomposed", "features"
    sol = solve(problem, max_iterations=300, seed=seed, strategy=strategy, affinity_form=form)
    assert violations(problem, sol.assignment) == []
    assert sol.objective == pytest.approx(sum(cohort_scores(problem, sol.assignment)))


def test_repair_search_completes_what_greedy_construction_cannot(monkeypatch) -> None:
    """A feasible instance on which all 50 greedy attempts fail: the repair search that follows
    them finds an assignment that meets every constraint."""
    problem = geo_instance(373, 29, 5, slack=2, conflict_rate=0.05).problem
    monkeypatch.setattr(solver_module, "REPAIR_ROUNDS", 0)
    with pytest.raises(InfeasibleError) as error:
        solve(problem, max_iterations=50, seed=373)
    assert str(error.value) == (
        "no feasible assignment was found in 50 construction attempts (member 18 could not be "
        "placed last); the constraints are probably infeasible"
    )
    monkeypatch.undo()
    sol = solve(problem, max_iterations=50, seed=373)
    assert violations(problem, sol.assignment) == []
    assert sol.objective == pytest.approx(sum(cohort_scores(problem, sol.assignment)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(4, 40), g=st.integers(2, 6))
def test_unplanted_instances_are_solved_feasibly_or_refused(seed: int, n: int, g: int) -> None:
    """Random cities, formats and hours with no hidden solution: whatever the solver returns
    meets every constraint."""
    rng = np.random.default_rng(seed)
    cities = [SYDNEY, MELBOURNE, PERTH, PARRAMATTA, LONDON, PARIS]
    members = [
        Member(
            location=None if rng.random() < 0.1 else cities[int(rng.integers(0, len(cities)))],
            formats=int(rng.integers(1, 8)),
            zone=["Australia/Sydney", "Europe/London", "Europe/Paris"][int(rng.integers(0, 3))],
            hours=Hours(start=float(rng.integers(5, 10)), end=float(rng.integers(15, 23))),
        )
        for _ in range(n)
    ]
    cohorts = [
        CohortSpec(
            format=int([IN_PERSON, HYBRID, VIRTUAL][int(rng.integers(0, 3))]),
            home=None if rng.random() < 0.5 else cities[int(rng.integers(0, len(cities)))],
            max_km=float(rng.choice([30.0, 80.0, 1000.0])),
        )
        for _ in range(g)
    ]
    try:
        sol = form_cohorts(
            members,
            sizes=(0, n),
            cohorts=cohorts,
            meeting_minutes=120,
            week_of=WINTER,
            max_iterations=200,
            seed=seed,
        )
    except InfeasibleError:
        return
    problem = make_problem(
        affinity=build_features(members),
        sizes=(0, n),
        formats=[m.formats for m in members],
        locations=[m.location for m in members],
        cohorts=cohorts,
        start_slots=member_start_slots(members, meeting_minutes=120, week_of=WINTER),
        meeting_minutes=120,
    )
    assert violations(problem, sol.assignment) == []


def test_in_person_cohorts_are_regionally_coherent() -> None:
    rng = np.random.default_rng(5)
    around = {"Sydney": SYDNEY, "London": LONDON, "Paris": PARIS}
    members = []
    for place, (lat, lon) in around.items():
        for _ in range(8):
            point = (lat + rng.uniform(-0.2, 0.2), lon + rng.uniform(-0.2, 0.2))
            members.append(Member(location=point, place=place, challenges=("growth",)))
    cohorts = [
        CohortSpec(format=IN_PERSON),
        CohortSpec(format=IN_PERSON),
        CohortSpec(format=IN_PERSON),
    ]
    sol = form_cohorts(members, sizes=(8, 8), cohorts=cohorts, max_iterations=200)
    places = sorted(sorted({members[i].place for i in c.members}) for c in sol.cohorts)
    assert places == [["London"], ["Paris"], ["Sydney"]]
    assert all(c.distance_km is not None and c.distance_km <= 80.0 for c in sol.cohorts)
