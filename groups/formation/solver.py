"""Cohort formation: a weighted maximally diverse grouping problem with side constraints.

Search
------
A greedy construction (most-constrained members first; a member that cannot be placed is moved to
the front of the order and construction restarts) gives a feasible start. Should every attempt
fail, a repair search completes its partial assignments: it places unplaced members one at a
time, taking out of the chosen cohort the members that stand in the way (see ``K.repair``). The
start is then improved by:

* iterated tabu search for pools of up to ``FULL_NEIGHBOURHOOD_LIMIT`` movable members: every
  iteration scans the complete one-move and swap neighbourhoods with O(1) delta evaluation over
  the member-to-cohort affinity table ``M[i, g]``, applies the best admissible move, forbids the
  moved member from returning to its cohort for a random tenure, and after a number of
  non-improving iterations starts a new round under a random perturbation: from where the last
  round ended, from the best solution every ``BACK_TO_BEST_EVERY`` failed rounds, or from a
  fresh randomised construction every ``RESTART_EVERY`` failed rounds (the restarts matter most
  under side constraints, which can cut the feasible space into parts that moves and swaps do
  not connect). Swaps are enumerated cohort pair by cohort pair through per-cohort member
  lists, and all swaps of a member into a cohort are skipped when an upper bound on their delta
  (the member's move gain plus the best move gain of that cohort's members, minus twice the
  smallest affinity) is below the best delta already found. ``SEARCH_THREADS`` independent
  searches with seeds derived from the one seed run side by side, one per thread, and the best
  of their results is kept;
* iterated local search with a decomposed neighbourhood for larger pools: each iteration looks
  at one member, its moves to every cohort and its swaps with the members of the few cohorts it
  gains most from joining.

Every move is checked against all hard constraints before it is applied, so the solution is
feasible at all times and the best one found is returned whenever the search stops.

Budget and determinism
----------------------
``max_iterations`` is the exact, machine-independent budget: with the same seed and an iteration
budget that ends the search before ``time_limit``, the result is identical on every machine and
every run. ``time_limit`` (seconds) is a cap only; a search it stops depends on the machine's
speed. It is search time: the clock stops while numba compiles (or loads from its cache) a
kernel, whether before the search (:func:`warmup`, run by the first solve in a process) or lazily
in the middle of it, so a cold cache after a deploy costs waiting time, never search quality.
An iteration is one full-neighbourhood tabu iteration, or one member examined by
the decomposed search; with parallel tabu searches each of them runs the whole budget, and the
count reported is that of one search.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
from numba.core import event as numba_event
from numpy.typing import ArrayLike, NDArray

from . import _kernels as K
from . import geo as geo_mod
from .explain import CohortExplanation, MemberExplanation, explain
from .features import CohortSpec, FeatureAffinity, IndustryMode, Member, Weights, build_features
from .hours import WEEK_SLOTS, member_start_slots
from .problem import (
    DISTANCE_PENALTY,
    GEO_NONE,
    GEO_PENALTY,
    InfeasibleError,
    Problem,
    check_feasibility,
    conflict_csr,
    make_problem,
    static_fits,
    violations,
)

FULL_NEIGHBOURHOOD_LIMIT = 1200
# Feature-form instances up to this size are turned into a dense matrix: O(1) gains beat O(k).
DENSE_LIMIT = 6000
PROGRESS_INTERVAL = 0.25
# Tabu search settings, as fractions of the number of movable members: a round ends after
# TABU_DEPTH * n iterations without improvement; a member may not return to the cohort it left
# for 3 + TENURE_LO * n + U[0, TENURE_SPAN * n] iterations; a new round applies
# 2 + PERTURB_LO * n + U[0, PERTURB_SPAN * n] random feasible moves or swaps. Tuned on RanInt
# n=120 and n=240 `ds` instances of MDGPLIB.
TABU_DEPTH = 1.0
TENURE_LO = 0.02
TENURE_SPAN = 0.08
PERTURB_LO = 0.1
PERTURB_SPAN = 0.15
# Failed tabu rounds between returns to the best solution (1: every round starts from it).
BACK_TO_BEST_EVERY = 10
# Failed tabu rounds between fresh randomised constructions. Side constraints can split the
# feasible space into parts that moves and swaps cannot cross, hence more frequent restarts.
RESTART_EVERY = 20
RESTART_EVERY_CONSTRAINED = 2

# Independent tabu searches run side by side (each on its own thread, seeded from the one seed)
# and the best result is kept. The count is fixed, not taken from the machine, so that a seed
# and an iteration budget give the same result everywhere; below PARALLEL_MIN_MEMBERS one is
# enough.
SEARCH_THREADS = 2
PARALLEL_MIN_MEMBERS = 40

# Construction: when every greedy attempt fails, up to REPAIR_ROUNDS repair searches, each
# from a new greedy partial assignment, with a budget of steps each (a step places one member,
# taking a few out).
REPAIR_ROUNDS = 20
REPAIR_STEPS_BASE = 200
REPAIR_STEPS_PER_MEMBER = 20

ProgressCallback = Callable[[float, float], None]
PhaseCallback = Callable[[str], None]


class _CompileClock(numba_event.Listener):
    """Seconds this process has spent compiling: the union of the intervals in which some thread
    holds or waits for numba's compiler lock (taken to compile a kernel or load it from the
    on-disk cache, never to call a compiled one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._since = 0.0
        self._total = 0.0

    def on_start(self, event: numba_event.Event) -> None:
        with self._lock:
            if self._depth == 0:
                self._since = time.perf_counter()
            self._depth += 1

    def on_end(self, event: numba_event.Event) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._total += time.perf_counter() - self._since

    def seconds(self) -> float:
        with self._lock:
            running = time.perf_counter() - self._since if self._depth else 0.0
            return self._total + running


