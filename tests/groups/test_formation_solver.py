from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.formation import (
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    FeatureAffinity,
    InfeasibleError,
    Member,
    Problem,
    check_move,
    form_cohorts,
    make_problem,
    solve,
    violations,
)
from groups.formation.mdgplib import read_mdgplib


@dataclass(frozen=True)
class Planted:
    problem: Problem
    hidden: np.ndarray


def planted_instance(seed: int, n: int, g: int, features: bool = False) -> Planted:
    """A random instance built around a hidden feasible assignment, so it is always feasible."""
    rng = np.random.default_rng(seed)
    hidden = np.concatenate([np.arange(g), rng.integers(0, g, n - g)])
    rng.shuffle(hidden)
    counts = np.bincount(hidden, minlength=g)
    bounds = [(int(rng.integers(0, c + 1)), int(c + rng.integers(0, 3))) for c in counts]
    if features:
        mat = rng.integers(0, 3, size=(n, 4)).astype(np.float64)
        affinity: np.ndarray | FeatureAffinity = FeatureAffinity(
            mat, np.array([1.0, 2.0, -1.0, 0.5]), (("challenge", 0, 4),)
        )
    else:
        w = rng.integers(-4, 10, size=(n, n)).astype(np.float64)
        affinity = np.triu(w, 1) + np.triu(w, 1).T
    pairs = [
        (i, j)
        for i in range(n)
        for j in range(i + 1, n)
        if hidden[i] != hidden[j] and rng.random() < 0.3
    ]
    base = rng.integers(-8, 9, size=g)
    tz = base[hidden] + rng.integers(0, 3, size=n)
    spread = max(float(np.ptp(tz[hidden == k])) for k in range(g))
    shared_bit = rng.integers(0, 3, size=g)
    formats = (1 << shared_bit[hidden]) | rng.integers(0, 8, size=n)
    cats = rng.integers(0, 2, size=g)[hidden] if rng.random() < 0.5 else None
    fixed_ids = rng.choice(n, size=int(rng.integers(0, n // 2 + 1)), replace=False)
    use_tz = rng.random() < 0.7
    problem = make_problem(
        affinity=affinity,
        sizes=bounds,
        cannot_link=pairs,
        tz_offsets=tz if use_tz else None,
        max_tz_spread=spread if use_tz else None,
        formats=formats if rng.random() < 0.7 else None,
        categories=[f"ind{c}" for c in cats] if cats is not None else None,
        fixed={int(i): int(hidden[i]) for i in fixed_ids},
    )
    return Planted(problem, hidden)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 14),
    g=st.integers(1, 4),
    strategy=st.sampled_from(["tabu", "decomposed", "features"]),
)
def test_solve_random_instances_never_violates_hard_constraints(
    seed: int, n: int, g: int, strategy: str
) -> None:
    g = min(g, n)
    planted = planted_instance(seed, n, g, features=strategy == "features")
    problem = planted.problem
    sol = solve(
        problem,
        time_limit=60.0,
        max_iterations=150,
        seed=seed,
        strategy="tabu" if strategy == "tabu" else "decomposed",
        affinity_form="features" if strategy == "features" else "dense",
    )
    assert violations(problem, sol.assignment) == []
    assert all(sol.assignment[i] == k for i, k in problem.fixed.items())
    a = np.asarray(sol.assignment)
    dense = (
        problem.affinity.dense()
        if isinstance(problem.affinity, FeatureAffinity)
        else problem.affinity
    )
    expected = sum(dense[i, j] for i in range(n) for j in range(i + 1, n) if a[i] == a[j])
    assert sol.objective == pytest.approx(expected, abs=1e-9)
    assert sum(sol.cohort_scores) == pytest.approx(expected, abs=1e-9)
    assert sol.stopped_by == "iterations"


def test_solve_same_seed_gives_same_result() -> None:
    problem = planted_instance(11, 60, 6).problem
    runs = [solve(problem, time_limit=120.0, max_iterations=400, seed=5) for _ in range(2)]
    assert runs[0].assignment == runs[1].assignment
    assert runs[0].objective == runs[1].objective
    assert runs[0].iterations == runs[1].iterations == 400


def test_solve_decomposed_same_seed_gives_same_result() -> None:
    problem = planted_instance(12, 80, 8, features=True).problem
    runs = [
        solve(problem, time_limit=120.0, max_iterations=2000, seed=3, affinity_form="features")
        for _ in range(2)
    ]
    assert runs[0].assignment == runs[1].assignment
    assert runs[0].objective == runs[1].objective


def test_solve_with_progress_reports_best_objective_periodically() -> None:
    problem = planted_instance(13, 40, 4).problem
    calls: list[tuple[float, float]] = []
    sol = solve(problem, time_limit=1.0, seed=0, progress=lambda f, t: calls.append((f, t)))
    assert sol.stopped_by == "time"
    assert 2 <= len(calls) <= 5
    times = [t for _, t in calls]
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(times))
    assert all(f <= sol.objective + 1e-9 for f, _ in calls)


