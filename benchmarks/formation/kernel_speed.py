"""Search speed of the formation kernels against an earlier commit, in one process.

    .venv/bin/python benchmarks/formation/kernel_speed.py --ref 8482ea1 --iterations 10000 \
        --repeats 4 RanInt_n120_ds_01 RanInt_n120_ds_02 RanInt_n120_ds_03 RanInt_n120_ds_04 \
        RanInt_n120_ds_05

The package ``groups/formation`` of each ``--ref`` is extracted (``git archive``) under
``$TMPDIR/peernet-kernel-speed/<commit>/`` and imported under its own name next to the working
tree's, so both run in the same process, in turn, on the same instances with the same seed and
iteration budget: the machine's load then weighs on both alike. Every version is warmed up
(compiled, or loaded from its own cache) before any clock starts. Prints, per version, the best
and median over the repeats of the total wall time of the instances and of the process's CPU
time (both search threads; less sensitive to other work on the machine), and each instance's
objective
(with an iteration budget a run is deterministic, so the objectives say whether two versions
search exactly alike).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import groups.formation as current
from benchmarks.formation.common import REPO_ROOT, instance_path, mdgplib_dir
from groups.formation.mdgplib import read_mdgplib

CURRENT = "working tree"


def _package_at(ref: str) -> tuple[str, ModuleType]:
    """``groups/formation`` as of ``ref``, imported as a top-level package of its own."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short=12", ref],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = Path(tempfile.gettempdir()) / "peernet-kernel-speed" / sha
    name = f"formation_{sha}"
    if not (root / name).is_dir():
        blob = subprocess.run(
            ["git", "archive", "--format=tar", sha, "groups/formation"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            tar.extractall(root, filter="data")
        (root / "groups" / "formation").rename(root / name)
    sys.path.insert(0, str(root))
    return sha, importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+", help="MDGPLIB names, e.g. RanInt_n120_ds_01")
    parser.add_argument("--ref", action="append", default=[], help="an earlier commit")
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None)
    args = parser.parse_args(argv)

    versions: list[tuple[str, ModuleType]] = [_package_at(ref) for ref in args.ref]
    versions.append((CURRENT, current))
    data = mdgplib_dir(args.data)
    problems = {}
    for label, pkg in versions:
        start = time.perf_counter()
        pkg.warmup()
        print(f"{label}: kernels compiled or loaded in {time.perf_counter() - start:.1f} s")
        for name in args.instances:
            inst = read_mdgplib(instance_path(data, name))
            problems[label, name] = pkg.make_problem(affinity=inst.distances, sizes=inst.bounds)
    totals: dict[str, list[float]] = {label: [] for label, _ in versions}
    cpu: dict[str, list[float]] = {label: [] for label, _ in versions}
    objectives: dict[tuple[str, str], float] = {}
    for _ in range(args.repeats):
        for label, pkg in versions:
            total = 0.0
            cpu_start = time.process_time()
            for name in args.instances:
                start = time.perf_counter()
                sol = pkg.solve(
                    problems[label, name],
                    time_limit=1e6,
                    max_iterations=args.iterations,
                    seed=args.seed,
                )
                total += time.perf_counter() - start
                objectives[label, name] = sol.objective
            totals[label].append(total)
            cpu[label].append(time.process_time() - cpu_start)
        line = (
            f"{label}: {totals[label][-1]:.3f} s ({cpu[label][-1]:.3f} s CPU)"
            for label, _ in versions
        )
        print(" ".join(line), flush=True)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label, _ in versions:
        runs, busy = totals[label], cpu[label]
        print(
            f"{label}: best {min(runs):.3f} s, median {statistics.median(runs):.3f} s; "
            f"CPU best {min(busy):.3f} s, median {statistics.median(busy):.3f} s"
        )
    for name in args.instances:
        row = [f"{objectives[label, name]:.2f}" for label, _ in versions]
        same = "same" if len(set(row)) == 1 else "DIFFERENT"
        print(f"{name}: {' / '.join(row)} ({same})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