_COMPILE_CLOCK = _CompileClock()
numba_event.register("numba:compiler_lock", _COMPILE_CLOCK)


def search_clock() -> float:
    """A clock that stands still while kernels compile: the one time limits are measured on."""
    return time.perf_counter() - _COMPILE_CLOCK.seconds()


class _Run:
    """One search: its state, best assignment, random stream, counters and kernel call."""

    def __init__(self, s: K.State, rng: NDArray[np.uint64], f0: float) -> None:
        self.s = s
        self.rng = rng
        self.best = s.assign.copy()
        self.ctl = np.zeros(8, dtype=np.int64)
        self.ctl[K.BACK] = BACK_TO_BEST_EVERY
        self.fctl = np.zeros(4)
        self.fctl[:] = (f0, f0, f0, 0.0)
        self.step: Callable[..., None] = lambda *a: None
        self.args: tuple[object, ...] = ()
        self.stopped_by = "iterations"


def _drive(r: _Run, budget: int, deadline: float, report: Callable[[float], None] | None) -> None:
    """Run ``r`` in chunks until its iteration budget or the deadline."""
    chunk = 8
    last_report = search_clock()
    while r.ctl[K.IT] < budget:
        now = search_clock()
        if now >= deadline:
            r.stopped_by = "time"
            break
        steps = int(min(chunk, budget - r.ctl[K.IT]))
        t0 = now
        r.step(steps, *r.args)
        now = search_clock()
        # Chunk length only decides how often the clock is read, never what the search does.
        if now - t0 < 0.02:
            chunk *= 2
        elif now - t0 > 0.1 and chunk > 1:
            chunk //= 2
        if report is not None and now - last_report >= PROGRESS_INTERVAL:
            last_report = now
            report(now)


@dataclass(frozen=True)
class Solution:
    """A feasible assignment with its score and explanations.

    assignment: cohort index of every member.
    objective: sum over cohorts of the affinity of every pair of members inside it.
    cohort_scores: each cohort's share of the objective.
    iterations: search iterations done (by each parallel search).
    seconds: time of the whole solve, compiling excluded (what ``time_limit`` caps).
    stopped_by: "iterations" (deterministic) or "time".
    compile_seconds: time spent compiling kernels or loading them from the cache meanwhile.
    """

    assignment: tuple[int, ...]
    objective: float
    cohort_scores: tuple[float, ...]
    members: tuple[MemberExplanation, ...]
    cohorts: tuple[CohortExplanation, ...]
    iterations: int
    seconds: float
    stopped_by: str
    compile_seconds: float = 0.0


