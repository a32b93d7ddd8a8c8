"""Scaling run on a synthetic peer pool with conflicts; prints one JSON object.

    .venv/bin/python benchmarks/formation/scaling.py --members 5000 --seconds 60

The pool: 40 challenges with skewed popularity, each member ranking 3; 5 company-size and 5
stage buckets; 12 industries ("no_overlap" mode); UTC offsets drawn from 16 real offsets
(cohort spread at most 3 hours); meeting formats, each member accepting one to three; cohort
sizes 8 to 12; and 2% of all member pairs in conflict (cannot-link). Run each size in its own
process: ``peak_rss_mb`` is the peak resident memory of the whole process (pool generation
included).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from groups.formation import Member, form_cohorts, warmup

OFFSETS = [-8, -7, -6, -5, -4, -3, 0, 1, 2, 3, 4, 5.5, 7, 8, 9, 10]
OFFSET_P = [8, 4, 10, 12, 2, 2, 12, 14, 6, 3, 2, 8, 2, 6, 4, 5]


def synthetic_pool(n: int, seed: int) -> list[Member]:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, 41) ** 0.7
    popularity /= popularity.sum()
    tz_p = np.array(OFFSET_P, dtype=np.float64) / sum(OFFSET_P)
    tz = rng.choice(len(OFFSETS), size=n, p=tz_p)
    members = []
    for i in range(n):
        ch = rng.choice(40, size=3, replace=False, p=popularity)
        fmt = int(rng.integers(1, 8))
        members.append(
            Member(
                challenges=tuple(f"c{c}" for c in ch),
                company_size=int(rng.integers(0, 5)),
                stage=int(rng.integers(0, 5)),
                industry=f"i{int(rng.integers(0, 12))}",
                tz_offset=float(OFFSETS[tz[i]]),
                formats=fmt,
            )
        )
    return members


def conflict_pairs(n: int, fraction: float, seed: int) -> np.ndarray:
    """``fraction`` of all n(n-1)/2 pairs, distinct, uniformly at random."""
    rng = np.random.default_rng(seed + 1)
    want = round(fraction * n * (n - 1) / 2)
    codes = np.zeros(0, dtype=np.int64)
    while codes.size < want:
        i = rng.integers(0, n, size=int((want - codes.size) * 1.1) + 16)
        j = rng.integers(0, n, size=i.size)
        keep = i != j
        new = np.minimum(i, j)[keep] * n + np.maximum(i, j)[keep]
        codes = np.sort(np.concatenate([codes, new]))
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    codes = rng.permutation(codes)[:want]
    return np.stack([codes // n, codes % n], axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--conflicts", type=float, default=0.02)
    parser.add_argument("--iterations", type=int, default=None)
    args = parser.parse_args(argv)
    warmup()  # compile before any clock starts
    t0 = time.perf_counter()
    members = synthetic_pool(args.members, args.seed)
    pairs = conflict_pairs(args.members, args.conflicts, args.seed)
    gen = time.perf_counter() - t0
    trace: list[tuple[float, float]] = []
    t1 = time.perf_counter()
    sol = form_cohorts(
        members,
        sizes=(8, 12),
        cannot_link=pairs,
        max_tz_spread=3.0,
        time_limit=args.seconds,
        max_iterations=args.iterations,
        seed=args.seed,
        progress=lambda f, t: trace.append((f, t)),
    )
    solve_s = time.perf_counter() - t1
    sizes = np.bincount(np.asarray(sol.assignment))
    out = {
        "members": args.members,
        "cohorts": len(sol.cohort_scores),
        "conflict_pairs": int(pairs.shape[0]),
        "generate_seconds": round(gen, 2),
        "solve_seconds": round(solve_s, 2),
        "first_report": [round(trace[0][0], 2), round(trace[0][1], 2)] if trace else None,
        "objective": round(sol.objective, 3),
        "iterations": sol.iterations,
        "stopped_by": sol.stopped_by,
        "cohort_sizes": [int(sizes.min()), int(sizes.max())],
        "max_tz_spread": max(c.tz_spread or 0.0 for c in sol.cohorts),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
