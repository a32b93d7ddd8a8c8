"""Compiled search kernels for cohort formation.

Everything here works on two named tuples of arrays: ``Data`` (the problem, never modified) and
``State`` (an assignment plus the incremental tables that make move evaluation O(1) in the dense
form or O(k) in the feature form). Kernels are compiled with ``cache=True`` so that only the first
process on a machine pays the compilation cost.

The random generator is a private xorshift64* stream kept in a one-element array, so a run is
reproducible from its seed whatever else in the process draws random numbers, and a run split
into chunks draws exactly the same numbers as an unsplit one.

Calls between kernels pass "nobody" (and other constants) as ``np.int64(-1)``, never as a bare
``-1``, and variables that start at -1 start at ``np.int64(-1)``: numba types a literal argument
as that very constant and compiles the callee, and everything it calls, once more for it (move,
swap and insert were compiled three or four times each): 178 s of cold compilation against
103 s with one version each, on a loaded 2-core machine.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

NEG_INF = -1.0e300


class Data(NamedTuple):
    n: int
    n_groups: int
    k: int
    dense: bool
    affinity: np.ndarray  # (n, n) float64 with a zero diagonal, or (1, 1) in feature form
    feat: np.ndarray  # (n, k) float64, or (1, 1) in dense form
    feat_w: np.ndarray  # feat scaled by the column weights
    self_sim: np.ndarray  # (n,) affinity of a member's features with themselves
    lb: np.ndarray  # (G,) int64
    ub: np.ndarray  # (G,) int64
    movable: np.ndarray  # (n,) bool
    movable_idx: np.ndarray  # (m,) int64
    has_conf: bool
    conf_ptr: np.ndarray  # (n + 1,) int64, CSR row pointers
    conf_idx: np.ndarray  # (nnz,) int32, sorted within each row
    has_tz: bool
    tz_rank: np.ndarray  # (n,) int64, index into tz_values
    tz_values: np.ndarray  # (B,) int64 distinct offsets in minutes, ascending
    tz_limit: int  # minutes
    has_fmt: bool
    fmt_mask: np.ndarray  # (n,) int64
    n_bits: int
    has_cat: bool
    category: np.ndarray  # (n,) int64
    lists: bool  # keep per-group member lists (restricted neighbourhood)
    has_static: bool  # member-to-cohort checks that ignore the other members (format, home)
    allowed: np.ndarray  # (n, G) bool, or (1, 1)
    has_far: bool  # some in-person or hybrid cohort without a home: pairwise distances
    geo_kind: np.ndarray  # (G,) int64: 0 none, 1 in person (hard), 2 hybrid (penalty)
    geo_home: np.ndarray  # (G,) bool: the cohort has a home point
    home_unit: np.ndarray  # (G, 3) unit vectors of homes
    cos_lim: np.ndarray  # (G,) dot-product threshold of the cohort's distance limit
    unit: np.ndarray  # (n, 3) unit vectors of member locations (zero when unknown)
    located: np.ndarray  # (n,) bool
    site: np.ndarray  # (n,) int64 distinct location index, -1 when unknown
    site_unit: np.ndarray  # (S, 3)
    has_pen: bool  # some hybrid cohort costs a penalty per member or pair beyond its limit
    pen_w: float
    has_tw: bool  # meeting windows
    tw_bits: np.ndarray  # (n, W) uint64 start slots (compressed columns)
    n_words: int


class State(NamedTuple):
    assign: np.ndarray  # (n,) int64, -1 while unplaced
    size: np.ndarray  # (G,) int64
    m_table: np.ndarray  # (n, G) float64 in dense form: affinity of i to the members of g
    s_table: np.ndarray  # (G, k) float64 in feature form: sum of member features of g
    conf_count: np.ndarray  # (n, G) int32: conflicts of i inside g
    tz_count: np.ndarray  # (G, B) int32
    tz_min: np.ndarray  # (G,) int64 rank, -1 when empty
    tz_max: np.ndarray  # (G,) int64 rank, -1 when empty
    fmt_count: np.ndarray  # (G, n_bits) int32
    fmt_and: np.ndarray  # (G,) int64 formats shared by every member (all bits when empty)
    group_cat: np.ndarray  # (G,) int64 category of a non-empty group
    members: np.ndarray  # (G, cap) int64 member lists when Data.lists
    pos: np.ndarray  # (n,) int64 position of a member in its list
    far_count: np.ndarray  # (G, S) int32: members of g beyond g's limit from site s
    tw_and: np.ndarray  # (G, W) uint64: start slots common to the members of g (all when empty)
    tw_wo: np.ndarray  # (n, W) uint64: slots common to the other members of i's group


# --------------------------------------------------------------------------- random numbers


@njit(cache=True)
def rng_next(rng: np.ndarray) -> np.uint64:
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return x * np.uint64(2685821657736338717)


@njit(cache=True)
def rng_int(rng: np.ndarray, bound: int) -> int:
    # Cast explicitly: mixing uint64 with int64 would silently promote indices to float64.
    return np.int64((rng_next(rng) >> np.uint64(11)) % np.uint64(bound))


@njit(cache=True)
def rng_float(rng: np.ndarray) -> float:
    return float(rng_next(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


# --------------------------------------------------------------------------- affinity access


@njit(cache=True)
def pair(d: Data, i: int, j: int) -> float:
    if d.dense:
        return d.affinity[i, j]
    v = 0.0
    for t in range(d.k):
        v += d.feat_w[i, t] * d.feat[j, t]
    return v


@njit(cache=True)
def dot3(a: np.ndarray, i: int, b: np.ndarray, j: int) -> float:
    return a[i, 0] * b[j, 0] + a[i, 1] * b[j, 1] + a[i, 2] * b[j, 2]


@njit(cache=True)
def far_pair(d: Data, i: int, j: int, g: int) -> bool:
    """Members i and j are both located and beyond group g's distance limit from each other."""
    return d.located[i] and d.located[j] and dot3(d.unit, i, d.unit, j) < d.cos_lim[g]


@njit(cache=True)
def unary(d: Data, i: int, g: int) -> float:
    """The hybrid home penalty of member i in group g (0.0 or -pen_w)."""
    far = d.located[i] and dot3(d.unit, i, d.home_unit, g) < d.cos_lim[g]
    if d.geo_kind[g] == 2 and d.geo_home[g] and far:
        return -d.pen_w
    return 0.0


@njit(cache=True)
def pair_pen_group(d: Data, g: int) -> bool:
    """Group g charges the penalty per pair of members beyond its limit."""
    return d.has_pen and d.geo_kind[g] == 2 and not d.geo_home[g]


@njit(cache=True)
def penalty_of(d: Data, s: State, i: int, g: int) -> float:
    """Feature form: the distance penalty member i meets in group g (dense form folds it into
    the member-to-group table instead)."""
    v = unary(d, i, g)
    if pair_pen_group(d, g) and d.located[i]:
        v -= d.pen_w * s.far_count[g, d.site[i]]
    return v


@njit(cache=True)
def pair_back(d: Data, i: int, j: int, gi: int, gj: int) -> float:
    """What a swap of i (in gi) and j (in gj) gives back of the pair penalties that the move
    gains counted between i and j (each moves away from the other)."""
    v = 0.0
    if pair_pen_group(d, gi) and far_pair(d, i, j, gi):
        v += d.pen_w
    if pair_pen_group(d, gj) and far_pair(d, i, j, gj):
        v += d.pen_w
    return v


