"""Problem definition, validation and the feasibility checks shared by the solver and the editor."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import geo
from .features import (
    ALL_FORMATS,
    FORMAT_NAMES,
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    CohortSpec,
    FeatureAffinity,
    Member,
)
from .hours import WEEK_SLOTS, fmt_length

TZ_EPS = 1e-9
# What one member beyond a hybrid cohort's distance limit from its home (or one pair of members
# beyond it from each other, when the cohort has no home) costs in the objective: as much as two
# members sharing their most important challenge (Weights.challenge's default).
DISTANCE_PENALTY = 1.0
# Geography kinds of a cohort.
GEO_NONE, GEO_HARD, GEO_PENALTY = 0, 1, 2


class InfeasibleError(ValueError):
    """The constraints admit no cohort assignment; the message says why in plain words.

    kind: which constraint the direct checks found in the way: "sizes" (sizes and cohort count),
    "time_zones", "time_window", "geography", "formats", "industries", "conflicts" or "other".
    """

    def __init__(self, message: str, *, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Problem:
    """A validated cohort-formation instance over members 0..n-1 and cohorts 0..G-1.

    Build it with :func:`make_problem`. ``affinity`` is either a dense symmetric n x n matrix
    (diagonal ignored) or a :class:`FeatureAffinity`. ``categories`` (codes 0..c-1), when given,
    forces every cohort to a single category; this is how single-industry mode is expressed.
    """

    affinity: NDArray[np.float64] | FeatureAffinity
    lower: tuple[int, ...]
    upper: tuple[int, ...]
    cannot_link: NDArray[np.int64]  # (m, 2), i < j, unique
    tz_offsets: NDArray[np.float64] | None = None
    max_tz_spread: float | None = None
    formats: NDArray[np.int64] | None = None
    categories: NDArray[np.int64] | None = None
    category_labels: tuple[Hashable, ...] = ()
    fixed: Mapping[int, int] = field(default_factory=dict)
    members: tuple[Member, ...] | None = None
    # Geography: unit vectors of member locations (zero rows where unknown) and which are known.
    locations: NDArray[np.float64] | None = None
    located: NDArray[np.bool_] | None = None
    # Per cohort: fixed format (0: the members choose), home unit vector (zero: none), limit.
    cohorts: tuple[CohortSpec, ...] | None = None
    cohort_formats: NDArray[np.int64] | None = None
    homes: NDArray[np.float64] | None = None
    has_home: NDArray[np.bool_] | None = None
    max_km: NDArray[np.float64] | None = None
    distance_penalty: float = DISTANCE_PENALTY
    # Meeting times: (n, WEEK_SLOTS) start slots of a meeting of meeting_minutes per member.
    start_slots: NDArray[np.bool_] | None = None
    meeting_minutes: int | None = None

    @property
    def n(self) -> int:
        if isinstance(self.affinity, FeatureAffinity):
            return self.affinity.n
        return int(self.affinity.shape[0])

    @property
    def n_groups(self) -> int:
        return len(self.lower)

    def geo_kind(self, g: int) -> int:
        """GEO_HARD for an in-person cohort, GEO_PENALTY for a hybrid one, else GEO_NONE."""
        if self.cohort_formats is None or self.locations is None:
            return GEO_NONE
        f = int(self.cohort_formats[g])
        return GEO_HARD if f == IN_PERSON else GEO_PENALTY if f == HYBRID else GEO_NONE

    def affinity_row(self, i: int) -> NDArray[np.float64]:
        if isinstance(self.affinity, FeatureAffinity):
            return self.affinity.row(i)
        row = np.array(self.affinity[i], dtype=np.float64)
        row[i] = 0.0
        return row

    def affinity_block(self, idx: NDArray[np.int64]) -> NDArray[np.float64]:
        """Affinity among the members ``idx`` (zero diagonal)."""
        if isinstance(self.affinity, FeatureAffinity):
            f = self.affinity.matrix[idx]
            block: NDArray[np.float64] = (f * self.affinity.weights) @ f.T
        else:
            block = np.array(self.affinity[np.ix_(idx, idx)], dtype=np.float64)
        np.fill_diagonal(block, 0.0)
        return block


def choose_group_count(n: int, lower: int, upper: int) -> int:
    """The number of cohorts whose average size is closest to the middle of [lower, upper]."""
    lo = math.ceil(n / upper) if upper > 0 else (0 if n == 0 else n + 1)
    hi = n // lower if lower > 0 else max(n, 1)
    if lo < 1:
        lo = 1
    if lo > hi:
        raise InfeasibleError(
            f"no number of cohorts fits {n} members with sizes between {lower} and {upper}",
            kind="sizes",
        )
    target = round(2 * n / (lower + upper)) if lower + upper > 0 else lo
    return min(max(target, lo), hi)


def make_problem(
    *,
    affinity: ArrayLike | FeatureAffinity,
    sizes: tuple[int, int] | Sequence[tuple[int, int]],
    n_groups: int | None = None,
    cannot_link: Iterable[tuple[int, int]] | ArrayLike = (),
    tz_offsets: ArrayLike | None = None,
    max_tz_spread: float | None = None,
    formats: ArrayLike | None = None,
    categories: Sequence[Hashable] | None = None,
    fixed: Mapping[int, int] | None = None,
    members: Sequence[Member] | None = None,
    locations: Sequence[tuple[float, float] | None] | None = None,
    cohorts: Sequence[CohortSpec] | None = None,
    start_slots: ArrayLike | None = None,
    meeting_minutes: int | None = None,
    distance_penalty: float = DISTANCE_PENALTY,
) -> Problem:
    """Validate and normalise an instance.

    sizes: one (min, max) pair for every cohort, or a list of per-cohort pairs (then n_groups,
        if given, must equal its length). With one pair and ``n_groups=None`` the number of
        cohorts is chosen so that the average size is closest to the middle of the range.
    cannot_link: pairs of members that may not share a cohort.
    tz_offsets, max_tz_spread: UTC offsets in hours and the largest allowed spread in a cohort
        (both or neither).
    formats: per-member bitmask of acceptable meeting formats; a cohort's members must share one.
    categories: per-member label; a cohort's members must all have the same one.
    fixed: member -> cohort for members that must stay where they are.
    members: profiles, used only for the explanations.
    locations: per-member (latitude, longitude) in degrees or None (see :class:`Member`).
    cohorts: one :class:`CohortSpec` per cohort (format, home, distance limit). With one size
        pair and ``n_groups=None`` their number is the number of cohorts.
    start_slots: (n, WEEK_SLOTS) bools, the UTC start slots of a meeting of ``meeting_minutes``
        that each member can attend (see :mod:`.hours`, :func:`.hours.member_start_slots`); a
        cohort needs one slot common to all its members.
    distance_penalty: the objective's cost of each member (or pair) beyond a hybrid cohort's
        distance limit (see DISTANCE_PENALTY).
    """
    if isinstance(affinity, FeatureAffinity):
        aff: NDArray[np.float64] | FeatureAffinity = affinity
        n = affinity.n
        if not np.all(np.isfinite(affinity.matrix)) or not np.all(np.isfinite(affinity.weights)):
            raise ValueError("features must be finite")
    else:
        mat = np.array(affinity, dtype=np.float64)
        if mat.ndim != 2 or mat.shape[0] != mat.shape[1]:
            raise ValueError("the affinity matrix must be square")
        if not np.all(np.isfinite(mat)):
            raise ValueError("the affinity matrix must be finite")
        if not np.allclose(mat, mat.T, rtol=1e-9, atol=1e-9):
            raise ValueError("the affinity matrix must be symmetric")
        np.fill_diagonal(mat, 0.0)
        aff = mat
        n = mat.shape[0]

    if isinstance(sizes, tuple) and len(sizes) == 2 and all(isinstance(x, int) for x in sizes):
        a, b = int(sizes[0]), int(sizes[1])
        if a < 0 or b < a:
            raise ValueError(f"invalid size bounds ({a}, {b})")
        if n_groups is None and cohorts is not None:
            n_groups = len(cohorts)
        g = choose_group_count(n, a, b) if n_groups is None else int(n_groups)
        if g < 1:
            raise ValueError("there must be at least one cohort")
        lower = (a,) * g
        upper = (b,) * g
    else:
        pairs = [(int(lo), int(hi)) for lo, hi in sizes]  # type: ignore[misc]
        if not pairs:
            raise ValueError("there must be at least one cohort")
        if n_groups is not None and n_groups != len(pairs):
            raise ValueError(f"n_groups={n_groups} but {len(pairs)} size bounds were given")
        for lo, hi in pairs:
            if lo < 0 or hi < lo:
                raise ValueError(f"invalid size bounds ({lo}, {hi})")
        lower = tuple(p[0] for p in pairs)
        upper = tuple(p[1] for p in pairs)
    g = len(lower)

    cl = np.asarray(list(cannot_link) if not isinstance(cannot_link, np.ndarray) else cannot_link)
    cl = cl.astype(np.int64).reshape(-1, 2) if cl.size else np.zeros((0, 2), dtype=np.int64)
    if cl.size and (cl.min() < 0 or cl.max() >= n):
        raise ValueError("cannot-link pairs must refer to members 0..n-1")
    cl = cl[cl[:, 0] != cl[:, 1]]
    if cl.size:
        # Dedupe one int64 code per pair by sorting: far cheaper than a row-wise unique (and
        # than np.unique's hashing) for millions of pairs.
        codes = np.sort(np.minimum(cl[:, 0], cl[:, 1]) * n + np.maximum(cl[:, 0], cl[:, 1]))
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
        cl = np.stack([codes // n, codes % n], axis=1)

    tz: NDArray[np.float64] | None = None
    spread: float | None = None
    if (tz_offsets is None) != (max_tz_spread is None):
        raise ValueError("tz_offsets and max_tz_spread go together")
    if tz_offsets is not None and max_tz_spread is not None:
        tz = np.asarray(tz_offsets, dtype=np.float64).reshape(-1)
        if tz.shape[0] != n or not np.all(np.isfinite(tz)):
            raise ValueError("tz_offsets must hold one finite offset per member")
        spread = float(max_tz_spread)
        if spread < 0:
            raise ValueError("max_tz_spread must be non-negative")

    fm: NDArray[np.int64] | None = None
    if formats is not None:
        fm = np.asarray(formats, dtype=np.int64).reshape(-1)
        if fm.shape[0] != n or (fm.size and (fm.min() < 0 or fm.max() >= 1 << 62)):
            raise ValueError("formats must hold one non-negative bitmask per member")

    cats: NDArray[np.int64] | None = None
    labels: tuple[Hashable, ...] = ()
    if categories is not None:
        if len(categories) != n:
            raise ValueError("categories must hold one label per member")
        codes: dict[Hashable, int] = {}
        cats = np.array([codes.setdefault(c, len(codes)) for c in categories], dtype=np.int64)
        labels = tuple(codes)

    fx: dict[int, int] = {}
    for i, grp in (fixed or {}).items():
        i, grp = int(i), int(grp)
        if not 0 <= i < n:
            raise ValueError(f"fixed member {i} does not exist")
        if not 0 <= grp < g:
            raise InfeasibleError(
                f"member {i} is fixed to cohort {grp}, which does not exist (there are {g} cohorts)"
            )
        fx[i] = grp
    if members is not None and len(members) != n:
        raise ValueError("members must hold one profile per member")

    units: NDArray[np.float64] | None = None
    known: NDArray[np.bool_] | None = None
    if locations is not None:
        if len(locations) != n:
            raise ValueError("locations must hold one point (or None) per member")
        units, known = geo.unit_vectors(locations)
    specs: tuple[CohortSpec, ...] | None = None
    cfmt = homes = has_home = max_km = None
    if cohorts is not None:
        specs = tuple(cohorts)
        if len(specs) != g:
            raise ValueError(f"{len(specs)} cohort specs were given for {g} cohorts")
        cfmt = np.array([int(c.format) for c in specs], dtype=np.int64)
        if np.any((cfmt != 0) & (cfmt != IN_PERSON) & (cfmt != HYBRID) & (cfmt != VIRTUAL)):
            raise ValueError("a cohort's format must be 0, IN_PERSON, HYBRID or VIRTUAL")
        homes, has_home = geo.unit_vectors([c.home for c in specs])
        max_km = np.array([float(c.max_km) for c in specs], dtype=np.float64)
        if not np.all(np.isfinite(max_km)) or np.any(max_km < 0):
            raise ValueError("a cohort's max_km must be a non-negative number")
    slots: NDArray[np.bool_] | None = None
    if start_slots is not None:
        slots = np.asarray(start_slots, dtype=np.bool_)
        if slots.shape != (n, WEEK_SLOTS):
            raise ValueError(f"start_slots must be an (n, {WEEK_SLOTS}) array of bools")
        if meeting_minutes is None or int(meeting_minutes) <= 0:
            raise ValueError("start_slots need the meeting's length (meeting_minutes)")
    if not math.isfinite(distance_penalty) or distance_penalty < 0:
        raise ValueError("distance_penalty must be a non-negative number")
    return Problem(
        affinity=aff,
        lower=lower,
        upper=upper,
        cannot_link=cl,
        tz_offsets=tz,
        max_tz_spread=spread,
        formats=fm,
        categories=cats,
        category_labels=labels,
        fixed=fx,
        members=tuple(members) if members is not None else None,
        locations=units,
        located=known,
        cohorts=specs,
        cohort_formats=cfmt,
        homes=homes,
        has_home=has_home,
        max_km=max_km,
        distance_penalty=float(distance_penalty),
        start_slots=slots,
        meeting_minutes=int(meeting_minutes) if slots is not None else None,
    )


# --------------------------------------------------------------------------- checks


def _fmt_hours(x: float) -> str:
    return f"{x:g}"


def who(problem: Problem, i: int) -> str:
    """ "member 3 (Sydney)": a member as explanations name them (the web layer puts names in)."""
    place = problem.members[i].place if problem.members is not None else ""
    return f"member {i} ({place})" if place else f"member {i}"


def _cohort_place(problem: Problem, g: int) -> str:
    place = problem.cohorts[g].place if problem.cohorts is not None else ""
    return f" ({place})" if place else ""


def _accepts(problem: Problem, i: int) -> int:
    return int(problem.formats[i]) if problem.formats is not None else ALL_FORMATS


def static_fits(problem: Problem) -> NDArray[np.bool_]:
    """(n, G): whether member i may join cohort g as far as the checks that do not depend on the
    other members go (the cohort's format, a location for in-person, distance to its home)."""
    n, g = problem.n, problem.n_groups
    fits = np.ones((n, g), dtype=np.bool_)
    cf = problem.cohort_formats
    if cf is None:
        return fits
    acc = problem.formats if problem.formats is not None else np.full(n, ALL_FORMATS)
    fits &= (cf == 0)[None, :] | ((acc[:, None] & cf[None, :]) != 0)
    if problem.locations is not None and problem.located is not None:
        assert problem.homes is not None and problem.has_home is not None
        assert problem.max_km is not None
        hard = cf == IN_PERSON
        fits[:, hard] &= problem.located[:, None]
        home = np.flatnonzero(hard & problem.has_home)
        if home.size:
            limits = np.array([geo.cos_limit(km) for km in problem.max_km[home]])
            near = geo.dots(problem.locations, problem.homes[home]) >= limits[None, :]
            fits[:, home] &= near
    return fits


def member_refusal(problem: Problem, i: int, g: int) -> str | None:
    """Why member i may not join cohort g whoever else is in it, or None."""
    cf = problem.cohort_formats
    if cf is not None and int(cf[g]) and not _accepts(problem, i) & int(cf[g]):
        name = FORMAT_NAMES[int(cf[g])]
        return f"{who(problem, i)} does not accept {name} meetings, the format of cohort {g}"
    if problem.geo_kind(g) == GEO_HARD:
        assert problem.located is not None and problem.locations is not None
        assert problem.has_home is not None and problem.homes is not None
        assert problem.max_km is not None
        if not problem.located[i]:
            return f"{who(problem, i)} has no location, and cohort {g} meets in person"
        if problem.has_home[g]:
            u, h = problem.locations[i], problem.homes[g]
            if float(u @ h) < geo.cos_limit(problem.max_km[g]):
                return (
                    f"{who(problem, i)} is {geo.fmt_km(geo.km_between(u, h))} from the home of "
                    f"cohort {g}{_cohort_place(problem, g)}, beyond its "
                    f"{geo.fmt_km(problem.max_km[g])} limit for meeting in person"
                )
    if problem.start_slots is not None and not problem.start_slots[i].any():
        assert problem.meeting_minutes is not None
        return (
            f"{who(problem, i)} has no {fmt_length(problem.meeting_minutes)} meeting window "
            "in their hours"
        )
    return None


def _far_pair(problem: Problem, ids: Sequence[int], g: int) -> tuple[int, int] | None:
    """The first pair of located members of ``ids`` beyond cohort g's limit, or None."""
    assert problem.located is not None and problem.locations is not None
    assert problem.max_km is not None
    ids = [i for i in ids if problem.located[i]]
    if len(ids) < 2:
        return None
    u = problem.locations[ids]
    far = np.triu((u @ u.T) < geo.cos_limit(problem.max_km[g]), 1)
    hit = np.argwhere(far)
    if not hit.size:
        return None
    return ids[int(hit[0, 0])], ids[int(hit[0, 1])]


def window_narrower(problem: Problem, ids: Sequence[int]) -> int | None:
    """When the members ``ids`` have no common meeting window: the member whose leaving would
    give the others one (the last such in ``ids``), or the first member at which the window
    closes going through ``ids`` in order. None when they have a common window."""
    assert problem.start_slots is not None
    rows = problem.start_slots[list(ids)]
    if not len(ids) or np.logical_and.reduce(rows, axis=0).any():
        return None
    for pos in range(len(ids) - 1, -1, -1):
        others = np.delete(rows, pos, axis=0)
        if others.shape[0] and np.logical_and.reduce(others, axis=0).any():
            return int(ids[pos])
    common = rows[0].copy()
    for pos in range(1, len(ids)):
        common &= rows[pos]
        if not common.any():
            return int(ids[pos])
    return int(ids[0])


def cohort_violation(
    problem: Problem, idx: Sequence[int], cohort: int, *, conflicts: bool = True
) -> str | None:
    """Why the members ``idx`` cannot form one cohort (sizes aside), or None. A member named as
    the one who narrows the meeting window is looked for from the end of ``idx`` (put a newcomer
    last to have it named)."""
    order = [int(i) for i in idx]
    ids = sorted(order)
    if conflicts and len(ids) >= 2 and problem.cannot_link.size:
        cl = problem.cannot_link
        hit = np.flatnonzero(np.isin(cl[:, 0], ids) & np.isin(cl[:, 1], ids))
        if hit.size:
            a, b = (int(x) for x in cl[hit[0]])
            return f"members {a} and {b} cannot be in the same cohort"
    if problem.categories is not None and ids:
        found = {int(problem.categories[i]) for i in ids}
        if len(found) > 1:
            return f"cohort {cohort} would mix industries"
    if problem.tz_offsets is not None and problem.max_tz_spread is not None and ids:
        offs = problem.tz_offsets[ids]
        spread = float(offs.max() - offs.min())
        if spread > problem.max_tz_spread + TZ_EPS:
            return (
                f"cohort {cohort} would span {_fmt_hours(spread)} hours of time zones, "
                f"more than the allowed {_fmt_hours(problem.max_tz_spread)}"
            )
    if problem.formats is not None and ids:
        common = int(np.bitwise_and.reduce(problem.formats[ids]))
        if common == 0:
            return f"cohort {cohort} would share no meeting format"
    for i in reversed(order):
        reason = member_refusal(problem, i, cohort)
        if reason is not None:
            return reason
    if problem.geo_kind(cohort) == GEO_HARD and not problem.has_home[cohort]:  # type: ignore[index]
        pair = _far_pair(problem, ids, cohort)
        if pair is not None:
            a, b = pair
            assert problem.locations is not None and problem.max_km is not None
            km = geo.km_between(problem.locations[a], problem.locations[b])
            return (
                f"{who(problem, a)} and {who(problem, b)} are {geo.fmt_km(km)} apart, beyond "
                f"the {geo.fmt_km(problem.max_km[cohort])} limit of in-person cohort {cohort}"
            )
    if problem.start_slots is not None and len(order) >= 2:
        narrow = window_narrower(problem, order)
        if narrow is not None:
            assert problem.meeting_minutes is not None
            return (
                f"{who(problem, narrow)} leaves no {fmt_length(problem.meeting_minutes)} "
                f"meeting window with the rest of cohort {cohort}"
            )
    return None


def cohort_penalty(problem: Problem, idx: Sequence[int] | NDArray[np.int64], cohort: int) -> float:
    """What distance costs a hybrid cohort in the objective (0.0 for other cohorts): the
    penalty for each located member beyond the limit from its home or, with no home, for each
    pair of located members beyond the limit from each other."""
    if problem.geo_kind(cohort) != GEO_PENALTY or not len(idx) or not problem.distance_penalty:
        return 0.0
    assert problem.located is not None and problem.locations is not None
    assert problem.has_home is not None and problem.homes is not None
    assert problem.max_km is not None
    ids = np.asarray(idx, dtype=np.int64)
    ids = ids[problem.located[ids]]
    limit = geo.cos_limit(problem.max_km[cohort])
    u = problem.locations[ids]
    if problem.has_home[cohort]:
        count = int(np.count_nonzero(u @ problem.homes[cohort] < limit))
    else:
        count = int(np.count_nonzero(np.triu((u @ u.T) < limit, 1)))
    return problem.distance_penalty * count


def violations(problem: Problem, assignment: Sequence[int] | NDArray[np.int64]) -> list[str]:
    """Every hard constraint that ``assignment`` breaks (empty when it is feasible)."""
    a = np.asarray(assignment, dtype=np.int64)
    out: list[str] = []
    g = problem.n_groups
    if a.shape != (problem.n,):
        return [f"the assignment has {a.shape[0]} entries for {problem.n} members"]
    if a.size and (a.min() < 0 or a.max() >= g):
        out.append("an assignment entry is not a cohort index")
        return out
    sizes = np.bincount(a, minlength=g)
    for grp in range(g):
        if not problem.lower[grp] <= sizes[grp] <= problem.upper[grp]:
            out.append(
                f"cohort {grp} has {sizes[grp]} members, outside "
                f"[{problem.lower[grp]}, {problem.upper[grp]}]"
            )
    for i, grp in problem.fixed.items():
        if a[i] != grp:
            out.append(f"member {i} is fixed to cohort {grp} but placed in cohort {a[i]}")
    cl = problem.cannot_link
    if cl.size:
        for x, y in cl[a[cl[:, 0]] == a[cl[:, 1]]]:
            out.append(f"members {x} and {y} cannot be in the same cohort")
    for grp in range(g):
        ids = np.flatnonzero(a == grp).tolist()
        reason = cohort_violation(problem, ids, grp, conflicts=False)
        if reason is not None:
            out.append(reason)
    return out


def _greedy_clique(ptr: NDArray[np.int64], idx: NDArray[np.int64], start: int) -> list[int]:
    clique = [start]
    cand = idx[ptr[start] : ptr[start + 1]]
    while cand.size:
        # The candidate adjacent to most other candidates keeps the clique growing longest.
        best = int(cand[0])
        best_deg = -1
        for u in cand:
            deg = int(np.isin(idx[ptr[u] : ptr[u + 1]], cand, assume_unique=True).sum())
            if deg > best_deg:
                best, best_deg = int(u), deg
        clique.append(best)
        cand = cand[np.isin(cand, idx[ptr[best] : ptr[best + 1]], assume_unique=True)]
    return sorted(clique)


def conflict_csr(n: int, pairs: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """Symmetric CSR adjacency of the cannot-link graph, neighbours sorted."""
    if pairs.size == 0:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    src = np.concatenate([pairs[:, 0], pairs[:, 1]])
    codes = np.sort(src * n + np.concatenate([pairs[:, 1], pairs[:, 0]]))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, (codes % n).astype(np.int32)


def check_feasibility(
    problem: Problem, ptr: NDArray[np.int64] | None = None, idx: NDArray[np.int32] | None = None
) -> None:
    """Raise :class:`InfeasibleError` for the infeasibilities that can be shown directly.

    The clique test is greedy: it proves infeasibility when it finds a large clique of mutual
    conflicts but may miss one. Passing the test does not prove feasibility.
    """
    n, g = problem.n, problem.n_groups
    lo_sum, hi_sum = sum(problem.lower), sum(problem.upper)
    if not lo_sum <= n <= hi_sum:
        raise InfeasibleError(
            f"{n} members cannot fill {g} cohorts: sizes must total between {lo_sum} and {hi_sum}",
            kind="sizes",
        )
    by_group: dict[int, list[int]] = {}
    for i, grp in sorted(problem.fixed.items()):
        by_group.setdefault(grp, []).append(i)
    for grp, ids in sorted(by_group.items()):
        if len(ids) > problem.upper[grp]:
            raise InfeasibleError(
                f"cohort {grp} has {len(ids)} fixed members, more than its maximum size "
                f"{problem.upper[grp]}"
            )
        reason = cohort_violation(problem, ids, grp)
        if reason is not None:
            raise InfeasibleError(f"the members fixed to cohort {grp} break a constraint: {reason}")
    if problem.formats is not None:
        empty = np.flatnonzero(problem.formats == 0)
        if empty.size:
            raise InfeasibleError(f"member {int(empty[0])} accepts no meeting format")
    _check_members_fit(problem)
    if problem.categories is not None:
        counts = np.bincount(problem.categories)
        if counts.size > g:
            raise InfeasibleError(
                f"{counts.size} industries need one cohort each in single-industry mode, "
                f"but there are only {g} cohorts",
                kind="industries",
            )
        smallest = min(problem.lower)
        for code, c in enumerate(counts):
            if 0 < c < smallest:
                raise InfeasibleError(
                    f"industry {problem.category_labels[code]!r} has {c} member"
                    f"{'s' if c != 1 else ''}, fewer than the smallest cohort size {smallest}",
                    kind="industries",
                )
    if problem.tz_offsets is not None and problem.max_tz_spread is not None and n:
        offs = np.sort(problem.tz_offsets)
        need = 0
        k = 0
        while k < n:
            need += 1
            k = int(np.searchsorted(offs, offs[k] + problem.max_tz_spread + TZ_EPS, side="right"))
        if need > g:
            raise InfeasibleError(
                f"time zones from {_fmt_hours(offs[0])} to {_fmt_hours(offs[-1])} hours need at "
                f"least {need} cohorts with a spread of at most "
                f"{_fmt_hours(problem.max_tz_spread)} hours, but there are only {g}",
                kind="time_zones",
            )
    if ptr is None or idx is None:
        ptr, idx = conflict_csr(n, problem.cannot_link)
    # A member must have some cohort where the members fixed there let it in.
    fixed_groups = sorted(by_group)
    if fixed_groups:
        free_groups = g - len(fixed_groups)
        for i in range(n):
            if i in problem.fixed or free_groups > 0:
                continue
            reasons = []
            for grp in fixed_groups:
                ids = by_group[grp]
                if len(ids) >= problem.upper[grp]:
                    reasons.append(grp)
                    continue
                nb = idx[ptr[i] : ptr[i + 1]]
                if (
                    np.isin(nb, ids).any()
                    or cohort_violation(problem, [*ids, i], grp, conflicts=False) is not None
                ):
                    reasons.append(grp)
            if len(reasons) == g:
                raise InfeasibleError(
                    f"member {i} cannot be placed in any cohort: every cohort is full or holds a "
                    f"fixed member it is incompatible with"
                )
    if idx.size:
        degree = np.diff(ptr)
        starts = np.argsort(-degree, kind="stable")[: min(n, 64)]
        for v in starts:
            if degree[v] + 1 <= g:
                break
            clique = _greedy_clique(ptr, idx.astype(np.int64), int(v))
            if len(clique) > g:
                shown = ", ".join(str(x) for x in clique)
                raise InfeasibleError(
                    f"members {shown} all conflict with one another, so they need "
                    f"{len(clique)} cohorts but there are only {g}",
                    kind="conflicts",
                )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _check_members_fit(problem: Problem) -> None:
    """Raise when some member fits no cohort at all, naming the fix: members without a meeting
    window, members whose formats no cohort offers, in-person members far from every in-person
    cohort (grouped by where they live)."""
    if problem.start_slots is not None and problem.n:
        assert problem.meeting_minutes is not None
        none = np.flatnonzero(~problem.start_slots.any(axis=1))
        if none.size:
            first = int(none[0])
            more = f" (and {_plural(none.size - 1, 'other member')})" if none.size > 1 else ""
            raise InfeasibleError(
                f"{who(problem, first)}{more} has no {fmt_length(problem.meeting_minutes)} "
                "meeting window in their hours: widen their hours or shorten the meeting",
                kind="time_window",
            )
    if problem.cohort_formats is None or not problem.n:
        return
    fits = static_fits(problem)
    stuck = np.flatnonzero(~fits.any(axis=1))
    if not stuck.size:
        return
    cf = problem.cohort_formats
    acc = problem.formats if problem.formats is not None else np.full(problem.n, ALL_FORMATS)
    format_ok = (cf == 0)[None, :] | ((acc[stuck, None] & cf[None, :]) != 0)
    no_format = stuck[~format_ok.any(axis=1)]
    if no_format.size:
        i = int(no_format[0])
        names = [name for bit, name in FORMAT_NAMES.items() if _accepts(problem, i) & bit]
        wanted = " or ".join(names)
        more = f" (and {_plural(no_format.size - 1, 'other member')})" if no_format.size > 1 else ""
        raise InfeasibleError(
            f"{who(problem, i)}{more} accepts only {wanted or 'no'} meetings, which no cohort "
            f"offers: add {_article(names[0] if names else 'virtual')} cohort",
            kind="formats",
        )
    assert problem.located is not None and problem.max_km is not None
    unlocated = stuck[~problem.located[stuck]]
    if unlocated.size:
        i = int(unlocated[0])
        more = f" (and {_plural(unlocated.size - 1, 'other member')})" if unlocated.size > 1 else ""
        raise InfeasibleError(
            f"{who(problem, i)}{more} has no location, and every cohort they accept meets in "
            "person: set where they live or offer a virtual or hybrid cohort",
            kind="geography",
        )
    places: dict[str, list[int]] = {}
    for i in stuck.tolist():
        place = problem.members[i].place if problem.members is not None else ""
        places.setdefault(place, []).append(i)
    place, group = max(places.items(), key=lambda kv: (len(kv[1]), -kv[1][0]))
    hard = np.flatnonzero(cf == IN_PERSON)
    km = geo.fmt_km(float(problem.max_km[hard].max())) if hard.size else "the limit"
    where = f"in {place}" if place else f"like {who(problem, group[0])}"
    others = stuck.size - len(group)
    more = f" (and {_plural(others, 'other member')} elsewhere)" if others else ""
    raise InfeasibleError(
        f"{_plural(len(group), 'in-person member')} {where}{more} have no in-person cohort "
        f"within {km}: make one of their cohorts hybrid or virtual, add an in-person cohort near "
        "them, or raise the distance",
        kind="geography",
    )


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"
