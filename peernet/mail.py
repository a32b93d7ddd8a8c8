"""Email as plain data: rendered in the web process, sent by a worker.

Messages cross the Celery boundary as JSON payloads, never as pickled objects.
"""

import contextlib

from django.core.mail import EmailMessage, EmailMultiAlternatives


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


def email_enqueue(*, template: str, to: list[str], context: dict) -> None:
    """Render templates/email/<template>_{subject,body}.txt (+ _body.html when present) and
    hand the message to a worker once the surrounding transaction commits.

    Emails carry links, never forum content: templates get a `link` and plain facts only.
    """
    from django.conf import settings
    from django.db import transaction
    from django.template import TemplateDoesNotExist
    from django.template.loader import render_to_string

    from peernet.tasks import email_send

    context = {"base_url": settings.BASE_URL, **context}
    subject = " ".join(render_to_string(f"email/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=f"[PeerNet] {subject}",
        body=render_to_string(f"email/{template}_body.txt", context),
        to=to,
    )
    # An HTML alternative is optional per template.
    with contextlib.suppress(TemplateDoesNotExist):
        message.attach_alternative(
            render_to_string(f"email/{template}_body.html", context), "text/html"
        )
    payload = message_to_payload(message)
    transaction.on_commit(lambda: email_send.delay(payload))