@njit(cache=True)
def gain(d: Data, s: State, i: int, g: int) -> float:
    """Affinity of member i to the members of group g other than i, less distance penalties."""
    if d.dense:
        return s.m_table[i, g]
    v = 0.0
    for t in range(d.k):
        v += d.feat_w[i, t] * s.s_table[g, t]
    if s.assign[i] == g:
        v -= d.self_sim[i]
    if d.has_pen:
        v += penalty_of(d, s, i, g)
    return v


@njit(cache=True)
def objective(d: Data, s: State) -> float:
    total = 0.0
    for i in range(d.n):
        if s.assign[i] >= 0:
            total += gain(d, s, i, s.assign[i])
            if d.has_pen:
                # Pair terms are counted from both sides, a member's home penalty only once.
                total += unary(d, i, s.assign[i])
    return 0.5 * total


# --------------------------------------------------------------------------- constraints


@njit(cache=True)
def is_conflict(d: Data, i: int, j: int) -> bool:
    lo = d.conf_ptr[i]
    hi = d.conf_ptr[i + 1]
    while lo < hi:
        mid = (lo + hi) // 2
        v = d.conf_idx[mid]
        if v == j:
            return True
        if v < j:
            lo = mid + 1
        else:
            hi = mid
    return False


@njit(cache=True)
def _tz_min_without(d: Data, s: State, g: int, out: int) -> int:
    lo = s.tz_min[g]
    if out >= 0 and d.tz_rank[out] == lo and s.tz_count[g, lo] == 1:
        if s.size[g] == 1:
            return -1
        b = lo + 1
        while s.tz_count[g, b] == 0:
            b += 1
        return b
    return lo


@njit(cache=True)
def _tz_max_without(d: Data, s: State, g: int, out: int) -> int:
    hi = s.tz_max[g]
    if out >= 0 and d.tz_rank[out] == hi and s.tz_count[g, hi] == 1:
        if s.size[g] == 1:
            return -1
        b = hi - 1
        while s.tz_count[g, b] == 0:
            b -= 1
        return b
    return hi


@njit(cache=True)
def _and_without(d: Data, s: State, g: int, out: int) -> np.int64:
    remaining = s.size[g] - 1
    m = np.int64(0)
    for b in range(d.n_bits):
        c = s.fmt_count[g, b] - ((d.fmt_mask[out] >> b) & 1)
        if c == remaining:
            m |= np.int64(1) << b
    return m


@njit(cache=True)
def can_enter(d: Data, s: State, j: int, g: int, out: int) -> bool:
    """Whether j may join g while member ``out`` of g (or nobody, -1) leaves; sizes excluded."""
    if d.has_static and not d.allowed[j, g]:
        return False
    if d.has_conf:
        c = s.conf_count[j, g]
        if c > 0:
            if out >= 0 and is_conflict(d, j, out):
                c -= 1
            if c > 0:
                return False
    remaining = s.size[g] - (1 if out >= 0 else 0)
    if remaining == 0:
        return True
    if d.has_cat and s.group_cat[g] != d.category[j]:
        return False
    if d.has_tz:
        lo = _tz_min_without(d, s, g, out)
        hi = _tz_max_without(d, s, g, out)
        t = d.tz_values[d.tz_rank[j]]
        lo_v = min(d.tz_values[lo], t)
        hi_v = max(d.tz_values[hi], t)
        if hi_v - lo_v > d.tz_limit:
            return False
    if d.has_fmt:
        m = s.fmt_and[g] if out < 0 else _and_without(d, s, g, out)
        if (m & d.fmt_mask[j]) == 0:
            return False
    if d.has_far and d.geo_kind[g] == 1 and not d.geo_home[g]:
        c = s.far_count[g, d.site[j]]
        if c > 0:
            if out >= 0 and far_pair(d, j, out, g):
                c -= 1
            if c > 0:
                return False
    if d.has_tw:
        bits = d.tw_bits
        if out < 0:
            base = s.tw_and
            row = g
        else:
            base = s.tw_wo
            row = out
        # A plain loop: the compiled kernels take no generator expressions.
        for w in range(d.n_words):  # noqa: SIM110
            if base[row, w] & bits[j, w]:
                return True
        return False
    return True


@njit(cache=True)
def _tw_refresh(d: Data, s: State, h: int) -> None:
    """Recompute group h's common start slots, and each member's "without me" slots."""
    m = s.size[h]
    bits = d.tw_bits
    for w in range(d.n_words):
        acc = ~np.uint64(0)
        for q in range(m):
            acc &= bits[s.members[h, q], w]
        s.tw_and[h, w] = acc
        for q in range(m):
            other = ~np.uint64(0)
            for r in range(m):
                if r != q:
                    other &= bits[s.members[h, r], w]
            s.tw_wo[s.members[h, q], w] = other


@njit(cache=True)
def _far_update(d: Data, s: State, i: int, h: int, step: int) -> None:
    """Add (step 1) or remove (step -1) member i's pairwise-distance counts in group h."""
    if d.geo_kind[h] == 0 or d.geo_home[h] or not d.located[i]:
        return
    su = d.site_unit
    u = d.unit
    lim = d.cos_lim[h]
    fc = s.far_count
    for t in range(su.shape[0]):
        if su[t, 0] * u[i, 0] + su[t, 1] * u[i, 1] + su[t, 2] * u[i, 2] < lim:
            fc[h, t] += step


@njit(cache=True)
def _pair_pen_rows(d: Data, s: State, i: int, h: int, sign: float) -> None:
    """Dense form: add ``sign`` times member i's pair penalties to every member's gain to h."""
    if not d.located[i]:
        return
    m_tab = s.m_table
    u = d.unit
    lim = d.cos_lim[h]
    w = sign * d.pen_w
    for v in range(d.n):
        if d.located[v] and u[v, 0] * u[i, 0] + u[v, 1] * u[i, 1] + u[v, 2] * u[i, 2] < lim:
            m_tab[v, h] -= w


# --------------------------------------------------------------------------- state updates


@njit(cache=True)
def _fmt_and_of(d: Data, s: State, g: int) -> np.int64:
    m = np.int64(0)
    for b in range(d.n_bits):
        if s.fmt_count[g, b] == s.size[g]:
            m |= np.int64(1) << b
    return m


@njit(cache=True)
def insert(d: Data, s: State, i: int, h: int) -> None:
    if d.dense:
        m_tab = s.m_table
        aff = d.affinity
        for u in range(d.n):
            m_tab[u, h] += aff[i, u]
        if d.has_pen and pair_pen_group(d, h):
            _pair_pen_rows(d, s, i, h, 1.0)
    else:
        s_tab = s.s_table
        feat = d.feat
        for t in range(d.k):
            s_tab[h, t] += feat[i, t]
    _insert_counts(d, s, i, h)


