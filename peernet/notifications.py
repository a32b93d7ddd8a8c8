"""The notification ledger: every email PeerNet sends about meetings and applications is a row
in `Notification`, unique on (kind, subject, recipient), claimed before it is sent and marked
right after.

Apps describe what they send (a `Kind`: its templates and how to prepare a batch of rows) and
what falls due over time (a planner), and register both from their AppConfig.ready(); this
module, below all apps, knows nothing about meetings or applications.

Delivery guarantee (README "Notifications"):

- A sender claims rows in one committed transaction (state "sending", its own claim token and
  time). On PostgreSQL the rows are picked with SELECT … FOR UPDATE SKIP LOCKED, so concurrent
  senders split a batch without waiting; on SQLite, which has no row locks, the claim is a
  single conditional UPDATE (… WHERE state = 'pending'), which SQLite's one-writer lock makes
  exclusive. Either way a row belongs to one claim.
- Each message is marked "sent" in its own autocommitted UPDATE as soon as the SMTP server
  accepted it. A worker killed between the server's "250 OK" and that UPDATE leaves one row
  "sending"; after NOTIFICATION_CLAIM_SECONDS it may be claimed and sent again. That window
  (one message per crashed worker, a few milliseconds wide) is the at-least-once side of the
  trade-off; we prefer it to losing the message. The Message-ID is derived from the row, so a
  repeat carries the same Message-ID and mail clients can fold it.
- A live sender never holds a claim that long: it starts no new message once its claim is half
  NOTIFICATION_CLAIM_SECONDS old and hands the rest back.
"""

import base64
import email
import logging
import re
import smtplib
import time
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape

from peernet.models import Notification, NotificationOptOut

log = logging.getLogger(__name__)
State = Notification.State
UNSUBSCRIBE_SALT = "peernet.notifications.unsubscribe"


@dataclass(frozen=True)
class Prepared:
    """What a kind gives the renderer for one row: template context and attachments.

    `when` is the moment the email is about; templates show it in the recipient's time zone
    as {{ when }} ("Tuesday 10 March 2026 at 18:00") next to {{ time_zone }}. Rows of one kind
    with the same `share` key have the same context apart from the recipient (name,
    unsubscribe link, time zone, `when`): their templates are rendered once per batch and the
    recipient's parts filled in. Without a key every row is rendered on its own."""

    context: dict
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    share: Hashable | None = None
    when: datetime | None = None


# Either what to render, or why not to send (the skip reason shown to facilitators).
Preparation = Prepared | str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    # templates/email/<template>_subject.txt, _body.txt and _body.html
    template: str
    # Rows of this kind (one batch) -> {row id: Prepared or skip reason}. One call per batch,
    # so a kind can load what it needs in a fixed number of queries.
    prepare: Callable[[list[Notification], datetime], dict[int, Preparation]]
    # Members may stop it (preferences, one-click unsubscribe). Transactional mail may not.
    unsubscribable: bool = True
    description: str = ""


KINDS: dict[str, Kind] = {}
# Each planner returns the rows that are due by `now` and do not exist yet.
PLANNERS: list[Callable[[datetime], Iterable[Notification]]] = []


def kind_register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def planner_register(planner: Callable[[datetime], Iterable[Notification]]) -> None:
    if planner not in PLANNERS:
        PLANNERS.append(planner)


def unsubscribable_kinds() -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.unsubscribable]


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
    from peernet.tasks import notifications_send as task

    ids = list(
        Notification.objects.filter(kind=kind, subject=subject, state=State.PENDING).values_list(
            "id", flat=True
        )
    )
    if ids:
        task.delay(ids)


# Dispatching ------------------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    pending = Q(state=State.PENDING, due_at__lte=now) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    return pending | Q(state=State.SENDING, claimed_at__lt=stale)


def notifications_dispatch(*, now: datetime | None = None) -> dict:
    """The periodic tick: create the rows that fell due (catching up after downtime) and hand
    every claimable row to send tasks in batches. Running it twice at once is harmless: rows
    are unique and a row is sent by whichever task claims it first.

    A large tick inserts its rows in slices and hands out what is claimable after each one,
    so that other workers send the first batches while the rest is still being inserted."""
    from peernet.tasks import notifications_send as task

    now = now or timezone.now()
    planned = [row for planner in PLANNERS for row in planner(now)]
    size = settings.NOTIFICATION_BATCH_SIZE
    step = max(size * DISPATCH_SLICE_BATCHES, 1)
    queued, waiting, seen = 0, [], 0
    for start in range(0, max(len(planned), 1), step):
        notifications_create(planned[start : start + step])
        # Every claimable row the first time; after that, the rows inserted since.
        ids = list(
            Notification.objects.filter(_claimable(now), id__gt=seen)
            .order_by("due_at", "id")
            .values_list("id", flat=True)
        )
        seen = max([seen, *ids])
        waiting.extend(ids)
        queued += len(ids)
        while len(waiting) >= size:
            task.delay(waiting[:size])
            waiting = waiting[size:]
    if waiting:
        task.delay(waiting)
    return {"planned": len(planned), "queued": queued}


