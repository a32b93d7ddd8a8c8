"""Rendering and composing the messages of one batch: templates once per shared context, the
recipient's parts filled in, the MIME bytes written directly."""

import binascii
import email
import html as markup
import re
import time
import uuid
import zoneinfo
from datetime import datetime
from email.header import Header
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from core.models import Notification
from core.notifications.preferences import UnsubscribeTokens
from core.notifications.registry import KINDS, Kind, Prepared


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    return address.strip("> ") or "peernet.local"


class LedgerEmail(EmailMultiAlternatives):
    """A composed notification: `raw` holds the bytes that go to the SMTP server (CRLF line
    ends). The SMTP path sends them as they are; other backends (console, locmem) get the
    same message parsed back from them."""

    raw: bytes = b""

    def message(self, *, policy=None):
        crlf = policy is not None and policy.linesep == "\r\n"
        raw = self.raw if crlf else self.raw.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(raw, policy=compat32)
        message.policy = compat32.clone(linesep="\r\n" if crlf else "\n", max_line_length=0)
        return message


# Per-recipient parts of shared renderings: each template is rendered with a marker in their
# place, and the marker is replaced for every recipient (escaped for HTML).
PERSONAL = ("recipient_name", "unsubscribe_link", "time_zone", "when")
_MARK = "\ue000"
_MARKED = re.compile(f"{_MARK}([a-z_]+){_MARK}")


def _split(rendered: str) -> list[str] | None:
    """Literal text and slot names, alternating; None if a template altered a marker (say,
    with a filter), and its rows must then be rendered one by one."""
    parts = _MARKED.split(rendered)
    if any(_MARK in literal for literal in parts[::2]):
        return None
    return parts


def _fill(parts: list[str], values: dict[str, str]) -> str:
    filled = parts[:]
    filled[1::2] = [values[name] for name in parts[1::2]]
    return "".join(filled)


def _base64(data: bytes) -> bytes:
    # base64.encodebytes() with CRLF line ends, encoded in one call rather than per line.
    encoded = binascii.b2a_base64(data, newline=False)
    if not encoded:
        return b""
    lines = [encoded[start : start + 76] for start in range(0, len(encoded), 76)]
    return b"\r\n".join(lines) + b"\r\n"


def _header(name: str, value: str) -> bytes:
    if "\r" in value or "\n" in value:
        raise ValueError(f"Header values may not contain line breaks: {name}")
    if value.isascii():
        return f"{name}: {value}\r\n".encode()
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}\r\n".encode()


_TEXT_PART = (
    b'Content-Type: text/%s; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n"
)