def _use_dense(problem: Problem, affinity_form: str) -> bool:
    if not isinstance(problem.affinity, FeatureAffinity) or affinity_form == "dense":
        return True
    if affinity_form == "features":
        return False
    if affinity_form != "auto":
        raise ValueError(f"unknown affinity_form {affinity_form!r}")
    return problem.n <= DENSE_LIMIT


def _data(problem: Problem, lists: bool, dense: bool) -> tuple[K.Data, K.State]:
    n, g = problem.n, problem.n_groups
    one = np.zeros((1, 1))
    if dense:
        if isinstance(problem.affinity, FeatureAffinity):
            mat = problem.affinity.dense()
        else:
            mat = np.ascontiguousarray(problem.affinity, dtype=np.float64)
        feat = feat_w = one
        self_sim = np.zeros(1)
        k = 1
    else:
        assert isinstance(problem.affinity, FeatureAffinity)
        mat = one
        feat = np.ascontiguousarray(problem.affinity.matrix, dtype=np.float64)
        feat_w = np.ascontiguousarray(feat * problem.affinity.weights)
        self_sim = np.einsum("ij,ij->i", feat_w, feat)
        k = feat.shape[1]
    movable = np.ones(n, dtype=np.bool_)
    for i in problem.fixed:
        movable[i] = False
    ptr, idx = conflict_csr(n, problem.cannot_link)
    has_conf = idx.size > 0
    has_tz = problem.tz_offsets is not None and problem.max_tz_spread is not None
    if has_tz:
        assert problem.tz_offsets is not None and problem.max_tz_spread is not None
        minutes = np.rint(problem.tz_offsets * 60.0).astype(np.int64)
        tz_values, tz_rank = np.unique(minutes, return_inverse=True)
        tz_limit = round(problem.max_tz_spread * 60.0)
    else:
        tz_values = np.zeros(1, dtype=np.int64)
        tz_rank = np.zeros(n, dtype=np.int64)
        tz_limit = 0
    has_fmt = problem.formats is not None
    fmt = problem.formats if problem.formats is not None else np.zeros(n, dtype=np.int64)
    n_bits = int(fmt.max()).bit_length() if has_fmt and n else 0
    has_cat = problem.categories is not None
    cat = problem.categories if problem.categories is not None else np.zeros(n, dtype=np.int64)
    geo = _geo_data(problem)
    has_tw, tw_bits = _window_bits(problem)
    if has_tw:
        lists = True  # the window tables are kept from the member lists
    d = K.Data(
        n=n,
        n_groups=g,
        k=k,
        dense=dense,
        affinity=mat,
        feat=feat,
        feat_w=feat_w,
        self_sim=self_sim,
        lb=np.array(problem.lower, dtype=np.int64),
        ub=np.array(problem.upper, dtype=np.int64),
        movable=movable,
        movable_idx=np.flatnonzero(movable).astype(np.int64),
        has_conf=has_conf,
        conf_ptr=ptr,
        conf_idx=idx if has_conf else np.zeros(1, dtype=np.int32),
        has_tz=has_tz,
        tz_rank=tz_rank.astype(np.int64).reshape(n),
        tz_values=tz_values.astype(np.int64),
        tz_limit=int(tz_limit),
        has_fmt=has_fmt,
        fmt_mask=fmt.astype(np.int64),
        n_bits=n_bits,
        has_cat=has_cat,
        category=cat.astype(np.int64),
        lists=lists,
        **geo,
        has_tw=has_tw,
        tw_bits=tw_bits,
        n_words=int(tw_bits.shape[1]),
    )
    cap = min(max(problem.upper), n) if lists else 1
    s = K.State(
        assign=np.full(n, -1, dtype=np.int64),
        size=np.zeros(g, dtype=np.int64),
        m_table=np.zeros((n, g)) if dense else one,
        s_table=one if dense else np.zeros((g, k)),
        conf_count=np.zeros((n, g), dtype=np.int32) if has_conf else np.zeros((1, 1), np.int32),
        tz_count=np.zeros((g, tz_values.shape[0]), dtype=np.int32),
        tz_min=np.full(g, -1, dtype=np.int64),
        tz_max=np.full(g, -1, dtype=np.int64),
        fmt_count=np.zeros((g, max(n_bits, 1)), dtype=np.int32),
        fmt_and=np.zeros(g, dtype=np.int64),
        group_cat=np.full(g, -1, dtype=np.int64),
        members=np.zeros((g, max(cap, 1)), dtype=np.int64),
        pos=np.zeros(n, dtype=np.int64),
        far_count=np.zeros((g, geo["site_unit"].shape[0]), dtype=np.int32)
        if geo["has_far"]
        else np.zeros((1, 1), dtype=np.int32),
        tw_and=np.full((g, tw_bits.shape[1]), np.iinfo(np.uint64).max, dtype=np.uint64),
        tw_wo=np.full((n, tw_bits.shape[1]), np.iinfo(np.uint64).max, dtype=np.uint64),
    )
    return d, s


