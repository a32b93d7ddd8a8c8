"""Member profiles and the affinity between two members.

The affinity of members i and j is bilinear in a feature embedding::

    a(i, j) = sum_t w_t * F[i, t] * F[j, t]

with four column blocks, each scaled by one weight of :class:`Weights`:

``challenge``
    One column per challenge. A member who ranks a challenge at position r (0 = most important)
    out of ``max_ranked_challenges`` = R has ``(R - r) / R`` in its column, so two members who both
    rank the same challenge first add ``weights.challenge``, and lower ranks count less.
``company_size`` and ``stage``
    Ordinal buckets ("peers first"). Bucket b is encoded as ``(e_b + e_{b+1}) / sqrt(2)``, so the
    dot product is 1 for the same bucket, 1/2 for adjacent buckets and 0 otherwise.
``industry``
    One-hot. Only in ``"no_overlap"`` mode, with the negative weight
    ``-weights.industry_overlap_penalty``: each pair sharing an industry costs that much. In
    ``"single"`` mode a cohort must have one industry (a hard constraint, see the solver), and in
    ``"unrestricted"`` mode industry plays no part.

Because the affinity is a dot product, the gain of member i to cohort g is ``(w * F[i]) . S_g``
where ``S_g`` is the sum of the features of g's members, which is what lets the solver handle
pools far too large for a dense affinity matrix.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

IN_PERSON = 1
VIRTUAL = 2
HYBRID = 4
ALL_FORMATS = IN_PERSON | VIRTUAL | HYBRID
FORMAT_NAMES = {IN_PERSON: "in-person", VIRTUAL: "virtual", HYBRID: "hybrid"}

# Largest distance between the members of an in-person or hybrid cohort (or from its home).
DEFAULT_MAX_KM = 80.0


class IndustryMode(StrEnum):
    NO_OVERLAP = "no_overlap"
    SINGLE = "single"
    UNRESTRICTED = "unrestricted"


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the affinity terms (see the module docstring for their exact meaning).

    challenge: value of two members both ranking the same challenge first.
    company_size: value of two members in the same company-size bucket (half for adjacent).
    stage: value of two members in the same company-stage bucket (half for adjacent).
    industry_overlap_penalty: cost of two members sharing an industry, in "no_overlap" mode.
    max_ranked_challenges: ranks that count; challenges ranked beyond this are ignored.
    """

    challenge: float = 1.0
    company_size: float = 0.5
    stage: float = 0.5
    industry_overlap_penalty: float = 1.0
    max_ranked_challenges: int = 3


@dataclass(frozen=True, slots=True)
class Hours:
    """The local hours at which a member can meet, every week.

    start, end: local hours (fractions allowed: 7.5 is 07:30; ``end`` 24 is midnight) on each of
        ``weekdays`` (0 = Monday ... 6 = Sunday).
    windows: explicit (weekday, start, end) windows; when given they replace the three above.
    """

    start: float = 7.0
    end: float = 19.0
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    windows: tuple[tuple[int, float, float], ...] = ()

    def local_windows(self) -> tuple[tuple[int, float, float], ...]:
        if self.windows:
            return self.windows
        return tuple((day, self.start, self.end) for day in self.weekdays)


DEFAULT_HOURS = Hours()


@dataclass(frozen=True, slots=True)
class Member:
    """What the solver knows of one member.

    challenges: challenge labels, most important first.
    company_size, stage: ordinal bucket indices (0 = smallest / earliest).
    industry: any hashable label.
    tz_offset: UTC offset in hours (fractions allowed, e.g. 5.5); used for the hours when
        ``zone`` is None.
    formats: bitmask of acceptable meeting formats (IN_PERSON | VIRTUAL | HYBRID).
    location: (latitude, longitude) in degrees, or None when unknown. A member without one
        cannot join an in-person cohort (nothing shows they live near it).
    place: where the member lives, in words ("Sydney"), for explanations only.
    hours: local hours at which the member can meet (default 07:00-19:00, Monday to Friday).
    zone: IANA time zone of ``hours`` ("Australia/Sydney"); None: the fixed ``tz_offset``.
    """

    challenges: tuple[Hashable, ...] = ()
    company_size: int = 0
    stage: int = 0
    industry: Hashable = ""
    tz_offset: float = 0.0
    formats: int = ALL_FORMATS
    location: tuple[float, float] | None = None
    place: str = ""
    hours: Hours = DEFAULT_HOURS
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class CohortSpec:
    """What is fixed about one cohort before members are placed in it.

    format: IN_PERSON, HYBRID or VIRTUAL; every member of the cohort must accept it. 0 (the
        default) leaves it to the members: they must share some format, and distance plays no
        part (the behaviour before cohorts had formats).
    home: (latitude, longitude) of the cohort's home city, or None.
    max_km: the distance limit. In-person: every member within ``max_km`` of ``home`` or, with
        no home, of every other member (a hard constraint). Hybrid: each member beyond the limit
        from ``home`` (or each pair of members beyond it from each other) costs the solver's
        ``distance_penalty`` in the objective. Virtual: ignored.
    place: the home city in words, for explanations only.
    """

    format: int = 0
    home: tuple[float, float] | None = None
    max_km: float = DEFAULT_MAX_KM
    place: str = ""


