"""Page benchmark: how fast each key page of each role is, as a ratio to a bare view.

    .venv/bin/python benchmarks/pages/run.py                 # the demo database
    .venv/bin/python benchmarks/pages/run.py --scale big     # demo and 35,000 members, side by side

For each scale it prepares a PostgreSQL database (`peernet_bench_demo`, `peernet_bench_big`;
migrated, seeded with the demo organisation, and for `big` grown by `bigdata.py`; reused on the
next run unless `--fresh`), starts gunicorn (2 sync workers, production settings with DEBUG
off) through `benchmarks/pages/settings.py`, which adds a bare "hello" view and a query-count
header and is never part of the app's own URLs, signs in as the demo admin, facilitator, member
and applicant through the real login (password, then the authenticator code), and drives every
page with `wrk` (8 connections) in interleaved rounds: each round runs every page of every scale
and the hello view once, in a shuffled order, so that a noisy machine hurts all of them alike.

It prints one JSON line per page: requests per second, p95 latency, the ratio to hello in the
same rounds (median over rounds), how many HTTP requests one page load makes (the page plus the
htmx fragments it loads on its own) and how many SQL queries they take together (`queries`: the
first load, with every cache of the scale emptied at the start; `kept_queries`: the third load,
when a page kept for its viewer is served from the cache), the HTML size
and whether it was compressed; with `--scale big` also the same for the big database and p95
big/demo. Needs PostgreSQL (DATABASE_URL's server; default 127.0.0.1:5432), Redis and `wrk`
(Debian: `apt-get install wrk`).
"""

