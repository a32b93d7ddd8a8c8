"""Benchmark-only settings: the production settings plus a bare "hello" view (through the
full middleware) and a header that reports how many SQL queries a response took. Never used
by the app itself; `benchmarks/pages/run.py` points gunicorn at this module."""

from peernet.settings import *  # noqa: F403
from peernet.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.pages.urls"
# Outermost, so it counts every query any other middleware or view makes.
MIDDLEWARE = ["benchmarks.pages.middleware.query_count", *MIDDLEWARE]
