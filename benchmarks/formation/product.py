"""Product-scale runs with geography and meeting windows; each prints one JSON object.

    .venv/bin/python benchmarks/formation/product.py form --members 5000 --seconds 50
    .venv/bin/python benchmarks/formation/product.py place --cohorts 4000

``form``: an unassigned pool across 40 real metros (members within about 30 km of the city
centre, metro sizes skewed like real membership) plus virtual members anywhere; cohorts are
proposed from the pool (:func:`groups.formation.propose_cohorts`: in-person cohorts per metro
with enough in-person members, virtual ones by meeting window) and formed with
:func:`groups.formation.form_cohorts` (40 challenges, 5 size and 5 stage buckets, 12 industries
in "no_overlap" mode, 1% of pairs in conflict, 3-hour meetings in each member's 07:00-19:00
weekday hours in its IANA zone, reference week of 2027-03-01). The time is the whole call:
proposal, features, checks, construction, search, verification and explanations.

``place``: 4,000 existing cohorts of 6 to 12 members (in-person, hybrid and virtual, homes in
the same metros) and one new member; the index build and the ranking are timed separately
(median of 20 rankings), and a pool of 500 new members is seated with ``place_pool``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from groups.formation import (
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    CohortSpec,
    InfeasibleError,
    Member,
    OpenCohort,
    PlacementIndex,
    form_cohorts,
    place_pool,
    propose_cohorts,
    warmup,
)

WEEK = date(2027, 3, 1)
MEETING_MINUTES = 180
# (city, latitude, longitude, IANA zone)
METROS = [
    ("New York", 40.71, -74.01, "America/New_York"),
    ("Los Angeles", 34.05, -118.24, "America/Los_Angeles"),
    ("Chicago", 41.88, -87.63, "America/Chicago"),
    ("Houston", 29.76, -95.37, "America/Chicago"),
    ("Toronto", 43.65, -79.38, "America/Toronto"),
    ("Mexico City", 19.43, -99.13, "America/Mexico_City"),
    ("Sao Paulo", -23.55, -46.63, "America/Sao_Paulo"),
    ("Buenos Aires", -34.60, -58.38, "America/Argentina/Buenos_Aires"),
    ("San Francisco", 37.77, -122.42, "America/Los_Angeles"),
    ("Boston", 42.36, -71.06, "America/New_York"),
    ("Atlanta", 33.75, -84.39, "America/New_York"),
    ("Dallas", 32.78, -96.80, "America/Chicago"),
    ("Seattle", 47.61, -122.33, "America/Los_Angeles"),
    ("Miami", 25.76, -80.19, "America/New_York"),
    ("London", 51.51, -0.13, "Europe/London"),
    ("Paris", 48.86, 2.35, "Europe/Paris"),
    ("Berlin", 52.52, 13.40, "Europe/Berlin"),
    ("Madrid", 40.42, -3.70, "Europe/Madrid"),
    ("Milan", 45.46, 9.19, "Europe/Rome"),
    ("Amsterdam", 52.37, 4.90, "Europe/Amsterdam"),
    ("Stockholm", 59.33, 18.07, "Europe/Stockholm"),
    ("Zurich", 47.38, 8.54, "Europe/Zurich"),
    ("Dublin", 53.35, -6.26, "Europe/Dublin"),
    ("Istanbul", 41.01, 28.98, "Europe/Istanbul"),
    ("Dubai", 25.20, 55.27, "Asia/Dubai"),
    ("Johannesburg", -26.20, 28.05, "Africa/Johannesburg"),
    ("Lagos", 6.52, 3.38, "Africa/Lagos"),
    ("Nairobi", -1.29, 36.82, "Africa/Nairobi"),
    ("Mumbai", 19.08, 72.88, "Asia/Kolkata"),
    ("Delhi", 28.61, 77.21, "Asia/Kolkata"),
    ("Bangalore", 12.97, 77.59, "Asia/Kolkata"),
    ("Singapore", 1.35, 103.82, "Asia/Singapore"),
    ("Hong Kong", 22.32, 114.17, "Asia/Hong_Kong"),
    ("Shanghai", 31.23, 121.47, "Asia/Shanghai"),
    ("Tokyo", 35.68, 139.69, "Asia/Tokyo"),
    ("Seoul", 37.57, 126.98, "Asia/Seoul"),
    ("Jakarta", -6.21, 106.85, "Asia/Jakarta"),
    ("Sydney", -33.87, 151.21, "Australia/Sydney"),
    ("Melbourne", -37.81, 144.96, "Australia/Melbourne"),
    ("Auckland", -36.85, 174.76, "Pacific/Auckland"),
]


def _profile(rng: np.random.Generator, popularity: np.ndarray) -> dict:
    return {
        "challenges": tuple(f"c{c}" for c in rng.choice(40, size=3, replace=False, p=popularity)),
        "company_size": int(rng.integers(0, 5)),
        "stage": int(rng.integers(0, 5)),
        "industry": f"i{int(rng.integers(0, 12))}",
    }


def _near(rng: np.random.Generator, metro: tuple) -> tuple[float, float]:
    # Within about 30 km of the centre: 0.27 degrees of latitude is 30 km.
    return (metro[1] + rng.uniform(-0.2, 0.2), metro[2] + rng.uniform(-0.2, 0.2))


def product_pool(n: int, seed: int) -> list[Member]:
    """80% of members in the 40 metros (sizes skewed: the largest about 9 times the smallest),
    half of them accepting in-person or hybrid only, half also virtual; 20% virtual only."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, 41) ** 0.7
    popularity /= popularity.sum()
    weights = 1.0 / np.arange(1, len(METROS) + 1) ** 0.6
    weights /= weights.sum()
    members = []
    for _ in range(n):
        metro = METROS[int(rng.choice(len(METROS), p=weights))]
        virtual_only = rng.random() < 0.2
        formats = VIRTUAL | HYBRID if virtual_only else (
            IN_PERSON | HYBRID if rng.random() < 0.5 else IN_PERSON | VIRTUAL | HYBRID
        )  # fmt: skip
        members.append(
            Member(
                **_profile(rng, popularity),
                location=_near(rng, metro),
                place=metro[0],
                zone=metro[3],
                formats=formats,
            )
        )
    return members