@njit(cache=True)
def _insert_counts(d: Data, s: State, i: int, h: int) -> None:
    """insert() without the affinity tables: the rest of what a member brings to group h."""
    if d.has_conf:
        cc = s.conf_count
        ci = d.conf_idx
        for p in range(d.conf_ptr[i], d.conf_ptr[i + 1]):
            cc[ci[p], h] += 1
    if d.has_cat and s.size[h] == 0:
        s.group_cat[h] = d.category[i]
    s.size[h] += 1
    s.assign[i] = h
    if d.has_tz:
        b = d.tz_rank[i]
        s.tz_count[h, b] += 1
        if s.size[h] == 1:
            s.tz_min[h] = b
            s.tz_max[h] = b
        else:
            s.tz_min[h] = min(s.tz_min[h], b)
            s.tz_max[h] = max(s.tz_max[h], b)
    if d.has_fmt:
        for b in range(d.n_bits):
            s.fmt_count[h, b] += (d.fmt_mask[i] >> b) & 1
        s.fmt_and[h] = _fmt_and_of(d, s, h)
    if d.lists:
        p = s.size[h] - 1
        s.members[h, p] = i
        s.pos[i] = p
    if d.has_far:
        _far_update(d, s, i, h, np.int64(1))
    if d.has_tw:
        _tw_refresh(d, s, h)


@njit(cache=True)
def remove(d: Data, s: State, i: int) -> None:
    g = s.assign[i]
    if d.dense:
        m_tab = s.m_table
        aff = d.affinity
        for u in range(d.n):
            m_tab[u, g] -= aff[i, u]
        if d.has_pen and pair_pen_group(d, g):
            _pair_pen_rows(d, s, i, g, -1.0)
    else:
        s_tab = s.s_table
        feat = d.feat
        for t in range(d.k):
            s_tab[g, t] -= feat[i, t]
    if d.has_conf:
        cc = s.conf_count
        ci = d.conf_idx
        for p in range(d.conf_ptr[i], d.conf_ptr[i + 1]):
            cc[ci[p], g] -= 1
    if d.lists:
        last = s.members[g, s.size[g] - 1]
        p = s.pos[i]
        s.members[g, p] = last
        s.pos[last] = p
    s.size[g] -= 1
    s.assign[i] = -1
    if d.has_tz:
        b = d.tz_rank[i]
        s.tz_count[g, b] -= 1
        if s.size[g] == 0:
            s.tz_min[g] = -1
            s.tz_max[g] = -1
        else:
            if b == s.tz_min[g] and s.tz_count[g, b] == 0:
                c = b + 1
                while s.tz_count[g, c] == 0:
                    c += 1
                s.tz_min[g] = c
            if b == s.tz_max[g] and s.tz_count[g, b] == 0:
                c = b - 1
                while s.tz_count[g, c] == 0:
                    c -= 1
                s.tz_max[g] = c
    if d.has_fmt:
        for b in range(d.n_bits):
            s.fmt_count[g, b] -= (d.fmt_mask[i] >> b) & 1
        s.fmt_and[g] = _fmt_and_of(d, s, g)
    if d.has_far:
        _far_update(d, s, i, g, np.int64(-1))
    if d.has_tw:
        _tw_refresh(d, s, g)
        for w in range(d.n_words):
            s.tw_wo[i, w] = ~np.uint64(0)


@njit(cache=True)
def move(d: Data, s: State, i: int, h: int) -> None:
    remove(d, s, i)
    insert(d, s, i, h)


@njit(cache=True)
def swap(d: Data, s: State, i: int, j: int) -> None:
    gi = s.assign[i]
    gj = s.assign[j]
    remove(d, s, i)
    remove(d, s, j)
    insert(d, s, i, gj)
    insert(d, s, j, gi)


@njit(cache=True)
def reset(d: Data, s: State) -> None:
    """Empty every table; the assignment array is kept for ``rebuild``."""
    s.size[:] = 0
    if d.dense:
        s.m_table[:, :] = 0.0
        if d.has_pen:
            # Home penalties do not depend on the other members: they are the table's base.
            for g in range(d.n_groups):
                if d.geo_kind[g] == 2 and d.geo_home[g]:
                    for i in range(d.n):
                        s.m_table[i, g] = unary(d, i, g)
    else:
        s.s_table[:, :] = 0.0
    if d.has_far:
        s.far_count[:, :] = 0
    if d.has_tw:
        s.tw_and[:, :] = ~np.uint64(0)
        s.tw_wo[:, :] = ~np.uint64(0)
    if d.has_conf:
        s.conf_count[:, :] = 0
    if d.has_tz:
        s.tz_count[:, :] = 0
        s.tz_min[:] = -1
        s.tz_max[:] = -1
    if d.has_fmt:
        s.fmt_count[:, :] = 0
        s.fmt_and[:] = (np.int64(1) << d.n_bits) - 1
    s.group_cat[:] = -1


@njit(cache=True)
def rebuild(d: Data, s: State, assign: np.ndarray) -> None:
    """Recompute every table from scratch for ``assign`` (entries of -1 stay unplaced)."""
    reset(d, s)
    s.assign[:] = -1
    if d.dense:
        # A full rebuild is O(n^2) either way; filling column sums directly avoids n row updates.
        m_tab = s.m_table
        aff = d.affinity
        for u in range(d.n):
            for i in range(d.n):
                h = assign[i]
                if h >= 0:
                    m_tab[u, h] += aff[i, u]
        for i in range(d.n):
            h = assign[i]
            if h >= 0:
                # The affinity tables were filled in bulk above.
                _insert_counts(d, s, i, h)
                if d.has_pen and pair_pen_group(d, h):
                    _pair_pen_rows(d, s, i, h, 1.0)
    else:
        for i in range(d.n):
            if assign[i] >= 0:
                insert(d, s, i, assign[i])


# --------------------------------------------------------------------------- the plain path

# A problem with no side constraint and no penalty (MDGPLIB, say) keeps no table but the
# affinity table, the sizes and the member lists. The tabu search then moves members through
# these functions, which take those arrays alone: move() and swap() take the whole Data tuple
# (more than 40 fields since geography and meeting windows) and test every flag, which cost the
# plain search about 15% of its speed. They do exactly what move(), swap(),
# rebuild(), perturb() and objective() do on such a problem, in the same order, so a run gives
# the same result either way.


@njit(cache=True)
def is_plain(d: Data) -> bool:
    """No constraint but sizes and no penalty: only the affinity table and the lists are kept
    (dense form, with member lists)."""
    constrained = d.has_conf or d.has_tz or d.has_fmt or d.has_cat
    constrained = constrained or d.has_static or d.has_far or d.has_tw or d.has_pen
    return d.dense and d.lists and not constrained


@njit(cache=True)
def _remove_plain(
    aff: np.ndarray,
    m_tab: np.ndarray,
    assign: np.ndarray,
    size: np.ndarray,
    members: np.ndarray,
    pos: np.ndarray,
    i: int,
) -> None:
    g = assign[i]
    for u in range(m_tab.shape[0]):
        m_tab[u, g] -= aff[i, u]
    last = members[g, size[g] - 1]
    p = pos[i]
    members[g, p] = last
    pos[last] = p
    size[g] -= 1
    assign[i] = -1


@njit(cache=True)
def _insert_plain(
    aff: np.ndarray,
    m_tab: np.ndarray,
    assign: np.ndarray,
    size: np.ndarray,
    members: np.ndarray,
    pos: np.ndarray,
    i: int,
    h: int,
) -> None:
    for u in range(m_tab.shape[0]):
        m_tab[u, h] += aff[i, u]
    size[h] += 1
    assign[i] = h
    p = size[h] - 1
    members[h, p] = i
    pos[i] = p