# Rows inserted between two hand-outs, in batches.
DISPATCH_SLICE_BATCHES = 10


# Claiming and sending ---------------------------------------------------------------------


def notifications_claim(*, ids: list[int], now: datetime | None = None) -> uuid.UUID:
    """Take the claimable rows among `ids` for one sender; returns its claim token. Commits
    before returning, so other senders see the claim before any mail goes out."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        rows = Notification.objects.filter(_claimable(now), id__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            locked = list(rows.select_for_update(skip_locked=True).values_list("id", flat=True))
            rows = Notification.objects.filter(id__in=locked)
        # Without row locks (SQLite) this conditional UPDATE is the claim: the database lock
        # serialises writers, and a second claimer's WHERE no longer matches.
        rows.update(
            state=State.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return token


class SmtpUnavailable(Exception):
    """The mail server could not be reached or broke off; these rows wait for a retry."""

    def __init__(self, ids: list[int], countdown: float, error: Exception):
        super().__init__(str(error))
        self.ids, self.countdown, self.error = ids, countdown, error


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    released: int = 0


def notifications_send(*, ids: list[int]) -> SendResult:
    """Claim, prepare, send over one SMTP connection, mark each sent. Raises SmtpUnavailable
    (with the rows to retry and when) if the server cannot be reached."""
    now = timezone.now()
    started = time.monotonic()
    token = notifications_claim(ids=ids, now=now)
    rows = list(
        Notification.objects.filter(claim_token=token)
        .select_related("user")
        .order_by("due_at", "id")
    )
    result = SendResult()
    if not rows:
        return result
    preparations = _prepare(rows, now)
    outgoing = []
    composer = _Composer()
    for row in rows:
        preparation = preparations.get(row.pk, "nothing to send")
        if isinstance(preparation, str):
            _finish(row, token, state=State.SKIPPED, skip_reason=preparation)
            result.skipped += 1
        else:
            outgoing.append((row, composer.compose(row, preparation)))
    if not outgoing:
        return result
    deadline = settings.NOTIFICATION_CLAIM_SECONDS / 2
    mailer = mail.mailers.default
    try:
        _fast_commits(True)
        with mailer, connection.cursor() as cursor:
            send = _sender(mailer)
            for row, message in outgoing:
                if time.monotonic() - started > deadline:
                    break
                try:
                    send(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    if _permanent(error):
                        _finish(row, token, state=State.FAILED, last_error=_describe(error))
                        result.failed += 1
                        continue
                    raise
                _mark_sent(cursor, row, token)
                result.sent += 1
    except (OSError, smtplib.SMTPException) as error:
        _fast_commits(False)
        retry, delay = _release(token, error=error)
        if retry:
            raise SmtpUnavailable(retry, delay, error) from error
        return result
    finally:
        _fast_commits(False)
    # Out of time: what is left goes back to the queue for the next tick, untouched.
    result.released = len(_release(token, error=None)[0])
    return result


def _sender(mailer) -> Callable[["LedgerEmail"], None]:
    """How one message goes out. Through Django's SMTP backend, straight over its open
    connection with the bytes composed once (the backend would rebuild and re-parse every
    address and header); through any other backend (console, locmem in tests), as usual."""
    smtp = getattr(mailer, "connection", None) if isinstance(mailer, SmtpBackend) else None
    if smtp is None:
        return lambda message: mailer.send_messages([message])
    sender = mailer.prep_address(settings.DEFAULT_FROM_EMAIL)

    def send(message: LedgerEmail) -> None:
        [recipient] = message.to
        if not _PLAIN_ADDRESS.fullmatch(recipient):
            recipient = mailer.prep_address(recipient)
        smtp.sendmail(sender, [recipient], message.raw)

    return send


# A bare ASCII addr-spec needs none of the backend's parsing (display names, IDNA, injection).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _fast_commits(on: bool) -> None:
    """PostgreSQL: while sending, "sent" marks commit without waiting for the WAL flush.
    They are visible to every other session at once and survive a worker crash; only a
    crash of the database server itself within a fraction of a second could undo the last
    marks, and those rows would be sent again after the claim expires (at-least-once). Each
    mark would otherwise wait for a disk flush, longer than the SMTP exchange itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET synchronous_commit TO {'OFF' if on else 'DEFAULT'}")


