"""A page rendered once for a viewer and kept until something it shows changes.

A page that shows one person the state of their cohort (a meeting, the cohort, their topics,
their dashboard) is the same HTML on every visit until a row behind it is written. The view
names the versions its page is made of (core.versions: the cohorts and people it shows, the
organisation's) and when its look changes by the clock alone (a meeting starts, the
RSVPs close); ``cached_page`` serves the HTML it rendered last time while all of that holds,
and renders afresh otherwise.

What differs between two requests for the same HTML is put in on the way out:
- the CSRF token and the CSP nonce: the stored HTML holds placeholders where this request's
  masked token and nonce go;
- messages: a request with messages waiting is rendered afresh (and not stored);
- the key holds the viewer, the full path, htmx or not, the time zone and the local date,
  the viewer's role and account flags, and a tag of the code and templates that rendered it
  (``build()``), so that a deploy never serves a page rendered by the old code.

Only a 200 answer to a GET is stored. Anything the view checks (who may see the page) holds for
a hit too: the versions include everything the check reads (a seat, a facilitator, a role),
so a change to it makes the next request a miss that runs the view again.
"""

import functools
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone

from core.versions import versions_of

# Changed whenever what a cached page holds changes shape (a new placeholder, say); a change
# of code or templates is caught by ``build()``.
SHAPE = "1"
LONGEST = timedelta(hours=12)
# A moment long past: a page whose ``until()`` gives it is served but not kept (say, when it
# was rendered from other rows than its key names).
NOT_KEPT = datetime(2000, 1, 1, tzinfo=UTC)
CSRF_PLACEHOLDER = "__peernet_csrf_token__"
NONCE_PLACEHOLDER = "__peernet_csp_nonce__"
# A masked CSRF token as Django writes it: 64 letters and digits.
_CSRF_IN_PAGE = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
_CSRF_IN_HEADER = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{64})"')


@functools.cache
def build() -> str:
    """A tag of the code and templates this process runs (their files' sizes and times), so
    that a deploy never serves a page that the previous code rendered."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in ("core", "members", "groups", "meetings", "peernet", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html"}:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _key(request, versions: list[str], parts: Iterable) -> str:
    user = request.user
    local = timezone.localtime()
    material = "|".join(
        str(value)
        for value in (
            SHAPE,
            build(),
            user.pk,
            getattr(user, "role", ""),
            user.is_superuser,
            user.is_staff,
            request.get_full_path(),
            bool(getattr(request, "htmx", False)),
            timezone.get_current_timezone_name(),
            local.date().isoformat(),
            *versions,
            *parts,
        )
    )
    return "page:" + hashlib.sha256(material.encode()).hexdigest()


def _nonce(request) -> str:
    nonce = get_nonce(request)  # lazy: drawn when first read
    return "" if nonce is None else str(nonce)


def _storable(request, html: str) -> str | None:
    """The page with its CSRF token and CSP nonce replaced by placeholders; None if it holds
    a token in a form this does not know (then it is not stored)."""
    nonce = _nonce(request)
    if nonce:
        html = html.replace(f'nonce="{nonce}"', f'nonce="{NONCE_PLACEHOLDER}"')
    if "nonce=" in html.replace(f'nonce="{NONCE_PLACEHOLDER}"', ""):
        return None
    tokens = set(_CSRF_IN_PAGE.findall(html)) | set(_CSRF_IN_HEADER.findall(html))
    if len(tokens) > 1:
        return None
    if tokens:
        html = html.replace(tokens.pop(), CSRF_PLACEHOLDER)
    if "csrfmiddlewaretoken" in html and CSRF_PLACEHOLDER not in html:
        return None
    return html


def next_moment(moments) -> datetime | None:
    """The first of ``moments`` still to come (None if none is)."""
    now = timezone.now()
    coming = [moment for moment in moments if moment is not None and moment > now]
    return min(coming, default=None)


def cached_page(
    request,
    *,
    versions: Iterable[str],
    render: Callable[[], HttpResponse],
    until: Callable[[], datetime | None] = lambda: None,
    parts: Iterable = (),
) -> HttpResponse:
    """``render()``'s response, or the one it gave last time for the same viewer, path and
    versions. ``until()``, called after ``render()``, gives the moment the page's look
    changes by the clock alone (None: not before midnight, which the key holds anyway)."""
    if request.method != "GET" or not request.user.is_authenticated or len(get_messages(request)):
        return render()
    key = _key(request, versions_of(list(versions)), parts)
    stored = cache.get(key)
    # The moment it stops holding is kept with it, not only as its expiry: the clock the page
    # compares with is the app's (a test may move it), the cache's is the server's.
    if stored is not None and (stored[0] is None or timezone.now() < stored[0]):
        html = zlib.decompress(stored[1]).decode().replace(CSRF_PLACEHOLDER, get_token(request))
        return HttpResponse(html.replace(NONCE_PLACEHOLDER, _nonce(request)))
    response = render()
    if response.status_code != 200 or response.streaming or len(get_messages(request)):
        return response
    html = _storable(request, response.content.decode(response.charset))
    if html is None:
        return response
    now = timezone.now()
    timeout = LONGEST
    moment = until()
    if moment is not None:
        if moment <= now:
            return response
        timeout = min(timeout, moment - now)
    # Compressed (a fifth of the size for a quarter of a millisecond): one copy per viewer.
    cache.set(key, (moment, zlib.compress(html.encode(), 1)), max(1, int(timeout.total_seconds())))
    return response
