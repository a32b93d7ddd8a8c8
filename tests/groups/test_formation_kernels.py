"""The compiled kernels' incremental tables agree however they were built."""

import numpy as np
import pytest

from groups.formation import FeatureAffinity, Problem, make_problem
from groups.formation import _kernels as K
from groups.formation.solver import _data

N, GROUPS = 12, 3


def _problem(seed: int, *, features: bool) -> tuple[Problem, np.ndarray]:
    """Every constraint on, around a hidden assignment that satisfies them."""
    rng = np.random.default_rng(seed)
    hidden = np.arange(N, dtype=np.int64) % GROUPS
    if features:
        affinity: np.ndarray | FeatureAffinity = FeatureAffinity(
            rng.integers(0, 3, size=(N, 4)).astype(np.float64), np.array([1.0, 2.0, -1.0, 0.5])
        )
    else:
        w = rng.integers(-4, 10, size=(N, N)).astype(np.float64)
        affinity = np.triu(w, 1) + np.triu(w, 1).T
    apart = [(i, j) for i in range(N) for j in range(i + 1, N) if hidden[i] != hidden[j]]
    problem = make_problem(
        affinity=affinity,
        sizes=[(2, 6)] * GROUPS,
        cannot_link=apart[::5],
        tz_offsets=hidden * 2 + rng.integers(0, 3, size=N),
        max_tz_spread=4.0,
        formats=(1 << hidden) | rng.integers(0, 8, size=N),
        categories=[f"industry {c}" for c in hidden],
    )
    return problem, hidden


@pytest.mark.parametrize("features", [False, True], ids=["dense", "features"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rebuild_equals_inserting_member_by_member(seed: int, features: bool) -> None:
    problem, hidden = _problem(seed, features=features)
    d, rebuilt = _data(problem, lists=True, dense=not features)
    _, inserted = _data(problem, lists=True, dense=not features)

    K.rebuild(d, rebuilt, hidden)
    K.reset(d, inserted)
    for i in range(N):
        K.insert(d, inserted, i, int(hidden[i]))

    assert rebuilt.assign.tolist() == hidden.tolist()
    for name in K.State._fields:
        assert np.array_equal(getattr(rebuilt, name), getattr(inserted, name)), name


def _same_tables(a: K.State, b: K.State) -> None:
    for name in K.State._fields:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plain_path_keeps_the_tables_of_the_general_one(seed: int) -> None:
    """Without side constraints or penalties the tabu search moves members through the plain
    functions; they leave every table exactly as rebuild, move, swap and perturb do (same
    floating-point sums) and draw the same random numbers, so a run's result is unchanged."""
    rng = np.random.default_rng(seed)
    w = rng.integers(-4, 10, size=(N, N)).astype(np.float64)
    problem = make_problem(affinity=np.triu(w, 1) + np.triu(w, 1).T, sizes=[(2, 6)] * GROUPS)
    d, general = _data(problem, lists=True, dense=True)
    _, plain = _data(problem, lists=True, dense=True)
    constrained, _ = _data(_problem(seed, features=False)[0], lists=True, dense=True)
    assert (K.is_plain(d), K.is_plain(constrained)) == (True, False)
    tables = (d.affinity, plain.m_table, plain.assign, plain.size, plain.members, plain.pos)

    start = np.arange(N, dtype=np.int64) % GROUPS
    K.rebuild(d, general, start)
    K._rebuild_plain(*tables, start)
    _same_tables(general, plain)
    moves = swaps = 0
    for _ in range(40):
        i, j = (int(x) for x in rng.choice(N, 2, replace=False))
        gi, gj = int(general.assign[i]), int(general.assign[j])
        if gi != gj and rng.random() < 0.5:
            K.swap(d, general, i, j)
            K._apply_plain(*tables, i, j, -1)
            swaps += 1
        elif general.size[gi] > 2 and general.size[(gi + 1) % GROUPS] < 6:
            K.move(d, general, i, (gi + 1) % GROUPS)
            K._apply_plain(*tables, i, -1, (gi + 1) % GROUPS)
            moves += 1
        _same_tables(general, plain)
        assert K._objective_plain(plain.m_table, plain.assign) == K.objective(d, general)
    assert moves > 5 and swaps > 5

    rng_general = np.array([seed + 99], dtype=np.uint64)
    rng_plain = rng_general.copy()
    before = general.assign.tolist()
    K.perturb(d, general, rng_general, 8)
    K._perturb_plain(*tables, d.movable_idx, d.lb, d.ub, rng_plain, 8)
    _same_tables(general, plain)
    assert rng_general.tolist() == rng_plain.tolist()
    assert general.assign.tolist() != before
