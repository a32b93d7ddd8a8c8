"""Versions of data that cached reads are keyed by.

A cached read (a count, a rendered fragment) is stored under a key that includes the current
version of everything it was computed from; a write changes the version, so the next read
misses and computes afresh. Nothing is ever deleted: stale entries are simply never read
again and expire.

A version is a random token kept in the cache. A write changes it at once (so the writing
request, and a test inside one transaction, see their own change) and again when its
transaction commits: a reader that took the new token before the commit, and computed from
data without the write, would otherwise store a stale value under it.

The key also names the shape of the value (``cached(..., shape=...)``): the form of a
computed value, or the template HTML is rendered from. A deploy that changes the shape then
reads no value of the old one (a server would otherwise serve the previous template's HTML,
or unpickle an old class, until a write or the timeout).

The names live here, at the bottom of the layers, so a lower app can bump what a higher one
caches (the members app approves the people whom the groups app's pool counts).
"""

import hashlib
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.template.loader import get_template

# Approved members, their profiles, ranked challenges and conflicts, and active memberships:
# the pool of unassigned members (groups.selectors.pool) and what is computed from it.
POOL = "pool"

# Cohorts with their status, sizes, facilitators, themes and active member counts: the
# cohort list's results (groups.views.cohort_list).
COHORTS = "cohorts"

# Meetings (status, time), attendance and norm breaches: the admins' cohorts-by-risk figures and
# results (meetings.overview_selectors, meetings.views.overview), with COHORTS for the cohorts,
# seats and facilitators they also read.
HEALTH = "health"

# Applications and their status: the admins' review queue counts (members.selectors.queue_counts).
APPLICATIONS = "applications"


# Everything a cohort's pages show (core.versioned): the cohort, its seats, facilitators,
# meetings and what hangs off them (RSVPs, agenda, votes, attendance, commitments, updates,
# evaluations, the runner, norms) and the names of the people in it.
def cohort_version(cohort_id: int) -> str:
    return f"cohort:{cohort_id}"


# What is one person's own (core.versioned): their account and profile, the seats they hold
# and the cohorts they run, their topics, RSVPs, votes, updates, renewal and application.
def person_version(user_id: int) -> str:
    return f"person:{user_id}"


# What belongs to the whole organisation (core.versioned): the meeting template library,
# challenge themes, the organisation's policies.
ORG = "org"

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


def versions_of(names: list[str]) -> list[str]:
    """The current tokens of ``names``, in order, in one round trip when all exist."""
    keys = [_key(name) for name in names]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    return [found[key] for key in keys]


def _change(names) -> None:
    cache.set_many({_key(name): uuid.uuid4().hex for name in names}, timeout=None)


def version_bump(name: str) -> None:
    """Everything cached under ``name`` is out of date: now, and again on commit."""
    versions_bump([name])


def versions_bump(names) -> None:
    """``version_bump`` for each of ``names``, in one round trip each time."""
    names = list(dict.fromkeys(names))
    if not names:
        return
    _change(names)
    transaction.on_commit(lambda: _change(names))


def cached(names: str | Iterable[str], key: str, compute, timeout: int = TIMEOUT, *, shape: str):
    """``compute()``, cached under ``key`` for the current versions of ``names`` (one name or
    several: a value read from several kinds of data is out of date when any of them changes)
    and for this ``shape`` of the value."""
    names = (names,) if isinstance(names, str) else tuple(names)
    full_key = f"{'+'.join(names)}:{':'.join(versions_of(list(names)))}:{shape}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    return value


def template_shape(*template_names: str) -> str:
    """A short digest of these templates' sources, for the shape of HTML rendered from them
    (name every template the HTML includes): a deploy that changes one renders afresh."""
    digest = hashlib.sha256()
    for name in template_names:
        digest.update(get_template(name).template.source.encode())
    return digest.hexdigest()[:12]


def cached_with_version(name: str, key: str, compute, timeout: int = TIMEOUT, *, shape: str):
    """``cached()`` in one round trip instead of two: the value is kept under a fixed key with
    the version it was computed for, and read with the current version; a value of another
    version is computed afresh. For a small value read on every request (a viewer's cohorts)."""
    version_key, value_key = _key(name), f"{name}:{shape}:{key}"
    found = cache.get_many([version_key, value_key])
    token = found.get(version_key) or version_of(name)
    stored = found.get(value_key)
    if stored is not None and stored[0] == token:
        return stored[1]
    value = compute()
    cache.set(value_key, (token, value), timeout)
    return value