# --------------------------------------------------------------------------- infeasibility


def _ones(n: int) -> np.ndarray:
    m = np.ones((n, n))
    np.fill_diagonal(m, 0.0)
    return m


def test_make_problem_no_group_count_fits_raises() -> None:
    with pytest.raises(InfeasibleError) as err:
        make_problem(affinity=_ones(7), sizes=(4, 5))
    assert str(err.value) == "no number of cohorts fits 7 members with sizes between 4 and 5"


def test_solve_size_bounds_cannot_hold_members_raises() -> None:
    problem = make_problem(affinity=_ones(5), sizes=(2, 2), n_groups=2)
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == "5 members cannot fill 2 cohorts: sizes must total between 4 and 4"


def test_solve_conflict_clique_larger_than_group_count_raises() -> None:
    problem = make_problem(
        affinity=_ones(6), sizes=(3, 3), n_groups=2, cannot_link=[(0, 1), (1, 2), (0, 2)]
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == (
        "members 0, 1, 2 all conflict with one another, so they need 3 cohorts but there are only 2"
    )


def test_solve_fixed_members_in_conflict_raises() -> None:
    problem = make_problem(
        affinity=_ones(4), sizes=(2, 2), n_groups=2, cannot_link=[(0, 1)], fixed={0: 1, 1: 1}
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == (
        "the members fixed to cohort 1 break a constraint: "
        "members 0 and 1 cannot be in the same cohort"
    )


def test_solve_member_placeable_nowhere_raises() -> None:
    problem = make_problem(
        affinity=_ones(4),
        sizes=(2, 2),
        n_groups=2,
        cannot_link=[(0, 2), (1, 2)],
        fixed={0: 0, 1: 1},
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == (
        "member 2 cannot be placed in any cohort: every cohort is full or holds a fixed "
        "member it is incompatible with"
    )


def test_solve_time_zones_too_spread_raises() -> None:
    problem = make_problem(
        affinity=_ones(4),
        sizes=(1, 3),
        n_groups=2,
        tz_offsets=[-8, -7, 1, 9],
        max_tz_spread=3,
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == (
        "time zones from -8 to 9 hours need at least 3 cohorts with a spread of at most "
        "3 hours, but there are only 2"
    )


def test_solve_member_without_format_raises() -> None:
    problem = make_problem(
        affinity=_ones(3), sizes=(1, 3), n_groups=1, formats=[IN_PERSON, 0, VIRTUAL]
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == "member 1 accepts no meeting format"


def test_solve_single_industry_too_small_raises() -> None:
    problem = make_problem(
        affinity=_ones(5), sizes=(2, 3), n_groups=2, categories=["a", "a", "a", "b", "a"]
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == "industry 'b' has 1 member, fewer than the smallest cohort size 2"


def test_solve_construction_failure_says_so() -> None:
    # Every pair shares a format but the three together do not: only search can tell.
    problem = make_problem(
        affinity=_ones(3),
        sizes=(3, 3),
        n_groups=1,
        formats=[IN_PERSON | VIRTUAL, VIRTUAL | HYBRID, IN_PERSON | HYBRID],
    )
    with pytest.raises(InfeasibleError) as err:
        solve(problem, max_iterations=10)
    assert str(err.value) == (
        "no feasible assignment was found in 50 construction attempts (member 2 could not be "
        "placed last); the constraints are probably infeasible"
    )


# --------------------------------------------------------------------------- explanations


def _profiles() -> list[Member]:
    return [
        Member(("hiring", "fundraising", "pricing"), 0, 0, "saas", -5.0),
        Member(("hiring", "pricing"), 0, 1, "fintech", -4.0),
        Member(("exit",), 2, 2, "saas", 1.0),
        Member(("fundraising", "exit"), 2, 2, "health", 2.0),
    ]


def test_form_cohorts_hand_made_case_explains_exactly() -> None:
    sol = form_cohorts(
        _profiles(), sizes=(2, 2), fixed={0: 0}, max_tz_spread=3.0, max_iterations=50, seed=1
    )
    assert sol.assignment == (0, 0, 1, 1)
    ab = 11 / 9 + 0.5 + 0.25  # challenges hiring 1*1 + pricing 1/3*2/3; same size; stage +-1
    cd = 2 / 3 + 0.5 + 0.5  # exit 1*2/3; same size; same stage
    assert sol.objective == pytest.approx(float(Fraction(131, 36)), abs=1e-12)
    assert sol.cohort_scores == pytest.approx((ab, cd), abs=1e-12)
    a = sol.members[0]
    assert (a.member, a.cohort) == (0, 0)
    assert a.gain == pytest.approx(ab, abs=1e-12)
    assert a.top_mates == ((1, pytest.approx(ab, abs=1e-12)),)
    assert dict(a.breakdown) == pytest.approx(
        {"challenge": 11 / 9, "company_size": 0.5, "stage": 0.25, "industry": 0.0}, abs=1e-12
    )
    assert a.shared_challenges == ("hiring", "pricing")
    d = sol.members[3]
    assert d.shared_challenges == ("exit",)
    assert dict(d.breakdown) == pytest.approx(
        {"challenge": 2 / 3, "company_size": 0.5, "stage": 0.5, "industry": 0.0}, abs=1e-12
    )
    c0, c1 = sol.cohorts
    assert c0.members == (0, 1)
    assert c0.shared_challenges == (("hiring", 2), ("pricing", 2))
    assert c0.industry_mix == (("saas", 1), ("fintech", 1))
    assert c0.tz_spread == 1.0
    assert c1.shared_challenges == (("exit", 2),)
    assert c1.industry_mix == (("saas", 1), ("health", 1))
    assert c1.tz_spread == 1.0


def test_form_cohorts_single_industry_mode_keeps_industries_apart() -> None:
    members = [Member(("a",), industry=ind) for ind in ["x", "y", "x", "y", "x", "y"]]
    sol = form_cohorts(members, sizes=(3, 3), industry_mode="single", max_iterations=50)
    assert sol.assignment[0] == sol.assignment[2] == sol.assignment[4]
    assert sol.assignment[1] == sol.assignment[3] == sol.assignment[5]
    assert sol.assignment[0] != sol.assignment[1]
    assert [c.industry_mix for c in sol.cohorts] in (
        [(("x", 3),), (("y", 3),)],
        [(("y", 3),), (("x", 3),)],
    )


# --------------------------------------------------------------------------- live edits


def _move_problem(bounds: list[tuple[int, int]]) -> Problem:
    w = np.array(
        [
            [0, 5, 1, 2, 9],
            [5, 0, 3, 1, 1],
            [1, 3, 0, 4, 6],
            [2, 1, 4, 0, 7],
            [9, 1, 6, 7, 0],
        ],
        dtype=np.float64,
    )
    return make_problem(
        affinity=w,
        sizes=bounds,
        cannot_link=[(0, 4)],
        fixed={1: 0},
        tz_offsets=[0, 0, 0, 0, 5],
        max_tz_spread=5,
    )


def test_check_move_allowed_returns_new_scores() -> None:
    problem = _move_problem([(1, 3), (1, 3)])
    result = check_move(problem, [0, 0, 0, 1, 1], member=2, to_cohort=1)
    assert result.allowed
    assert result.reason is None
    assert result.delta == (4 + 6) - (1 + 3)
    assert result.cohort_scores == (5.0, 17.0)
    assert result.objective == 22.0


@pytest.mark.parametrize(
    ("member", "to_cohort", "bounds", "reason"),
    [
        (1, 1, [(1, 3), (1, 3)], "member 1 is fixed to cohort 0"),
        (0, 1, [(1, 3), (1, 3)], "members 0 and 4 cannot be in the same cohort"),
        (3, 0, [(1, 3), (1, 3)], "cohort 0 is full (3 members)"),
        (3, 0, [(1, 4), (2, 3)], "cohort 1 would drop below its minimum size of 2 members"),
        (4, 0, [(1, 4), (1, 3)], "members 0 and 4 cannot be in the same cohort"),
        (2, 0, [(1, 4), (1, 3)], "member 2 is already in cohort 0"),
    ],
)
def test_check_move_refused_gives_reason(
    member: int, to_cohort: int, bounds: list[tuple[int, int]], reason: str
) -> None:
    problem = _move_problem(bounds)
    result = check_move(problem, [0, 0, 0, 1, 1], member=member, to_cohort=to_cohort)
    assert not result.allowed
    assert result.reason == reason
    assert result.delta == 0.0
    assert result.cohort_scores == (9.0, 7.0)


def test_check_move_time_zone_spread_refused() -> None:
    problem = make_problem(
        affinity=_ones(4), sizes=(1, 3), n_groups=2, tz_offsets=[0, 1, 4, 9], max_tz_spread=4
    )
    result = check_move(problem, [0, 0, 1, 1], member=2, to_cohort=0)
    assert result.allowed
    result = check_move(problem, [0, 0, 1, 1], member=3, to_cohort=0)
    assert result.reason == ("cohort 0 would span 9 hours of time zones, more than the allowed 4")


# --------------------------------------------------------------------------- MDGPLIB reader


def test_read_mdgplib_tiny_file_parses_exactly(tmp_path: Path) -> None:
    path = tmp_path / "RanReal_n004_ss_99.txt"
    path.write_text("4 2 ss 2 2 1 3 \n0 1 1.5\n0 2 2\n0 3 0.25\n1 2 4\n1 3 5\n2 3 6.125\n")
    inst = read_mdgplib(path)
    assert inst.name == "RanReal_n004_ss_99"
    assert inst.kind == "ss"
    assert inst.bounds == ((2, 2), (1, 3))
    expected = np.array([[0, 1.5, 2, 0.25], [1.5, 0, 4, 5], [2, 4, 0, 6.125], [0.25, 5, 6.125, 0]])
    assert np.array_equal(inst.distances, expected)
    problem = make_problem(affinity=inst.distances, sizes=list(inst.bounds))
    sol = solve(problem, max_iterations=100)
    assert sol.objective == 6.125 + 1.5  # {0,1} and {2,3}
    assert sol.assignment in ((0, 0, 1, 1), (1, 1, 0, 0))


def test_read_mdgplib_wrong_bound_count_raises(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("4 2 ss 2 2 1\n0 1 1\n")
    with pytest.raises(ValueError, match="expected 4 size bounds, found 3"):
        read_mdgplib(path)
