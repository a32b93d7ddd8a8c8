import itertools
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import django.test
import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from hypothesis import settings as hypothesis_settings

from members.mfa import session_record_mfa
from members.models import Role, User
from peernet.celery import app as celery_app
from tests import factories
from tests.groups import cold_compile

CHROMIUM = "/usr/bin/chromium"

# Property tests draw the same examples on every run of the suite, so its outcome never rests
# on which examples a run happened to draw. HYPOTHESIS_PROFILE=explore draws new ones on each
# run, to hunt for cases; a case it finds goes into the test as an @example.
hypothesis_settings.register_profile("suite", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session", autouse=True)
def _static_root():
    # collectstatic makes STATIC_ROOT in production (the settings create no folder). A test that
    # turns DEBUG off meets whitenoise serving from it, which warns (an error here) without one.
    Path(django_settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    # Uploaded files (profile photos) go to a folder of the test run, never the checkout.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _isolation(settings):
    # Rate-limit counters and TOTP "used code" marks live in the cache: start each test clean.
    cache.clear()
    # Hashing with the production hasher costs ~0.3 s a user; tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process in ordinary tests; the worker tests start a real worker instead.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    cache.clear()


class Client(django.test.Client):
    """`force_login` stands for a complete sign-in: a user with an authenticator app also
    passed the two-factor step in that session, as MfaRequiredMiddleware requires."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is not None:
            request = django.test.RequestFactory().get("/")
            request.session = self.session
            session_record_mfa(request, user=user, authenticator=authenticator)
            request.session.save()


@pytest.fixture
def client():
    return Client()


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Transactional tests (live server, real worker) flush the database after each test,
    taking the rows data migrations made with it; put them back before such a test."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return

    request.getfixturevalue("transactional_db")
    import_module("members.migrations.0003_default_taxonomy").forwards(apps, None)
    import_module("meetings.migrations.0007_seed_meeting_templates").seed(apps, None)


@dataclass
class World:
    """Two cohorts and one person in every role of the access matrix."""

    applicant: User
    member_a: User
    member_b: User
    facilitator_a: User
    facilitator_b: User
    admin: User
    cohort_a: object
    cohort_b: object

    def by_role(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


ROLES = [
    "anonymous",
    "applicant",
    "member_a",
    "member_b",
    "facilitator_a",
    "facilitator_b",
    "admin",
]


@pytest.fixture
def world(db) -> World:
    applicant = factories.user_create(role=Role.APPLICANT, email="applicant@example.com")
    member_a = factories.user_create(role=Role.MEMBER, email="member.a@example.com", first="Alex")
    member_b = factories.user_create(role=Role.MEMBER, email="member.b@example.com", first="Blair")
    facilitator_a = factories.user_create(
        role=Role.FACILITATOR, email="facilitator.a@example.com", totp=True
    )
    facilitator_b = factories.user_create(
        role=Role.FACILITATOR, email="facilitator.b@example.com", totp=True
    )
    admin = factories.user_create(role=Role.ADMIN, email="admin@example.com", totp=True)
    cohort_a = factories.cohort_create(
        name="Cohort A", facilitators=[facilitator_a], members=[member_a]
    )
    cohort_b = factories.cohort_create(
        name="Cohort B", facilitators=[facilitator_b], members=[member_b]
    )
    return World(
        applicant, member_a, member_b, facilitator_a, facilitator_b, admin, cohort_a, cohort_b
    )


@pytest.fixture(scope="session")
def chromium_path():
    """Browser tests need Debian's Chromium. In CI a missing browser fails the run."""

    if shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI installs it.")
    return CHROMIUM


def database_url_for_subprocess() -> str:
    """The test database, as a URL another process (a Celery worker) can open."""

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path):
    """Start real `celery worker` processes, all on this test's own queue, against the test
    database and the configured broker (Redis with REDIS_URL, else the embedded filesystem
    broker). `start(env={...})` adds environment (EMAIL_URL, PEERNET_NOTIFY_*) for that worker;
    tasks a worker sends without a queue go to the same queue (CELERY_QUEUE)."""

    queue = f"test-{uuid.uuid4().hex[:8]}"
    root = Path(__file__).resolve().parents[1]
    processes = []
    numbers = itertools.count(1)

    def start(env: dict | None = None):
        n = next(numbers)
        log = tmp_path / f"worker-{n}.log"
        full_env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "CELERY_QUEUE": queue,
            **(env or {}),
        }
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "peernet",
                    "worker",
                    "--pool",
                    "solo",
                    "-Q",
                    queue,
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"{queue}-{n}@%h",
                ],
                cwd=root,
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        process.queue = queue
        process.log = log
        return process

    start.queue = queue
    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = True
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def celery_worker_process(celery_worker_factory):
    """One real worker on its own queue (see celery_worker_factory)."""
    return celery_worker_factory()


def pytest_collection_finish(session):
    """The solve on a cold kernel cache compiles for a minute on one core: start it as soon as
    the session knows that test will run, so it compiles beside the tests before it. In a
    distributed run every process collects every test, and only the one that runs it knows
    so, when it does: the test starts its own run then, while the other process goes on."""
    wanted = "test_formation_compile.py::test_solve_on_cold_cache_gets_its_full_search_time"
    distributed = hasattr(session.config, "workerinput")
    if not distributed and any(item.nodeid.endswith(wanted) for item in session.items):
        import tempfile  # noqa: PLC0415

        folder = Path(tempfile.mkdtemp(prefix="peernet-cold-numba-"))
        session.config.stash[cold_compile.COLD_RUN_KEY] = (
            folder,
            cold_compile.cold_run_start(folder),
        )


def pytest_sessionfinish(session):
    started = session.config.stash.get(cold_compile.COLD_RUN_KEY, None)
    if started:
        folder, process = started
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
