"""Notifications benchmark: N reminders (N/10 meetings x 10 members) planned by the dispatcher,
sent by a Celery worker through Redis to a local SMTP server, against a bare smtplib loop that
sends the same messages (the bytes the server received) to the same kind of server.

    .venv/bin/python benchmarks/notifications/run.py --reminders 10000

Needs REDIS_URL. Uses DATABASE_URL's server with its own database (`<name>_notify_bench`,
dropped and recreated), or a SQLite file under var/bench/ without DATABASE_URL. Starts its
own SMTP sinks (benchmarks/notifications/sink.py) and worker. The last output line is one
JSON object: sent, duplicates, lost, seconds, baseline_seconds, ratio, the setup (worker
concurrency, batch size: 500 unless --batch-size or PEERNET_NOTIFY_BATCH_SIZE) and CPU per
message of each process during each phase.
"""

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MEMBERS_PER_MEETING = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(store: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "sink.py"), "--port", str(port), "--store", str(store)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("ready"):
        raise SystemExit(f"SMTP sink did not start: {line!r}")
    return process, port


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def prepare_environment(var: Path) -> str:
    """Settings for this process and the worker: production mode (no DEBUG query log)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "peernet.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "PEERNET_MFA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "DJANGO_SECURE_SSL": "false",
            "PEERNET_VAR_DIR": str(var),
            "EMAIL_URL": "dummy://",
            "CELERY_QUEUE": f"bench-{secrets.token_hex(4)}",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg2

        config = dj_database_url.parse(url)
        name = f"{config['NAME']}_notify_bench"
        admin = psycopg2.connect(
            dbname="postgres",
            user=config["USER"],
            password=config["PASSWORD"],
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
        return "postgresql"
    database = var / "notifications.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    return "sqlite"


def seed(meetings: int) -> None:
    """`meetings` cohorts of ten members, each with one meeting in 20 hours: its reminder
    (24 hours before) is due now. Prompts and nudges are switched off for these cohorts."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from groups.models import Cohort, Membership
    from meetings.models import Meeting, NotificationSchedule
    from members.models import Role, User

    zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Berlin", "UTC"]
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            email=f"member{i:05d}@bench.example",
            password=password,
            role=Role.MEMBER,
            first_name=f"Member{i}",
            last_name="Bench",
            time_zone=zones[i % len(zones)],
        )
        for i in range(meetings * MEMBERS_PER_MEETING)
    )
    cohorts = Cohort.objects.bulk_create(
        Cohort(name=f"Cohort {i}", slug=f"bench-{i}", status="active", max_size=12)
        for i in range(meetings)
    )
    Membership.objects.bulk_create(
        Membership(cohort=cohorts[i // MEMBERS_PER_MEETING], member=user)
        for i, user in enumerate(users)
    )
    NotificationSchedule.objects.bulk_create(
        NotificationSchedule(cohort=c, agenda_prompt_hours=0, rsvp_nudge_hours=0) for c in cohorts
    )
    start = (timezone.now() + timedelta(hours=20)).astimezone(ZoneInfo("UTC"))
    rows = []
    for i, cohort in enumerate(cohorts):
        local = (start + timedelta(minutes=i % 120)).replace(second=0, microsecond=0)
        meeting = Meeting(
            cohort=cohort,
            title="Monthly forum",
            local_date=local.date(),
            local_time=local.time().replace(tzinfo=None),
            time_zone="UTC",
            duration_minutes=180,
            location="The club",
        )
        # save() derives starts_at and the UID; bulk_create would skip it.
        meeting.uid = f"bench-{i}@peernet"
        meeting.starts_at = local
        meeting.ends_at = local + timedelta(minutes=180)
        rows.append(meeting)
    Meeting.objects.bulk_create(rows)


def start_worker(concurrency: int, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}"}
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
                "prefork",
                "--concurrency",
                str(concurrency),
                "-Q",
                os.environ["CELERY_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"{os.environ['CELERY_QUEUE']}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process


def wait_ready(process: subprocess.Popen, log: Path) -> None:
    from peernet.celery import app

    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"worker did not start:\n{log.read_text()}")
        name = f"{os.environ['CELERY_QUEUE']}@{socket.gethostname()}"
        if app.control.ping(destination=[name], timeout=0.5):
            return


def wait_idle(process: subprocess.Popen, log: Path) -> float:
    """Wait until the worker's processes stop using CPU: each prefork child loads the
    formation kernels and the URLconf as it starts (peernet/celery.py), once per process and
    not per message, so the clock starts after that. Returns the seconds waited."""
    started = time.monotonic()
    previous, quiet = cpu_seconds(process.pid), 0
    while quiet < 4:
        if process.poll() is not None or time.monotonic() - started > 300:
            raise SystemExit(f"worker did not settle:\n{log.read_text()}")
        time.sleep(0.25)
        current = cpu_seconds(process.pid)
        quiet = quiet + 1 if current - previous < 0.02 else 0
        previous = current
    return time.monotonic() - started


def cpu_seconds(pid: int | None = None, *, name: str = "") -> float:
    """CPU time (user + system) so far, from /proc: of a process and its children, or of
    every process with this command name (the database server, Redis)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            command, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        if name:
            mine = command.split("(", 1)[1].startswith(name)
        else:
            mine = stat.parent.name == str(pid) or fields[1] == str(pid)
        if mine:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    tick = os.sysconf("SC_CLK_TCK")
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, sum(values) / tick


def deliveries(store: Path) -> Counter:
    from sink import read

    return Counter((rcpt, message_id) for rcpt, message_id, _ in read(str(store)))


def baseline(store: Path, port: int) -> float:
    """One smtplib connection, the same messages (as the server received them), no app."""
    from sink import read

    messages = [(rcpt, raw) for rcpt, _, raw in read(str(store))]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for rcpt, raw in messages:
            client.sendmail("noreply@peernet.local", [rcpt], raw)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10000)
    parser.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 2, help="worker processes"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=int(os.environ.get("PEERNET_NOTIFY_BATCH_SIZE", "500")),
        help="PEERNET_NOTIFY_BATCH_SIZE for the worker (rows per send task and connection)",
    )
    args = parser.parse_args()
    os.environ["PEERNET_NOTIFY_BATCH_SIZE"] = str(args.batch_size)
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL (e.g. redis://127.0.0.1:6379/0): the worker uses Redis.")
    meetings = max(args.reminders // MEMBERS_PER_MEETING, 1)
    expected = meetings * MEMBERS_PER_MEETING
    var = ROOT / "var" / "bench"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    database = prepare_environment(var)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))

    import django

    django.setup()
    from django.core.management import call_command

    from core.models import Notification
    from core.tasks import notifications_dispatch

    call_command("migrate", verbosity=0)
    seed(meetings)
    print(f"seeded {meetings} meetings x {MEMBERS_PER_MEETING} members ({database})", flush=True)

    # Compile the formation kernels into NUMBA_CACHE_DIR now if needed, so that the worker's
    # processes load them instead of compiling (about a minute) as they start.
    from groups.formation import warmup

    print(f"formation kernels ready in {warmup():.1f} s", flush=True)

    app_store = var / "app.smtp"
    sink, app_sink_port = start_sink(app_store)
    log = var / "worker.log"
    worker = start_worker(args.concurrency, app_sink_port, log)
    try:
        wait_ready(worker, log)
        print(f"worker settled in {wait_idle(worker, log):.1f} s", flush=True)
        worker_cpu, sink_cpu = cpu_seconds(worker.pid), cpu_seconds(sink.pid)
        server_cpu = cpu_seconds(name="postgres") + cpu_seconds(name="redis-server")
        busy, total = machine_busy()
        started = time.perf_counter()
        notifications_dispatch.apply_async(queue=os.environ["CELERY_QUEUE"])
        sent = Notification.objects.filter(state=Notification.State.SENT)
        deadline = time.monotonic() + 1800
        while sent.count() < expected:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit(f"stuck at {sent.count()} of {expected}:\n{log.read_text()}")
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        worker_cpu = cpu_seconds(worker.pid) - worker_cpu
        sink_cpu = cpu_seconds(sink.pid) - sink_cpu
        server_cpu = cpu_seconds(name="postgres") + cpu_seconds(name="redis-server") - server_cpu
        busy, total = (now - then for now, then in zip(machine_busy(), (busy, total), strict=True))
    finally:
        stop(worker)
        stop(sink)
    received = deliveries(app_store)
    states = dict(Counter(Notification.objects.values_list("state", flat=True)))
    print(f"worker: {expected} reminders in {seconds:.2f} s, ledger {states}", flush=True)

    base_store = var / "baseline.smtp"
    base_sink, base_port = start_sink(base_store)
    try:
        base_sink_cpu = cpu_seconds(base_sink.pid)
        base_busy, base_total = machine_busy()
        own_cpu = time.process_time()
        baseline_seconds = baseline(app_store, base_port)
        own_cpu = time.process_time() - own_cpu
        base_sink_cpu = cpu_seconds(base_sink.pid) - base_sink_cpu
        base_busy, base_total = (
            now - then for now, then in zip(machine_busy(), (base_busy, base_total), strict=True)
        )
    finally:
        stop(base_sink)
    base_received = sum(deliveries(base_store).values())
    print(
        f"baseline: {base_received} messages with smtplib in {baseline_seconds:.2f} s", flush=True
    )

    unique = len(received)
    wanted = {
        (recipient, f"<notification.{pk}.{kind}@peernet.local>")
        for pk, kind, recipient in Notification.objects.values_list("pk", "kind", "recipient")
    }
    result = {
        "reminders": expected,
        "sent": unique,
        "duplicates": sum(received.values()) - unique,
        "lost": len(wanted - set(received)),
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline_seconds, 3),
        "ratio": round(seconds / baseline_seconds, 3),
        "database": database,
        "broker": "redis",
        "worker_concurrency": args.concurrency,
        "batch_size": args.batch_size,
        # CPU per message (ms): the worker's processes and the sink during the run, the
        # database and Redis servers (all their processes: with other users if any), the
        # smtplib loop and its sink during the baseline; busy cores of the whole machine.
        "worker_cpu_ms": round(worker_cpu / expected * 1000, 3),
        "sink_cpu_ms": round(sink_cpu / expected * 1000, 3),
        "database_and_redis_cpu_ms": round(server_cpu / expected * 1000, 3),
        "baseline_cpu_ms": round(own_cpu / max(base_received, 1) * 1000, 3),
        "baseline_sink_cpu_ms": round(base_sink_cpu / max(base_received, 1) * 1000, 3),
        "machine_busy_cores": round(busy / total * (os.cpu_count() or 1), 2),
        "baseline_machine_busy_cores": round(base_busy / base_total * (os.cpu_count() or 1), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