def _geo_data(problem: Problem) -> dict[str, object]:
    """The kernels' view of formats fixed per cohort and of geography."""
    n, g = problem.n, problem.n_groups
    out: dict[str, object] = {
        "has_static": False,
        "allowed": np.ones((1, 1), dtype=np.bool_),
        "has_far": False,
        "geo_kind": np.zeros(g, dtype=np.int64),
        "geo_home": np.zeros(g, dtype=np.bool_),
        "home_unit": np.zeros((g, 3)),
        "cos_lim": np.full(g, -2.0),
        "unit": np.zeros((1, 3)),
        "located": np.zeros(n, dtype=np.bool_),
        "site": np.full(n, -1, dtype=np.int64),
        "site_unit": np.zeros((1, 3)),
        "has_pen": False,
        "pen_w": 0.0,
    }
    if problem.cohort_formats is None:
        return out
    allowed = static_fits(problem)
    out["has_static"] = not bool(allowed.all())
    out["allowed"] = np.ascontiguousarray(allowed) if out["has_static"] else out["allowed"]
    kinds = np.array([problem.geo_kind(k) for k in range(g)], dtype=np.int64)
    if problem.locations is None or not np.any(kinds != GEO_NONE):
        return out
    assert problem.located is not None and problem.has_home is not None
    assert problem.homes is not None and problem.max_km is not None
    located = problem.located
    units = np.ascontiguousarray(problem.locations, dtype=np.float64)
    # Members who picked the same city share a site: distance counts are kept per site.
    rows = np.flatnonzero(located)
    site = np.full(n, -1, dtype=np.int64)
    if rows.size:
        site_unit, inverse = np.unique(units[rows], axis=0, return_inverse=True)
        site[rows] = inverse.reshape(-1)
    else:
        site_unit = np.zeros((1, 3))
    out.update(
        geo_kind=kinds,
        geo_home=problem.has_home.astype(np.bool_),
        home_unit=np.ascontiguousarray(problem.homes, dtype=np.float64),
        cos_lim=np.array([geo_mod.cos_limit(km) for km in problem.max_km]),
        unit=units,
        located=located.astype(np.bool_),
        site=site,
        site_unit=np.ascontiguousarray(site_unit, dtype=np.float64),
        has_far=bool(np.any((kinds != GEO_NONE) & ~problem.has_home)),
        has_pen=bool(np.any(kinds == GEO_PENALTY)) and problem.distance_penalty > 0,
        pen_w=float(problem.distance_penalty),
    )
    return out


