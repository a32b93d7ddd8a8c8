from __future__ import annotations

import numpy as np
import pytest

from benchmarks.formation.exact import solve_exact
from groups.formation import Problem, make_problem, solve, violations

from .geo_instances import geo_instance


def random_small_instance(seed: int) -> Problem:
    """n <= 12 with integer affinities (some negative) and side constraints around a hidden
    feasible assignment, so that CP-SAT proves an optimum of exactly the same problem."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(6, 13))
    g = int(rng.integers(2, 5))
    hidden = np.concatenate([np.arange(g), rng.integers(0, g, n - g)])
    rng.shuffle(hidden)
    counts = np.bincount(hidden, minlength=g)
    bounds = [(int(max(1, c - rng.integers(0, 2))), int(c + rng.integers(0, 2))) for c in counts]
    w = rng.integers(-3, 10, size=(n, n)).astype(np.float64)
    w = np.triu(w, 1) + np.triu(w, 1).T
    pairs = [
        (i, j)
        for i in range(n)
        for j in range(i + 1, n)
        if hidden[i] != hidden[j] and rng.random() < 0.15
    ]
    kind = seed % 4
    tz = formats = None
    spread = None
    if kind in (1, 3):
        tz = rng.integers(-6, 7, size=g)[hidden] + rng.integers(0, 3, size=n)
        spread = max(float(np.ptp(tz[hidden == k])) for k in range(g))
    if kind in (2, 3):
        formats = (1 << rng.integers(0, 3, size=g)[hidden]) | rng.integers(0, 8, size=n)
    fixed = {int(i): int(hidden[i]) for i in rng.choice(n, size=seed % 3, replace=False)}
    return make_problem(
        affinity=w,
        sizes=bounds,
        cannot_link=pairs,
        tz_offsets=tz,
        max_tz_spread=spread,
        formats=formats,
        fixed=fixed,
    )


@pytest.mark.parametrize("seed", range(20))
def test_solve_small_instance_matches_proven_optimum(seed: int) -> None:
    problem = random_small_instance(seed)
    exact = solve_exact(problem, time_limit=30.0)
    assert exact.status == "OPTIMAL"
    assert violations(problem, exact.assignment) == []
    sol = solve(problem, time_limit=60.0, max_iterations=20000, seed=seed)
    assert violations(problem, sol.assignment) == []
    assert sol.objective == pytest.approx(exact.objective, abs=1e-6)


@pytest.mark.parametrize("seed", range(12))
def test_solve_small_instance_with_geography_matches_proven_optimum(seed: int) -> None:
    """Formats fixed per cohort, in-person distance limits, hybrid penalties and meeting
    windows on top of conflicts: the solver still finds CP-SAT's proven optimum."""
    rng = np.random.default_rng(500 + seed)
    problem = geo_instance(500 + seed, int(rng.integers(6, 13)), int(rng.integers(2, 5))).problem
    exact = solve_exact(problem, time_limit=30.0)
    assert exact.status == "OPTIMAL"
    assert violations(problem, exact.assignment) == []
    sol = solve(problem, time_limit=60.0, max_iterations=20000, seed=seed)
    assert violations(problem, sol.assignment) == []
    assert sol.objective == pytest.approx(exact.objective, abs=1e-6)
