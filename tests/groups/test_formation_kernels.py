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
