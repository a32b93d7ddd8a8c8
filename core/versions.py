"""Versions of data that cached reads are keyed by.

A cached read (a count, a rendered fragment) is stored under a key that includes the current
version of everything it was computed from; a write changes the version, so the next read
misses and computes afresh. Nothing is ever deleted: stale entries are simply never read
again and expire.

A version is a random token kept in the cache. A write changes it at once (so the writing
request, and a test inside one transaction, see their own change) and again when its
transaction commits: a reader that took the new token before the commit, and computed from
data without the write, would otherwise store a stale value under it.

The names live here, at the bottom of the layers, so a lower app can bump what a higher one
caches (the members app approves the people whom the groups app's pool counts).
"""

import uuid

from django.core.cache import cache
from django.db import transaction

# Approved members, their profiles, ranked challenges and conflicts, and active memberships:
# the pool of unassigned members (groups.selectors.pool) and what is computed from it.
POOL = "pool"

# Cohorts with their status, sizes, facilitators, themes and active member counts: the
# cohort list's results (groups.views.cohort_list).
COHORTS = "cohorts"

# Meetings (status, time), attendance and norm breaches: the admins' cohorts-by-risk figures
# (meetings.overview_selectors), with COHORTS for the cohorts and seats they also read.
HEALTH = "health"

# A cached value of data nobody changes is still recomputed now and then.
TIMEOUT = 24 * 3600


def _key(name: str) -> str:
    return f"version:{name}"


def version_of(name: str) -> str:
    token = cache.get(_key(name))
    if token is None:
        cache.add(_key(name), uuid.uuid4().hex, timeout=None)
        token = cache.get(_key(name))
    return token


def _change(name: str) -> None:
    cache.set(_key(name), uuid.uuid4().hex, timeout=None)


def version_bump(name: str) -> None:
    """Everything cached under ``name`` is out of date: now, and again on commit."""
    _change(name)
    transaction.on_commit(lambda: _change(name))


def cached(name: str, key: str, compute, timeout: int = TIMEOUT):
    """``compute()``, cached under ``key`` for the current version of ``name``."""
    full_key = f"{name}:{version_of(name)}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value
