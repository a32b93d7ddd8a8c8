"""The notification ledger in-process: planning, claiming, sending, skipping, unsubscribing.
(tests/core/test_notifications_worker.py runs it through a real worker and SMTP server.)"""

import dataclasses
import email
import smtplib
import socket
from datetime import UTC, date, datetime, time
from email import policy

import icalendar
import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import Notification, NotificationOptOut
from core.notifications import dispatch as dispatching
from core.notifications import preferences, send
from core.notifications.compose import Composer
from core.notifications.preferences import unsubscribe_token
from core.notifications.registry import KINDS
from groups.models import Membership
from meetings import services as meeting_services
from meetings.models import NotificationSchedule
from members.models import Role
from tests import factories

S = Notification.State
# The meeting: Tuesday 10 March 2026, 09:00 in London (GMT, so 09:00 UTC).
START = "2026-03-10 09:00Z"


@pytest.fixture
def forum(db):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay")
    alice = factories.user_create(
        role=Role.MEMBER, email="alice@example.com", first="Alice", time_zone="Asia/Tokyo"
    )
    bob = factories.user_create(
        role=Role.MEMBER, email="bob@example.com", first="Bob", time_zone="America/New_York"
    )
    cohort = factories.cohort_create(name="Atlas", facilitators=[facilitator], members=[alice, bob])
    with time_machine.travel("2026-02-01 12:00Z", tick=False):
        meeting = meeting_services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="March forum",
            local_date=date(2026, 3, 10),
            local_time=time(9, 0),
            duration_minutes=180,
            time_zone="Europe/London",
        )
        topic = meeting_services.topic_save(
            owner=alice,
            title="Secret acquisition of Globex",
            kind="issue",
            importance=9,
            urgency=9,
            estimated_minutes=30,
        )
        meeting_services.topic_post(topic=topic, meeting=meeting, actor=alice, minutes=30)
    return {"meeting": meeting, "alice": alice, "bob": bob, "facilitator": facilitator}


def at(moment: str):
    return time_machine.travel(moment, tick=False)


def dispatch(moment: str) -> dict:
    with at(moment):
        return dispatching.notifications_dispatch()


def ledger() -> list[tuple[str, str, str, str]]:
    return sorted(
        Notification.objects.values_list("kind", "recipient", "state", "skip_reason"),
    )


def sent() -> list[tuple[str, list[str]]]:
    return [(m.extra_headers["Message-ID"].split(".")[2].split("@")[0], m.to) for m in mail.outbox]


