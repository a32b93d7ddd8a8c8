"""Creating rows (an event's, in the caller's transaction; the periodic tick's, as they fall
due) and handing the claimable ones to send tasks in batches."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

# core.tasks imports this module too; the tasks are looked up when called, so the cycle is
# harmless.
from core import tasks
from core.models import Notification
from core.notifications.registry import PLANNERS
from core.notifications.send import claimable

State = Notification.State


# Creating rows ----------------------------------------------------------------------------


def notifications_create(rows: Iterable[Notification]) -> None:
    """Insert the rows that do not exist yet; a (kind, subject, recipient) that exists is left
    exactly as it is, whoever inserted it first."""
    Notification.objects.bulk_create(list(rows), ignore_conflicts=True, batch_size=500)


def notify(
    *,
    kind: str,
    subject: str,
    scope: str,
    recipients: Iterable[tuple[object | None, str]],
    context: dict | None = None,
) -> None:
    """Event-driven notifications (agenda published, a change, an application email): record
    them in the caller's transaction and send them as soon as it commits."""
    now = timezone.now()
    notifications_create(
        Notification(
            kind=kind,
            subject=subject,
            scope=scope,
            recipient=email,
            user=user,
            context=context or {},
            due_at=now,
        )
        for user, email in recipients
    )
    transaction.on_commit(lambda: _send_soon(kind=kind, subject=subject))


def _send_soon(*, kind: str, subject: str) -> None:
    ids = list(
        Notification.objects.filter(kind=kind, subject=subject, state=State.PENDING).values_list(
            "id", flat=True
        )
    )
    if ids:
        tasks.notifications_send.delay(ids)


# Dispatching ------------------------------------------------------------------------------


def notifications_dispatch(*, now: datetime | None = None) -> dict:
    """The periodic tick: create the rows that fell due (catching up after downtime) and hand
    every claimable row to send tasks in batches. Running it twice at once is harmless: rows
    are unique and a row is sent by whichever task claims it first.

    A large tick inserts its rows in slices and hands out what is claimable after each one,
    so that other workers send the first batches while the rest is still being inserted."""
    now = now or timezone.now()
    planned = [row for planner in PLANNERS for row in planner(now)]
    size = settings.NOTIFICATION_BATCH_SIZE
    step = max(size * DISPATCH_SLICE_BATCHES, 1)
    queued, waiting, seen = 0, [], 0
    for start in range(0, max(len(planned), 1), step):
        notifications_create(planned[start : start + step])
        # Every claimable row the first time; after that, the rows inserted since.
        ids = list(
            Notification.objects.filter(claimable(now), id__gt=seen)
            .order_by("due_at", "id")
            .values_list("id", flat=True)
        )
        seen = max([seen, *ids])
        waiting.extend(ids)
        queued += len(ids)
        while len(waiting) >= size:
            tasks.notifications_send.delay(waiting[:size])
            waiting = waiting[size:]
    if waiting:
        tasks.notifications_send.delay(waiting)
    return {"planned": len(planned), "queued": queued}


# Rows inserted between two hand-outs, in batches.
DISPATCH_SLICE_BATCHES = 10
