"""Check the solver against CP-SAT optima on the small MDGPLIB instances (n <= 12).

    .venv/bin/python benchmarks/formation/exact_check.py [--data DIR] [--iterations N]

For every instance with n <= 12, CP-SAT proves the optimum (weights scaled by the smallest
power of ten that makes them integers) and the solver runs with an exact iteration budget;
prints one line per instance and a final count of agreements.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.formation.common import mdgplib_dir
from benchmarks.formation.exact import solve_exact
from groups.formation import make_problem, solve, warmup
from groups.formation.mdgplib import read_mdgplib


def integer_scale(weights: np.ndarray) -> float:
    for k in range(7):
        scaled = weights * 10**k
        if np.abs(scaled - np.rint(scaled)).max(initial=0.0) < 1e-6:
            return float(10**k)
    raise ValueError("weights need more than 6 decimals")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cpsat-seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    data = mdgplib_dir(args.data)
    paths = sorted(p for p in data.glob("*/*.txt") if int(p.stem.split("_")[1][1:]) <= 12)
    agree = 0
    warmup()  # compile before any clock starts
    for path in paths:
        inst = read_mdgplib(path)
        problem = make_problem(affinity=inst.distances, sizes=list(inst.bounds))
        t0 = time.perf_counter()
        exact = solve_exact(
            problem, scale=integer_scale(inst.distances), time_limit=args.cpsat_seconds
        )
        t1 = time.perf_counter()
        sol = solve(problem, time_limit=60.0, max_iterations=args.iterations, seed=args.seed)
        t2 = time.perf_counter()
        same = exact.status == "OPTIMAL" and abs(sol.objective - exact.objective) <= 1e-6
        # When CP-SAT runs out of time, the solver value meeting its proven bound is a proof too.
        at_bound = abs(sol.objective - exact.bound) <= 1e-6
        verdict = "agree" if same else "optimal (meets bound)" if at_bound else "UNPROVEN"
        agree += same or at_bound
        print(
            f"{inst.name}\t{exact.status}\tcp-sat={exact.objective:.3f}\t"
            f"bound={exact.bound:.3f}\tsolver={sol.objective:.3f}\t{verdict}\t"
            f"cp-sat {t1 - t0:.2f}s\tsolver {t2 - t1:.2f}s",
            flush=True,
        )
    print(f"{agree} of {len(paths)} instances: solver objective proven optimal")
    return 0 if agree == len(paths) else 1


if __name__ == "__main__":
    raise SystemExit(main())
