"""Exact cohort formation with CP-SAT, to prove optima of small instances (n up to about 12).

Affinities are scaled to integers (CP-SAT optimises integer objectives); ``scale`` must make
every affinity an integer, otherwise ``ValueError`` is raised rather than proving the optimum of a
rounded problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from groups.formation import FeatureAffinity, Problem
from groups.formation.geo import cos_limit
from groups.formation.problem import GEO_HARD, GEO_PENALTY, static_fits


@dataclass(frozen=True)
class ExactResult:
    status: str  # "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN" or "MODEL_INVALID"
    objective: float
    assignment: tuple[int, ...]
    bound: float = float("nan")  # proven upper bound on the optimum


def solve_exact(problem: Problem, *, scale: float = 1.0, time_limit: float = 60.0) -> ExactResult:
    n, g = problem.n, problem.n_groups
    if isinstance(problem.affinity, FeatureAffinity):
        weights = problem.affinity.dense()
    else:
        weights = np.asarray(problem.affinity, dtype=np.float64)
    scaled = weights * scale
    ints = np.rint(scaled)
    if np.abs(scaled - ints).max(initial=0.0) > 1e-6:
        raise ValueError(f"affinities are not integers after scaling by {scale}")
    m = cp_model.CpModel()
    x = [[m.new_bool_var(f"x{i}_{k}") for k in range(g)] for i in range(n)]
    for i in range(n):
        m.add_exactly_one(x[i])
    for k in range(g):
        m.add(sum(x[i][k] for i in range(n)) >= problem.lower[k])
        m.add(sum(x[i][k] for i in range(n)) <= problem.upper[k])
    for i, k in problem.fixed.items():
        m.add(x[i][k] == 1)
    apart: set[tuple[int, int]] = {(int(a), int(b)) for a, b in problem.cannot_link}
    for i in range(n):
        for j in range(i + 1, n):
            tz = problem.tz_offsets
            if (
                tz is not None
                and problem.max_tz_spread is not None
                and abs(tz[i] - tz[j]) > problem.max_tz_spread + 1e-9
            ):
                apart.add((i, j))
            cats = problem.categories
            if cats is not None and cats[i] != cats[j]:
                apart.add((i, j))
    for i, j in apart:
        for k in range(g):
            m.add(x[i][k] + x[j][k] <= 1)
    penalty_terms = _geography(m, problem, x, scale)
    _windows(m, problem, x)
    if problem.formats is not None:
        n_bits = max(int(problem.formats.max()).bit_length(), 1)
        for k in range(g):
            chosen = [m.new_bool_var(f"c{k}_{b}") for b in range(n_bits)]
            m.add_exactly_one(chosen)
            for i in range(n):
                for b in range(n_bits):
                    if not (int(problem.formats[i]) >> b) & 1:
                        m.add(x[i][k] + chosen[b] <= 1)
    # Groups with the same bounds and no fixed member are interchangeable, so order them by
    # their smallest member: member i may join the next group of its class only if a smaller
    # member is in the previous one. This removes the equivalent relabellings from the search.
    classes: dict[tuple, list[int]] = {}
    pinned = set(problem.fixed.values())
    for k in range(g):
        if k not in pinned:
            spec = problem.cohorts[k] if problem.cohorts is not None else None
            classes.setdefault((problem.lower[k], problem.upper[k], spec), []).append(k)
    for same in classes.values():
        for pos in range(1, len(same)):
            prev, cur = same[pos - 1], same[pos]
            for i in range(n):
                m.add(x[i][cur] <= sum(x[j][prev] for j in range(i)))
    terms = []
    pair_vars: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for i in range(n):
        for j in range(i + 1, n):
            w = int(ints[i, j])
            if w == 0 or (i, j) in apart:
                continue
            ys = []
            for k in range(g):
                y = m.new_bool_var(f"y{i}_{j}_{k}")
                if w > 0:
                    m.add_implication(y, x[i][k])
                    m.add_implication(y, x[j][k])
                else:
                    m.add_bool_or([x[i][k].Not(), x[j][k].Not(), y])
                terms.append(w * y)
                ys.append(y)
            pair_vars[(i, j)] = ys
    # A member has at most ub_k - 1 partners in group k: without this cut the relaxation lets
    # every pair variable reach min(x_ik, x_jk) and the bound is far too weak to close n = 12.
    # Likewise the affinity member i collects in group k is at most its ub_k - 1 largest
    # positive affinities (a star bound), which tightens the relaxation much further.
    for i in range(n):
        row = sorted((int(ints[i, j]) for j in range(n) if j != i), reverse=True)
        for k in range(g):
            keys = [(min(i, j), max(i, j)) for j in range(n) if j != i]
            partners = [(key, pair_vars[key][k]) for key in keys if key in pair_vars]
            if not partners:
                continue
            m.add(sum(y for _, y in partners) <= (problem.upper[k] - 1) * x[i][k])
            top = sum(v for v in row[: problem.upper[k] - 1] if v > 0)
            m.add(sum(int(ints[key]) * y for key, y in partners) <= top * x[i][k])
    m.maximize(sum(terms) + sum(penalty_terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    code = solver.solve(m)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(status, float("nan"), ())
    assign = tuple(next(k for k in range(g) if solver.value(x[i][k])) for i in range(n))
    return ExactResult(
        status, solver.objective_value / scale, assign, solver.best_objective_bound / scale
    )


def _geography(m: cp_model.CpModel, problem: Problem, x: list, scale: float) -> list:
    """Formats fixed per cohort, in-person distance limits (hard) and hybrid distance penalties
    (objective terms, returned)."""
    n, g = problem.n, problem.n_groups
    if problem.cohort_formats is None:
        return []
    fits = static_fits(problem)
    for i in range(n):
        for k in range(g):
            if not fits[i, k]:
                m.add(x[i][k] == 0)
    if problem.locations is None or problem.located is None:
        return []
    assert problem.has_home is not None and problem.homes is not None
    assert problem.max_km is not None
    weight = problem.distance_penalty * scale
    if abs(weight - round(weight)) > 1e-6:
        raise ValueError(f"the distance penalty is not an integer after scaling by {scale}")
    weight = round(weight)
    terms = []
    u, known = problem.locations, problem.located
    for k in range(g):
        kind = problem.geo_kind(k)
        limit = cos_limit(problem.max_km[k])
        if kind == GEO_PENALTY and problem.has_home[k]:
            for i in range(n):
                if known[i] and float(u[i] @ problem.homes[k]) < limit:
                    terms.append(-weight * x[i][k])
        if kind in (GEO_HARD, GEO_PENALTY) and not problem.has_home[k]:
            for i in range(n):
                for j in range(i + 1, n):
                    if not (known[i] and known[j] and float(u[i] @ u[j]) < limit):
                        continue
                    if kind == GEO_HARD:
                        m.add(x[i][k] + x[j][k] <= 1)
                    else:
                        both = m.new_bool_var(f"far{i}_{j}_{k}")
                        m.add_bool_or([x[i][k].Not(), x[j][k].Not(), both])
                        terms.append(-weight * both)
    return terms


def _windows(m: cp_model.CpModel, problem: Problem, x: list) -> None:
    """A non-empty cohort picks one start slot that every member of it can attend."""
    if problem.start_slots is None:
        return
    n, g = problem.n, problem.n_groups
    cols = np.unique(problem.start_slots.T, axis=0)
    cols = cols[cols.any(axis=1)]
    for k in range(g):
        slot = [m.new_bool_var(f"slot{k}_{c}") for c in range(cols.shape[0])]
        for i in range(n):
            m.add(sum(slot) >= x[i][k])
            for c in range(cols.shape[0]):
                if not cols[c, i]:
                    m.add(x[i][k] + slot[c] <= 1)