@njit(cache=True)
def _apply_plain(
    aff: np.ndarray,
    m_tab: np.ndarray,
    assign: np.ndarray,
    size: np.ndarray,
    members: np.ndarray,
    pos: np.ndarray,
    i: int,
    j: int,
    h: int,
) -> None:
    """move(i, h) when j < 0, else swap(i, j)."""
    if j < 0:
        _remove_plain(aff, m_tab, assign, size, members, pos, i)
        _insert_plain(aff, m_tab, assign, size, members, pos, i, h)
        return
    gi = assign[i]
    gj = assign[j]
    _remove_plain(aff, m_tab, assign, size, members, pos, i)
    _remove_plain(aff, m_tab, assign, size, members, pos, j)
    _insert_plain(aff, m_tab, assign, size, members, pos, i, gj)
    _insert_plain(aff, m_tab, assign, size, members, pos, j, gi)


@njit(cache=True)
def _rebuild_plain(
    aff: np.ndarray,
    m_tab: np.ndarray,
    assign: np.ndarray,
    size: np.ndarray,
    members: np.ndarray,
    pos: np.ndarray,
    target: np.ndarray,
) -> None:
    size[:] = 0
    m_tab[:, :] = 0.0
    assign[:] = -1
    n = m_tab.shape[0]
    for u in range(n):
        for i in range(n):
            h = target[i]
            if h >= 0:
                m_tab[u, h] += aff[i, u]
    for i in range(n):
        h = target[i]
        if h >= 0:
            size[h] += 1
            assign[i] = h
            p = size[h] - 1
            members[h, p] = i
            pos[i] = p


@njit(cache=True)
def _perturb_plain(
    aff: np.ndarray,
    m_tab: np.ndarray,
    assign: np.ndarray,
    size: np.ndarray,
    members: np.ndarray,
    pos: np.ndarray,
    idx: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    rng: np.ndarray,
    strength: int,
) -> None:
    m = idx.shape[0]
    n_groups = size.shape[0]
    if m == 0 or n_groups < 2:
        return
    done = 0
    tries = 0
    while done < strength and tries < 50 * strength:
        tries += 1
        i = idx[rng_int(rng, m)]
        gi = assign[i]
        if rng_float(rng) < 0.5:
            j = idx[rng_int(rng, m)]
            if assign[j] == gi:
                continue
            _apply_plain(aff, m_tab, assign, size, members, pos, i, j, np.int64(-1))
            done += 1
        else:
            h = rng_int(rng, n_groups - 1)
            if h >= gi:
                h += 1
            if size[gi] <= lb[gi] or size[h] >= ub[h]:
                continue
            _apply_plain(aff, m_tab, assign, size, members, pos, i, np.int64(-1), h)
            done += 1


@njit(cache=True)
def _objective_plain(m_tab: np.ndarray, assign: np.ndarray) -> float:
    total = 0.0
    for i in range(assign.shape[0]):
        if assign[i] >= 0:
            total += m_tab[i, assign[i]]
    return 0.5 * total


# --------------------------------------------------------------------------- construction


@njit(cache=True)
def construct(d: Data, s: State, order: np.ndarray, rng: np.ndarray, noise: float) -> int:
    """Greedy placement of the unplaced members in ``order``.

    Each member goes to the feasible group where its affinity gain is largest (ties broken at
    random; with probability ``noise`` gains are ignored). Groups below their lower bound are
    preferred, so that every group gets a core before any grows to its upper bound: filling
    groups one after the other would leave the last, hardest members with only a few nearly
    empty groups to choose from. Once the members left are just enough to bring every group up to
    its lower bound, they may only go to groups still below it. Returns -1 on success or the
    member that could not be placed.
    """
    deficit = 0
    for g in range(d.n_groups):
        if s.size[g] < d.lb[g]:
            deficit += d.lb[g] - s.size[g]
    remaining = 0
    for i in order:
        if s.assign[i] < 0:
            remaining += 1
    gbuf = np.zeros(d.n_groups)
    for i in order:
        if s.assign[i] >= 0:
            continue
        _gains_of(d, s, i, gbuf)
        must_fill = remaining <= deficit
        wild = noise > 0.0 and rng_float(rng) < noise
        best_g = np.int64(-1)
        for tier in range(2):
            if tier == 1 and must_fill:
                break
            best = NEG_INF
            ties = 0
            for h in range(d.n_groups):
                cap = d.lb[h] if tier == 0 else d.ub[h]
                if s.size[h] >= cap:
                    continue
                v = 0.0 if wild else gbuf[h]
                if v < best:
                    continue
                if not can_enter(d, s, i, h, np.int64(-1)):
                    continue
                if v > best:
                    best = v
                    best_g = h
                    ties = 1
                else:
                    ties += 1
                    if rng_int(rng, ties) == 0:
                        best_g = h
            if best_g >= 0:
                break
        if best_g < 0:
            if not d.lists:
                return i
            # Ejection: take the place of a member who can move to a cohort with room.
            h2 = _eject_into(d, s, i, rng, must_fill)
            if h2 < 0:
                return i
            if s.size[h2] <= d.lb[h2]:
                deficit -= 1
            remaining -= 1
            continue
        if s.size[best_g] < d.lb[best_g]:
            deficit -= 1
        remaining -= 1
        insert(d, s, i, best_g)
    return -1


@njit(cache=True)
def _eject_into(d: Data, s: State, i: int, rng: np.ndarray, must_fill: bool) -> int:
    """Place unplaced member i in some group h in the stead of a movable member j, who moves to
    another group h2 with room (below its lower bound when ``must_fill``); returns h2, or -1 when
    no such pair exists. Starts at a random group so that repeated constructions try different
    ejections."""
    g_count = d.n_groups
    first = rng_int(rng, g_count)
    for a in range(g_count):
        h = (first + a) % g_count
        if d.has_static and not d.allowed[i, h]:
            continue
        for q in range(s.size[h]):
            j = s.members[h, q]
            if not d.movable[j] or not can_enter(d, s, i, h, j):
                continue
            for b in range(g_count):
                h2 = (first + b) % g_count
                if h2 == h or s.size[h2] >= (d.lb[h2] if must_fill else d.ub[h2]):
                    continue
                if can_enter(d, s, j, h2, np.int64(-1)):
                    remove(d, s, j)
                    insert(d, s, j, h2)
                    insert(d, s, i, h)
                    return h2
    return -1


# --------------------------------------------------------------------------- repair

# When greedy construction keeps failing, a partial assignment is repaired by a search over
# partial legal assignments: every step places one unplaced member in a cohort, first taking out
# of that cohort the movable members whose presence forbids it (they become unplaced in turn),
# choosing the member and cohort for which those members weigh least; a member's weight grows
# with every step it spends unplaced, so that members hard to place end up placed and easy ones
# are taken out instead. A member taken out of a cohort may not return to it for a random
# tenure. The search ends when no member is left unplaced.

R_STEP = 0  # repair ctl slots: steps done so far
R_SAMPLE = 2  # unplaced members examined per step at most


@njit(cache=True)
def _blocks(d: Data, i: int, j: int, h: int) -> bool:
    """Member j forbids member i from joining group h whatever else is in it."""
    if d.has_conf and is_conflict(d, i, j):
        return True
    if d.has_cat and d.category[i] != d.category[j]:
        return True
    if d.has_tz and abs(d.tz_values[d.tz_rank[i]] - d.tz_values[d.tz_rank[j]]) > d.tz_limit:
        return True
    return d.has_far and d.geo_kind[h] == 1 and not d.geo_home[h] and far_pair(d, i, j, h)


