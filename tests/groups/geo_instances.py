"""Random instances with geography and meeting windows, built around a hidden feasible
assignment so that they are always feasible (shared by the solver and exact tests)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from groups.formation import HYBRID, IN_PERSON, VIRTUAL, CohortSpec, Member, Problem, make_problem
from groups.formation.hours import WEEK_SLOTS

# (latitude, longitude, name): far enough apart that no two are within any limit used here.
CITIES = [
    (-33.87, 151.21, "Sydney"),
    (-31.95, 115.86, "Perth"),
    (51.51, -0.13, "London"),
    (48.86, 2.35, "Paris"),
    (40.71, -74.01, "New York"),
    (41.88, -87.63, "Chicago"),
    (35.68, 139.69, "Tokyo"),
    (1.35, 103.82, "Singapore"),
]


@dataclass(frozen=True)
class GeoInstance:
    problem: Problem
    hidden: np.ndarray


def geo_instance(
    seed: int,
    n: int,
    g: int,
    *,
    integer: bool = True,
    windows: bool = True,
    slack: int = 1,
    conflict_rate: float = 0.15,
) -> GeoInstance:
    """``slack``: how far size bounds may lie from the hidden cohort's size."""
    rng = np.random.default_rng(seed)
    hidden = np.concatenate([np.arange(g), rng.integers(0, g, n - g)])
    rng.shuffle(hidden)
    counts = np.bincount(hidden, minlength=g)
    bounds = [
        (int(max(1, c - rng.integers(0, slack + 1))), int(c + rng.integers(0, slack + 1)))
        for c in counts
    ]
    city = rng.integers(0, len(CITIES), size=g)
    fmt = np.array([IN_PERSON, HYBRID, VIRTUAL])[rng.integers(0, 3, size=g)]
    specs = []
    for k in range(g):
        lat, lon, name = CITIES[city[k]]
        home = (lat, lon) if rng.random() < 0.5 else None
        specs.append(CohortSpec(format=int(fmt[k]), home=home, max_km=80.0, place=name))
    members = []
    locations: list[tuple[float, float] | None] = []
    for i in range(n):
        k = hidden[i]
        lat, lon, name = CITIES[city[k]]
        if fmt[k] == IN_PERSON or rng.random() < 0.6:
            # Within about 25 km of the city: inside the limit of each other and of the home.
            point = (lat + rng.uniform(-0.1, 0.1), lon + rng.uniform(-0.1, 0.1))
        else:
            other = CITIES[int(rng.integers(0, len(CITIES)))]
            point, name = (other[0], other[1]), other[2]
        if fmt[k] != IN_PERSON and rng.random() < 0.1:
            point, name = None, ""
        locations.append(point)
        members.append(Member(location=point, place=name))
    formats = np.array([int(fmt[hidden[i]]) | int(rng.integers(0, 8)) for i in range(n)])
    slots = None
    if windows:
        slots = np.zeros((n, WEEK_SLOTS), dtype=np.bool_)
        start = rng.integers(0, WEEK_SLOTS - 40, size=g)
        for i in range(n):
            k = hidden[i]
            lo = max(0, int(start[k]) - int(rng.integers(0, 30)))
            hi = int(start[k]) + 1 + int(rng.integers(0, 30))
            slots[i, lo:hi] = True
            if rng.random() < 0.3:  # a second, unrelated window
                s = int(rng.integers(0, WEEK_SLOTS - 20))
                slots[i, s : s + 20] = True
    if integer:
        w = rng.integers(-3, 10, size=(n, n)).astype(np.float64)
    else:
        w = rng.normal(2.0, 3.0, size=(n, n))
    w = np.triu(w, 1) + np.triu(w, 1).T
    pairs = [
        (i, j)
        for i in range(n)
        for j in range(i + 1, n)
        if hidden[i] != hidden[j] and rng.random() < conflict_rate
    ]
    problem = make_problem(
        affinity=w,
        sizes=bounds,
        cannot_link=pairs,
        formats=formats,
        members=members,
        locations=locations,
        cohorts=specs,
        start_slots=slots,
        meeting_minutes=60 if windows else None,
    )
    return GeoInstance(problem, hidden)