def test_dispatch_sends_each_kind_once_when_due(forum):
    assert dispatch("2026-03-01 08:59Z") == {"planned": 0, "queued": 0}
    # A week before: the agenda prompt.
    assert dispatch("2026-03-03 09:00Z") == {"planned": 2, "queued": 2}
    assert dispatch("2026-03-03 09:01Z") == {"planned": 0, "queued": 0}
    assert sent() == [
        ("agenda_prompt", ["alice@example.com"]),
        ("agenda_prompt", ["bob@example.com"]),
    ]
    # Three days before: the RSVP nudge, only to who has not answered.
    with at("2026-03-06 12:00Z"):
        meeting_services.rsvp_set(meeting=forum["meeting"], member=forum["bob"], answer="yes")
    mail.outbox.clear()
    dispatch("2026-03-07 09:00Z")
    assert sent() == [("rsvp_nudge", ["alice@example.com"])]
    # The day before: the reminder.
    mail.outbox.clear()
    dispatch("2026-03-09 09:00Z")
    dispatch("2026-03-09 09:01Z")
    assert sent() == [("reminder", ["alice@example.com"]), ("reminder", ["bob@example.com"])]
    assert ledger() == [
        ("agenda_prompt", "alice@example.com", S.SENT, ""),
        ("agenda_prompt", "bob@example.com", S.SENT, ""),
        ("reminder", "alice@example.com", S.SENT, ""),
        ("reminder", "bob@example.com", S.SENT, ""),
        ("rsvp_nudge", "alice@example.com", S.SENT, ""),
    ]
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_reminder_is_local_link_only_with_headers_and_calendar(forum):
    dispatch("2026-03-09 09:00Z")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    parsed = email.message_from_bytes(
        by_recipient["alice@example.com"].message().as_bytes(), policy=policy.default
    )
    assert parsed["To"] == "alice@example.com"
    assert parsed["Subject"] == "[PeerNet] Tomorrow: March forum"
    token = unsubscribe_token(user_id=forum["alice"].pk, kind="reminder")
    assert parsed["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/notifications/unsubscribe/{token}/>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    # 09:00 in London is 18:00 in Tokyo.
    assert "meets on Tuesday 10 March 2026 at 18:00 (Asia/Tokyo)." in text
    assert "Tuesday 10 March 2026 at 18:00 (Asia/Tokyo)" in html
    bob_text = email.message_from_bytes(
        by_recipient["bob@example.com"].message().as_bytes(), policy=policy.default
    ).get_body(("plain",))
    # New York is already on summer time (since 8 March): 05:00.
    assert "Tuesday 10 March 2026 at 05:00 (America/New_York)" in bob_text.get_content()
    link = f"http://127.0.0.1:8000/meetings/{forum['meeting'].pk}/"
    assert link in text and link in html
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "meeting.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == forum["meeting"].uid
    assert event.decoded("DTSTART") == forum["meeting"].starts_at
    raw = by_recipient["alice@example.com"].message().as_bytes()
    assert b"Globex" not in raw and b"acquisition" not in raw


def test_catch_up_skips_what_is_stale_with_a_reason(forum):
    # Nothing ran before the meeting: an hour after its start everything is stale.
    dispatch("2026-03-10 10:00Z")
    assert mail.outbox == []
    reason = "stale: the meeting had started before this could be sent"
    assert ledger() == [
        ("agenda_prompt", "alice@example.com", S.SKIPPED, reason),
        ("agenda_prompt", "bob@example.com", S.SKIPPED, reason),
        ("reminder", "alice@example.com", S.SKIPPED, reason),
        ("reminder", "bob@example.com", S.SKIPPED, reason),
        ("rsvp_nudge", "alice@example.com", S.SKIPPED, reason),
        ("rsvp_nudge", "bob@example.com", S.SKIPPED, reason),
    ]
    # A day and more later the meeting is left alone.
    Notification.objects.all().delete()
    dispatch("2026-03-11 10:00Z")
    assert ledger() == []


def test_cohort_offsets_override_the_defaults(forum, settings):
    NotificationSchedule.objects.create(
        cohort=forum["meeting"].cohort, agenda_prompt_hours=48, reminder_hours=2
    )
    settings.NOTIFICATION_OFFSETS_HOURS = {"agenda_prompt": 168, "rsvp_nudge": 1, "reminder": 24}
    dispatch("2026-03-08 08:59Z")
    assert mail.outbox == []
    dispatch("2026-03-08 09:00Z")
    assert sent() == [
        ("agenda_prompt", ["alice@example.com"]),
        ("agenda_prompt", ["bob@example.com"]),
    ]
    mail.outbox.clear()
    dispatch("2026-03-10 06:59Z")
    assert mail.outbox == []
    dispatch("2026-03-10 07:00Z")
    assert sorted(sent()) == [
        ("reminder", ["alice@example.com"]),
        ("reminder", ["bob@example.com"]),
    ]


def test_one_click_unsubscribe_stops_that_kind_for_that_member_only(
    forum, client, django_capture_on_commit_callbacks
):
    dispatch("2026-03-03 09:00Z")
    prompt = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    url = prompt.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("http://127.0.0.1:8000")
    # What a mail client does (RFC 8058): POST, no session, no CSRF token.
    client.handler.enforce_csrf_checks = True
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You will no longer receive agenda prompt emails." in response.content.decode()
    assert list(NotificationOptOut.objects.values_list("user__email", "kind")) == [
        ("alice@example.com", "agenda_prompt")
    ]
    # Another meeting: Alice gets no prompt but everything else; Bob gets everything.
    with at("2026-03-20 12:00Z"):
        april = meeting_services.meeting_create(
            cohort=forum["meeting"].cohort,
            actor=forum["facilitator"],
            title="April forum",
            local_date=date(2026, 4, 14),
            local_time=time(9, 0),
            duration_minutes=180,
            time_zone="Europe/London",
        )
    mail.outbox.clear()
    dispatch("2026-04-08 09:00Z")
    with at("2026-04-08 10:00Z"), django_capture_on_commit_callbacks(execute=True):
        meeting_services.agenda_publish(meeting=april, actor=forum["facilitator"])
    dispatch("2026-04-13 09:00Z")
    assert sorted(sent()) == [
        ("agenda_prompt", ["bob@example.com"]),
        ("agenda_published", ["alice@example.com"]),
        ("agenda_published", ["bob@example.com"]),
        ("reminder", ["alice@example.com"]),
        ("reminder", ["bob@example.com"]),
        ("rsvp_nudge", ["alice@example.com"]),
        ("rsvp_nudge", ["bob@example.com"]),
    ]
    skipped = Notification.objects.filter(state=S.SKIPPED, scope=f"meeting:{april.pk}")
    assert list(skipped.values_list("kind", "recipient", "skip_reason")) == [
        ("agenda_prompt", "alice@example.com", "the member unsubscribed from this kind")
    ]


def test_unsubscribe_get_asks_first_and_bad_tokens_are_404(forum, client):
    token = unsubscribe_token(user_id=forum["alice"].pk, kind="reminder")
    page = client.get(reverse("notification_unsubscribe", args=[token]))
    assert "Stop reminder emails" in page.content.decode()
    assert NotificationOptOut.objects.count() == 0
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(reverse("notification_unsubscribe", args=[forged])).status_code == 404
    # Transactional kinds cannot be unsubscribed.
    decision = unsubscribe_token(user_id=forum["alice"].pk, kind="application_decision")
    assert client.post(reverse("notification_unsubscribe", args=[decision])).status_code == 404


def test_preferences_page_saves_exactly_the_chosen_kinds(forum, client):
    client.force_login(forum["alice"])
    page = client.get(reverse("notification_preferences"))
    assert page.context["form"].initial == {
        "receive": [
            "agenda_prompt",
            "rsvp_nudge",
            "agenda_published",
            "reminder",
            "change_notice",
            "evaluation_prompt",
        ]
    }
    response = client.post(
        reverse("notification_preferences"), {"receive": ["reminder", "change_notice"]}
    )
    assert response["Location"] == reverse("notification_preferences")
    assert sorted(NotificationOptOut.objects.values_list("kind", flat=True)) == [
        "agenda_prompt",
        "agenda_published",
        "evaluation_prompt",
        "rsvp_nudge",
    ]
    client.post(reverse("notification_preferences"), {"receive": ["reminder", "rsvp_nudge"]})
    assert sorted(NotificationOptOut.objects.values_list("kind", flat=True)) == [
        "agenda_prompt",
        "agenda_published",
        "change_notice",
        "evaluation_prompt",
    ]


def _pending(forum, n=2) -> list[int]:
    rows = [
        Notification(
            kind="reminder",
            subject=f"meeting:{forum['meeting'].pk}",
            scope=f"meeting:{forum['meeting'].pk}",
            recipient=user.email,
            user=user,
            due_at=timezone.now(),
        )
        for user in [forum["alice"], forum["bob"]][:n]
    ]
    dispatching.notifications_create(rows)
    return list(Notification.objects.values_list("id", flat=True))


def test_a_claimed_row_is_not_claimed_again_until_abandoned(forum, settings):
    settings.NOTIFICATION_CLAIM_SECONDS = 600
    with at("2026-03-09 09:00Z"):
        ids = _pending(forum)
        first = send.notifications_claim(ids=ids)
        second = send.notifications_claim(ids=ids)
    assert Notification.objects.filter(claim_token=first).count() == 2
    assert Notification.objects.filter(claim_token=second).count() == 0
    # Its worker died: ten minutes later the rows may be claimed again.
    with at("2026-03-09 09:09Z"):
        assert send.notifications_send(ids=ids).sent == 0
    with at("2026-03-09 09:10:01Z"):
        assert send.notifications_send(ids=ids).sent == 2
    assert list(Notification.objects.values_list("state", "attempts")) == [(S.SENT, 2)] * 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_smtp_failure_hands_rows_back_with_backoff_then_fails(forum, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _closed_port(), "timeout": 2},
        }
    }
    settings.NOTIFICATION_RETRY_SECONDS = 30
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    with at("2026-03-09 09:00Z"):
        ids = _pending(forum)
        with pytest.raises(send.SmtpUnavailable) as raised:
            send.notifications_send(ids=ids)
    assert (sorted(raised.value.ids), raised.value.countdown) == (sorted(ids), 30)
    rows = Notification.objects.all()
    assert {(r.state, r.attempts, r.claim_token) for r in rows} == {(S.PENDING, 1, None)}
    assert all(r.last_error.startswith("ConnectionRefusedError") for r in rows)
    # Not before the retry time, then once more, then "failed".
    with at("2026-03-09 09:00:29Z"):
        assert send.notifications_send(ids=ids).sent == 0
    with at("2026-03-09 09:00:30Z"):
        assert send.notifications_send(ids=ids).sent == 0
    assert set(Notification.objects.values_list("state", "attempts")) == {(S.FAILED, 2)}