@njit(cache=True)
def _shares(d: Data, j: int, b: int, w: int, c: int) -> bool:
    """Member j has format bit b (any, when b < 0) and start-slot bit c of word w (any, when
    c < 0)."""
    if b >= 0 and (d.fmt_mask[j] >> b) & 1 == 0:
        return False
    return c < 0 or (d.tw_bits[j, w] >> np.uint64(c)) & np.uint64(1) != np.uint64(0)


@njit(cache=True)
def _evictions(
    d: Data,
    s: State,
    i: int,
    h: int,
    must_fill: bool,
    out: np.ndarray,
    mark: np.ndarray,
    rng: np.ndarray,
    weight: np.ndarray,
    bound: int,
) -> int:
    """The movable members of h to take out so that i may join h, written to ``out``; returns
    their number, or -1 when members that cannot move stand in the way. Takes out every member
    who forbids i by itself, then, when the remaining members share no format or start slot
    with i, those outside the largest group sharing one format and one slot with i, then one
    more member when h would exceed its upper bound. Returns -1 as well as soon as the weights
    of the members taken out exceed ``bound`` (the cost of the best choice found so far).
    ``mark`` is all False on entry and exit."""
    if d.has_static and not d.allowed[i, h]:
        return -1
    size = s.size[h]
    k = 0
    cost = np.int64(0)
    for q in range(size):
        j = s.members[h, q]
        if _blocks(d, i, j, h):
            if not d.movable[j]:
                for r in range(k):
                    mark[out[r]] = False
                return -1
            out[k] = j
            mark[j] = True
            k += 1
            cost += weight[j]
    if cost > bound:
        for r in range(k):
            mark[out[r]] = False
        return -1
    # Formats and start slots: the members kept need one in common with i.
    fmt_ok = True
    if d.has_fmt:
        acc = d.fmt_mask[i]
        for q in range(size):
            j = s.members[h, q]
            if not mark[j]:
                acc &= d.fmt_mask[j]
        fmt_ok = acc != 0
    tw_ok = True
    if d.has_tw:
        tw_ok = False
        for w in range(d.n_words):
            acc_w = d.tw_bits[i, w]
            for q in range(size):
                j = s.members[h, q]
                if not mark[j]:
                    acc_w &= d.tw_bits[j, w]
            if acc_w != np.uint64(0):
                tw_ok = True
                break
    if not (fmt_ok and tw_ok):
        best_keep = np.int64(-1)
        best_b = np.int64(-1)
        best_w = np.int64(0)
        best_c = np.int64(-1)
        n_b = d.n_bits if d.has_fmt else 1
        n_w = d.n_words if d.has_tw else 1
        n_c = 64 if d.has_tw else 1
        kept = np.int64(size - k)
        for bb in range(n_b):
            b = np.int64(bb) if d.has_fmt else np.int64(-1)
            if b >= 0 and (d.fmt_mask[i] >> b) & 1 == 0:
                continue
            for w in range(n_w):
                for cc in range(n_c):
                    c = np.int64(cc) if d.has_tw else np.int64(-1)
                    if not _shares(d, i, b, w, c):
                        continue
                    keep = np.int64(0)
                    for q in range(size):
                        j = s.members[h, q]
                        if mark[j]:
                            continue
                        if _shares(d, j, b, w, c):
                            keep += 1
                        elif not d.movable[j]:
                            keep = np.int64(-1)
                            break
                    if keep > best_keep:
                        best_keep, best_b, best_w, best_c = keep, b, np.int64(w), c
                    if best_keep == kept:
                        break
                if best_keep == kept:
                    break
            if best_keep == kept:
                break
        if best_keep < 0:
            for r in range(k):
                mark[out[r]] = False
            return -1
        for q in range(size):
            j = s.members[h, q]
            if not mark[j] and not _shares(d, j, best_b, best_w, best_c):
                out[k] = j
                mark[j] = True
                k += 1
    # Room: h may not exceed its upper bound, nor grow past its lower bound while the unplaced
    # members are all needed for groups below theirs (``must_fill``).
    limit = min(d.ub[h], max(d.lb[h], size)) if must_fill else d.ub[h]
    if size - k + 1 > limit:
        # One more must leave: a movable member who can join a group below its lower bound as
        # it stands, else a random movable one.
        first = rng_int(rng, max(size, np.int64(1)))
        pick = np.int64(-1)
        for a in range(size):
            j = s.members[h, (first + a) % size]
            if mark[j] or not d.movable[j]:
                continue
            if pick < 0:
                pick = j
            found = False
            for g in range(d.n_groups):
                if g != h and s.size[g] < d.lb[g] and can_enter(d, s, j, g, np.int64(-1)):
                    found = True
                    break
            if found:
                pick = j
                break
        if pick < 0:
            for r in range(k):
                mark[out[r]] = False
            return -1
        out[k] = pick
        mark[pick] = True
        k += 1
    for r in range(k):
        mark[out[r]] = False
    return k


@njit(cache=True)
def repair(
    d: Data,
    s: State,
    rng: np.ndarray,
    steps: int,
    ctl: np.ndarray,
    tabu_group: np.ndarray,
    tabu_until: np.ndarray,
    weight: np.ndarray,
) -> int:
    """Run up to ``steps`` repair steps (see above) on the partial assignment in ``s``; returns
    how many members are still unplaced. ``tabu_group[j]`` is the group j was last taken out
    of and ``tabu_until[j]`` the step until which j may not return to it; ``ctl[R_STEP]`` counts
    the steps across calls. Every step keeps the invariant that the unplaced members suffice
    to bring every group up to its lower bound, so no group is short once all are placed."""
    n = d.n
    pool = np.empty(n, dtype=np.int64)
    mark = np.zeros(n, dtype=np.bool_)
    cap = s.members.shape[1] + 1
    cand = np.empty(cap, dtype=np.int64)
    best_out = np.empty(cap, dtype=np.int64)
    unplaced = np.int64(0)
    for i in d.movable_idx:
        if s.assign[i] < 0:
            pool[unplaced] = i
            unplaced += 1
    for _ in range(steps):
        if unplaced == 0:
            return 0
        deficit = np.int64(0)
        for g in range(d.n_groups):
            if s.size[g] < d.lb[g]:
                deficit += d.lb[g] - s.size[g]
        must_fill = unplaced <= deficit
        step = ctl[R_STEP]
        ctl[R_STEP] = step + 1
        best_cost = np.int64(1) << 60
        best_p = np.int64(-1)
        best_h = np.int64(-1)
        best_k = np.int64(0)
        ties = 0
        looks = min(unplaced, R_SAMPLE)
        for t in range(looks):
            p = np.int64(t) if unplaced <= R_SAMPLE else rng_int(rng, unplaced)
            i = pool[p]
            for h in range(d.n_groups):
                extra = np.int64(0)
                if tabu_group[i] == h and tabu_until[i] > step:
                    extra = np.int64(1) << 40
                k = _evictions(d, s, i, h, must_fill, cand, mark, rng, weight, best_cost - extra)
                if k < 0:
                    continue
                cost = extra
                for r in range(k):
                    cost += weight[cand[r]]
                if cost < best_cost:
                    best_cost = cost
                    ties = 1
                elif cost == best_cost:
                    ties += 1
                    if rng_int(rng, ties) != 0:
                        continue
                else:
                    continue
                best_p, best_h, best_k = p, np.int64(h), k
                for r in range(k):
                    best_out[r] = cand[r]
        for t in range(unplaced):
            weight[pool[t]] += 1
        if best_p < 0:
            continue
        i = pool[best_p]
        unplaced -= 1
        pool[best_p] = pool[unplaced]
        tenure = 1 + rng_int(rng, np.int64(10)) + (6 * unplaced) // 10
        for r in range(best_k):
            j = best_out[r]
            remove(d, s, j)
            tabu_group[j] = best_h
            tabu_until[j] = step + tenure
            pool[unplaced] = j
            unplaced += 1
        if s.size[best_h] < d.ub[best_h] and can_enter(d, s, i, best_h, np.int64(-1)):
            insert(d, s, i, best_h)
        else:
            pool[unplaced] = i
            unplaced += 1
            tabu_group[i] = best_h
            tabu_until[i] = step + tenure
    return unplaced


