"""Placement: seat approved members in existing cohorts that have open seats.

For one member, :meth:`PlacementIndex.rank` scores every cohort and checks it, vectorised over
per-cohort sums so that one member among thousands of cohorts takes milliseconds:

* **score**: the affinity the formation solver uses (:mod:`.features`), summed over the cohort's
  current members: shared challenges (by rank) and "peers first" similarity of company size and
  stage; less the distance penalty of a hybrid cohort (:data:`.problem.DISTANCE_PENALTY` per
  member, or pair, beyond its limit). The industry term is a hard rule here, as on rosters.
* **hard checks**: capacity, declared conflicts, the cohort's industry mode (no overlap: no
  member of the same industry yet; single: the cohort's industry), its format, in-person
  distance (within ``max_km`` of the home, or of every member), a common meeting window.

Each suggestion carries plain-language reasons: why it fits, or every reason it does not.
:func:`place_pool` seats a whole pool greedily (members with the fewest fitting cohorts first,
each into its best-scoring fit, the cohort updated before the next member).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from . import geo
from .features import (
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    CohortSpec,
    IndustryMode,
    Member,
    Weights,
)
from .hours import fmt_length, fmt_slot, member_start_slots
from .problem import DISTANCE_PENALTY

Describe = Callable[[Hashable], str]


@dataclass(frozen=True)
class OpenCohort:
    """An existing cohort as placement sees it.

    members: its current members' profiles; keys: their identifiers (matched against a
        candidate's conflicts), names: how reasons call them (default: "a member").
    max_size: its capacity; industry_mode: as on the roster; spec: format, home, distance limit.
    """

    members: tuple[Member, ...]
    max_size: int
    industry_mode: IndustryMode | str = IndustryMode.NO_OVERLAP
    spec: CohortSpec = field(default_factory=CohortSpec)
    keys: tuple[Hashable, ...] = ()
    names: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Evaluation:
    """Per-cohort arrays for one member: ``ok`` (fits), ``score``, and each hard check that
    fails (``conflicts``: cohort -> the conflicting keys in it; ``mine``: the member's start
    slots, when meeting windows are checked)."""

    ok: NDArray[np.bool_]
    score: NDArray[np.float64]
    full: NDArray[np.bool_]
    conflicts: dict[int, list[Hashable]]
    overlap: NDArray[np.bool_]
    other_industry: NDArray[np.bool_]
    format: NDArray[np.bool_]
    unlocated: NDArray[np.bool_]
    too_far: NDArray[np.bool_]
    no_window: NDArray[np.bool_]
    beyond_home: NDArray[np.bool_]
    mine: NDArray[np.bool_] | None


@dataclass(frozen=True)
class Suggestion:
    """One cohort for one member: ``fits`` (every hard check passes), its ``score``, the
    challenges the member shares with the cohort, and ``reasons`` in plain words (why it fits,
    or why not)."""

    cohort: int
    fits: bool
    score: float
    shared_challenges: tuple[Hashable, ...]
    reasons: tuple[str, ...]


class PlacementIndex:
    """Per-cohort sums of what placement scores and checks; build once, rank many members.

    meeting_minutes, week_of: when given, a cohort must leave a common window of that length
    (hours converted in the reference week of ``week_of``, see :mod:`.hours`).
    """

    def __init__(
        self,
        cohorts: Sequence[OpenCohort],
        *,
        weights: Weights | None = None,
        meeting_minutes: int | None = None,
        week_of: date | None = None,
        distance_penalty: float = DISTANCE_PENALTY,
    ) -> None:
        self.cohorts = list(cohorts)
        self.weights = weights or Weights()
        self.meeting_minutes = meeting_minutes
        self.week_of = week_of or date.today()
        self.distance_penalty = float(distance_penalty)
        g = len(self.cohorts)
        r = self.weights.max_ranked_challenges
        self.challenge_col: dict[Hashable, int] = {}
        self.industry_col: dict[Hashable, int] = {}
        # Flat arrays over every current member, cohort by cohort (vectorised: a few hundred
        # milliseconds for 40,000 members would otherwise go to per-member Python loops).
        everyone = [m for c in self.cohorts for m in c.members]
        counts = np.array([len(c.members) for c in self.cohorts], dtype=np.int64)
        self.owner = np.repeat(np.arange(g, dtype=np.int64), counts)
        self.size = counts.copy()
        self.capacity = np.array([c.max_size for c in self.cohorts], dtype=np.int64)
        self.key_cohort = {key: k for k, c in enumerate(self.cohorts) for key in c.keys}
        col = self.challenge_col
        cells = [
            (k, col.setdefault(ch, len(col)), (r - q) / r)
            for k, c in enumerate(self.cohorts)
            for m in c.members
            for q, ch in enumerate(m.challenges[:r])
        ]
        self.challenge_sum = np.zeros((g, max(len(col), 1)))
        if cells:
            rows, cols, values = zip(*cells, strict=True)
            np.add.at(self.challenge_sum, (np.array(rows), np.array(cols)), np.array(values))
        sizes = [m.company_size for m in everyone]
        stages = [m.stage for m in everyone]
        ind_col = self.industry_col
        inds = [ind_col.setdefault(m.industry, len(ind_col)) for m in everyone]
        locations = [m.location for m in everyone]
        self.size_count = _bucket_counts(self.owner, np.array(sizes, dtype=np.int64), g)
        self.stage_count = _bucket_counts(self.owner, np.array(stages, dtype=np.int64), g)
        self.industry_count = np.zeros((g, max(len(self.industry_col), 1)), dtype=np.int64)
        np.add.at(self.industry_count, (self.owner, np.array(inds, dtype=np.int64)), 1)
        blank = [self.industry_col[x] for x in ("", None) if x in self.industry_col]
        self.named_industries = self.size - self.industry_count[:, blank].sum(axis=1)
        self.single = np.array(
            [IndustryMode(c.industry_mode) is IndustryMode.SINGLE for c in self.cohorts]
        )
        self.no_overlap = np.array(
            [IndustryMode(c.industry_mode) is IndustryMode.NO_OVERLAP for c in self.cohorts]
        )
        self.format = np.array([int(c.spec.format) for c in self.cohorts], dtype=np.int64)
        self.homes, self.has_home = geo.unit_vectors([c.spec.home for c in self.cohorts])
        self.cos_lim = np.array([geo.cos_limit(c.spec.max_km) for c in self.cohorts])
        self.units, self.located = geo.unit_vectors(locations)
        self.names: list[str] = []
        for c in self.cohorts:
            self.names.extend(c.names[q] if q < len(c.names) else "" for q in range(len(c.members)))
        self.key_name = {
            key: (c.names[q] if q < len(c.names) else "")
            for c in self.cohorts
            for q, key in enumerate(c.keys)
        }
        self.common: NDArray[np.bool_] | None = None
        self.member_slots: NDArray[np.bool_] | None = None
        if meeting_minutes is not None:
            slots = member_start_slots(
                everyone, meeting_minutes=meeting_minutes, week_of=self.week_of
            )
            self.member_slots = slots
            common = np.ones((g, slots.shape[1]), dtype=np.bool_)
            filled = np.flatnonzero(self.size)
            if filled.size:
                # Members are grouped by cohort already (self.owner is sorted).
                starts = np.concatenate(([0], np.cumsum(self.size)[:-1]))[filled]
                common[filled] = np.logical_and.reduceat(slots, starts, axis=0)
            self.common = common
        self._everyone = everyone

    # ------------------------------------------------------------------ scoring

    def _affinity(self, m: Member) -> NDArray[np.float64]:
        """The solver's affinity of ``m`` to each cohort's members, industry term aside."""
        w = self.weights
        r = w.max_ranked_challenges
        score = np.zeros(len(self.cohorts))
        for q, ch in enumerate(m.challenges[:r]):
            col = self.challenge_col.get(ch)
            if col is not None:
                score += w.challenge * (r - q) / r * self.challenge_sum[:, col]
        score += w.company_size * _ordinal_similarity(self.size_count, m.company_size)
        score += w.stage * _ordinal_similarity(self.stage_count, m.stage)
        return score

    def _far(self, m: Member) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
        """Per cohort: whether ``m`` is beyond the home's limit, and how many located members
        are beyond the limit from ``m``."""
        g = len(self.cohorts)
        beyond_home = np.zeros(g, dtype=np.bool_)
        far_members = np.zeros(g, dtype=np.int64)
        if m.location is None:
            return beyond_home, far_members
        u, _ = geo.unit_vectors([m.location])
        u = u[0]
        beyond_home = self.has_home & ((self.homes @ u) < self.cos_lim)
        if self.owner.size:
            dots = self.units @ u
            dots[~self.located] = 2.0
            far = (dots < self.cos_lim[self.owner]) & self.located
            far_members = np.bincount(self.owner, weights=far, minlength=g).astype(np.int64)
        return beyond_home, far_members

    def evaluate(self, m: Member, *, conflicts: Collection[Hashable] = ()) -> Evaluation:
        """Every cohort's score and hard checks for member ``m``, as arrays."""
        g = len(self.cohorts)
        score = self._affinity(m)
        full = self.size >= self.capacity
        conflict_hits: dict[int, list[Hashable]] = {}
        for key in conflicts:
            k = self.key_cohort.get(key)
            if k is not None:
                conflict_hits.setdefault(k, []).append(key)
        conflicted = np.zeros(g, dtype=np.bool_)
        if conflict_hits:
            conflicted[list(conflict_hits)] = True
        ind = self.industry_col.get(m.industry)
        same = self.industry_count[:, ind] if ind is not None else np.zeros(g, dtype=np.int64)
        blank = m.industry in ("", None)
        overlap = self.no_overlap & (same > 0) & (not blank)
        other_industry = self.single & (self.named_industries > 0) & (same == 0)
        fmt_bad = (self.format != 0) & ((self.format & int(m.formats or 0)) == 0)
        beyond_home, far_members = self._far(m)
        in_person = self.format == IN_PERSON
        unlocated = in_person & (m.location is None)
        too_far = in_person & np.where(self.has_home, beyond_home, far_members > 0)
        hybrid = self.format == HYBRID
        beyond = np.where(self.has_home, beyond_home.astype(np.int64), far_members)
        score = score - np.where(hybrid, beyond, 0) * self.distance_penalty
        no_window = np.zeros(g, dtype=np.bool_)
        mine = None
        if self.common is not None:
            assert self.meeting_minutes is not None
            mine = member_start_slots(
                [m], meeting_minutes=self.meeting_minutes, week_of=self.week_of
            )[0]
            no_window = ~(self.common & mine).any(axis=1)
        ok = ~(full | conflicted | overlap | other_industry | fmt_bad | unlocated | too_far)
        ok &= ~no_window
        return Evaluation(
            ok=ok,
            score=score,
            full=full,
            conflicts=conflict_hits,
            overlap=overlap,
            other_industry=other_industry,
            format=fmt_bad,
            unlocated=unlocated,
            too_far=too_far,
            no_window=no_window,
            beyond_home=beyond_home,
            mine=mine,
        )

    def rank(
        self,
        m: Member,
        *,
        conflicts: Collection[Hashable] = (),
        limit: int | None = 10,
        describe: Describe = str,
        include_refused: bool = True,
    ) -> list[Suggestion]:
        """Cohorts for member ``m``, fitting ones first by score (then cohort order), then
        refused ones by score; at most ``limit`` (None: all). ``conflicts``: keys of the people
        ``m`` declared a conflict with."""
        g = len(self.cohorts)
        if not g:
            return []
        e = self.evaluate(m, conflicts=conflicts)
        ok, score = e.ok, e.score
        order = np.lexsort((np.arange(g), -score, ~ok))
        if not include_refused:
            order = order[ok[order]]
        if limit is not None:
            order = order[:limit]
        out = []
        for k in order.tolist():
            shared = self._shared(m, k)
            if ok[k]:
                reasons = self._fit_reasons(m, k, shared, describe, e.beyond_home, e.mine)
            else:
                reasons = self._refusals(m, k, e, describe)
            out.append(Suggestion(k, bool(ok[k]), float(score[k]), shared, tuple(reasons)))
        return out

    # ------------------------------------------------------------------ reasons

    def _shared(self, m: Member, k: int) -> tuple[Hashable, ...]:
        r = self.weights.max_ranked_challenges
        out = []
        for ch in m.challenges[:r]:
            col = self.challenge_col.get(ch)
            if col is not None and self.challenge_sum[k, col] > 0:
                out.append(ch)
        return tuple(out)

    def _who(self, row: int) -> str:
        name = self.names[row] or "a member"
        place = self._everyone[row].place
        return f"{name} ({place})" if place else name

    def _home(self, k: int) -> str:
        place = self.cohorts[k].spec.place
        return f"its home ({place})" if place else "its home"

    def _km_home(self, m: Member, k: int) -> float:
        assert m.location is not None
        u, _ = geo.unit_vectors([m.location])
        return geo.km_between(u[0], self.homes[k])

    def _farthest(self, m: Member, k: int) -> tuple[int, float]:
        assert m.location is not None
        u, _ = geo.unit_vectors([m.location])
        rows = np.flatnonzero((self.owner == k) & self.located)
        dots = self.units[rows] @ u[0]
        row = int(rows[int(np.argmin(dots))])
        return row, geo.km_between(self.units[row], u[0])

    def _fit_reasons(
        self,
        m: Member,
        k: int,
        shared: tuple[Hashable, ...],
        describe: Describe,
        beyond_home: NDArray[np.bool_],
        mine: NDArray[np.bool_] | None,
    ) -> list[str]:
        size, cap = int(self.size[k]), int(self.capacity[k])
        out = []
        if shared:
            listed = ", ".join(describe(c) for c in shared)
            out.append(f"Shares {_plural(len(shared), 'challenge')} with its members: {listed}")
        elif size:
            out.append("Shares no ranked challenge with its members")
        if size:
            same_size = (
                int(self.size_count[k, m.company_size])
                if m.company_size < self.size_count.shape[1]
                else 0
            )
            same_stage = (
                int(self.stage_count[k, m.stage]) if m.stage < self.stage_count.shape[1] else 0
            )
            out.append(
                f"Peers: {same_size} of {size} members run a company of the same size, "
                f"{same_stage} at the same stage"
            )
        fmt = int(self.format[k])
        limit = geo.fmt_km(self.cohorts[k].spec.max_km)
        if fmt in (IN_PERSON, HYBRID) and m.location is not None:
            if self.has_home[k]:
                km = geo.fmt_km(self._km_home(m, k))
                if fmt == HYBRID and beyond_home[k]:
                    out.append(f"{km} from {self._home(k)}, beyond {limit}: would join remotely")
                else:
                    out.append(f"{km} from {self._home(k)}, within {limit}")
            elif size and np.any((self.owner == k) & self.located):
                row, km = self._farthest(m, k)
                if fmt == HYBRID and km > self.cohorts[k].spec.max_km:
                    out.append(
                        f"{geo.fmt_km(km)} from {self._who(row)}, beyond {limit}: would join "
                        "remotely"
                    )
                else:
                    out.append(f"Within {geo.fmt_km(km)} of every member (limit {limit})")
        elif fmt in (IN_PERSON, HYBRID):
            out.append(f"Meets {_how(fmt)}; this member's location is unknown")
        elif fmt:
            out.append(f"Meets {_how(fmt)}")
        if mine is not None and self.common is not None and self.meeting_minutes is not None:
            both = self.common[k] & mine
            # The first start of a run (the week is cyclic), not a start in the middle of one.
            firsts = np.flatnonzero(both & ~np.roll(both, 1))
            first = int(firsts[0]) if firsts.size else int(np.flatnonzero(both)[0])
            out.append(
                f"A {fmt_length(self.meeting_minutes)} meeting fits everyone's hours "
                f"(e.g. {fmt_slot(first)})"
            )
        out.append(f"{cap - size} of {cap} seats open")
        return out

    def _refusals(self, m: Member, k: int, e: Evaluation, describe: Describe) -> list[str]:
        out = []
        size, cap = int(self.size[k]), int(self.capacity[k])
        spec = self.cohorts[k].spec
        mine = e.mine
        if e.full[k]:
            out.append(f"Full ({size} of {cap} seats taken)")
        for key in e.conflicts.get(k, []):
            out.append(
                f"Declared a conflict of interest with {self.key_name.get(key) or 'a member'}"
            )
        if e.overlap[k]:
            out.append(f"Keeps industries apart and already has a member in {describe(m.industry)}")
        if e.other_industry[k]:
            label = describe(m.industry) if m.industry not in ("", None) else "no industry"
            out.append(f"Single-industry cohort; this member is in {label}")
        if e.format[k]:
            out.append(f"Meets {_how(int(self.format[k]))}, which this member does not accept")
        if e.unlocated[k]:
            out.append("Meets in person, and this member's location is unknown")
        if e.too_far[k]:
            limit = geo.fmt_km(spec.max_km)
            if self.has_home[k]:
                km = geo.fmt_km(self._km_home(m, k))
                out.append(f"Meets in person within {limit} of {self._home(k)}; {km} away")
            else:
                row, km = self._farthest(m, k)
                out.append(
                    f"Meets in person within {limit} of each other; {geo.fmt_km(km)} from "
                    f"{self._who(row)}"
                )
        if e.no_window[k] and mine is not None and self.member_slots is not None:
            assert self.meeting_minutes is not None
            length = fmt_length(self.meeting_minutes)
            rows = np.flatnonzero(self.owner == k)
            alone = [r for r in rows.tolist() if not (self.member_slots[r] & mine).any()]
            if alone:
                out.append(
                    f"No {length} meeting window fits both this member and {self._who(alone[0])}"
                )
            else:
                out.append(f"No {length} meeting window fits this member and all its members")
        return out

    # ------------------------------------------------------------------ updates

    def add(self, k: int, m: Member, *, key: Hashable = None, name: str = "") -> None:
        """Seat ``m`` in cohort ``k`` (the sums, counts and window change accordingly)."""
        r = self.weights.max_ranked_challenges
        for q, ch in enumerate(m.challenges[:r]):
            col = self.challenge_col.setdefault(ch, len(self.challenge_col))
            if col >= self.challenge_sum.shape[1]:
                self.challenge_sum = _widen(self.challenge_sum, col + 1)
            self.challenge_sum[k, col] += (r - q) / r
        self.size_count = _bump(self.size_count, k, m.company_size)
        self.stage_count = _bump(self.stage_count, k, m.stage)
        col = self.industry_col.setdefault(m.industry, len(self.industry_col))
        self.industry_count = _bump(self.industry_count, k, col)
        if m.industry not in ("", None):
            self.named_industries[k] += 1
        self.size[k] += 1
        self.owner = np.append(self.owner, k)
        u, known = geo.unit_vectors([m.location])
        self.units = np.vstack([self.units, u])
        self.located = np.append(self.located, known)
        self.names.append(name)
        self._everyone.append(m)
        if key is not None:
            self.key_cohort[key] = k
            self.key_name[key] = name
        if self.common is not None and self.member_slots is not None:
            assert self.meeting_minutes is not None
            mine = member_start_slots(
                [m], meeting_minutes=self.meeting_minutes, week_of=self.week_of
            )
            self.member_slots = np.vstack([self.member_slots, mine])
            self.common[k] &= mine[0]


