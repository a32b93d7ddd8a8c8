from celery import shared_task

from peernet import services
from peernet.mail import payload_send


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=600, max_retries=8)
def email_send(payload: dict) -> None:
    payload_send(payload)


@shared_task
def heartbeat_record(name: str = "scheduler") -> None:
    services.heartbeat_record(name=name)
