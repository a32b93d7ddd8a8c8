"""Why each member is in their cohort, and what each cohort has in common."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import geo
from .features import FeatureAffinity
from .hours import windows_of
from .problem import Problem, cohort_penalty

TOP_MATES = 3


@dataclass(frozen=True)
class MemberExplanation:
    """member's affinity ``gain`` to its cohort-mates, the ``top_mates`` (mate, affinity) that
    contribute most, its split by affinity term (``breakdown``, feature form only, summing to
    ``gain``) and the member's challenges that a cohort-mate also ranks, in the member's order."""

    member: int
    cohort: int
    gain: float
    top_mates: tuple[tuple[int, float], ...]
    breakdown: tuple[tuple[str, float], ...]
    shared_challenges: tuple[Hashable, ...]


@dataclass(frozen=True)
class CohortExplanation:
    """A cohort's ``score`` (sum of pair affinities, less ``distance_penalty`` for a hybrid
    cohort's members beyond its distance limit), the challenges ranked by at least two of its
    members with their counts (most common first), its industry mix (largest first) and its
    time-zone spread in hours (None when time zones are not part of the problem).

    format: the cohort's fixed format (0 when the members choose).
    distance_km: the largest distance between two located members or, for a cohort with a home,
        from a located member to the home (None without locations).
    windows: UTC minute-of-week intervals in which a meeting fits every member (None when
        meeting times are not part of the problem; empty when there is none).
    """

    cohort: int
    members: tuple[int, ...]
    score: float
    shared_challenges: tuple[tuple[Hashable, int], ...]
    industry_mix: tuple[tuple[Hashable, int], ...]
    tz_spread: float | None
    format: int = 0
    distance_km: float | None = None
    distance_penalty: float = 0.0
    windows: tuple[tuple[int, int], ...] | None = None


def _counted(items: Sequence[Hashable]) -> tuple[tuple[Hashable, int], ...]:
    counts = Counter(items)
    first = {x: k for k, x in reversed(list(enumerate(items)))}
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], first[kv[0]])))


def _block_split(
    aff: FeatureAffinity, i: int, mates: NDArray[np.int64]
) -> tuple[tuple[str, float], ...]:
    out = []
    for name, start, stop in aff.blocks:
        w = aff.weights[start:stop]
        value = float(aff.matrix[mates, start:stop].sum(axis=0) @ (aff.matrix[i, start:stop] * w))
        out.append((name, value))
    return tuple(out)


def explain(
    problem: Problem, assignment: Sequence[int] | NDArray[np.int64]
) -> tuple[tuple[MemberExplanation, ...], tuple[CohortExplanation, ...], tuple[float, ...]]:
    """Explanations for every member and cohort, and the cohort scores."""
    a = np.asarray(assignment, dtype=np.int64)
    profiles = problem.members
    # Only challenges that count in the affinity are called shared.
    limit: int | None = None
    if isinstance(problem.affinity, FeatureAffinity) and problem.affinity.ranked_challenges:
        limit = problem.affinity.ranked_challenges
    member_out: list[MemberExplanation | None] = [None] * problem.n
    cohort_out: list[CohortExplanation] = []
    scores: list[float] = []
    for grp in range(problem.n_groups):
        idx = np.flatnonzero(a == grp)
        block = problem.affinity_block(idx)
        penalty = cohort_penalty(problem, idx, grp)
        score = float(block.sum() / 2.0) - penalty
        scores.append(score)
        challenges: list[list[Hashable]] = [
            list(profiles[i].challenges[:limit]) if profiles is not None else [] for i in idx
        ]
        for pos, i in enumerate(idx):
            row = block[pos]
            mates = [(int(idx[q]), float(row[q])) for q in range(idx.size) if q != pos]
            mates.sort(key=lambda mv: (-mv[1], mv[0]))
            breakdown: tuple[tuple[str, float], ...] = ()
            if isinstance(problem.affinity, FeatureAffinity):
                others = idx[idx != i]
                breakdown = _block_split(problem.affinity, int(i), others)
            others_ch: set[Hashable] = set()
            for q in range(idx.size):
                if q != pos:
                    others_ch.update(challenges[q])
            member_out[int(i)] = MemberExplanation(
                member=int(i),
                cohort=grp,
                gain=float(row.sum()),
                top_mates=tuple(mates[:TOP_MATES]),
                breakdown=breakdown,
                shared_challenges=tuple(c for c in challenges[pos] if c in others_ch),
            )
        flat = [c for chs in challenges for c in chs]
        shared = tuple((c, k) for c, k in _counted(flat) if k >= 2)
        mix: tuple[tuple[Hashable, int], ...] = ()
        if profiles is not None:
            mix = _counted([profiles[i].industry for i in idx])
        elif problem.categories is not None:
            mix = _counted([problem.category_labels[problem.categories[i]] for i in idx])
        spread: float | None = None
        if problem.tz_offsets is not None:
            offs = problem.tz_offsets[idx]
            spread = float(offs.max() - offs.min()) if idx.size else 0.0
        fmt = int(problem.cohort_formats[grp]) if problem.cohort_formats is not None else 0
        windows: tuple[tuple[int, int], ...] | None = None
        if problem.start_slots is not None and problem.meeting_minutes is not None:
            common = np.logical_and.reduce(problem.start_slots[idx], axis=0)
            windows = tuple(windows_of(common, problem.meeting_minutes))
        cohort_out.append(
            CohortExplanation(
                cohort=grp,
                members=tuple(int(i) for i in idx),
                score=score,
                shared_challenges=shared,
                industry_mix=mix,
                tz_spread=spread,
                format=fmt,
                distance_km=_distance_km(problem, idx, grp),
                distance_penalty=penalty,
                windows=windows,
            )
        )
    members = tuple(m for m in member_out if m is not None)
    return members, tuple(cohort_out), tuple(scores)


def _distance_km(problem: Problem, idx: NDArray[np.int64], grp: int) -> float | None:
    if problem.locations is None or problem.located is None:
        return None
    u = problem.locations[idx[problem.located[idx]]]
    if problem.has_home is not None and problem.has_home[grp]:
        assert problem.homes is not None
        if not u.shape[0]:
            return 0.0
        return geo.km_between(u[int(np.argmin(u @ problem.homes[grp]))], problem.homes[grp])
    if u.shape[0] < 2:
        return 0.0
    dots = u @ u.T
    a, b = np.unravel_index(int(np.argmin(dots)), dots.shape)
    return geo.km_between(u[a], u[b])