@dataclass(frozen=True)
class Seat:
    """The outcome for one member of :func:`place_pool`: the cohort (None when nothing fits),
    the suggestion taken, or the best refused ones and why."""

    member: int
    cohort: int | None
    suggestion: Suggestion | None
    refused: tuple[Suggestion, ...] = ()


def place_pool(
    index: PlacementIndex,
    members: Sequence[Member],
    *,
    keys: Sequence[Hashable] | None = None,
    names: Sequence[str] | None = None,
    conflicts: Mapping[int, Collection[Hashable]] | None = None,
    describe: Describe = str,
) -> list[Seat]:
    """Seat a whole pool greedily: members with the fewest fitting cohorts go first, each into
    its best-scoring fitting cohort, which is updated before the next member is ranked (so
    capacity, industries, distances, windows and conflicts with members seated earlier hold).
    ``conflicts[i]`` lists the keys member i conflicts with; give each conflict both ways.
    Results are in the order of ``members``. ``index`` is updated in place."""
    conflicts = conflicts or {}
    fits = [
        int(index.evaluate(m, conflicts=conflicts.get(i, ())).ok.sum())
        for i, m in enumerate(members)
    ]
    order = sorted(range(len(members)), key=lambda i: (fits[i], i))
    seats: dict[int, Seat] = {}
    for i in order:
        m = members[i]
        best = index.rank(m, conflicts=conflicts.get(i, ()), limit=1, describe=describe)
        if best and best[0].fits:
            k = best[0].cohort
            index.add(
                k,
                m,
                key=keys[i] if keys is not None else None,
                name=names[i] if names is not None else "",
            )
            seats[i] = Seat(i, k, best[0])
        else:
            refused = index.rank(m, conflicts=conflicts.get(i, ()), limit=3, describe=describe)
            seats[i] = Seat(i, None, None, tuple(refused))
    return [seats[i] for i in range(len(members))]


