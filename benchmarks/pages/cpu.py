"""In-process cost of each key page: the time one request takes through the full middleware,
one at a time, with no HTTP server in between, on a benchmark database that `run.py` made.

    .venv/bin/python benchmarks/pages/cpu.py [--scale big] [--only "cohort page,topic backlog"] \\
        [--requests 30] [--miss] [--profile "cohort page"] [--sql "cohort page"]

Prints one JSON line per page: the median and best milliseconds of `--requests` requests
(after two that warm caches; with `--miss`, each rendered afresh), the multiple of the hello
view's median, and the SQL queries one request made. `--profile NAME` prints the 40
costliest functions of that page (cumulative) instead; `--sql NAME` its queries with times.
Settings and environment are the benchmark's (production settings, DEBUG off, the database
`peernet_bench_<scale>` on DATABASE_URL's server, Redis database 10 for demo and 11 for big).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESCRIBE = "import django; django.setup(); import benchmarks.pages.describe"
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["demo", "big"], default="demo")
    parser.add_argument("--only", default="")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument(
        "--miss",
        action="store_true",
        help="change the organisation's version and the build tag before each request "
        "(untimed), so that a page kept for its viewer (core.page_cache) is rendered afresh "
        "every time, also one that shows nothing of the organisation (the dashboards)",
    )
    parser.add_argument("--sql", default="", help="print the queries of this page with times")
    args = parser.parse_args()
    server = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    redis = urllib.parse.urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")).netloc
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.pages.settings",
            "DATABASE_URL": f"{server.scheme}://{server.netloc}/peernet_bench_{args.scale}",
            "REDIS_URL": f"redis://{redis}/{10 + (args.scale == 'big')}",
            "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 50,
            "PEERNET_MFA_KEYS": "YmVuY2htYXJrLW9ubHktbWZhLWtleS0zMi1ieXRlcyE=",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "EMAIL_URL": "console://",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PEERNET_VAR_DIR": str(ROOT / "var" / "bench-cpu"),
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=os.environ,
        check=True,
        cwd=ROOT,
    )

    described = json.loads(
        subprocess.run(
            [sys.executable, "-c", DESCRIBE],
            env=os.environ,
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    )

    # Django is set up only now, with the environment above.
    import django  # noqa: PLC0415

    django.setup()
    from allauth.mfa.models import Authenticator  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client, RequestFactory  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from core import page_cache  # noqa: PLC0415
    from core.versions import ORG, version_bump  # noqa: PLC0415
    from members.mfa import session_record_mfa  # noqa: PLC0415
    from members.models import User  # noqa: PLC0415

    def afresh():
        # Every kept page's key holds the build tag: a new one is what a deploy does.
        version_bump(ORG)
        tag = uuid.uuid4().hex
        page_cache.build = lambda: tag

    clients = {"anonymous": Client()}
    for role, person in described["people"].items():
        client = Client()
        user = User.objects.get(email=person["email"])
        client.force_login(user)
        # As if signed in with the password and then the authenticator code.
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is not None:
            request = RequestFactory().get("/")
            request.session = client.session
            session_record_mfa(request, user=user, authenticator=authenticator)
            request.session.save()
        clients[role] = client

    only = {name for name in args.only.split(",") if name}
    pages = [{"role": "member", "name": "hello", "path": "/__bench__/hello/", "status": 200}]
    pages += [
        p
        for p in described["pages"]
        if (not only or p["name"] in only)
        and (not args.profile or p["name"] == args.profile)
        and (not args.sql or p["name"] == args.sql)
    ]
    hello = None
    for page in pages:
        client = clients[page["role"]]

        def get(page=page, client=client):
            response = client.get(page["path"], HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == page["status"], (page, response.status_code)
            return response

        get()
        queries = get()["X-Bench-Queries"]
        if args.sql and page["name"] == args.sql:
            with CaptureQueriesContext(connection) as captured:
                get()
            for query in captured.captured_queries:
                print(query["time"], query["sql"][:400])
        if args.profile and page["name"] == args.profile:
            profile = cProfile.Profile()
            for _ in range(args.requests):
                if args.miss:
                    afresh()
                profile.enable()
                get()
                profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
            continue
        times = []
        for _ in range(args.requests):
            if args.miss:
                afresh()
            start = time.perf_counter()
            get()
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        if page["name"] == "hello":
            hello = median
        print(
            json.dumps(
                {
                    "page": page["name"],
                    "median_ms": round(median, 2),
                    "best_ms": round(min(times), 2),
                    "x_hello": round(median / hello, 1) if hello else None,
                    "queries": int(queries),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
