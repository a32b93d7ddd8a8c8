"""CPU per message of the notification path in one process: N reminders seeded as in run.py,
one `notifications_dispatch` with the send tasks run eagerly (in this process, in turn) over
SMTP to a local sink (sink.py), timed with the process's CPU clock.

    .venv/bin/python benchmarks/notifications/cpu.py --reminders 3000 [--profile out.prof]

Uses the same database as run.py (`<name>_notify_bench` on DATABASE_URL's server, dropped and
recreated; SQLite under var/bench/ without it). The URLconf, the templates and Celery's
transport are loaded before the clock starts, as a worker has them after its first batch.
Prints the CPU per message of the whole path and of the send tasks alone, then one JSON line.
With --profile, the run is profiled (cProfile, CPU clock) and the profile written there.
"""

import argparse
import cProfile
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--profile", help="write a cProfile profile (CPU clock) here")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import run

    var = ROOT / "var" / "bench"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    os.environ["PEERNET_NOTIFY_BATCH_SIZE"] = str(args.batch_size)
    database = run.prepare_environment(var)
    sink, port = run.start_sink(var / "cpu.smtp")
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.template.loader import get_template
        from django.urls import get_resolver

        from core import tasks
        from core.models import Notification
        from core.notifications import dispatch, send
        from peernet.celery import app

        call_command("migrate", verbosity=0)
        run.seed(max(args.reminders // run.MEMBERS_PER_MEETING, 1))
        app.conf.task_always_eager = True
        get_resolver().url_patterns  # noqa: B018
        for suffix in ("_subject.txt", "_body.txt", "_body.html"):
            get_template(f"email/reminder{suffix}")
        tasks.notifications_send.delay([])
        sending = [0.0]
        timed = send.notifications_send

        def notifications_send(**kwargs):
            started = time.process_time()
            try:
                return timed(**kwargs)
            finally:
                sending[0] += time.process_time() - started

        send.notifications_send = notifications_send
        profile = cProfile.Profile(time.process_time) if args.profile else None
        started = time.process_time()
        if profile:
            profile.enable()
        dispatch.notifications_dispatch()
        if profile:
            profile.disable()
        cpu = time.process_time() - started
        sent = Notification.objects.filter(state=Notification.State.SENT).count()
    finally:
        run.stop(sink)
    if profile:
        profile.dump_stats(args.profile)
    result = {
        "reminders": args.reminders,
        "sent": sent,
        "database": database,
        "batch_size": args.batch_size,
        "cpu_ms": round(cpu / sent * 1000, 3),
        "send_tasks_cpu_ms": round(sending[0] / sent * 1000, 3),
        "profiled": bool(profile),
    }
    print(f"{sent} sent: {result['cpu_ms']} ms of CPU per message", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
