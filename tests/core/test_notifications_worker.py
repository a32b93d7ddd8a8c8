"""Exactly-once delivery through real Celery workers and a real SMTP server (aiosmtpd).

Every test starts its workers on its own queue against the test database and the configured
broker (Redis with REDIS_URL), with EMAIL_URL pointing at an SMTP server the test started, and
short retry and claim times through the worker's environment. Deliveries are counted by
(recipient, Message-ID) at the SMTP server: each expected notification exactly once.
"""

import signal
import time
import zoneinfo
from datetime import datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from core.models import Notification
from core.tasks import notifications_dispatch
from meetings import notification_kinds
from meetings import services as meeting_services
from meetings.models import Meeting, NotificationSchedule
from members.models import Role
from tests import factories
from tests.core.smtp_server import SmtpServer

pytestmark = pytest.mark.worker

S = Notification.State
ZONES = ["Asia/Tokyo", "America/New_York", "Europe/Berlin", "Australia/Sydney", "UTC"]


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.recorder.release.set()
    server.stop()


def worker_env(smtp: SmtpServer, **extra) -> dict:
    return {
        "EMAIL_URL": smtp.url,
        "PEERNET_NOTIFY_RETRY_SECONDS": "1",
        "PEERNET_NOTIFY_BATCH_SIZE": "5",
        **{key: str(value) for key, value in extra.items()},
    }


def cohort_with_members(n: int, name: str, **offsets):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True)
    members = [
        factories.user_create(role=Role.MEMBER, first=f"M{i}", time_zone=ZONES[i % len(ZONES)])
        for i in range(n)
    ]
    cohort = factories.cohort_create(name=name, facilitators=[facilitator], members=members)
    # Only what a test is about is sent: 0 switches a kind off for the cohort.
    defaults = {"agenda_prompt_hours": 0, "rsvp_nudge_hours": 0, "reminder_hours": 24}
    NotificationSchedule.objects.create(cohort=cohort, **{**defaults, **offsets})
    return cohort, facilitator, members


def meeting_at(cohort, facilitator, starts: datetime, title="Forum") -> Meeting:
    local = starts.astimezone(zoneinfo.ZoneInfo("UTC")).replace(second=0, microsecond=0)
    return meeting_services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=title,
        local_date=local.date(),
        local_time=local.time(),
        duration_minutes=120,
        time_zone="UTC",
    )


def reminders_due(n_meetings: int, n_members: int) -> list[Meeting]:
    cohort, facilitator, _ = cohort_with_members(n_members, "Atlas")
    soon = timezone.now() + timedelta(hours=20)
    return [
        meeting_at(cohort, facilitator, soon + timedelta(minutes=i), title=f"Forum {i}")
        for i in range(n_meetings)
    ]


def wait_until(condition, logs, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("\n\n".join(log.read_text()[-4000:] for log in logs))
        time.sleep(0.1)


def settled(expected: int):
    def check() -> bool:
        rows = Notification.objects.all()
        return (
            rows.count() == expected and not rows.filter(state__in=[S.PENDING, S.SENDING]).exists()
        )

    return check


def assert_each_sent_exactly_once(smtp: SmtpServer, expected: int):
    rows = list(Notification.objects.values_list("pk", "kind", "recipient", "state"))
    assert [state for *_, state in rows] == [S.SENT] * expected
    domain = "peernet.local"
    wanted = {
        (recipient, f"<notification.{pk}.{kind}@{domain}>") for pk, kind, recipient, _ in rows
    }
    deliveries = smtp.deliveries()
    assert set(deliveries) == wanted
    assert set(deliveries.values()) == {1}, "some notification arrived more than once"
    assert smtp.count() == expected


def test_two_dispatchers_at_once_deliver_each_reminder_once(celery_worker_factory, smtp):
    smtp.start()
    meetings = reminders_due(n_meetings=4, n_members=5)
    topic = meeting_services.topic_save(
        owner=meetings[0].cohort.memberships.first().member,
        title="Confidential merger with Initech",
        kind="issue",
        importance=9,
        urgency=9,
        estimated_minutes=30,
    )
    meeting_services.topic_post(topic=topic, meeting=meetings[0], actor=topic.owner, minutes=30)
    first = celery_worker_factory(env=worker_env(smtp))
    second = celery_worker_factory(env=worker_env(smtp))
    for _ in range(2):
        notifications_dispatch.apply_async(queue=first.queue)
    wait_until(settled(20), [first.log, second.log])
    assert_each_sent_exactly_once(smtp, expected=20)

    # What arrived, read with Python's email package.
    users = {m.member.email: m.member for m in meetings[0].cohort.memberships.all()}
    by_id = {m.pk: m for m in meetings}
    for rcpts, message in smtp.recorder.messages:
        assert [message["To"]] == rcpts
        user = users[rcpts[0]]
        unsubscribe = message["List-Unsubscribe"]
        assert unsubscribe.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        [attachment] = list(message.iter_attachments())
        [event] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
        meeting = next(m for m in by_id.values() if m.uid == str(event["UID"]))
        local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(user.time_zone))
        text = message.get_body(("plain",)).get_content()
        expected_when = f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({user.time_zone})"
        assert expected_when in text
        raw = message.as_string()
        assert "Initech" not in raw and "merger" not in raw


