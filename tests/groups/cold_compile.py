"""The formation compile test's solve on a cold kernel cache, which the test session starts
early (tests/conftest.py) so that its minute of compiling runs beside other tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 300
TIME_LIMIT = 3.0
# Where the session keeps the cold run it started early: (folder, process).
COLD_RUN_KEY = pytest.StashKey[tuple]()

# An instance with every side constraint, so that every kernel variant is needed.
INSTANCE = """
import numpy as np
from groups.formation import make_problem

def instance():
    rng = np.random.default_rng(7)
    n = 60
    a = rng.integers(0, 100, size=(n, n)).astype(float)
    a = (a + a.T) / 2
    return make_problem(
        affinity=a,
        sizes=(5, 8),
        cannot_link=[(i, i + 1) for i in range(0, n - 1, 7)],
        tz_offsets=[float(i % 4) for i in range(n)],
        max_tz_spread=2.0,
        formats=[7 if i % 3 else 5 for i in range(n)],
    )
"""

COLD_RUN = (
    INSTANCE
    + """
import json, sys
from groups.formation import _kernels as K, solve
sol = solve(instance(), time_limit=float(sys.argv[1]), max_iterations=int(sys.argv[2]), seed=5)
kernels = [getattr(K, name) for name in dir(K)]
print(json.dumps({
    "versions": {k.__name__: len(k.signatures) for k in kernels if hasattr(k, "signatures")},
    "objective": sol.objective,
    "assignment": sol.assignment,
    "iterations": sol.iterations,
    "stopped_by": sol.stopped_by,
    "seconds": sol.seconds,
    "compile_seconds": getattr(sol, "compile_seconds", None),
}))
"""
)


def cold_run_start(folder: Path) -> subprocess.Popen:
    """The solve in a process of its own on an empty NUMBA_CACHE_DIR under ``folder``. It
    compiles for about a minute on one core, so the test session starts it as soon as it knows
    this test will run (tests/conftest.py) and the test collects the answer."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba"), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", COLD_RUN, str(TIME_LIMIT), str(BUDGET)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
