"""The core's Celery tasks: thin wrappers around its services.

Each keeps the name it was registered under when it lived in peernet/tasks.py, so messages
already queued at a deploy, and the beat schedule, still find it."""

from celery import shared_task

from core import services
from core.mail import payload_send
from core.notifications import dispatch, send


@shared_task(
    name="peernet.tasks.email_send",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def email_send(payload: dict) -> None:
    payload_send(payload)


@shared_task(name="peernet.tasks.heartbeat_record")
def heartbeat_record(name: str = "scheduler") -> None:
    services.heartbeat_record(name=name)


@shared_task(name="peernet.tasks.notifications_dispatch")
def notifications_dispatch() -> dict:
    return dispatch.notifications_dispatch()


# Retries are bounded by the rows (NOTIFICATION_MAX_ATTEMPTS, then "failed"), not by Celery.
@shared_task(name="peernet.tasks.notifications_send", bind=True, max_retries=None)
def notifications_send(self, ids: list[int]) -> dict:
    try:
        result = send.notifications_send(ids=ids)
    except send.SmtpUnavailable as unavailable:
        raise self.retry(args=[unavailable.ids], countdown=unavailable.countdown) from None
    return vars(result)