def test_worker_killed_mid_batch_another_finishes_each_once(celery_worker_factory, smtp):
    smtp.start()
    smtp.recorder.hold_at = 3
    reminders_due(n_meetings=2, n_members=5)
    env = worker_env(smtp, PEERNET_NOTIFY_CLAIM_SECONDS=4)
    doomed = celery_worker_factory(env=env)
    notifications_dispatch.apply_async(queue=doomed.queue)
    assert smtp.recorder.holding.wait(60), doomed.log.read_text()
    # The worker is waiting for the server's answer to its third message: kill it there.
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    smtp.recorder.release.set()
    assert smtp.count() == 2
    assert Notification.objects.filter(state=S.SENT).count() == 2
    stranded = Notification.objects.filter(state=S.SENDING)
    assert stranded.count() == 3
    survivor = celery_worker_factory(env=env)
    # The second batch was never taken; the new worker sends it. The killed worker's claim is
    # abandoned after PEERNET_NOTIFY_CLAIM_SECONDS; the next tick hands it over.
    claimed_at = stranded.first().claimed_at
    while timezone.now() < claimed_at + timedelta(seconds=4.2):
        time.sleep(0.1)
    notifications_dispatch.apply_async(queue=survivor.queue)
    wait_until(settled(10), [doomed.log, survivor.log])
    assert_each_sent_exactly_once(smtp, expected=10)
    assert sorted(Notification.objects.values_list("attempts", flat=True)) == [1] * 7 + [2] * 3


def test_smtp_down_for_a_while_then_back_delivers_each_once(celery_worker_factory, smtp):
    reminders_due(n_meetings=2, n_members=4)
    worker = celery_worker_factory(env=worker_env(smtp))
    # The server is not listening: connections are refused.
    notifications_dispatch.apply_async(queue=worker.queue)
    wait_until(lambda: Notification.objects.filter(attempts__gte=2).count() == 8, [worker.log], 30)
    assert smtp.count() == 0
    row = Notification.objects.first()
    assert row.state == S.PENDING
    assert row.last_error.startswith("ConnectionRefusedError")
    smtp.start()
    wait_until(settled(8), [worker.log])
    assert_each_sent_exactly_once(smtp, expected=8)
    assert "Retry in" in worker.log.read_text()


def test_scheduler_down_six_hours_catches_up_what_is_useful(celery_worker_factory, smtp):
    smtp.start()
    now = timezone.now()
    down_since = now - timedelta(hours=6)
    # Atlas: reminders a day before, RSVP nudges three days before. Its meeting in 20 hours
    # had its nudge due long before the downtime and its reminder 4 hours ago.
    atlas, atlas_chair, atlas_members = cohort_with_members(3, "Atlas", rsvp_nudge_hours=72)
    tomorrow = meeting_at(atlas, atlas_chair, now + timedelta(hours=20))
    # Borealis: reminder 3 hours before, RSVP nudge 5 hours before.
    borealis, chair, members = cohort_with_members(
        3, "Borealis", reminder_hours=3, rsvp_nudge_hours=5
    )
    started = meeting_at(borealis, chair, now - timedelta(minutes=90), title="Started")
    coming = meeting_at(borealis, chair, now + timedelta(hours=2), title="Coming")
    meeting_services.rsvp_set(meeting=coming, member=members[0], answer="yes")
    # Until six hours ago the scheduler ran and sent whatever was due then.
    before = notification_kinds.plan(down_since)
    for row in before:
        row.state, row.sent_at = S.SENT, row.due_at
    Notification.objects.bulk_create(before)
    assert sorted((r.subject, r.kind) for r in before) == sorted(
        [(f"meeting:{tomorrow.pk}", "rsvp_nudge")] * 3
        + [(f"meeting:{started.pk}", "rsvp_nudge")] * 3
    )

    worker = celery_worker_factory(env=worker_env(smtp))
    notifications_dispatch.apply_async(queue=worker.queue)
    # Planned now: three reminders per meeting and the nudge to who has not answered.
    wait_until(settled(6 + 3 + 3 + 3 + 2), [worker.log])
    stale = "stale: the meeting had started before this could be sent"
    rows = Notification.objects.exclude(pk__in=[r.pk for r in before])
    summary = sorted((r.scope, r.kind, r.recipient, r.state, r.skip_reason) for r in rows)
    expected = sorted(
        [(f"meeting:{tomorrow.pk}", "reminder", m.email, S.SENT, "") for m in atlas_members]
        + [(f"meeting:{started.pk}", "reminder", m.email, S.SKIPPED, stale) for m in members]
        + [(f"meeting:{coming.pk}", "reminder", m.email, S.SENT, "") for m in members]
        + [(f"meeting:{coming.pk}", "rsvp_nudge", m.email, S.SENT, "") for m in members[1:]]
    )
    assert summary == expected
    sent = {
        (r.recipient, f"<notification.{r.pk}.{r.kind}@peernet.local>")
        for r in rows
        if r.state == S.SENT
    }
    deliveries = smtp.deliveries()
    assert set(deliveries) == sent and set(deliveries.values()) == {1}
    # A second tick sends nothing more.
    notifications_dispatch.apply_async(queue=worker.queue)
    time.sleep(1.5)
    assert smtp.count() == len(sent) == 8
