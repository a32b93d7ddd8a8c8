"""Dispatcher tick benchmark: how long one periodic tick takes on the big page-benchmark
database (35,000 members, 4,000 cohorts, 100,000 meetings, 270,000 notifications) when
nothing fell due since the last one, the case of nearly every minute.

    flock /tmp/pagebench.lock .venv/bin/python benchmarks/notifications/tick.py --ticks 50

Needs the database `benchmarks/pages/run.py --scale big` made (`peernet_bench_big` on
DATABASE_URL's server; run that first, under the same lock, since other people use it too).
Migrates it, then, inside one transaction that is rolled back at the end (the database is
left as it was): sets the watermark to "just planned" and times `--ticks` ticks, each at the
real current time, with send tasks recorded instead of queued. For comparison it also times
the planning a tick without a watermark does (the look-back over every meeting the catch-up
allows: what each tick did before the watermark). The last output line is one JSON object:
median, p95 and max milliseconds, the queries per tick, what the ticks planned and queued,
and the look-back planning time.
"""

import argparse
import base64
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--database", default="peernet_bench_big")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "peernet.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "PEERNET_MFA_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "DJANGO_SECURE_SSL": "false",
            "EMAIL_URL": "dummy://",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": server.rsplit("/", 1)[0] + f"/{args.database}",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415 (after the environment is set)

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415 (after the environment is set)
    from django.db import connection, transaction  # noqa: PLC0415 (after the environment is set)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 (after the environment is set)
    from django.utils import timezone  # noqa: PLC0415 (after the environment is set)

    from core.models import Notification, NotificationWatermark  # noqa: PLC0415 (after the environment is set)
    from core.notifications import dispatch  # noqa: PLC0415 (after the environment is set)
    from core.notifications.registry import PLANNERS  # noqa: PLC0415 (after the environment is set)

    call_command("migrate", "--noinput", verbosity=0)
    handed: list[list[int]] = []
    dispatch.tasks.notifications_send.delay = handed.append
    timings, queries, results = [], [], []
    size = {
        "meetings": _count("meetings_meeting"),
        "notifications": Notification.objects.count(),
    }
    try:
        with transaction.atomic():
            NotificationWatermark.objects.update_or_create(
                name=dispatch.WATERMARK,
                defaults={
                    "planned_through": timezone.now(),
                    "version": dispatch._planners_version(),
                },
            )
            # Rows already due are handed out once, as the previous tick would have.
            Notification.objects.filter(dispatch.to_hand_out(timezone.now())).update(
                queued_at=timezone.now()
            )
            for _ in range(args.ticks):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    results.append(dispatch.notifications_dispatch())
                    timings.append((time.perf_counter() - started) * 1000)
                queries.append(len(captured))
                time.sleep(0.05)
            started = time.perf_counter()
            looked_back = sum(len(list(p.plan(timezone.now(), None))) for p in PLANNERS)
            look_back_ms = (time.perf_counter() - started) * 1000
            raise Rollback
    except Rollback:
        pass
    timings.sort()
    print(
        json.dumps(
            {
                "ticks": args.ticks,
                "median_ms": round(statistics.median(timings), 1),
                "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
                "max_ms": round(timings[-1], 1),
                "queries_per_tick": sorted(set(queries)),
                "planned": sum(r["planned"] for r in results),
                "queued": sum(r["queued"] for r in results),
                "send_tasks": len(handed),
                "look_back_plan_ms": round(look_back_ms, 1),
                "look_back_rows": looked_back,
                **size,
            }
        )
    )


def _count(table: str) -> int:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