import argparse
import base64
import gzip
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-Password-7f3a"
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"bad_status": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Scale:
    def __init__(self, name: str, args, var_dir: Path, redis_db: int):
        self.name = name
        self.db = f"peernet_bench_{name}"
        server = urllib.parse.urlsplit(args.server)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "benchmarks.pages.settings",
            "DATABASE_URL": f"{server.scheme}://{server.netloc}/{self.db}",
            "REDIS_URL": f"{args.redis.rstrip('/')}/{redis_db}",
            "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 50,
            "PEERNET_MFA_KEYS": "YmVuY2htYXJrLW9ubHktbWZhLWtleS0zMi1ieXRlcyE=",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_URL": "console://",
            "PEERNET_VAR_DIR": str(var_dir / name),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        self.port = free_port()
        self.process = None
        self.sessions: dict[str, str] = {}
        self.pages: list[dict] = []

    def manage(self, *argv: str, capture: bool = False) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *argv],
            cwd=ROOT,
            env=self.env,
            check=True,
            text=True,
            stdout=subprocess.PIPE if capture else None,
        )
        return result.stdout or ""

    def python(self, code: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.env,
            check=True,
            text=True,
            stdout=subprocess.PIPE,
        ).stdout

    # -- database ---------------------------------------------------------------------------
    def prepare(self, server_url: str, fresh: bool) -> None:
        server = urllib.parse.urlsplit(server_url)
        admin = psycopg2.connect(
            host=server.hostname or "127.0.0.1",
            port=server.port or 5432,
            user=server.username or "postgres",
            password=server.password or None,
            dbname=(server.path or "/postgres").lstrip("/") or "postgres",
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.db])
            exists = cursor.fetchone() is not None
            if exists and fresh:
                cursor.execute(f'DROP DATABASE "{self.db}" WITH (FORCE)')
                exists = False
            if not exists:
                cursor.execute(f'CREATE DATABASE "{self.db}"')
        admin.close()
        log(f"[{self.name}] migrate")
        self.manage("migrate", "--noinput", "-v", "0")
        marker = "big00000@members.example.com"
        generated = self.python(
            "import django; django.setup()\n"
            "from members.models import User\n"
            f"print(User.objects.filter(email={marker!r}).exists())"
        ).strip()
        if generated == "True":
            # The demo organisation was seeded before the big data was generated; seeding it
            # again would give the 4,000 generated cohorts demo meetings of their own.
            log(f"[{self.name}] demo seeded and big data generated before")
        else:
            log(f"[{self.name}] seed demo")
            self.manage("seed_demo", "--password", PASSWORD, "--quiet-logins")
        if self.name == "big" and generated != "True":
            log("[big] generating 35,000 members, 4,000 cohorts, 100,000 meetings …")
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "benchmarks.pages.bigdata"],
                cwd=ROOT,
                env=self.env,
                check=True,
                stdout=sys.stderr,
            )
            log(f"[big] generated in {time.monotonic() - started:.0f} s")

    def describe(self) -> dict:
        """Asks the database which pages to visit and the demo staff's authenticator secrets."""
        return json.loads(
            self.python("import django; django.setup()\nfrom benchmarks.pages import describe\n")
        )

    # -- server -----------------------------------------------------------------------------
    def start(self) -> None:
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "peernet.wsgi:application",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(120):
            try:
                status, _, _ = self.get("/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"[{self.name}] gunicorn did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    # -- HTTP -------------------------------------------------------------------------------
    def get(self, path: str, cookie: str = "", headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(
            "GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip", **(headers or {})}
        )
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response, body

    def login(self, email: str, totp_secret: str | None) -> str:
        cookies: dict[str, str] = {}

        def send(method, path, form=None):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            body = None
            if form is not None:
                body = urllib.parse.urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["X-CSRFToken"] = cookies.get("csrftoken", "")
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name.strip()] = rest.split(";", 1)[0]
            connection.close()
            return response.status, response.getheader("Location", ""), content

        def csrf(html: str) -> str:
            marker = 'name="csrfmiddlewaretoken" value="'
            start = html.index(marker) + len(marker)
            return html[start : html.index('"', start)]

        _, _, html = send("GET", "/accounts/login/")
        status, location, _ = send(
            "POST",
            "/accounts/login/",
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf(html)},
        )
        if status != 302:
            raise SystemExit(f"[{self.name}] login of {email} failed ({status})")
        if "2fa" in location:
            if not totp_secret:
                raise SystemExit(f"[{self.name}] {email} needs a code and has no authenticator")
            step = location
            for attempt in range(3):
                if attempt:
                    # A code refused (expired on a loaded machine, or already used in this
                    # window by an earlier sign-in): wait for the next window's code.
                    time.sleep(30 - time.time() % 30 + 1)
                _, _, html = send("GET", step)
                status, location, _ = send(
                    "POST", step, {"code": totp(totp_secret), "csrfmiddlewaretoken": csrf(html)}
                )
                if status == 302 and "2fa" not in location:
                    break
            else:
                raise SystemExit(f"[{self.name}] two-factor step of {email} failed ({status})")
        cookie = f"sessionid={cookies['sessionid']}; csrftoken={cookies.get('csrftoken', '')}"
        status, _, _ = self.get("/", cookie)
        if status != 200:
            raise SystemExit(f"[{self.name}] {email} is not fully signed in (/ gave {status})")
        return cookie

    def page_load(self, path: str, cookie: str, status_expected: int = 200) -> dict:
        """One page load as a browser makes it: the page, then every fragment it triggers on
        load (recursively). Counts requests and SQL queries; fails on any status but
        `status_expected` (200 unless the page says otherwise, e.g. an unchanged poll's 204)."""
        requests = queries = 0
        html_bytes = 0
        compressed = None
        queue, headers = [path], {}
        while queue:
            current = queue.pop(0)
            status, response, body = self.get(current, cookie, headers)
            wanted = status_expected if current == path else 200
            if status != wanted:
                raise SystemExit(f"[{self.name}] {current} answered {status}, not {wanted}")
            requests += 1
            queries += int(response.getheader("X-Bench-Queries", "0"))
            if compressed is None:
                compressed = response.getheader("Content-Encoding", "") in ("gzip", "br")
                html_bytes = len(body)
            if "html" in response.getheader("Content-Type", ""):
                text = body
                if response.getheader("Content-Encoding", "") == "gzip":
                    text = gzip.decompress(body)
                queue.extend(load_triggered(text.decode("utf-8", "replace")))
            headers = {"HX-Request": "true"}
        return {
            "requests": requests,
            "queries": queries,
            "bytes": html_bytes,
            "compressed": bool(compressed),
        }


