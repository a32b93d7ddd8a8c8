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


# Metro centres are looked for on a grid of this many degrees (about 11 km of latitude): few
# enough candidate centres that comparing every two is cheap, fine enough for an 80 km limit.
GRID_DEGREES = 0.1


def _metros(
    members: Sequence[Member], idx: list[int], max_km: float
) -> list[tuple[tuple[float, float], list[int]]]:
    """Greedy metros: the grid point with the most members within ``max_km`` becomes a centre
    and takes them (exact distances); repeat with the rest. Returns (centre, member indices),
    largest first."""
    if not idx:
        return []
    points = np.array([members[i].location for i in idx], dtype=np.float64)
    units, _ = geo.unit_vectors([members[i].location for i in idx])
    grid = np.round(points / GRID_DEGREES) * GRID_DEGREES
    cells, inverse = np.unique(grid, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    cell_units, _ = geo.unit_vectors([(float(a), float(b)) for a, b in cells])
    limit = geo.cos_limit(max_km)
    # Members within reach of each cell's centre, by exact distance, member by member would be
    # cells x members; cells x cells with member counts is close enough to choose a centre.
    near = (geo.dots(cell_units, cell_units) >= limit).astype(np.float64)
    left = np.ones(len(idx), dtype=np.bool_)
    out = []
    while left.any():
        weight = np.bincount(inverse[left], minlength=cells.shape[0]).astype(np.float64)
        centre = int(np.argmax(near @ weight))
        taken = left & (units @ cell_units[centre] >= limit)
        if not taken.any():  # the centre's cell is nearer to its members than any one is to it
            taken = left & (inverse == centre)
        left &= ~taken
        lat, lon = (float(x) for x in cells[centre])
        out.append(((round(lat, 6), round(lon, 6)), [idx[p] for p in np.flatnonzero(taken)]))
    out.sort(key=lambda mr: -len(mr[1]))
    return out


def _place(members: Sequence[Member], rows: list[int]) -> str:
    names = Counter(members[i].place for i in rows if members[i].place)
    return names.most_common(1)[0][0] if names else ""


def _regions(
    members: Sequence[Member],
    idx: list[int],
    meeting_minutes: int | None,
    week_of: date,
    min_size: int,
) -> list[list[int]]:
    """Split ``idx`` into regions whose members share a meeting window: in order of UTC
    offset, a region grows while a window common to all remains. Then the members of regions
    too small for a cohort join a large region whose window still fits them, when one does."""
    if meeting_minutes is None or not idx:
        return [idx] if idx else []
    ordered = sorted(idx, key=lambda i: (offset_hours(members[i], week_of), i))
    slots = member_start_slots(
        [members[i] for i in ordered], meeting_minutes=meeting_minutes, week_of=week_of
    )
    row_of = {i: slots[pos] for pos, i in enumerate(ordered)}
    regions: list[list[int]] = []
    commons: list[np.ndarray] = []
    for i in ordered:
        row = row_of[i]
        if commons and (commons[-1] & row).any():
            commons[-1] &= row
            regions[-1].append(i)
        else:
            commons.append(row.copy())
            regions.append([i])
    large = [r for r in range(len(regions)) if len(regions[r]) >= min_size]
    out = [list(regions[r]) for r in large]
    left: list[int] = []
    for r in range(len(regions)):
        if r in large:
            continue
        for i in regions[r]:
            fits = [(int((commons[q] & row_of[i]).sum()), k) for k, q in enumerate(large)]
            fits = [(overlap, k) for overlap, k in fits if overlap]
            if fits:
                _, k = max(fits)
                commons[large[k]] &= row_of[i]
                out[k].append(i)
            else:
                left.append(i)
    if left:
        out.append(left)
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
    in_local = set(local)
    remote: list[int] = [i for i in range(len(members)) if i not in in_local]
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
        stuck = [i for i in rows if not members[i].formats & (VIRTUAL | HYBRID)]
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
    regions = _regions(members, remote, meeting_minutes, week, min_size)
    small = [rows for rows in regions if len(rows) < min_size]
    regions = [rows for rows in regions if len(rows) >= min_size]
    for number, rows in enumerate(regions + small, start=1):
        label = "remote" if len(regions) + len(small) == 1 else f"remote, region {number}"
        virtual = [i for i in rows if members[i].formats & VIRTUAL]
        hybrid_only = [i for i in rows if not members[i].formats & VIRTUAL]
        if not hybrid_only:
            parts = [(VIRTUAL, virtual)]
        elif all(members[i].formats & HYBRID for i in rows):
            parts = [(HYBRID, rows)]  # everyone can meet hybrid: one kind of cohort
        else:
            parts = [(VIRTUAL, virtual), (HYBRID, hybrid_only)]
        for fmt, part in parts:
            count = cohort_count(len(part), min_size, max_size)
            if count:
                specs.extend(CohortSpec(format=fmt, max_km=max_km) for _ in range(count))
                name = "virtual" if fmt == VIRTUAL else "hybrid"
                segments.append(Segment(f"{label} ({name})", fmt, tuple(part), count))
                continue
            many = len(part) != 1
            if meeting_minutes:
                why = (
                    f"share a {fmt_length(meeting_minutes)} meeting window with too few others "
                    f"to fill a cohort of {min_size}: lower the smallest cohort size or widen "
                    "their hours"
                )
            else:
                why = f"are too few to fill a cohort of {min_size}: lower the smallest size"
            kind = "virtually" if fmt == VIRTUAL else "in hybrid cohorts"
            problems.append(f"{len(part)} member{'s' if many else ''} who meet {kind} {why}")
    return CohortPlan(
        cohorts=tuple(specs),
        sizes=tuple((min_size, max_size) for _ in specs),
        segments=tuple(segments),
        problems=tuple(problems),
    )