# --------------------------------------------------------------------------- perturbation


@njit(cache=True)
def perturb(d: Data, s: State, rng: np.ndarray, strength: int) -> int:
    """Apply up to ``strength`` random feasible moves or swaps; returns how many were applied."""
    m = d.movable_idx.shape[0]
    if m == 0 or d.n_groups < 2:
        return 0
    done = 0
    tries = 0
    while done < strength and tries < 50 * strength:
        tries += 1
        i = d.movable_idx[rng_int(rng, m)]
        gi = s.assign[i]
        if rng_float(rng) < 0.5:
            j = d.movable_idx[rng_int(rng, m)]
            gj = s.assign[j]
            if gj == gi:
                continue
            if can_enter(d, s, j, gi, i) and can_enter(d, s, i, gj, j):
                swap(d, s, i, j)
                done += 1
        else:
            h = rng_int(rng, d.n_groups - 1)
            if h >= gi:
                h += 1
            if s.size[gi] <= d.lb[gi] or s.size[h] >= d.ub[h]:
                continue
            if can_enter(d, s, i, h, np.int64(-1)):
                move(d, s, i, h)
                done += 1
    return done


# --------------------------------------------------------------------------- iterated tabu search

# ctl slots shared by both searches
IT = 0  # iterations done so far (the deterministic budget counter)
SINCE = 1  # iterations since the round's best improved (tabu) / position in the pass (descent)
FAILS = 2  # consecutive rounds without a new overall best
ROUNDS = 3
IMPROVED = 4  # descent: whether the current pass applied a move
BACK = 6  # tabu: a round starts from the overall best every BACK failed rounds (set by caller)
# fctl slots
F_CUR = 0
F_BEST = 1
F_ROUND = 2


@njit(cache=True, nogil=True)
def tabu_chunk(
    d: Data,
    s: State,
    tabu: np.ndarray,
    best_assign: np.ndarray,
    rng: np.ndarray,
    ctl: np.ndarray,
    fctl: np.ndarray,
    n_iter: int,
    depth: int,
    tenure_lo: int,
    tenure_span: int,
    pert_lo: int,
    pert_span: int,
    restart_every: int,
    gmax: np.ndarray,
    two_amin: float,
) -> None:
    """Run ``n_iter`` iterations of iterated tabu search over the move and swap neighbourhoods.

    Dense form only. One iteration evaluates the whole one-move and swap neighbourhood of the
    current solution and applies its best admissible move (tabu moves are admitted only when they
    give a new overall best). A round ends after ``depth`` iterations without improving the
    round's best; the next one starts under a random perturbation from the current solution,
    from the overall best every ``ctl[BACK]`` failed rounds, or from a fresh randomised
    construction every ``restart_every`` failed rounds.

    Swaps are enumerated by cohort pair through the member lists (``d.lists`` must be set), and
    a member's swaps into cohort h are skipped at once when even the best possible partner could
    not reach the best delta found so far: ``gmax[h, g]`` is the most any member of h gains by
    moving to g, and ``two_amin`` twice the smallest affinity, so
    ``M[i, h] - M[i, g] + gmax[h, g] - two_amin`` bounds every swap of i (in g) into h.
    """
    # Arrays are unpacked once: reading them through the named tuple inside the hot loops
    # defeats the compiler's optimisations and costs two orders of magnitude.
    idx = d.movable_idx
    n_mov = idx.shape[0]
    n_groups = d.n_groups
    aff = d.affinity
    lb = d.lb
    ub = d.ub
    m_tab = s.m_table
    assign = s.assign
    size = s.size
    members = s.members
    movable = d.movable
    pos = s.pos
    constrained = d.has_conf or d.has_tz or d.has_fmt or d.has_cat
    constrained = constrained or d.has_static or d.has_far or d.has_tw
    plain = is_plain(d)
    for _ in range(n_iter):
        gmax[:, :] = NEG_INF
        for a in range(n_mov):
            j = idx[a]
            gj = assign[j]
            base = m_tab[j, gj]
            for h in range(n_groups):
                v = m_tab[j, h] - base
                if v > gmax[gj, h]:
                    gmax[gj, h] = v
        it = ctl[IT]
        ctl[IT] = it + 1
        f = fctl[F_CUR]
        f_best = fctl[F_BEST]
        eps = 1e-9 * (1.0 + abs(f_best))
        best_delta = NEG_INF
        bi = np.int64(-1)
        bj = np.int64(-1)
        bh = np.int64(-1)
        ties = 0
        for a in range(n_mov):
            i = idx[a]
            gi = assign[i]
            in_i = m_tab[i, gi]
            if size[gi] > lb[gi]:
                for h in range(n_groups):
                    if h == gi or size[h] >= ub[h]:
                        continue
                    delta = m_tab[i, h] - in_i
                    if delta < best_delta:
                        continue
                    if tabu[i, h] > it and f + delta <= f_best + eps:
                        continue
                    if constrained and not can_enter(d, s, i, h, np.int64(-1)):
                        continue
                    if delta > best_delta:
                        best_delta = delta
                        bi = i
                        bj = np.int64(-1)
                        bh = h
                        ties = 1
                    else:
                        ties += 1
                        if rng_int(rng, ties) == 0:
                            bi = i
                            bj = np.int64(-1)
                            bh = h
            for gj in range(gi + 1, n_groups):
                di = m_tab[i, gj] - in_i
                if di + gmax[gj, gi] - two_amin < best_delta:
                    continue
                for q in range(size[gj]):
                    j = members[gj, q]
                    if not movable[j]:
                        continue
                    # Same association as gmax, so that the bound holds exactly in floating point.
                    delta = di + (m_tab[j, gi] - m_tab[j, gj]) - 2.0 * aff[i, j]
                    if delta < best_delta:
                        continue
                    if (tabu[i, gj] > it or tabu[j, gi] > it) and f + delta <= f_best + eps:
                        continue
                    if constrained and not (
                        can_enter(d, s, j, gi, i) and can_enter(d, s, i, gj, j)
                    ):
                        continue
                    if delta > best_delta:
                        best_delta = delta
                        bi = i
                        bj = j
                        bh = gj
                        ties = 1
                    else:
                        ties += 1
                        if rng_int(rng, ties) == 0:
                            bi = i
                            bj = j
                            bh = gj
        if bi >= 0:
            gi = assign[bi]
            if plain:
                _apply_plain(aff, m_tab, assign, size, members, pos, bi, bj, bh)
            elif bj < 0:
                move(d, s, bi, bh)
            else:
                swap(d, s, bi, bj)
            if bj >= 0:
                tabu[bj, bh] = it + tenure_lo + rng_int(rng, tenure_span)
            tabu[bi, gi] = it + tenure_lo + rng_int(rng, tenure_span)
            f += best_delta
            fctl[F_CUR] = f
        if f > fctl[F_ROUND] + eps:
            fctl[F_ROUND] = f
            ctl[SINCE] = 0
        else:
            ctl[SINCE] += 1
        if f > f_best + eps:
            fctl[F_BEST] = f
            best_assign[:] = assign
            ctl[FAILS] = 0
        if ctl[SINCE] >= depth:
            _next_round(d, s, best_assign, rng, ctl, fctl, pert_lo, pert_span, restart_every)


