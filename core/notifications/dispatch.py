"""Creating rows (an event's, in the caller's transaction; the periodic tick's, as they fall
due) and handing the claimable ones to send tasks in batches."""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

# core.tasks imports this module too; the tasks are looked up when called, so the cycle is
# harmless.
from core import tasks
from core.models import Notification, NotificationWatermark
from core.notifications.registry import PLANNERS

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
    ids = _hand_out(
        Notification.objects.filter(kind=kind, subject=subject, state=State.PENDING),
        timezone.now(),
    )
    for start in range(0, len(ids), settings.NOTIFICATION_BATCH_SIZE):
        tasks.notifications_send.delay(ids[start : start + settings.NOTIFICATION_BATCH_SIZE])


# Dispatching ------------------------------------------------------------------------------

WATERMARK = "tick"


def notifications_dispatch(*, now: datetime | None = None) -> dict:
    """The periodic tick: create the rows that fell due since the last tick (catching up
    after downtime) and hand the rows that need a sender to send tasks in batches.

    What the last tick planned is kept as a watermark (NotificationWatermark); the planners
    look only at what fell due, or changed, after it, and the watermark moves in the
    transaction that inserts the last rows. A first tick, or one after the planners' version
    changed (a cohort's offsets), looks back as far as the catch-up rule allows. If a tick
    dies half-way the watermark stays where it was and the next one plans the same moments
    again: rows are unique, what exists is left alone.

    A row is handed out when it is due and no hand-out of it is outstanding (`to_hand_out`):
    new rows, rows whose retry time came, rows a slow sender handed back and rows whose
    worker died. A row claimed by a live sender, or waiting for its retry, is left alone, so
    a tick with nothing due makes the same few queries whatever the size of the ledger.

    Running two ticks at once is harmless: rows are unique, the hand-out locks the rows it
    marks, and a row is sent by whichever task claims it first. A large tick inserts its
    rows in slices and hands out what is due after each one, so that workers send the first
    batches while the rest is still being inserted."""
    now = now or timezone.now()
    mark, _ = NotificationWatermark.objects.get_or_create(name=WATERMARK)
    version = _planners_version()
    since = mark.planned_through if mark.version == version else None
    planned = [row for planner in PLANNERS for row in planner.plan(now, since)]
    size = settings.NOTIFICATION_BATCH_SIZE
    step = max(size * DISPATCH_SLICE_BATCHES, 1)
    queued, waiting = 0, []
    starts = range(0, max(len(planned), 1), step)
    for start in starts:
        with transaction.atomic():
            notifications_create(planned[start : start + step])
            ids = _hand_out(Notification.objects.all(), now)
            if start == starts[-1]:
                through = max(now, mark.planned_through) if since else now
                NotificationWatermark.objects.filter(name=WATERMARK).update(
                    planned_through=through, version=version
                )
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


def _planners_version() -> str:
    text = "|".join(planner.version() if planner.version else "" for planner in PLANNERS)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def to_hand_out(now: datetime) -> Q:
    """Rows that need a sender now and have none coming: due (and past their retry time) or
    abandoned by a dead worker, and not handed out within NOTIFICATION_CLAIM_SECONDS (a
    hand-out older than that was lost: a send task takes its rows long before)."""
    stale = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    waiting = Q(state=State.PENDING, due_at__lte=now) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    abandoned = Q(state=State.SENDING, claimed_at__lt=stale)
    return (waiting | abandoned) & (Q(queued_at__isnull=True) | Q(queued_at__lte=stale))


def _hand_out(rows, now: datetime) -> list[int]:
    """Mark the rows among `rows` that need a sender as handed out now; returns their ids,
    oldest due first. Rows another tick is marking at the same moment are skipped."""
    rows = rows.filter(to_hand_out(now)).order_by("due_at", "id")
    with transaction.atomic(savepoint=False):
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("id", flat=True))
        if ids:
            Notification.objects.filter(id__in=ids).update(queued_at=now)
    return ids