def _how(fmt: int) -> str:
    return {IN_PERSON: "in person", HYBRID: "hybrid", VIRTUAL: "virtually"}.get(fmt, "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _bucket_counts(owner: NDArray[np.int64], values: NDArray[np.int64], g: int) -> NDArray:
    width = int(values.max()) + 1 if values.size else 1
    out = np.zeros((g, width), dtype=np.int64)
    if values.size:
        if values.min() < 0:
            raise ValueError("company_size and stage buckets must be non-negative")
        np.add.at(out, (owner, values), 1)
    return out


def _ordinal_similarity(counts: NDArray, bucket: int) -> NDArray[np.float64]:
    """Sum over a cohort's members of the ordinal similarity with ``bucket``: 1 for the same
    bucket, 1/2 for an adjacent one (as in :func:`.features.build_features`)."""
    width = counts.shape[1]
    out = np.zeros(counts.shape[0])
    if 0 <= bucket < width:
        out += counts[:, bucket]
    for adj in (bucket - 1, bucket + 1):
        if 0 <= adj < width:
            out += 0.5 * counts[:, adj]
    return out


def _widen(a: NDArray, width: int) -> NDArray:
    out = np.zeros((a.shape[0], width), dtype=a.dtype)
    out[:, : a.shape[1]] = a
    return out


def _bump(a: NDArray, k: int, col: int) -> NDArray:
    if col >= a.shape[1]:
        a = _widen(a, col + 1)
    a[k, col] += 1
    return a
