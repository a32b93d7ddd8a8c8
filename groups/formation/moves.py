"""Live editing of a formed solution: the effect of moving one member, or why it is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .problem import Problem, cohort_penalty, cohort_violation


@dataclass(frozen=True)
class MoveCheck:
    """Outcome of moving ``member`` to ``to_cohort``.

    allowed: whether every hard constraint still holds afterwards; ``reason`` says why not.
    delta: change of the objective (0.0 when refused).
    cohort_scores: every cohort's score after the move (unchanged when refused).
    objective: total after the move (unchanged when refused).
    """

    member: int
    to_cohort: int
    allowed: bool
    reason: str | None
    delta: float
    cohort_scores: tuple[float, ...]
    objective: float


def cohort_scores(problem: Problem, assignment: Sequence[int] | NDArray[np.int64]) -> list[float]:
    """Sum of pair affinities inside each cohort, less its distance penalty (hybrid cohorts)."""
    a = np.asarray(assignment, dtype=np.int64)
    out = []
    for grp in range(problem.n_groups):
        idx = np.flatnonzero(a == grp)
        score = float(problem.affinity_block(idx).sum() / 2.0)
        out.append(score - cohort_penalty(problem, idx, grp))
    return out


def check_move(
    problem: Problem,
    assignment: Sequence[int] | NDArray[np.int64],
    member: int,
    to_cohort: int,
    scores: Sequence[float] | None = None,
) -> MoveCheck:
    """Score change of moving ``member`` to ``to_cohort``, or the reason it is refused.

    ``scores`` (the current cohort scores) may be passed to avoid recomputing them; the update
    itself costs one affinity row, O(n) in dense form or O(n k) in feature form.
    """
    a = np.asarray(assignment, dtype=np.int64)
    if not 0 <= member < problem.n:
        raise ValueError(f"member {member} does not exist")
    if not 0 <= to_cohort < problem.n_groups:
        raise ValueError(f"cohort {to_cohort} does not exist")
    current = list(scores) if scores is not None else cohort_scores(problem, a)
    total = float(sum(current))
    src = int(a[member])

    def refuse(reason: str) -> MoveCheck:
        return MoveCheck(member, to_cohort, False, reason, 0.0, tuple(current), total)

    if src == to_cohort:
        return refuse(f"member {member} is already in cohort {to_cohort}")
    if member in problem.fixed:
        return refuse(f"member {member} is fixed to cohort {problem.fixed[member]}")
    src_size = int(np.count_nonzero(a == src))
    dst_size = int(np.count_nonzero(a == to_cohort))
    if dst_size >= problem.upper[to_cohort]:
        return refuse(f"cohort {to_cohort} is full ({problem.upper[to_cohort]} members)")
    if src_size <= problem.lower[src]:
        return refuse(
            f"cohort {src} would drop below its minimum size of {problem.lower[src]} members"
        )
    dst = np.flatnonzero(a == to_cohort)
    reason = cohort_violation(problem, [*dst.tolist(), member], to_cohort)
    if reason is not None:
        return refuse(reason)
    row = problem.affinity_row(member)
    src_idx = np.flatnonzero(a == src)
    loss = float(row[src_idx].sum())
    gain = float(row[dst].sum())
    if problem.cohort_formats is not None:
        stay = src_idx[src_idx != member]
        loss += cohort_penalty(problem, stay, src) - cohort_penalty(problem, src_idx, src)
        gain -= cohort_penalty(problem, [*dst.tolist(), member], to_cohort) - cohort_penalty(
            problem, dst, to_cohort
        )
    new = list(current)
    new[src] -= loss
    new[to_cohort] += gain
    delta = gain - loss
    return MoveCheck(member, to_cohort, True, None, delta, tuple(new), total + delta)