@dataclass(frozen=True)
class FeatureAffinity:
    """Affinity in feature form: ``a(i, j) = sum_t weights[t] * matrix[i, t] * matrix[j, t]``.

    ``blocks`` names contiguous column ranges (name, start, stop) so that an affinity can be broken
    down into its terms.
    """

    matrix: NDArray[np.float64]
    weights: NDArray[np.float64]
    blocks: tuple[tuple[str, int, int], ...] = ()
    ranked_challenges: int = 0  # challenges beyond this rank were left out (0: no limit)

    @property
    def n(self) -> int:
        return int(self.matrix.shape[0])

    def pair(self, i: int, j: int) -> float:
        return float(np.dot(self.matrix[i] * self.weights, self.matrix[j]))

    def dense(self) -> NDArray[np.float64]:
        """The full n x n affinity matrix with a zero diagonal (O(n^2) memory)."""
        fw = self.matrix * self.weights
        out: NDArray[np.float64] = fw @ self.matrix.T
        np.fill_diagonal(out, 0.0)
        return out

    def row(self, i: int) -> NDArray[np.float64]:
        """Affinity of member i to every member (0 for i itself)."""
        out: NDArray[np.float64] = self.matrix @ (self.matrix[i] * self.weights)
        out[i] = 0.0
        return out


def _ordinal_block(values: NDArray[np.int64], n_buckets: int) -> NDArray[np.float64]:
    out = np.zeros((values.shape[0], n_buckets + 1))
    rows = np.arange(values.shape[0])
    scale = 1.0 / math.sqrt(2.0)
    out[rows, values] = scale
    out[rows, values + 1] = scale
    return out


def build_features(
    members: Sequence[Member],
    weights: Weights | None = None,
    industry_mode: IndustryMode | str = IndustryMode.NO_OVERLAP,
) -> FeatureAffinity:
    """Embed member profiles so that their dot product is the affinity described above."""
    weights = weights or Weights()
    mode = IndustryMode(industry_mode)
    n = len(members)
    r = weights.max_ranked_challenges
    labels: dict[Hashable, int] = {}
    for m in members:
        for c in m.challenges[:r]:
            labels.setdefault(c, len(labels))
    ch = np.zeros((n, len(labels)))
    for i, m in enumerate(members):
        for rank, c in enumerate(m.challenges[:r]):
            ch[i, labels[c]] = (r - rank) / r
    sizes = np.array([m.company_size for m in members], dtype=np.int64).reshape(n)
    stages = np.array([m.stage for m in members], dtype=np.int64).reshape(n)
    if n and (sizes.min() < 0 or stages.min() < 0):
        raise ValueError("company_size and stage buckets must be non-negative")
    size_block = _ordinal_block(sizes, int(sizes.max()) + 1 if n else 1)
    stage_block = _ordinal_block(stages, int(stages.max()) + 1 if n else 1)
    parts: list[NDArray[np.float64]] = [ch, size_block, stage_block]
    col_w: list[NDArray[np.float64]] = [
        np.full(ch.shape[1], weights.challenge),
        np.full(size_block.shape[1], weights.company_size),
        np.full(stage_block.shape[1], weights.stage),
    ]
    names = ["challenge", "company_size", "stage"]
    if mode is IndustryMode.NO_OVERLAP:
        inds: dict[Hashable, int] = {}
        for m in members:
            inds.setdefault(m.industry, len(inds))
        ind = np.zeros((n, len(inds)))
        for i, m in enumerate(members):
            ind[i, inds[m.industry]] = 1.0
        parts.append(ind)
        col_w.append(np.full(ind.shape[1], -weights.industry_overlap_penalty))
        names.append("industry")
    blocks: list[tuple[str, int, int]] = []
    start = 0
    for name, part in zip(names, parts, strict=True):
        blocks.append((name, start, start + part.shape[1]))
        start += part.shape[1]
    matrix = np.ascontiguousarray(np.hstack(parts), dtype=np.float64)
    return FeatureAffinity(
        matrix=matrix,
        weights=np.concatenate(col_w).astype(np.float64),
        blocks=tuple(blocks),
        ranked_challenges=r,
    )