@njit(cache=True, nogil=True)
def tabu_chunk_pen(
    d: Data,
    s: State,
    tabu: np.ndarray,
    best_assign: np.ndarray,
    rng: np.ndarray,
    ctl: np.ndarray,
    fctl: np.ndarray,
    n_iter: int,
    depth: int,
    tenure_lo: int,
    tenure_span: int,
    pert_lo: int,
    pert_span: int,
    restart_every: int,
    gmax: np.ndarray,
    two_amin: float,
) -> None:
    """:func:`tabu_chunk` for problems with hybrid pair penalties (``d.has_pen``): a swap also
    gives back the pair penalties between the two members it exchanges. A separate kernel, not
    a branch in tabu_chunk: even an untaken branch in its innermost loop cost MDGPLIB 15-30% of
    its iterations per second.

    Run ``n_iter`` iterations of iterated tabu search over the move and swap neighbourhoods.

    Dense form only. One iteration evaluates the whole one-move and swap neighbourhood of the
    current solution and applies its best admissible move (tabu moves are admitted only when they
    give a new overall best). A round ends after ``depth`` iterations without improving the
    round's best; the next one starts under a random perturbation from the current solution,
    from the overall best every ``ctl[BACK]`` failed rounds, or from a fresh randomised
    construction every ``restart_every`` failed rounds.

    Swaps are enumerated by cohort pair through the member lists (``d.lists`` must be set), and
    a member's swaps into cohort h are skipped at once when even the best possible partner could
    not reach the best delta found so far: ``gmax[h, g]`` is the most any member of h gains by
    moving to g, and ``two_amin`` twice the smallest affinity, so
    ``M[i, h] - M[i, g] + gmax[h, g] - two_amin`` bounds every swap of i (in g) into h.
    """
    # Arrays are unpacked once: reading them through the named tuple inside the hot loops
    # defeats the compiler's optimisations and costs two orders of magnitude.
    idx = d.movable_idx
    n_mov = idx.shape[0]
    n_groups = d.n_groups
    aff = d.affinity
    lb = d.lb
    ub = d.ub
    m_tab = s.m_table
    assign = s.assign
    size = s.size
    members = s.members
    movable = d.movable
    constrained = d.has_conf or d.has_tz or d.has_fmt or d.has_cat
    constrained = constrained or d.has_static or d.has_far or d.has_tw
    two_pen = 2.0 * d.pen_w
    for _ in range(n_iter):
        gmax[:, :] = NEG_INF
        for a in range(n_mov):
            j = idx[a]
            gj = assign[j]
            base = m_tab[j, gj]
            for h in range(n_groups):
                v = m_tab[j, h] - base
                if v > gmax[gj, h]:
                    gmax[gj, h] = v
        it = ctl[IT]
        ctl[IT] = it + 1
        f = fctl[F_CUR]
        f_best = fctl[F_BEST]
        eps = 1e-9 * (1.0 + abs(f_best))
        best_delta = NEG_INF
        bi = np.int64(-1)
        bj = np.int64(-1)
        bh = np.int64(-1)
        ties = 0
        for a in range(n_mov):
            i = idx[a]
            gi = assign[i]
            in_i = m_tab[i, gi]
            if size[gi] > lb[gi]:
                for h in range(n_groups):
                    if h == gi or size[h] >= ub[h]:
                        continue
                    delta = m_tab[i, h] - in_i
                    if delta < best_delta:
                        continue
                    if tabu[i, h] > it and f + delta <= f_best + eps:
                        continue
                    if constrained and not can_enter(d, s, i, h, np.int64(-1)):
                        continue
                    if delta > best_delta:
                        best_delta = delta
                        bi = i
                        bj = np.int64(-1)
                        bh = h
                        ties = 1
                    else:
                        ties += 1
                        if rng_int(rng, ties) == 0:
                            bi = i
                            bj = np.int64(-1)
                            bh = h
            for gj in range(gi + 1, n_groups):
                di = m_tab[i, gj] - in_i
                if di + gmax[gj, gi] - two_amin < best_delta:
                    continue
                for q in range(size[gj]):
                    j = members[gj, q]
                    if not movable[j]:
                        continue
                    # Same association as gmax, so that the bound holds exactly in floating point.
                    delta = di + (m_tab[j, gi] - m_tab[j, gj]) - 2.0 * aff[i, j]
                    # A swap gives back at most two_pen of pair penalties: the cheap bound first.
                    if delta + two_pen < best_delta:
                        continue
                    delta += pair_back(d, i, j, gi, gj)
                    if delta < best_delta:
                        continue
                    if (tabu[i, gj] > it or tabu[j, gi] > it) and f + delta <= f_best + eps:
                        continue
                    if constrained and not (
                        can_enter(d, s, j, gi, i) and can_enter(d, s, i, gj, j)
                    ):
                        continue
                    if delta > best_delta:
                        best_delta = delta
                        bi = i
                        bj = j
                        bh = gj
                        ties = 1
                    else:
                        ties += 1
                        if rng_int(rng, ties) == 0:
                            bi = i
                            bj = j
                            bh = gj
        if bi >= 0:
            gi = assign[bi]
            if bj < 0:
                move(d, s, bi, bh)
            else:
                swap(d, s, bi, bj)
                tabu[bj, bh] = it + tenure_lo + rng_int(rng, tenure_span)
            tabu[bi, gi] = it + tenure_lo + rng_int(rng, tenure_span)
            f += best_delta
            fctl[F_CUR] = f
        if f > fctl[F_ROUND] + eps:
            fctl[F_ROUND] = f
            ctl[SINCE] = 0
        else:
            ctl[SINCE] += 1
        if f > f_best + eps:
            fctl[F_BEST] = f
            best_assign[:] = assign
            ctl[FAILS] = 0
        if ctl[SINCE] >= depth:
            _next_round(d, s, best_assign, rng, ctl, fctl, pert_lo, pert_span, restart_every)