def _conflicts(n: int, fraction: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    want = round(fraction * n * (n - 1) / 2)
    a = rng.integers(0, n, size=2 * want)
    b = rng.integers(0, n, size=2 * want)
    keep = a != b
    codes = np.unique(np.minimum(a[keep], b[keep]) * n + np.maximum(a[keep], b[keep]))[:want]
    return np.stack([codes // n, codes % n], axis=1)


def run_form(n: int, seconds: float, seed: int) -> dict:
    members = product_pool(n, seed)
    pairs = _conflicts(n, 0.01, seed)
    compile_s = warmup()
    start = time.perf_counter()
    plan = propose_cohorts(
        members, min_size=8, max_size=12, meeting_minutes=MEETING_MINUTES, week_of=WEEK
    )
    proposed = time.perf_counter() - start
    try:
        sol = form_cohorts(
            members,
            sizes=plan.sizes,
            cohorts=plan.cohorts,
            cannot_link=pairs,
            meeting_minutes=MEETING_MINUTES,
            week_of=WEEK,
            time_limit=seconds,
            seed=seed,
        )
    except InfeasibleError as error:
        return {"members": n, "error": str(error), "problems": list(plan.problems)}
    total = time.perf_counter() - start
    in_person = [c for c in sol.cohorts if c.format == IN_PERSON]
    spans = [c.distance_km for c in in_person if c.distance_km is not None]
    places_per_cohort = [len({members[i].place for i in c.members}) for c in in_person]
    return {
        "members": n,
        "metros": len(METROS),
        "conflict_pairs": int(pairs.shape[0]),
        "cohorts": len(sol.cohorts),
        "in_person_cohorts": len(in_person),
        "virtual_cohorts": len(sol.cohorts) - len(in_person),
        "segments": [(s.label, len(s.members), s.cohorts) for s in plan.segments],
        "problems": list(plan.problems),
        "propose_seconds": round(proposed, 3),
        "time_limit": seconds,
        "total_seconds": round(total, 2),
        "search_seconds": round(sol.seconds, 2),
        "objective": round(sol.objective, 1),
        "iterations": sol.iterations,
        "stopped_by": sol.stopped_by,
        "largest_in_person_km": round(max(spans), 1) if spans else None,
        "in_person_cohorts_with_one_city": sum(p == 1 for p in places_per_cohort),
        "compile_seconds": round(compile_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load1": os.getloadavg()[0],
    }


def run_place(n_cohorts: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, 41) ** 0.7
    popularity /= popularity.sum()
    cohorts = []
    for k in range(n_cohorts):
        metro = METROS[k % len(METROS)]
        fmt = (IN_PERSON, HYBRID, VIRTUAL)[k % 3]
        size = int(rng.integers(6, 13))
        people = tuple(
            Member(
                **_profile(rng, popularity),
                location=_near(rng, metro),
                place=metro[0],
                zone=metro[3],
            )
            for _ in range(size)
        )
        home = (metro[1], metro[2]) if fmt != VIRTUAL else None
        cohorts.append(
            OpenCohort(
                members=people,
                max_size=12,
                spec=CohortSpec(format=fmt, home=home, place=metro[0]),
                keys=tuple(range(k * 100, k * 100 + size)),
                names=tuple(f"member {k}.{q}" for q in range(size)),
            )
        )
    start = time.perf_counter()
    index = PlacementIndex(cohorts, meeting_minutes=MEETING_MINUTES, week_of=WEEK)
    built = time.perf_counter() - start
    metro = METROS[int(rng.integers(0, len(METROS)))]
    newcomer = Member(**_profile(rng, popularity), location=_near(rng, metro), place=metro[0],
                      zone=metro[3])  # fmt: skip
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        ranked = index.rank(newcomer, conflicts=[5, 105], limit=10)
        times.append(time.perf_counter() - t0)
    pool = [
        Member(**_profile(rng, popularity), location=_near(rng, m), place=m[0], zone=m[3])
        for m in (METROS[int(rng.integers(0, len(METROS)))] for _ in range(500))
    ]
    t0 = time.perf_counter()
    seats = place_pool(index, pool)
    pooled = time.perf_counter() - t0
    return {
        "cohorts": n_cohorts,
        "cohort_members": int(sum(len(c.members) for c in cohorts)),
        "index_build_seconds": round(built, 3),
        "rank_median_ms": round(1000 * statistics.median(times), 2),
        "rank_max_ms": round(1000 * max(times), 2),
        "top": [(s.cohort, round(s.score, 2), s.fits) for s in ranked[:3]],
        "top_reasons": list(ranked[0].reasons),
        "pool": len(pool),
        "pool_seated": sum(s.cohort is not None for s in seats),
        "pool_seconds": round(pooled, 2),
        "load1": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["form", "place"])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--cohorts", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.mode == "form":
        out = run_form(args.members, args.seconds, args.seed)
    else:
        out = run_place(args.cohorts, args.seed)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