class _LoadTriggers(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        trigger = attributes.get("hx-trigger") or ""
        url = attributes.get("hx-get")
        if url and any(word in trigger for word in ("load", "revealed", "intersect")):
            self.urls.append(url)


def load_triggered(html: str) -> list[str]:
    parser = _LoadTriggers()
    parser.feed(html)
    return parser.urls


def totp(secret: str) -> str:
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wrk(scale: Scale, path: str, cookie: str, seconds: int, connections: int, lua: Path):
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-H",
        "Accept-Encoding: gzip",
        "-s",
        str(lua),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{scale.port}{path}")
    output = subprocess.run(command, check=True, text=True, capture_output=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    # wrk leaves requests queued behind the two workers when it stops; let them finish, so
    # they do not slow the next measurement down.
    for _ in range(2):
        scale.get("/healthz")
    if result["bad_status"] or result["errors"]:
        raise SystemExit(f"[{scale.name}] {path}: {result}")
    return {
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p95_ms": result["p95_us"] / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["demo", "big"], default="demo")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per page per round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate databases")
    parser.add_argument("--only", default="", help="comma-separated page names to drive")
    parser.add_argument(
        "--server",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="any PostgreSQL URL on the server to use; the benchmark makes its own databases",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("The page benchmark needs wrk (Debian: apt-get install wrk).")

    # Stopped from outside (benchmarks/notifications/loaded.sh): stop the gunicorns too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    var_dir = Path(tempfile.mkdtemp(prefix="peernet-bench-"))
    lua = var_dir / "report.lua"
    lua.write_text(LUA)
    names = ["demo"] if args.scale == "demo" else ["demo", "big"]
    scales = [Scale(name, args, var_dir, 10 + i) for i, name in enumerate(names)]
    try:
        for scale in scales:
            scale.prepare(args.server, args.fresh)
            described = scale.describe()
            # Both scales start from an empty cache (this scale's own Redis database), so the
            # first load of each page counts the queries of a page rendered afresh at both.
            redis.Redis.from_url(scale.env["REDIS_URL"]).flushdb()
            scale.start()
            for role, person in described["people"].items():
                scale.sessions[role] = scale.login(person["email"], person.get("totp"))
            only = {name for name in args.only.split(",") if name}
            scale.pages = []
            for page in described["pages"]:
                if only and page["name"] not in only:
                    continue
                status = page.get("status", 200)
                cookie = cookie_of(scale, page)
                first = scale.page_load(page["path"], cookie, status)
                # Pages kept for their viewer (core.page_cache) are rendered on the first two
                # loads (the first learns what to key by) and served kept from the third on.
                scale.page_load(page["path"], cookie, status)
                kept = scale.page_load(page["path"], cookie, status)
                scale.pages.append(
                    {
                        **page,
                        **first,
                        "kept_requests": kept["requests"],
                        "kept_queries": kept["queries"],
                    }
                )
            log(f"[{scale.name}] {len(scale.pages)} pages ready on port {scale.port}")

        runs: dict[tuple[str, str], list[dict]] = {}
        jobs = [(scale, None) for scale in scales] + [
            (scale, page) for scale in scales for page in scale.pages
        ]
        # Every page once, so first-request costs (templates, connections) are not measured.
        for scale, page in jobs:
            path = page["path"] if page else "/__bench__/hello/"
            wrk(scale, path, cookie_of(scale, page), 1, args.connections, lua)
        for round_number in range(args.rounds):
            log(f"round {round_number + 1} of {args.rounds}")
            random.shuffle(jobs)
            for scale, page in jobs:
                path = page["path"] if page else "/__bench__/hello/"
                key = (scale.name, page["name"] if page else "hello")
                cookie = cookie_of(scale, page)
                result = wrk(scale, path, cookie, args.seconds, args.connections, lua)
                runs.setdefault(key, []).append({**result, "round": round_number})

        for page in scales[0].pages:
            line = {"page": page["name"], "role": page["role"], "path_kind": page["kind"]}
            for scale in scales:
                other = next(p for p in scale.pages if p["name"] == page["name"])
                prefix = "" if scale.name == "demo" else "big_"
                line.update(summarise(runs, scale.name, page["name"], other, prefix))
            if len(scales) == 2:
                line["p95_big_over_demo"] = round(line["big_p95_ms"] / line["p95_ms"], 2)
                line["same_requests_and_queries"] = (
                    line["requests"] == line["big_requests"]
                    and line["queries"] == line["big_queries"]
                    and line["kept_queries"] == line["big_kept_queries"]
                )
            print(json.dumps(line), flush=True)
        for scale in scales:
            hello = runs[(scale.name, "hello")]
            print(
                json.dumps(
                    {
                        "page": "hello",
                        "scale": scale.name,
                        "rps": round(statistics.median(r["rps"] for r in hello), 1),
                        "p95_ms": round(statistics.median(r["p95_ms"] for r in hello), 2),
                    }
                ),
                flush=True,
            )
    finally:
        for scale in scales:
            scale.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def cookie_of(scale: Scale, page: dict | None) -> str:
    if page is None:
        return scale.sessions.get("member", "")
    return scale.sessions[page["role"]] if page["role"] != "anonymous" else ""


def summarise(runs, scale_name: str, page_name: str, page: dict, prefix: str) -> dict:
    mine = runs[(scale_name, page_name)]
    hello = {r["round"]: max(r["rps"], 1e-9) for r in runs[(scale_name, "hello")]}
    ratios = [r["rps"] / hello[r["round"]] for r in mine]
    return {
        f"{prefix}rps": round(statistics.median(r["rps"] for r in mine), 1),
        f"{prefix}p95_ms": round(statistics.median(r["p95_ms"] for r in mine), 2),
        f"{prefix}ratio": round(statistics.median(ratios), 3),
        f"{prefix}requests": page["requests"],
        f"{prefix}queries": page["queries"],
        f"{prefix}kept_queries": page["kept_queries"],
        f"{prefix}bytes": page["bytes"],
        f"{prefix}compressed": page["compressed"],
    }


if __name__ == "__main__":
    main()