@njit(cache=True)
def _next_round(
    d: Data,
    s: State,
    best_assign: np.ndarray,
    rng: np.ndarray,
    ctl: np.ndarray,
    fctl: np.ndarray,
    pert_lo: int,
    pert_span: int,
    restart_every: int,
) -> None:
    ctl[ROUNDS] += 1
    ctl[FAILS] += 1
    fresh = False
    back = ctl[BACK] <= 1 or ctl[FAILS] % ctl[BACK] == 0
    if restart_every > 0 and ctl[FAILS] % restart_every == 0:
        # A new random construction reaches parts of a constrained space that moves and swaps
        # starting from the best solution cannot (feasible regions may be disconnected).
        start = best_assign.copy()
        order = d.movable_idx.copy()
        for a in range(order.shape[0]):
            start[order[a]] = -1
        for a in range(order.shape[0] - 1, 0, -1):
            b = rng_int(rng, a + 1)
            tmp = order[a]
            order[a] = order[b]
            order[b] = tmp
        rebuild(d, s, start)
        fresh = construct(d, s, order, rng, 0.3) < 0
        # A failed construction leaves members unplaced: only the best is a safe fallback.
        back = back or not fresh
    plain = is_plain(d)
    if not fresh:
        # Between returns to the best, rounds continue from where the last one ended: a random
        # walk over local optima that strays further than kicks from the best alone.
        target = best_assign if back else s.assign.copy()
        strength = pert_lo + rng_int(rng, pert_span)
        if plain:
            aff = d.affinity
            m_tab = s.m_table
            assign = s.assign
            size = s.size
            members = s.members
            pos = s.pos
            _rebuild_plain(aff, m_tab, assign, size, members, pos, target)
            idx = d.movable_idx
            _perturb_plain(aff, m_tab, assign, size, members, pos, idx, d.lb, d.ub, rng, strength)
        else:
            rebuild(d, s, target)
            perturb(d, s, rng, strength)
    # Recomputing also removes the rounding drift of incremental updates.
    f = _objective_plain(s.m_table, s.assign) if plain else objective(d, s)
    fctl[F_CUR] = f
    fctl[F_ROUND] = f
    ctl[SINCE] = 0


@njit(cache=True)
def _gains_of(d: Data, s: State, i: int, out: np.ndarray) -> None:
    """out[g] = affinity of member i to the members of g other than i, for every group."""
    if d.dense:
        m_tab = s.m_table
        for h in range(d.n_groups):
            out[h] = m_tab[i, h]
        return
    fw = d.feat_w
    s_tab = s.s_table
    k = d.k
    for h in range(d.n_groups):
        v = 0.0
        for t in range(k):
            v += fw[i, t] * s_tab[h, t]
        out[h] = v
    gi = s.assign[i]
    if gi >= 0:
        out[gi] -= d.self_sim[i]
    if d.has_pen:
        for h in range(d.n_groups):
            out[h] += penalty_of(d, s, i, h)


@njit(cache=True)
def descent_chunk(
    d: Data,
    s: State,
    perm: np.ndarray,
    best_assign: np.ndarray,
    rng: np.ndarray,
    ctl: np.ndarray,
    fctl: np.ndarray,
    n_iter: int,
    n_cand: int,
    pert_lo: int,
    pert_span: int,
    cand: np.ndarray,
    cand_val: np.ndarray,
    gbuf: np.ndarray,
) -> None:
    """Iterated local search with a decomposed neighbourhood for large pools.

    One iteration examines one member: its best move to any group, and its best swap with a
    member of one of the ``n_cand`` groups it gains most from joining; the better of the two is
    applied when it improves. After a full pass over the members without improvement (a local
    optimum), the solution is kept if it is the best so far, otherwise the best is restored, and
    it is perturbed before the next pass.
    """
    n_mov = perm.shape[0]
    n_groups = d.n_groups
    dense = d.dense
    aff = d.affinity
    feat = d.feat
    fw = d.feat_w
    self_sim = d.self_sim
    k = d.k
    lb = d.lb
    ub = d.ub
    movable = d.movable
    m_tab = s.m_table
    s_tab = s.s_table
    assign = s.assign
    size = s.size
    members = s.members
    has_pen = d.has_pen
    two_pen = 2.0 * d.pen_w
    for _ in range(n_iter):
        ctl[IT] += 1
        p = ctl[SINCE]
        if p == 0:
            for a in range(n_mov - 1, 0, -1):
                b = rng_int(rng, a + 1)
                tmp = perm[a]
                perm[a] = perm[b]
                perm[b] = tmp
            ctl[IMPROVED] = 0
        i = perm[p]
        f = fctl[F_CUR]
        eps = 1e-9 * (1.0 + abs(f))
        gi = assign[i]
        _gains_of(d, s, i, gbuf)
        in_i = gbuf[gi]
        best_delta = eps
        bj = np.int64(-1)
        bh = np.int64(-1)
        n_c = 0
        can_leave = size[gi] > lb[gi]
        for h in range(n_groups):
            if h == gi:
                continue
            delta = gbuf[h] - in_i
            # Keep the n_cand best target groups for the swap neighbourhood (insertion sort).
            if n_c < n_cand or delta > cand_val[n_c - 1]:
                q = n_c if n_c < n_cand else n_cand - 1
                while q > 0 and cand_val[q - 1] < delta:
                    cand_val[q] = cand_val[q - 1]
                    cand[q] = cand[q - 1]
                    q -= 1
                cand_val[q] = delta
                cand[q] = h
                if n_c < n_cand:
                    n_c += 1
            if (
                delta > best_delta
                and can_leave
                and size[h] < ub[h]
                and can_enter(d, s, i, h, np.int64(-1))
            ):
                best_delta = delta
                bh = h
        for c in range(n_c):
            h = cand[c]
            base = cand_val[c]
            for q in range(size[h]):
                j = members[h, q]
                if not movable[j]:
                    continue
                if dense:
                    delta = base + m_tab[j, gi] - m_tab[j, h] - 2.0 * aff[i, j]
                    if has_pen and delta + two_pen > best_delta:
                        delta += pair_back(d, i, j, gi, h)
                else:
                    to_gi = 0.0
                    to_h = 0.0
                    dij = 0.0
                    for t in range(k):
                        to_gi += fw[j, t] * s_tab[gi, t]
                        to_h += fw[j, t] * s_tab[h, t]
                        dij += fw[i, t] * feat[j, t]
                    delta = base + to_gi - (to_h - self_sim[j]) - 2.0 * dij
                    if has_pen:
                        delta += penalty_of(d, s, j, gi) - penalty_of(d, s, j, h)
                        delta += pair_back(d, i, j, gi, h)
                if delta > best_delta and can_enter(d, s, j, gi, i) and can_enter(d, s, i, h, j):
                    best_delta = delta
                    bj = j
                    bh = h
        if bh >= 0:
            if bj < 0:
                move(d, s, i, bh)
            else:
                swap(d, s, i, bj)
            fctl[F_CUR] = f + best_delta
            ctl[IMPROVED] = 1
        p += 1
        if p < n_mov:
            ctl[SINCE] = p
            continue
        ctl[SINCE] = 0
        if ctl[IMPROVED] == 1:
            continue
        # Local optimum: keep it if best, otherwise go back to the best, then perturb.
        ctl[ROUNDS] += 1
        f = objective(d, s)
        if f > fctl[F_BEST] + eps:
            fctl[F_BEST] = f
            best_assign[:] = assign
            ctl[FAILS] = 0
        else:
            ctl[FAILS] += 1
            rebuild(d, s, best_assign)
        perturb(d, s, rng, pert_lo + rng_int(rng, pert_span))
        fctl[F_CUR] = objective(d, s)