def test_permanent_recipient_refusal_fails_that_row_only(forum, monkeypatch):
    original = mail.backends.locmem.EmailBackend.send_messages

    def refuse_bob(self, messages):
        if messages[0].to == ["bob@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"No such user")})
        return original(self, messages)

    monkeypatch.setattr(mail.backends.locmem.EmailBackend, "send_messages", refuse_bob)
    with at("2026-03-09 09:00Z"):
        result = send.notifications_send(ids=_pending(forum))
    assert (result.sent, result.failed) == (1, 1)
    assert sorted(Notification.objects.values_list("recipient", "state")) == [
        ("alice@example.com", S.SENT),
        ("bob@example.com", S.FAILED),
    ]


def test_change_notices_once_per_sequence_and_superseded_ones_skipped(forum):
    meeting = forum["meeting"]
    with at("2026-03-01 12:00Z"):
        for hour in (10, 11):
            meeting = meeting_services.meeting_update(
                meeting=meeting,
                actor=forum["facilitator"],
                local_date=date(2026, 3, 10),
                local_time=time(hour, 0),
                duration_minutes=180,
                location="Club",
                video_url="",
            )
    dispatch("2026-03-01 12:01Z")
    assert ledger() == [
        ("change_notice", "alice@example.com", S.SENT, ""),
        (
            "change_notice",
            "alice@example.com",
            S.SKIPPED,
            "superseded by a later change to the meeting",
        ),
        ("change_notice", "bob@example.com", S.SENT, ""),
        (
            "change_notice",
            "bob@example.com",
            S.SKIPPED,
            "superseded by a later change to the meeting",
        ),
    ]
    notice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert notice.subject == "[PeerNet] Changed: March forum"
    assert "It now meets on Tuesday 10 March 2026 at 20:00 (Asia/Tokyo)." in notice.body
    with at("2026-03-02 12:00Z"):
        meeting_services.meeting_cancel(meeting=meeting, actor=forum["facilitator"])
    dispatch("2026-03-02 12:01Z")
    cancelled = [m for m in mail.outbox if m.subject == "[PeerNet] Cancelled: March forum"]
    assert sorted(m.to[0] for m in cancelled) == ["alice@example.com", "bob@example.com"]
    # Nothing else is sent for a cancelled meeting.
    dispatch("2026-03-09 09:00Z")
    assert Notification.objects.exclude(kind="change_notice").count() == 0


def test_application_emails_go_through_the_ledger_without_unsubscribe(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = factories.application_complete(email="ceo@example.com", submit=True)
    assert sorted(Notification.objects.values_list("kind", "recipient", "state")) == [
        ("application_received", "ceo@example.com", S.SENT),
        ("reference_request", f"riley.{application.applicant_id}@example.org", S.SENT),
        ("reference_request", f"sam.{application.applicant_id}@example.org", S.SENT),
    ]
    assert all("List-Unsubscribe" not in m.extra_headers for m in mail.outbox)
    # The private link is not kept once the request is sent.
    assert [row.context for row in Notification.objects.all()] == [{}, {}, {}]


def test_facilitator_sees_what_was_sent_and_skipped_for_the_meeting(
    forum, client, django_assert_num_queries
):
    with at("2026-03-06 12:00Z"):
        meeting_services.rsvp_set(meeting=forum["meeting"], member=forum["bob"], answer="yes")
    dispatch("2026-03-03 09:00Z")
    NotificationOptOut.objects.create(user=forum["alice"], kind="reminder")
    dispatch("2026-03-09 09:00Z")
    client.force_login(forum["facilitator"])
    url = reverse("meeting_notifications", args=[forum["meeting"].pk])
    client.get(url)
    # session, user, MFA, the meeting with its cohort's facilitators, RSVPs, agenda and
    # attendance (the shared selector), and the notifications: one query whatever their number.
    with django_assert_num_queries(9):
        page = client.get(url)
    rows = [
        (r.kind_label, r.recipient, r.get_state_display(), r.skip_reason)
        for r in page.context["rows"]
    ]
    assert rows == [
        ("Agenda prompt", "alice@example.com", "Sent", ""),
        ("Agenda prompt", "bob@example.com", "Sent", ""),
        ("RSVP nudge", "alice@example.com", "Sent", ""),
        ("Reminder", "alice@example.com", "Skipped", "the member unsubscribed from this kind"),
        ("Reminder", "bob@example.com", "Sent", ""),
    ]
    assert "the member unsubscribed from this kind" in page.content.decode()


def test_admin_log_filters_failures(forum, client, world):
    ids = _pending(forum)
    Notification.objects.filter(pk=ids[0]).update(state=S.FAILED, last_error="SMTPDataError: 554")
    client.force_login(world.admin)
    home = client.get("/").content.decode()
    assert "1 notification failed." in home
    page = client.get(reverse("notification_log"), {"state": "failed"})
    assert [(r.recipient, r.last_error) for r in page.context["page"].object_list] == [
        ("alice@example.com", "SMTPDataError: 554")
    ]
    assert len(client.get(reverse("notification_log")).context["page"].object_list) == 2


@pytest.mark.parametrize(
    "kind", ["agenda_prompt", "rsvp_nudge", "reminder", "agenda_published", "change_notice"]
)
def test_shared_rendering_matches_rendering_each_email_on_its_own(forum, kind):
    # Rendered once per meeting with the recipient's parts filled in, or on its own: the same.
    people = [
        forum["alice"],
        forum["bob"],
        factories.user_create(role=Role.MEMBER, first="", time_zone="Australia/Sydney"),
        factories.user_create(role=Role.MEMBER, first='Zoë <b>"&amp;', time_zone="UTC"),
    ]
    meeting = forum["meeting"]
    meeting.title = "Forum für Führung"
    meeting.save()
    for user in people[2:]:
        Membership.objects.create(cohort=meeting.cohort, member=user)
    subject = f"meeting:{meeting.pk}" + (
        f":seq:{meeting.sequence}" if kind == "change_notice" else ""
    )
    rows = [
        Notification.objects.create(
            kind=kind,
            subject=subject,
            scope=f"meeting:{meeting.pk}",
            recipient=user.email,
            user=user,
            context={"following": 2} if kind == "change_notice" else {},
            due_at=timezone.now(),
        )
        for user in people
    ]
    with at("2026-03-05 09:00Z"):
        prepared = KINDS[kind].prepare(rows, timezone.now())
        shared, alone = Composer(), Composer()
        for row in rows:
            assert prepared[row.pk].share is not None
            together = shared.compose(row, prepared[row.pk])
            single = alone.compose(row, dataclasses.replace(prepared[row.pk], share=None))
            assert together.subject == single.subject
            assert together.body == single.body
            assert together.alternatives == single.alternatives
            # The bytes for the SMTP server read back as the same email.
            parsed = email.message_from_bytes(together.raw, policy=policy.default)
            assert parsed["Subject"] == single.subject == f"[PeerNet] {parsed['Subject'][10:]}"
            assert "Führung" in parsed["Subject"]
            assert parsed["To"] == row.recipient
            assert parsed.get_body(("plain",)).get_content() == single.body
            assert parsed.get_body(("html",)).get_content() == single.alternatives[0].content
            assert bool(parsed["List-Unsubscribe"]) and b"\r\n" in together.raw
    assert len(shared.rendered) == 2  # with a name and without: the rest is filled in
    sent = {row.recipient: shared.compose(row, prepared[row.pk]) for row in rows}
    assert "Hello Zoë &lt;b&gt;&quot;&amp;amp;," in sent[people[3].email].alternatives[0].content
    assert "Hello" not in sent[people[2].email].body
    local = "Tuesday 10 March 2026 at 20:00 (Australia/Sydney)"
    assert local in sent[people[2].email].body
    assert local in sent[people[2].email].alternatives[0].content


class _Envelopes:
    """An SMTP server's handler that keeps each transaction as it arrived."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
        return "250 OK"


@pytest.fixture
def envelopes():
    handler = _Envelopes()
    port = _closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_smtp_transaction_sends_exactly_what_smtplib_sends(envelopes):
    handler, port = envelopes
    # Lines that start with a dot are doubled on the wire and undoubled by the server.
    raw = b"Subject: dots\r\n\r\n.starts with a dot\r\n..two\r\nmiddle . dot\r\n.\r\nno end"
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail("noreply@peernet.local", ["ann@example.com"], raw)
        client.ehlo_or_helo_if_needed()
        send._transaction(client, "noreply@peernet.local", "ann@example.com", raw, True)
    first, second = handler.received
    assert first == second == ("noreply@peernet.local", ["ann@example.com"], raw + b"\r\n")


def test_sending_over_smtp_marks_each_sent_and_delivers_each_once(forum, settings, envelopes):
    handler, port = envelopes
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    with at("2026-03-09 09:00Z"):
        ids = _pending(forum)
        # An address beyond plain dot-atoms goes through smtplib's own parsing.
        Notification.objects.filter(recipient="bob@example.com").update(
            recipient="bob.o'neil@example.com"
        )
        result = send.notifications_send(ids=ids)
    assert (result.sent, result.failed, result.skipped, result.released) == (2, 0, 0, 0)
    rows = sorted(
        Notification.objects.values_list("pk", "recipient", "state", "claim_token", "sent_at")
    )
    moment = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    assert [row[1:] for row in rows] == [
        ("alice@example.com", S.SENT, None, moment),
        ("bob.o'neil@example.com", S.SENT, None, moment),
    ]
    received = sorted(
        (rcpts, email.message_from_bytes(content, policy=policy.default)["Message-ID"])
        for _, rcpts, content in handler.received
    )
    assert received == [
        ([recipient], f"<notification.{pk}.reminder@peernet.local>") for pk, recipient, *_ in rows
    ]
    assert {sender for sender, *_ in handler.received} == {"noreply@peernet.local"}


def test_unsubscribe_tokens_of_a_batch_are_the_signers_tokens(db):
    tokens = preferences.UnsubscribeTokens()
    for user_id, kind in [(1, "reminder"), (4_000_017, "agenda_prompt"), (42, "rsvp_nudge")]:
        token = tokens(user_id=user_id, kind=kind)
        assert token == unsubscribe_token(user_id=user_id, kind=kind)
        assert preferences.unsubscribe_token_read(token) == (user_id, kind)
