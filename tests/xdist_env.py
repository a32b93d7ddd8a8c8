"""Each process of a distributed test run (pytest-xdist, ``-n 2`` in scripts/test.sh) gets its
own Redis database and its own var folder, so that one process's ``cache.clear()`` (a
FLUSHDB) never empties the cache, rate-limit counters or Celery queues of a test running in
the other, and their file caches, embedded broker and SQLite databases stay apart.
PostgreSQL needs nothing here: pytest-django gives each process its own test database.

Loaded with ``-p tests.xdist_env`` (pyproject.toml), before pytest-django reads the settings,
which read these variables once. Worker ``gwN`` uses database ``base + 1 + N`` of REDIS_URL's
server (``/0`` gives ``/1`` and ``/2``) and ``PEERNET_VAR_DIR/gwN``. Outside xdist nothing
changes."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default `databases`


def _worker_redis_url(url: str, number: int) -> str:
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 1 + number
    if database >= REDIS_DATABASES:
        raise RuntimeError(
            f"REDIS_URL {url} leaves no Redis database for test process gw{number} "
            f"(it would use /{database}); use a lower database number."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _number = int(_worker.removeprefix("gw"))
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], _number)
    _var = Path(os.environ.get("PEERNET_VAR_DIR", Path(__file__).resolve().parents[1] / "var"))
    (_var / _worker).mkdir(parents=True, exist_ok=True)
    os.environ["PEERNET_VAR_DIR"] = str(_var / _worker)
