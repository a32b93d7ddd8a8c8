"""Cohort parameters proposed from the pool: where members live and how they can meet.

:func:`propose_cohorts` groups the members who accept in-person meetings into metros (each
member within ``max_km`` of a metro's centre, the densest location first), gives every metro
with enough of them its own in-person cohorts (home: the metro's centre), and puts everyone
else who can meet virtually into virtual cohorts, split into regions whose members share a
meeting window (when ``meeting_minutes`` is given). The counts follow the size bounds as the
solver's own choice does (average size closest to the middle of the range). What cannot work
is reported with the change that fixes it, e.g. "3 in-person members in Perth have no cohort
within 80 km: make one hybrid or raise the distance".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from . import geo
from .features import DEFAULT_MAX_KM, HYBRID, IN_PERSON, VIRTUAL, CohortSpec, Member
from .hours import fmt_length, member_start_slots, offset_hours


@dataclass(frozen=True)
class Segment:
    """A part of the pool and the cohorts proposed for it: ``label`` ("Sydney", "virtual,
    region 1"), ``format``, the ``members`` (indices) and the number of ``cohorts``."""

    label: str
    format: int
    members: tuple[int, ...]
    cohorts: int


@dataclass(frozen=True)
class CohortPlan:
    """Proposed cohorts (``cohorts`` and their ``sizes``, ready for :func:`.form_cohorts` /
    :func:`.make_problem`), the segments they come from, and ``problems``: members the plan
    cannot seat, each with the change that would (empty when everyone has a place)."""

    cohorts: tuple[CohortSpec, ...]
    sizes: tuple[tuple[int, int], ...]
    segments: tuple[Segment, ...]
    problems: tuple[str, ...]


def cohort_count(n: int, lower: int, upper: int) -> int:
    """Cohorts for ``n`` members with sizes in [lower, upper], average size closest to the
    middle of the range; 0 when no count fits (fewer than ``lower`` members, say)."""
    lo = math.ceil(n / upper) if upper > 0 else 0
    hi = n // lower if lower > 0 else n
    if n == 0 or lo > hi:
        return 0
    target = round(2 * n / (lower + upper))
    return min(max(target, lo, 1), hi)


def _metros(
    members: Sequence[Member], idx: list[int], max_km: float
) -> list[tuple[tuple[float, float], list[int]]]:
    """Greedy metros: the location with the most members within ``max_km`` becomes a centre and
    takes them; repeat with the rest. Returns (centre, member indices), largest first."""
    if not idx:
        return []
    points = [members[i].location for i in idx]
    units, _ = geo.unit_vectors(points)
    sites, inverse = np.unique(units, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    weight = np.bincount(inverse, minlength=sites.shape[0])
    near = (sites @ sites.T) >= geo.cos_limit(max_km)
    left = np.ones(sites.shape[0], dtype=np.bool_)
    out = []
    while left.any():
        reach = (near & left[None, :]) @ weight
        reach[~left] = -1
        centre = int(np.argmax(reach))
        taken = near[centre] & left
        left &= ~taken
        rows = [idx[p] for p in np.flatnonzero(taken[inverse]).tolist()]
        where = members[idx[int(np.flatnonzero(inverse == centre)[0])]].location
        assert where is not None
        out.append((where, rows))
    out.sort(key=lambda mr: -len(mr[1]))
    return out


def _place(members: Sequence[Member], rows: list[int]) -> str:
    names = Counter(members[i].place for i in rows if members[i].place)
    return names.most_common(1)[0][0] if names else ""


def _regions(
    members: Sequence[Member], idx: list[int], meeting_minutes: int | None, week_of: date
) -> list[list[int]]:
    """Split ``idx`` into regions whose members share a meeting window: in order of UTC
    offset, a region grows while a window common to all remains."""
    if meeting_minutes is None or not idx:
        return [idx] if idx else []
    ordered = sorted(idx, key=lambda i: (offset_hours(members[i], week_of), i))
    slots = member_start_slots([members[i] for i in ordered], meeting_minutes=meeting_minutes,
                               week_of=week_of)  # fmt: skip
    out: list[list[int]] = []
    common = None
    for pos, i in enumerate(ordered):
        row = slots[pos]
        if common is not None and (common & row).any():
            common &= row
            out[-1].append(i)
        else:
            common = row.copy()
            out.append([i])
    return out


def propose_cohorts(
    members: Sequence[Member],
    *,
    min_size: int,
    max_size: int,
    max_km: float = DEFAULT_MAX_KM,
    meeting_minutes: int | None = None,
    week_of: date | None = None,
) -> CohortPlan:
    """Cohorts to form for this pool (see the module docstring)."""
    if not 1 <= min_size <= max_size:
        raise ValueError(f"invalid size bounds ({min_size}, {max_size})")
    week = week_of or date.today()
    local = [i for i, m in enumerate(members) if m.formats & IN_PERSON and m.location is not None]
    specs: list[CohortSpec] = []
    segments: list[Segment] = []
    problems: list[str] = []
    remote: list[int] = [i for i, m in enumerate(members) if i not in set(local)]
    stranded: list[tuple[str, list[int]]] = []
    for centre, rows in _metros(members, local, max_km):
        place = _place(members, rows)
        count = cohort_count(len(rows), min_size, max_size)
        if count:
            specs.extend(
                CohortSpec(format=IN_PERSON, home=centre, max_km=max_km, place=place)
                for _ in range(count)
            )
            segments.append(Segment(place or "in person", IN_PERSON, tuple(rows), count))
            continue
        # Too few to meet in person: those who can meet otherwise join the virtual cohorts.
        movable = [i for i in rows if members[i].formats & (VIRTUAL | HYBRID)]
        remote.extend(movable)
        stuck = [i for i in rows if i not in set(movable)]
        if stuck:
            stranded.append((place, stuck))
    for place, stuck in stranded:
        where = f"in {place}" if place else "in one place"
        problems.append(
            f"{len(stuck)} in-person member{'s' if len(stuck) != 1 else ''} {where} "
            f"{'have' if len(stuck) != 1 else 'has'} no cohort within {geo.fmt_km(max_km)} "
            f"(at least {min_size} are needed to meet in person): make one hybrid or raise "
            "the distance"
        )
    unlocated = [i for i in remote if not members[i].formats & (VIRTUAL | HYBRID)]
    if unlocated:
        problems.append(
            f"{len(unlocated)} in-person member{'s' if len(unlocated) != 1 else ''} without a "
            "location cannot be placed near anyone: set where they live"
        )
    remote = sorted(i for i in remote if members[i].formats & (VIRTUAL | HYBRID))
    regions = _regions(members, remote, meeting_minutes, week)
    for number, rows in enumerate(regions, start=1):
        count = cohort_count(len(rows), min_size, max_size)
        label = "virtual" if len(regions) == 1 else f"virtual, region {number}"
        if not count:
            length = fmt_length(meeting_minutes) if meeting_minutes else ""
            why = f"share a {length} meeting window with too few others" if length else ""
            problems.append(
                f"{len(rows)} member{'s' if len(rows) != 1 else ''} who meet virtually "
                f"{why or 'are too few'} to fill a cohort of {min_size}: lower the smallest "
                "cohort size or widen their hours"
            )
            continue
        specs.extend(CohortSpec(format=VIRTUAL) for _ in range(count))
        segments.append(Segment(label, VIRTUAL, tuple(rows), count))
    return CohortPlan(
        cohorts=tuple(specs),
        sizes=tuple((min_size, max_size) for _ in specs),
        segments=tuple(segments),
        problems=tuple(problems),
    )
