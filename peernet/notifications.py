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

import logging
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peernet.models import Notification, NotificationOptOut

log = logging.getLogger(__name__)
State = Notification.State
UNSUBSCRIBE_SALT = "peernet.notifications.unsubscribe"


@dataclass(frozen=True)
class Prepared:
    """What a kind gives the renderer for one row: template context and attachments."""

    context: dict
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


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
    are unique and a row is sent by whichever task claims it first."""
    from peernet.tasks import notifications_send as task

    now = now or timezone.now()
    planned = [row for planner in PLANNERS for row in planner(now)]
    notifications_create(planned)
    ids = list(
        Notification.objects.filter(_claimable(now))
        .order_by("due_at", "id")
        .values_list("id", flat=True)
    )
    size = settings.NOTIFICATION_BATCH_SIZE
    for start in range(0, len(ids), size):
        task.delay(ids[start : start + size])
    return {"planned": len(planned), "queued": len(ids)}


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
    for row in rows:
        preparation = preparations.get(row.pk, "nothing to send")
        if isinstance(preparation, str):
            _finish(row, token, state=State.SKIPPED, skip_reason=preparation)
            result.skipped += 1
        else:
            outgoing.append((row, _message(row, preparation)))
    if not outgoing:
        return result
    deadline = settings.NOTIFICATION_CLAIM_SECONDS / 2
    mailer = mail.mailers.default
    try:
        _fast_commits(True)
        with mailer:
            for row, message in outgoing:
                if time.monotonic() - started > deadline:
                    break
                try:
                    mailer.send_messages([message])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    if _permanent(error):
                        _finish(row, token, state=State.FAILED, last_error=_describe(error))
                        result.failed += 1
                        continue
                    raise
                _mark_sent(row, token)
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


def _mark_sent(row: Notification, token: uuid.UUID) -> None:
    """One statement per message, straight after the server accepted it (the ORM's
    update() costs more than the statement itself here)."""
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, sent_at = %s, claim_token = NULL, "
            "context = %s, last_error = '' WHERE id = %s AND claim_token = %s",
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
    """Sent through the configured Django mailer like any message, but composed with the
    standard library's compat32 MIME classes: Django 6.1 builds messages with the
    policy-based email API, whose header objects cost about 4 ms a message, five times an
    SMTP round trip, and the dispatcher sends thousands at once. These messages are simple
    (text + HTML, an optional attachment, ASCII addresses), which is all this needs."""

    def message(self, *, policy=None):
        # Our own boundaries (the parts are base64, so they cannot contain them) spare the
        # generator a regular expression per part.
        boundary = uuid.uuid4().hex
        body = MIMEMultipart("alternative", boundary=f"=_a{boundary}")
        body.attach(MIMEText(self.body, "plain", "utf-8"))
        for alternative in self.alternatives:
            body.attach(MIMEText(alternative.content, alternative.mimetype.split("/")[1], "utf-8"))
        if self.attachments:
            message = MIMEMultipart("mixed", boundary=f"=_m{boundary}")
            message.attach(body)
            for attachment in self.attachments:
                maintype, subtype = attachment.mimetype.split("/")
                part = MIMEBase(maintype, subtype)
                part.set_payload(attachment.content)
                encoders.encode_base64(part)
                part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
                message.attach(part)
        else:
            message = body
        headers = {
            "Subject": self.subject,
            "From": self.from_email,
            "To": ", ".join(self.to),
            "Date": formatdate(),
            **self.extra_headers,
        }
        for name, value in headers.items():
            message[name] = value if str(value).isascii() else Header(str(value), "utf-8")
        # CRLF when the SMTP backend asks for it (smtplib sends bytes as they are). Headers are
        # short (under 998 characters), so they are not folded.
        crlf = policy is not None and policy.linesep == "\r\n"
        message.policy = compat32.clone(linesep="\r\n" if crlf else "\n", max_line_length=0)
        return message


def _message(row: Notification, prepared: Prepared) -> EmailMultiAlternatives:
    kind = KINDS[row.kind]
    user = row.user
    context = {
        "base_url": settings.BASE_URL,
        "recipient_name": (user.first_name if user else "") or "",
        "kind_label": kind.label,
        **prepared.context,
    }
    # The Message-ID comes from the row: a repeat after a crash is recognisably the same mail.
    headers = {"Message-ID": f"<notification.{row.pk}.{row.kind}@{_domain()}>"}
    if kind.unsubscribable and user is not None:
        token = unsubscribe_token(user_id=user.pk, kind=row.kind)
        unsubscribe = settings.BASE_URL + reverse("notification_unsubscribe", args=[token])
        context["unsubscribe_link"] = unsubscribe
        context["preferences_link"] = settings.BASE_URL + reverse("notification_preferences")
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    zone = (user.time_zone if user else "") or settings.TIME_ZONE
    with timezone.override(zone):
        context["time_zone"] = zone
        subject = " ".join(render_to_string(f"email/{kind.template}_subject.txt", context).split())
        body = render_to_string(f"email/{kind.template}_body.txt", context)
        html = render_to_string(f"email/{kind.template}_body.html", context)
    message = LedgerEmail(
        subject=f"[PeerNet] {subject}", body=body, to=[row.recipient], headers=headers
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in prepared.attachments:
        message.attach(filename, content, mimetype)
    return message


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