def _window_bits(problem: Problem) -> tuple[bool, NDArray[np.uint64]]:
    """Members' start slots as bitsets. Slots that every member treats alike are merged into
    one bit (and slots nobody can use dropped): the test "some slot common to all" is the same,
    and a week of 672 slots usually shrinks to one or two words."""
    if problem.start_slots is None:
        return False, np.zeros((1, 1), dtype=np.uint64)
    cols = np.unique(problem.start_slots.T, axis=0)
    cols = cols[cols.any(axis=1)]
    comp = cols.T  # (n, C)
    n, c = comp.shape
    words = max(1, -(-c // 64))
    bits = np.zeros((n, words), dtype=np.uint64)
    for w in range(words):
        chunk = comp[:, w * 64 : (w + 1) * 64].astype(np.uint64)
        shifts = np.arange(chunk.shape[1], dtype=np.uint64)
        bits[:, w] = (chunk << shifts).sum(axis=1, dtype=np.uint64)
    return True, bits


def _seed_rng(seed: int) -> NDArray[np.uint64]:
    # splitmix64 of the seed, so that nearby seeds give unrelated streams (and never zero).
    z = (int(seed) + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z ^= z >> 31
    return np.array([z or 1], dtype=np.uint64)


def _repair(d: K.Data, s: K.State, rng: NDArray[np.uint64], deadline: float) -> bool:
    """Complete the partial assignment in ``s`` with :func:`K.repair`: whether every member
    was placed within REPAIR_STEPS_BASE + REPAIR_STEPS_PER_MEMBER * n steps and the deadline
    (checked between chunks of steps). The steps taken do not depend on the chunks."""
    budget = REPAIR_STEPS_BASE + REPAIR_STEPS_PER_MEMBER * d.movable_idx.shape[0]
    ctl = np.zeros(1, dtype=np.int64)
    tabu_group = np.full(d.n, -1, dtype=np.int64)
    tabu_until = np.zeros(d.n, dtype=np.int64)
    weight = np.ones(d.n, dtype=np.int64)
    chunk = 8
    while ctl[K.R_STEP] < budget:
        steps = np.int64(min(chunk, budget - ctl[K.R_STEP]))
        t0 = search_clock()
        if K.repair(d, s, rng, steps, ctl, tabu_group, tabu_until, weight) == 0:
            return True
        now = search_clock()
        if now > deadline:
            break
        # As in _drive: the chunk length decides how often the clock is read, nothing else.
        if now - t0 < 0.02:
            chunk *= 2
        elif now - t0 > 0.1 and chunk > 1:
            chunk //= 2
    return False


def _construct(
    problem: Problem,
    d: K.Data,
    s: K.State,
    rng: NDArray[np.uint64],
    deadline: float,
    max_attempts: int,
    search_deadline: float,
) -> None:
    base = np.full(d.n, -1, dtype=np.int64)
    for i, grp in problem.fixed.items():
        base[i] = grp
    # Most constrained first: many conflicts, an extreme time zone, few acceptable formats.
    key = np.diff(d.conf_ptr).astype(np.float64)
    if d.has_tz:
        tz = d.tz_values[d.tz_rank].astype(np.float64)
        key += np.abs(tz - np.median(tz)) / max(d.tz_limit, 1)
    if d.has_fmt:
        key += 3.0 - np.array([bin(int(x)).count("1") for x in d.fmt_mask], dtype=np.float64)
    if d.has_static:
        # Members with few cohorts open to them first: the others can go anywhere later.
        key += 100.0 * (1.0 - d.allowed.mean(axis=1))
    if d.has_tw:
        counts = np.array([sum(bin(int(w)).count("1") for w in row) for row in d.tw_bits])
        key += 1.0 - counts / max(int(counts.max()), 1)
    jitter = np.array([K.rng_float(rng) for _ in range(d.movable_idx.shape[0])])
    mov = d.movable_idx
    order = mov[np.lexsort((jitter, -key[mov]))]
    failed = -1
    attempts = 0
    while attempts < max_attempts:
        attempts += 1
        K.rebuild(d, s, base)
        failed = K.construct(d, s, order, rng, 0.0)
        if failed < 0:
            return
        if attempts >= 10 and search_clock() > deadline:
            break
        # Squeaky wheel: the member that could not be placed goes first next time.
        order = np.concatenate(([failed], order[order != failed]))
    # Rarely, greedy construction fails on a feasible instance: search from its partial
    # assignments, each time from a new greedy one, within the search's own deadline.
    # The message below names the member the last greedy attempt could not place.
    stuck = failed
    for _ in range(REPAIR_ROUNDS):
        if _repair(d, s, rng, search_deadline):
            return
        if search_clock() > search_deadline:
            break
        order = np.concatenate(([stuck], order[order != stuck]))
        K.rebuild(d, s, base)
        stuck = K.construct(d, s, order, rng, 0.0)
        if stuck < 0:
            return
    raise InfeasibleError(
        f"no feasible assignment was found in {attempts} construction attempt"
        f"{'s' if attempts != 1 else ''} (member {failed} could not be placed last); "
        "the constraints are probably infeasible"
    )


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    max_iterations: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    strategy: Literal["auto", "tabu", "decomposed"] = "auto",
    affinity_form: Literal["auto", "dense", "features"] = "auto",
    phase: PhaseCallback | None = None,
) -> Solution:
    """Find a feasible assignment of high total affinity.

    time_limit: cap in seconds of search time (construction included, compiling excluded).
    max_iterations: exact search budget; see the module docstring for determinism.
    progress: called with (best objective, elapsed search seconds) at most every 0.25 s.
    phase: called with "compiling" before the kernels are compiled or loaded (only in the
        first solve of a process that did not call :func:`warmup`), then with "searching".
    strategy: "tabu" (full neighbourhoods), "decomposed" (large pools) or "auto" (by size).
    affinity_form: for feature-form problems, search over the dense n x n matrix (O(1) gains,
        O(n^2) memory) or the per-cohort feature sums (O(k) gains); "auto" goes dense up to
        DENSE_LIMIT members.
    Raises InfeasibleError when the constraints cannot be met.
    """
    compiled_before = _COMPILE_CLOCK.seconds()
    if not _WARM.is_set() and not getattr(_WARMING, "active", False):
        if phase is not None:
            phase("compiling")
        warmup()
    if phase is not None:
        phase("searching")
    start = search_clock()
    deadline = start + max(float(time_limit), 0.0)
    n_mov = problem.n - len(problem.fixed)
    dense = _use_dense(problem, affinity_form)
    if strategy == "auto":
        full = n_mov <= FULL_NEIGHBOURHOOD_LIMIT and dense
    elif strategy == "tabu":
        if not dense:
            raise ValueError(f"the tabu strategy needs a dense affinity (n <= {DENSE_LIMIT})")
        full = True
    elif strategy == "decomposed":
        full = False
    else:
        raise ValueError(f"unknown strategy {strategy!r}")
    d, s = _data(problem, lists=True, dense=dense)
    check_feasibility(problem, d.conf_ptr, d.conf_idx)
    rng = _seed_rng(seed)
    construct_deadline = start + max(1.0, 0.5 * float(time_limit))
    _construct(
        problem,
        d,
        s,
        rng,
        construct_deadline,
        max_attempts=max(50, min(n_mov, 500)),
        search_deadline=deadline,
    )

    n = max(n_mov, 1)
    budget = max_iterations if max_iterations is not None else np.iinfo(np.int64).max
    workers = SEARCH_THREADS if full and n_mov >= PARALLEL_MIN_MEMBERS else 1
    f0 = K.objective(d, s)
    runs = [_Run(s, rng, f0)]
    for w in range(1, workers):
        runs.append(_Run(K.State(*(a.copy() for a in s)), _seed_rng(seed + (w << 40)), f0))
    if full:
        depth = max(50, int(TABU_DEPTH * n))
        tenure_lo, tenure_span = 3 + int(TENURE_LO * n), 1 + int(TENURE_SPAN * n)
        pert_lo, pert_span = 2 + int(PERTURB_LO * n), 1 + int(PERTURB_SPAN * n)
        constrained = d.has_conf or d.has_tz or d.has_fmt or d.has_cat
        constrained = constrained or d.has_static or d.has_far or d.has_tw
        restart_every = RESTART_EVERY_CONSTRAINED if constrained else RESTART_EVERY
        off = d.affinity + np.diag(np.full(problem.n, np.inf))
        two_amin = 2.0 * float(off.min()) if problem.n > 1 else 0.0
        if d.has_pen:
            # A swap gives back at most two pair penalties (see K.pair_back); keep the bound
            # an upper bound, with a margin for rounding.
            two_amin -= 2.0 * d.pen_w + 1e-9 * (1.0 + abs(two_amin))
        for r in runs:
            tabu = np.zeros((problem.n, problem.n_groups), dtype=np.int64)
            gmax = np.zeros((problem.n_groups, problem.n_groups))
            kernel = K.tabu_chunk_pen if d.has_pen else K.tabu_chunk
            r.step = functools.partial(
                kernel, d, r.s, tabu, r.best, r.rng, r.ctl, r.fctl,
            )  # fmt: skip
            r.args = (
                depth, tenure_lo, tenure_span, pert_lo, pert_span, restart_every, gmax, two_amin,
            )  # fmt: skip
    else:
        r = runs[0]
        n_cand = min(3, problem.n_groups)
        cand = np.zeros(max(n_cand, 1), dtype=np.int64)
        cand_val = np.zeros(max(n_cand, 1))
        gbuf = np.zeros(problem.n_groups)
        pert_lo, pert_span = 2 + min(n // 200, 50), 1 + min(n // 100, 100)
        r.step = functools.partial(
            K.descent_chunk, d, r.s, d.movable_idx.copy(), r.best, r.rng, r.ctl, r.fctl,
        )  # fmt: skip
        r.args = (n_cand, pert_lo, pert_span, cand, cand_val, gbuf)

    def report(now: float) -> None:
        if progress is not None:
            f = max(max(r.fctl[K.F_BEST], r.fctl[K.F_CUR]) for r in runs)
            progress(float(f), now - start)

    active = n_mov > 0 and problem.n_groups > 1
    if active and workers > 1:
        with ThreadPoolExecutor(max_workers=workers - 1) as pool:
            futures = [pool.submit(_drive, r, budget, deadline, None) for r in runs[1:]]
            _drive(runs[0], budget, deadline, report)
            for fut in futures:
                fut.result()
    elif active:
        _drive(runs[0], budget, deadline, report)
    for r in runs:
        if r.fctl[K.F_CUR] > r.fctl[K.F_BEST]:
            # The decomposed search records its best only at local optima.
            r.best[:] = r.s.assign
            r.fctl[K.F_BEST] = r.fctl[K.F_CUR]
    # The first run with the highest objective: a fixed order keeps the result deterministic.
    top = max(range(len(runs)), key=lambda w: (runs[w].fctl[K.F_BEST], -w))
    best = runs[top].best
    stopped_by = "time" if any(r.stopped_by == "time" for r in runs) else "iterations"
    problems = violations(problem, best)
    if problems:
        raise RuntimeError("internal error, infeasible result: " + "; ".join(problems[:3]))
    members, cohorts, scores = explain(problem, best)
    return Solution(
        assignment=tuple(int(x) for x in best),
        objective=float(sum(scores)),
        cohort_scores=scores,
        members=members,
        cohorts=cohorts,
        iterations=max(int(r.ctl[K.IT]) for r in runs),
        seconds=search_clock() - start,
        stopped_by=stopped_by,
        compile_seconds=_COMPILE_CLOCK.seconds() - compiled_before,
    )


def form_cohorts(
    members: Sequence[Member],
    *,
    sizes: tuple[int, int] | Sequence[tuple[int, int]],
    n_groups: int | None = None,
    industry_mode: IndustryMode | str = IndustryMode.NO_OVERLAP,
    weights: Weights | None = None,
    cannot_link: Sequence[tuple[int, int]] | ArrayLike = (),
    max_tz_spread: float | None = None,
    use_formats: bool = True,
    fixed: Mapping[int, int] | None = None,
    time_limit: float = 10.0,
    max_iterations: int | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    cohorts: Sequence[CohortSpec] | None = None,
    meeting_minutes: int | None = None,
    week_of: date | None = None,
    distance_penalty: float = DISTANCE_PENALTY,
) -> Solution:
    """Form cohorts from member profiles (see :mod:`.features` for the affinity).

    In "single" industry mode every cohort has one industry; ``max_tz_spread`` (hours) bounds a
    cohort's time-zone spread; with ``use_formats`` a cohort's members share a meeting format.

    cohorts: one :class:`CohortSpec` per cohort (format, home, distance limit); their number is
        the number of cohorts unless ``n_groups`` says otherwise. In-person cohorts keep every
        member within the limit (of the home, or of each other); hybrid ones pay
        ``distance_penalty`` per member (or pair) beyond it; members' ``location`` is used.
    meeting_minutes: when given, every cohort needs a common window of this length in its
        members' ``hours`` (converted to UTC in the reference week holding ``week_of``, today's
        by default; see :mod:`.hours` on daylight-saving time).
    """
    mode = IndustryMode(industry_mode)
    features = build_features(members, weights, mode)
    categories: list[Hashable] | None = (
        [m.industry for m in members] if mode is IndustryMode.SINGLE else None
    )
    slots = None
    if meeting_minutes is not None:
        slots = member_start_slots(
            members, meeting_minutes=meeting_minutes, week_of=week_of or date.today()
        )
    problem = make_problem(
        affinity=features,
        sizes=sizes,
        n_groups=n_groups,
        cannot_link=cannot_link,
        tz_offsets=[m.tz_offset for m in members] if max_tz_spread is not None else None,
        max_tz_spread=max_tz_spread,
        formats=[m.formats for m in members] if use_formats else None,
        categories=categories,
        fixed=fixed,
        members=members,
        locations=[m.location for m in members] if cohorts is not None else None,
        cohorts=cohorts,
        start_slots=slots,
        meeting_minutes=meeting_minutes,
        distance_penalty=distance_penalty,
    )
    return solve(
        problem,
        time_limit=time_limit,
        max_iterations=max_iterations,
        seed=seed,
        progress=progress,
    )


_WARM = threading.Event()
_WARM_LOCK = threading.Lock()
_WARMING = threading.local()  # .active: this thread is inside warmup()


def warmup() -> float:
    """Compile (or load from the on-disk cache) every search kernel; returns the seconds taken.

    The kernels are compiled on first use and cached in ``NUMBA_CACHE_DIR`` (by default next to
    the sources), so only the first process after a deploy pays the compilation (tens of seconds
    on a 2-core machine); later processes load the cache in a fraction of a second. The worker
    calls this when it starts and the benchmark runners before their clocks start; a solve in a
    process that did neither calls it first (the time does not count against its limit). Safe
    to call from several threads: one compiles, the others wait for it.
    """
    start = time.perf_counter()
    with _WARM_LOCK:
        if _WARM.is_set():
            return time.perf_counter() - start
        _WARMING.active = True
        try:
            _warmup_solves()
        finally:
            _WARMING.active = False
        _WARM.set()
    return time.perf_counter() - start


def _warmup_solves() -> None:
    w = np.ones((6, 6))
    np.fill_diagonal(w, 0.0)
    problem = make_problem(
        affinity=w,
        sizes=(2, 4),
        cannot_link=[(0, 1)],
        tz_offsets=[0.0] * 6,
        max_tz_spread=1.0,
        formats=[1] * 6,
        categories=["a"] * 6,
        fixed={5: 0},
    )
    solve(problem, max_iterations=5, strategy="tabu")
    solve(problem, max_iterations=5, strategy="decomposed")
    features = FeatureAffinity(np.eye(6), np.ones(6))
    solve(
        make_problem(affinity=features, sizes=(2, 4), cannot_link=[(0, 1)]),
        max_iterations=5,
        strategy="decomposed",
        affinity_form="features",
    )
    # Geography, hybrid penalties and meeting windows go through the same kernels with other
    # branches taken; running them here keeps lazy compilation out of real solves.
    where = [(0.0, 0.0), (0.1, 0.1), None, (0.0, 0.2), (0.2, 0.0), (0.1, 0.0)]
    specs = [CohortSpec(format=1), CohortSpec(format=4, home=(0.0, 0.0), max_km=5.0)]
    slots = np.ones((6, WEEK_SLOTS), dtype=np.bool_)
    for form in ("dense", "features"):
        geo_problem = make_problem(
            affinity=features,
            sizes=(2, 4),
            locations=where,
            cohorts=[*specs, CohortSpec(format=4)],
            start_slots=slots,
            meeting_minutes=60,
        )
        for strategy in ("tabu", "decomposed") if form == "dense" else ("decomposed",):
            solve(geo_problem, max_iterations=5, strategy=strategy, affinity_form=form)
    # The repair search runs only when greedy construction fails; compile it here all the same.
    d, s = _data(geo_problem, lists=True, dense=True)
    _repair(d, s, _seed_rng(0), search_clock() + 1.0)
