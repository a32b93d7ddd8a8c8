"""Development mail: every message written as one `.eml` file, read back by /dev/mail/.

With DJANGO_DEBUG=true and no EMAIL_URL, mail goes to `file://<PEERNET_VAR_DIR>/mail`: account
emails (sent by the worker through Django's mailer) and notifications (which use the same
mailer when it is not SMTP) land there exactly as they would have been sent, and the debug
page decodes them (base64, quoted-printable) so their links work. A mail catcher works too:
point EMAIL_URL at its SMTP port.
"""

import email
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

BACKEND = "core.dev_mail.EmlBackend"
# The names this backend gives its files; anything else is not served.
NAME = re.compile(r"\d{8}-\d{6}-\d{6}-[0-9a-f]{8}")


class EmlBackend(BaseEmailBackend):
    """Writes each message to `<file_path>/<time>-<random>.eml`, the bytes a server would get."""

    def __init__(self, *, file_path: str, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(file_path)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}"
            # Written aside, then renamed: the page never reads half a message.
            partial = self.directory / f".{name}.tmp"
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, self.directory / f"{name}.eml")
            count += 1
        return count


def mail_dir() -> Path | None:
    """Where the default mailer writes, if it writes files."""
    mailer = settings.MAILERS.get("default", {})
    if mailer.get("BACKEND") != BACKEND:
        return None
    return Path(mailer["OPTIONS"]["file_path"])


@dataclass(frozen=True)
class Summary:
    name: str
    subject: str
    to: str
    sent_at: datetime | None


@dataclass(frozen=True)
class Letter:
    summary: Summary
    sender: str
    text: str | None
    html: str | None
    attachments: list[str]


def _parse(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def _summary(name: str, message: EmailMessage) -> Summary:
    try:
        sent_at = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    return Summary(
        name=name,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sent_at=sent_at,
    )


def letters_list(directory: Path) -> list[Summary]:
    """Newest first."""
    if not directory.is_dir():
        return []
    paths = sorted((p for p in directory.glob("*.eml") if NAME.fullmatch(p.stem)), reverse=True)
    return [_summary(path.stem, _parse(path)) for path in paths]


def letter_get(directory: Path, name: str) -> Letter | None:
    if not NAME.fullmatch(name):
        return None
    path = directory / f"{name}.eml"
    if not path.is_file():
        return None
    message = _parse(path)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Letter(
        summary=_summary(name, message),
        sender=str(message["From"] or ""),
        text=text.get_content() if text else None,
        html=html.get_content() if html else None,
        attachments=[part.get_filename() or "(unnamed)" for part in message.iter_attachments()],
    )
