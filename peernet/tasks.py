from celery import shared_task

from peernet import notifications, services
from peernet.mail import payload_send


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def email_send(payload: dict) -> None:
    payload_send(payload)


@shared_task
def heartbeat_record(name: str = "scheduler") -> None:
    services.heartbeat_record(name=name)


@shared_task
def notifications_dispatch() -> dict:
    return notifications.notifications_dispatch()


# Retries are bounded by the rows (NOTIFICATION_MAX_ATTEMPTS, then "failed"), not by Celery.
@shared_task(bind=True, max_retries=None)
def notifications_send(self, ids: list[int]) -> dict:
    try:
        result = notifications.notifications_send(ids=ids)
    except notifications.SmtpUnavailable as unavailable:
        raise self.retry(args=[unavailable.ids], countdown=unavailable.countdown) from None
    return vars(result)
