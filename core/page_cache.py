"""Whole pages cached per viewer until the database changes.

The busiest pages (dashboards, the meeting page, the cohort page, the topic backlog) read a
dozen tables that as many services write, in bulk too. Rather than trust every writer to say
what it changed, the cache watches the SQL itself: every statement that is not a read
(INSERT, UPDATE, DELETE, DDL, anything unknown), on any table but the few listed below,
changes one version token — at once, and again when its transaction commits (a reader that
took the new token before the commit, and read data without the write, would otherwise store
a stale page under it; see core.versions). A cached page is stored under that token, so no
writer, bulk or raw, can leave a stale page behind.

A page is cached for one viewer (user, path with its query, htmx headers, time zone and
language) and one minute of the clock: what a page shows depends on the time (an RSVP closes
when the meeting starts, "next meeting" moves on), and times are shown to the minute.

What differs between two requests of the same viewer is kept out: the CSRF token and the
Content-Security-Policy nonce (each is replaced by a placeholder when stored and by this
request's own when served), and Django messages (a request that has messages to show is never
served from the cache, nor stored). Only plain 200 responses of GET requests are cached.
"""

import functools
import hashlib
import re
import uuid

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone, translation

WRITES = "version:writes"
# Tables written while reading pages, which no cached page shows: the session (signing in,
# the messages' storage, the two-factor step's marks).
IGNORED_TABLES = frozenset({"django_session"})
# Statements that change nothing (the ORM's reads, unions of reads in parentheses included,
# and transaction control). Anything else counts as a write.
READS = (
    "SELECT", "VALUES", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET ", "SHOW",
    "EXPLAIN",
)  # fmt: skip
WRITE_TABLE = re.compile(r'^(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
# Entries live a little longer than their minute of the clock, then expire.
TIMEOUT = 120
CSRF_PLACEHOLDER = "\x00csrf\x00"
CSRF_IN_HTML = re.compile(
    r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]{32,64}(")'
)
NONCE_PLACEHOLDER = "\x00nonce\x00"
NONCE_IN_HTML = re.compile(r'( nonce=")[A-Za-z0-9_-]+(")')


def writes_version() -> str:
    token = cache.get(WRITES)
    if token is None:
        cache.add(WRITES, uuid.uuid4().hex, timeout=None)
        token = cache.get(WRITES)
    return token


def writes_change() -> None:
    """Every cached page is out of date (what a write does; tests call it to count a load
    that computes the page)."""
    cache.set(WRITES, uuid.uuid4().hex, timeout=None)


def _is_write(sql: str) -> bool:
    statement = sql.lstrip("( \n\t")
    if statement[:10].upper().startswith(READS):
        return False
    match = WRITE_TABLE.match(statement)
    return match is None or match.group(1).lower() not in IGNORED_TABLES


def _watch_writes(execute, sql, params, many, context):
    if many or _is_write(sql):
        # Now (the writing transaction may read a page next), and once more on commit.
        writes_change()
        connection = context["connection"]
        if connection.in_atomic_block and not any(
            func is writes_change for _, func, _ in connection.run_on_commit
        ):
            transaction.on_commit(writes_change, using=connection.alias)
    return execute(sql, params, many, context)


def _install(connection, **kwargs) -> None:
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)


def connect() -> None:
    connection_created.connect(_install, dispatch_uid="page-cache-writes")
    for connection in connections.all(initialized_only=True):
        _install(connection)


def _key(request) -> str:
    now = timezone.now()
    parts = [
        writes_version(),
        str(request.user.pk),
        request.get_full_path(),
        # Every htmx header: a fragment differs from its page and by where it is swapped.
        repr(sorted((k, v) for k, v in request.headers.items() if k.lower().startswith("hx-"))),
        timezone.get_current_timezone_name(),
        translation.get_language() or "",
        now.strftime("%Y%m%d%H%M"),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _cacheable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and getattr(response, "is_rendered", True)
        and response.get("Content-Type", "").startswith("text/html")
    )


def cached_page(view):
    """Serves ``view``'s GET responses from the cache while nothing was written since."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method != "GET"
            or not request.user.is_authenticated
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        key = _key(request)
        entry = cache.get(key)
        if entry is not None:
            html, headers = entry
            html = html.replace(CSRF_PLACEHOLDER, get_token(request))
            if NONCE_PLACEHOLDER in html:
                html = html.replace(NONCE_PLACEHOLDER, str(get_nonce(request)))
            response = HttpResponse(html)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if _cacheable(response) and not len(get_messages(request)):
            html = response.content.decode(response.charset)
            html = CSRF_IN_HTML.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", html)
            html = NONCE_IN_HTML.sub(rf"\g<1>{NONCE_PLACEHOLDER}\g<2>", html)
            cache.set(key, (html, list(response.headers.items())), TIMEOUT)
        return response

    return wrapper
