"""Account email (allauth) as plain data: rendered in the web process, sent by a worker.

Messages cross the Celery boundary as JSON payloads, never as pickled objects. Every other
email goes through the notification ledger (core/notifications/).
"""

from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives


class Site(NamedTuple):
    """What allauth's email templates call `current_site`. django.contrib.sites is not
    installed, and a RequestSite would be named after the Host header (or be missing where
    there is no request), so account emails greeted "Hello from !"."""

    name: str
    domain: str
    url: str


def site() -> Site:
    return Site(name="PeerNet", domain=urlsplit(settings.BASE_URL).netloc, url=settings.BASE_URL)


def message_to_payload(message: EmailMessage) -> dict:
    alternatives = [[alt.content, alt.mimetype] for alt in getattr(message, "alternatives", [])]
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": alternatives,
        "content_subtype": message.content_subtype,
    }


def payload_to_message(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        reply_to=payload.get("reply_to") or None,
        headers=payload.get("headers") or {},
    )
    message.content_subtype = payload.get("content_subtype", "plain")
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    return message


def payload_send(payload: dict) -> int:
    return payload_to_message(payload).send()