def _finish(row: Notification, token: uuid.UUID, **fields) -> None:
    Notification.objects.filter(pk=row.pk, claim_token=token).update(claim_token=None, **fields)


def _mark_sent(cursor, row: Notification, token: uuid.UUID) -> None:
    """One autocommitted statement per message, by primary key, straight after the server
    accepted it (the ORM's update() costs more than the statement itself here)."""
    cursor.execute(
        f"UPDATE {Notification._meta.db_table} SET state = %s, sent_at = %s, "
        "claim_token = NULL, context = %s, last_error = '' WHERE id = %s AND claim_token = %s",
        [State.SENT, timezone.now(), "{}", row.pk, _uuid_param(token)],
    )


def _uuid_param(token: uuid.UUID):
    # Django stores UUIDs as uuid on PostgreSQL and as 32 hex characters elsewhere.
    return token if connection.vendor == "postgresql" else token.hex


def _release(token: uuid.UUID, *, error: Exception | None) -> tuple[list[int], float]:
    """Hand unsent rows of this claim back: pending (with a retry time after an error), or
    failed once they used up their attempts. Returns the ids to retry and after how long."""
    mine = Notification.objects.filter(claim_token=token, state=State.SENDING)
    if error is None:
        ids = list(mine.values_list("id", flat=True))
        mine.update(state=State.PENDING, claim_token=None, claimed_at=None)
        return ids, 0
    text = _describe(error)
    mine.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).update(
        state=State.FAILED, claim_token=None, last_error=text
    )
    ids = list(mine.values_list("id", flat=True))
    rows = Notification.objects.filter(id__in=ids)
    attempts = max(rows.values_list("attempts", flat=True), default=1)
    delay = min(
        settings.NOTIFICATION_RETRY_SECONDS * 2 ** max(attempts - 1, 0),
        settings.NOTIFICATION_RETRY_MAX_SECONDS,
    )
    retry_at = timezone.now() + timedelta(seconds=delay)
    rows.update(
        state=State.PENDING, claim_token=None, claimed_at=None, retry_at=retry_at, last_error=text
    )
    return ids, delay


def _permanent(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


# Preparing and rendering ------------------------------------------------------------------


def _prepare(rows: list[Notification], now: datetime) -> dict[int, Preparation]:
    result: dict[int, Preparation] = {}
    stopped = set(
        NotificationOptOut.objects.filter(
            user_id__in={row.user_id for row in rows if row.user_id}
        ).values_list("user_id", "kind")
    )
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        kind = KINDS.get(row.kind)
        if kind is None:
            result[row.pk] = f"unknown kind {row.kind!r}"
        elif kind.unsubscribable and (row.user_id, row.kind) in stopped:
            result[row.pk] = "the member unsubscribed from this kind"
        else:
            by_kind[row.kind].append(row)
    for name, kind_rows in by_kind.items():
        result.update(KINDS[name].prepare(kind_rows, now))
    return result


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    # No timestamp: an unsubscribe link keeps working as long as the email exists.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user_id, kind])


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or kind not in KINDS or not KINDS[kind].unsubscribable:
        return None
    return user_id, kind


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
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


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


class _Composer:
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
            token = unsubscribe_token(user_id=user.pk, kind=row.kind)
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
        message.raw = self._bytes(message, html, prepared.attachments)
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
                escaped = {name: escape(value) for name, value in personal.items()}
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

    def _bytes(self, message: LedgerEmail, html: str, attachments) -> bytes:
        # Our own boundaries: the parts are base64, which has no "_", so cannot contain them.
        boundary = uuid.uuid4().hex
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
        head.append(_header("Date", formatdate()))
        head.extend(_header(name, value) for name, value in message.extra_headers.items())
        return b"".join(head) + b"\r\n" + body


# Preferences ------------------------------------------------------------------------------


def preferences_set(*, user, receive: Iterable[str]) -> None:
    """Receive exactly the unsubscribable kinds in `receive`; stop the others."""
    wanted = set(receive)
    names = {kind.name for kind in unsubscribable_kinds()}
    with transaction.atomic():
        NotificationOptOut.objects.filter(user=user, kind__in=wanted).delete()
        NotificationOptOut.objects.bulk_create(
            [NotificationOptOut(user=user, kind=name) for name in sorted(names - wanted)],
            ignore_conflicts=True,
        )


def unsubscribe(*, user_id: int, kind: str) -> None:
    """Stop exactly this kind for this member (one-click unsubscribe)."""
    NotificationOptOut.objects.bulk_create(
        [NotificationOptOut(user_id=user_id, kind=kind)], ignore_conflicts=True
    )


def stopped_kinds(user) -> set[str]:
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
