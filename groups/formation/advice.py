"""What to change when a run cannot work: the parameter and a value that passes the checks.

Parameters are named as in a run's settings: ``min_size``, ``max_size``, ``n_groups`` (None:
chosen from the sizes), ``max_tz_spread`` (None: no limit) and ``industry_mode``. A caller passes
its settings and a function that builds the :class:`Problem` from them; :func:`advise` runs the
direct feasibility checks and, when they fail, tries changes to one parameter at a time, the one
the failed check is about first, nearest values first, and returns the first change that passes.
Passing the direct checks does not prove a run will succeed, but it removes every reason they
can name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .features import IndustryMode
from .problem import TZ_EPS, InfeasibleError, Problem, check_feasibility, choose_group_count

# Cohort sizes the advice may propose (the wizard's bounds).
SIZE_RANGE = (2, 30)
# At most this many cohort counts are tried, nearest first.
MAX_COUNT_TRIALS = 40

Settings = Mapping[str, Any]


@dataclass(frozen=True)
class Advice:
    """reason: why the settings cannot work (the failed check, in plain words).
    parameter, value: the change that passes the checks, or None when no single change does."""

    reason: str
    parameter: str | None
    value: Any


def min_tz_spread(offsets: ArrayLike, *, n_groups: int, lower: int, upper: int) -> float | None:
    """The smallest time-zone spread (hours) with which these members fit in ``n_groups``
    cohorts of ``lower`` to ``upper`` members; None when the sizes cannot fit at all.

    With offsets sorted, some best split gives each cohort a run of consecutive members (two
    interleaved cohorts can trade members until they are not, without widening either's span
    beyond the wider of the two), so the answer is a difference of two offsets and a split into
    runs decides each candidate.
    """
    x = np.sort(np.asarray(offsets, dtype=np.float64).reshape(-1))
    n = x.shape[0]
    if n_groups < 1 or not n_groups * lower <= n <= n_groups * upper:
        return None
    values = np.unique(x)
    candidates = np.unique(np.maximum(values[None, :] - values[:, None], 0.0))
    if not _splits(x, n_groups, lower, upper, float(candidates[-1])):
        return None
    lo, hi = 0, candidates.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _splits(x, n_groups, lower, upper, float(candidates[mid])):
            hi = mid
        else:
            lo = mid + 1
    return float(candidates[lo])


def _splits(x: np.ndarray, groups: int, lower: int, upper: int, spread: float) -> bool:
    """Can sorted ``x`` be cut into exactly ``groups`` runs of lower..upper members, each
    spanning at most ``spread``? Bit c of reach[i] says: the first i members make c runs."""
    n = x.shape[0]
    keep = (1 << (groups + 1)) - 1
    reach = [0] * (n + 1)
    reach[0] = 1
    first = 0
    for i in range(1, n + 1):
        while x[i - 1] - x[first] > spread + TZ_EPS:
            first += 1
        acc = 0
        for j in range(max(first, i - upper), i - lower + 1):
            acc |= reach[j]
        reach[i] = (acc << 1) & keep
    return bool(reach[n] >> groups & 1)


def advise(settings: Settings, build: Callable[[Settings], Problem]) -> Advice | None:
    """None when ``build(settings)`` passes the direct feasibility checks; else why not, and
    one parameter change that passes them (see the module docstring)."""
    try:
        check_feasibility(build(settings))
        return None
    except InfeasibleError as error:
        reason, kind = str(error), error.kind
    order = {
        "time_zones": ["max_tz_spread", "n_groups", "min_size", "max_size"],
        "industries": ["industry_mode", "n_groups", "min_size"],
        "conflicts": ["n_groups", "max_size"],
    }.get(kind, ["n_groups", "min_size", "max_size", "max_tz_spread", "industry_mode"])
    for parameter in order:
        for value in _candidates(parameter, settings, build):
            trial = {**settings, parameter: value}
            try:
                check_feasibility(build(trial))
            except (InfeasibleError, ValueError):
                # ValueError: a change the builder cannot express (say, a cohort count that
                # differs from the number of cohort specs it passes) is no advice.
                continue
            return Advice(reason, parameter, value)
    return Advice(reason, None, None)


def _candidates(parameter: str, settings: Settings, build: Callable) -> Iterator[Any]:
    low, high = int(settings["min_size"]), int(settings["max_size"])
    if parameter == "min_size":
        yield from range(min(low - 1, high), SIZE_RANGE[0] - 1, -1)
    elif parameter == "max_size":
        yield from range(max(high + 1, low), SIZE_RANGE[1] + 1)
    elif parameter == "industry_mode":
        if settings.get("industry_mode") == IndustryMode.SINGLE:
            yield IndustryMode.NO_OVERLAP.value
    elif parameter == "n_groups":
        n = _size(settings, build)
        if n is None or low < 1:
            return
        first, last = max(1, math.ceil(n / high)), n // low
        now = settings.get("n_groups")
        start = now if now is not None else min(max(round(2 * n / (low + high)), first), last)
        counts = sorted(range(first, last + 1), key=lambda g: (abs(g - start), g))
        yield from (g for g in counts[:MAX_COUNT_TRIALS] if g != now)
    elif parameter == "max_tz_spread":
        if settings.get("max_tz_spread") is None:
            return
        probe = _probe(settings, build)
        if probe is None or probe.tz_offsets is None:
            return
        n = probe.n
        try:
            groups = settings.get("n_groups") or choose_group_count(n, low, high)
        except InfeasibleError:
            return
        need = min_tz_spread(probe.tz_offsets, n_groups=groups, lower=low, upper=high)
        if need is not None and need > float(settings["max_tz_spread"]):
            yield need


def _probe(settings: Settings, build: Callable) -> Problem | None:
    """The members of the settings' problem, with sizes and count that always build."""
    try:
        return build({**settings, "min_size": 0, "n_groups": 1, "max_size": 10**9})
    except (InfeasibleError, ValueError):
        return None


def _size(settings: Settings, build: Callable) -> int | None:
    probe = _probe(settings, build)
    return None if probe is None else probe.n