class Composer:
    """Renders and composes the messages of one batch: templates once per shared context,
    attachments encoded once, the MIME structure written directly as bytes (text and HTML
    alternatives, base64, then the attachments)."""

    def __init__(self):
        self.domain = _domain()
        self.sender = settings.DEFAULT_FROM_EMAIL
        self.preferences_link = settings.BASE_URL + reverse("notification_preferences")
        # Signed tokens are URL-safe (base64url and ":"): reversed once, filled in per row.
        path = reverse("notification_unsubscribe", args=["0"])
        self.unsubscribe_around = settings.BASE_URL + path.rsplit("0", 1)[0], path.rsplit("0")[-1]
        self.tokens = UnsubscribeTokens()
        # MIME boundaries: unique per message (the row's id), never inside base64 parts.
        self.boundary = uuid.uuid4().hex
        self.date = (0, "")
        self.rendered: dict[tuple, tuple | None] = {}
        self.whens: dict[tuple, str] = {}
        self.parts: dict[tuple, bytes] = {}

    def compose(self, row: Notification, prepared: Prepared) -> LedgerEmail:
        kind = KINDS[row.kind]
        user = row.user
        zone = (user.time_zone if user else "") or settings.TIME_ZONE
        personal = {
            "recipient_name": (user.first_name if user else "") or "",
            "unsubscribe_link": "",
            "time_zone": zone,
            "when": self._when(prepared.when, zone),
        }
        # The Message-ID comes from the row: a repeat after a crash is recognisably the same.
        headers = {"Message-ID": f"<notification.{row.pk}.{row.kind}@{self.domain}>"}
        if kind.unsubscribable and user is not None:
            token = self.tokens(user_id=user.pk, kind=row.kind)
            before, after = self.unsubscribe_around
            unsubscribe = f"{before}{token}{after}"
            personal["unsubscribe_link"] = unsubscribe
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        subject, text, html = self._render(kind, prepared, personal)
        message = LedgerEmail(
            subject=f"[PeerNet] {subject}", body=text, to=[row.recipient], headers=headers
        )
        message.attach_alternative(html, "text/html")
        message.raw = self._bytes(message, html, prepared.attachments, row.pk)
        return message

    def _when(self, moment: datetime | None, zone: str) -> str:
        if moment is None:
            return ""
        key = (moment, zone)
        if key not in self.whens:
            local = moment.astimezone(zoneinfo.ZoneInfo(zone))
            day, hour = dateformat.format(local, "l j F Y"), dateformat.format(local, "H:i")
            self.whens[key] = f"{day} at {hour}"
        return self.whens[key]

    def _context(self, kind: Kind, prepared: Prepared, personal: dict) -> dict:
        return {
            "base_url": settings.BASE_URL,
            "kind_label": kind.label,
            "preferences_link": self.preferences_link,
            **prepared.context,
            **personal,
        }

    def _render(self, kind: Kind, prepared: Prepared, personal: dict) -> tuple[str, str, str]:
        zone = personal["time_zone"]
        if prepared.share is not None:
            # Empty and non-empty values take different {% if %} branches: both are keys.
            present = tuple(bool(personal[name]) for name in PERSONAL)
            key = (kind.name, prepared.share, present)
            if key not in self.rendered:
                marks = {
                    name: f"{_MARK}{name}{_MARK}" if personal[name] else "" for name in PERSONAL
                }
                templates = self._templates(kind, self._context(kind, prepared, marks), zone)
                split = [_split(rendered) for rendered in templates]
                self.rendered[key] = None if None in split else tuple(split)
            shared = self.rendered[key]
            if shared is not None:
                subject, text, html = shared
                # django.utils.html.escape() is html.escape() behind a lazy-string wrapper.
                escaped = {name: markup.escape(value) for name, value in personal.items()}
                return (
                    " ".join(_fill(subject, personal).split()),
                    _fill(text, personal),
                    _fill(html, escaped),
                )
        subject, text, html = self._templates(kind, self._context(kind, prepared, personal), zone)
        return " ".join(subject.split()), text, html

    @staticmethod
    def _templates(kind: Kind, context: dict, zone: str) -> tuple[str, str, str]:
        with timezone.override(zone):
            return (
                render_to_string(f"email/{kind.template}_subject.txt", context),
                render_to_string(f"email/{kind.template}_body.txt", context),
                render_to_string(f"email/{kind.template}_body.html", context),
            )

    def _attachment(self, filename: str, content: bytes, mimetype: str) -> bytes:
        key = (filename, mimetype, content)
        if key not in self.parts:
            if '"' in filename or "\\" in filename or not filename.isascii():
                raise ValueError(f"Unsupported attachment name: {filename!r}")
            self.parts[key] = (
                f"Content-Type: {mimetype}\r\nMIME-Version: 1.0\r\n"
                "Content-Transfer-Encoding: base64\r\n"
                f'Content-Disposition: attachment; filename="{filename}"\r\n\r\n'
            ).encode() + _base64(content)
        return self.parts[key]

    def _date(self) -> str:
        # The Date header has a resolution of a second: formatted once per second.
        second = int(time.time())
        if self.date[0] != second:
            self.date = (second, formatdate(second))
        return self.date[1]

    def _bytes(self, message: LedgerEmail, html: str, attachments, pk: int) -> bytes:
        # Our own boundaries: the parts are base64, which has no "_", so cannot contain them.
        boundary = f"{self.boundary}.{pk}"
        alternative = f"=_a{boundary}".encode()
        body = b"".join(
            [
                b"--%s\r\n" % alternative,
                _TEXT_PART % b"plain",
                _base64(message.body.encode()),
                b"\r\n--%s\r\n" % alternative,
                _TEXT_PART % b"html",
                _base64(html.encode()),
                b"\r\n--%s--\r\n" % alternative,
            ]
        )
        if attachments:
            mixed = f"=_m{boundary}".encode()
            content_type = b'multipart/mixed; boundary="%s"' % mixed
            parts = [b"--%s\r\nContent-Type: multipart/alternative; " % mixed]
            parts.append(b'boundary="%s"\r\nMIME-Version: 1.0\r\n\r\n' % alternative)
            parts.append(body)
            for attachment in attachments:
                parts.append(b"\r\n--%s\r\n" % mixed)
                parts.append(self._attachment(*attachment))
            parts.append(b"\r\n--%s--\r\n" % mixed)
            body = b"".join(parts)
        else:
            content_type = b'multipart/alternative; boundary="%s"' % alternative
        head = [b"Content-Type: %s\r\nMIME-Version: 1.0\r\n" % content_type]
        head.append(_header("Subject", message.subject))
        head.append(_header("From", self.sender))
        head.append(_header("To", ", ".join(message.to)))
        head.append(_header("Date", self._date()))
        head.extend(_header(name, value) for name, value in message.extra_headers.items())
        return b"".join(head) + b"\r\n" + body
