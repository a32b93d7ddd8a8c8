"""Claiming rows for one sender, sending them over one SMTP connection, marking each sent
right after the server accepted it, and handing back what was not sent (module docstring of
core.notifications: the delivery guarantee)."""

import re
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import Notification, NotificationOptOut
from core.notifications.compose import Composer, LedgerEmail
from core.notifications.registry import KINDS, Preparation

State = Notification.State


# Claiming and sending ---------------------------------------------------------------------


def claimable(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
    pending = Q(state=State.PENDING, due_at__lte=now) & (
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    return pending | Q(state=State.SENDING, claimed_at__lt=stale)


def notifications_claim(*, ids: list[int], now: datetime | None = None) -> uuid.UUID:
    """Take the claimable rows among `ids` for one sender; returns its claim token. Commits
    before returning, so other senders see the claim before any mail goes out."""
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        rows = Notification.objects.filter(claimable(now), id__in=ids)
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
        .only(*_ROW_FIELDS)
        .order_by("due_at", "id")
    )
    result = SendResult()
    if not rows:
        return result
    preparations = _prepare(rows, now)
    outgoing = []
    composer = Composer()
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
        with mailer, _sent_marker(token) as mark_sent:
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
                mark_sent(row.pk)
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


# What preparing and composing read of a row and its member: building the rest of both
# objects (the password, the claim columns, ...) for every message costs more than the query.
_ROW_FIELDS = (
    *("kind", "subject", "scope", "recipient", "user", "context", "due_at"),
    *("user__first_name", "user__time_zone"),
)


def _sender(mailer) -> Callable[[LedgerEmail], None]:
    """How one message goes out. Through Django's SMTP backend, straight over its open
    connection with the bytes composed once (the backend would rebuild and re-parse every
    address and header); through any other backend (console, locmem in tests), as usual."""
    smtp = getattr(mailer, "connection", None) if isinstance(mailer, SmtpBackend) else None
    if smtp is None:
        return lambda message: mailer.send_messages([message])
    sender = mailer.prep_address(settings.DEFAULT_FROM_EMAIL)
    smtp.ehlo_or_helo_if_needed()
    with_size = smtp.does_esmtp and smtp.has_extn("size")
    plain_sender = _PLAIN_ADDRESS.fullmatch(sender) is not None

    def send(message: LedgerEmail) -> None:
        [recipient] = message.to
        if plain_sender and _PLAIN_ADDRESS.fullmatch(recipient):
            _transaction(smtp, sender, recipient, message.raw, with_size)
        else:
            smtp.sendmail(sender, [mailer.prep_address(recipient)], message.raw)

    return send


# A dot-atom addr-spec of common characters: smtplib's quoteaddr() (email.utils.parseaddr,
# a quarter of the client's CPU per message) would return it unchanged in angle brackets.
# Anything else (display names, quoting, IDNA) goes through the backend and smtplib as usual.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def _transaction(smtp: smtplib.SMTP, sender: str, recipient: str, raw: bytes, size: bool):
    """smtplib's sendmail() for one plain recipient and bytes, through smtplib's own commands
    and data transfer, with the same replies and errors, without parsing either address again
    for every message."""
    options = f" size={len(raw)}" if size else ""
    code, reply = smtp.docmd("mail", f"FROM:<{sender}>{options}")
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.docmd("rcpt", f"TO:<{recipient}>")
    if code not in (250, 251):
        _abandon(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    # data() checks the 354, dot-stuffs and ends the message as sendmail() does.
    code, reply = smtp.data(raw)
    if code != 250:
        _abandon(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _abandon(smtp: smtplib.SMTP, code: int) -> None:
    # As smtplib: a server closing the session (421) is closed; otherwise the transaction is
    # reset so that the connection can carry the next message.
    if code == 421:
        smtp.close()
        return
    with suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


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


@contextmanager
def _sent_marker(token: uuid.UUID) -> Iterator[Callable[[int], None]]:
    """Marks one row "sent": one autocommitted UPDATE by primary key and claim token, straight
    after the server accepted its message. Through the driver's cursor (Django's wrapper and
    the ORM cost more than the statement here); on PostgreSQL a statement prepared once per
    batch, so the server neither parses nor plans it for every message."""
    table = Notification._meta.db_table
    fields = "state = %s, sent_at = %s, claim_token = NULL, context = '{}', last_error = ''"
    errors, sent = connection.wrap_database_errors, State.SENT.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = f"notification_sent_{token.hex}"
            numbered = fields.replace("%s", "$1", 1).replace("%s", "$2", 1)
            where = "WHERE id = $3 AND claim_token = $4"
            cursor.execute(f"PREPARE {name} AS UPDATE {table} SET {numbered} {where}")
            sql, claim = f"EXECUTE {name} (%s, %s, %s, %s)", str(token)
        else:
            name = ""
            sql = f"UPDATE {table} SET {fields} WHERE id = %s AND claim_token = %s"
            claim = _uuid_param(token)
        driver = cursor.cursor

        def mark(pk: int) -> None:
            with errors:
                driver.execute(sql, (sent, timezone.now(), pk, claim))

        try:
            yield mark
        finally:
            if name:
                # Session-scoped: if this fails, it goes with the connection (its name is unique).
                with suppress(DatabaseError):
                    cursor.execute(f"DEALLOCATE {name}")


def _uuid_param(token: uuid.UUID):
    # Django stores UUIDs as uuid on PostgreSQL and as 32 hex characters elsewhere.
    return token if connection.vendor == "postgresql" else token.hex


def _release(token: uuid.UUID, *, error: Exception | None) -> tuple[list[int], float]:
    """Hand unsent rows of this claim back: pending (with a retry time after an error), or
    failed once they used up their attempts. Returns the ids to retry and after how long."""
    mine = Notification.objects.filter(claim_token=token, state=State.SENDING)
    if error is None:
        ids = list(mine.values_list("id", flat=True))
        # Handed back, not handed out: the next tick gives them to a sender.
        mine.update(state=State.PENDING, claim_token=None, claimed_at=None, queued_at=None)
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
    # The task retries itself with these rows at retry_at: that is their next hand-out.
    rows.update(
        state=State.PENDING,
        claim_token=None,
        claimed_at=None,
        retry_at=retry_at,
        queued_at=retry_at,
        last_error=text,
    )
    return ids, delay


def _permanent(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


# Preparing --------------------------------------------------------------------------------


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
