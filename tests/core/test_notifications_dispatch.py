"""The periodic tick: it plans only what fell due (or changed) since the last tick, keeping a
watermark, and hands a row to a send task only when the row needs a sender and none is coming.
(tests/core/test_notifications.py covers what is sent; the worker tests, downtime.)"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail

from core.models import Notification, NotificationWatermark
from core.notifications import dispatch as dispatching
from core.notifications import send
from groups.models import Membership
from meetings import services as meeting_services
from meetings.models import NotificationSchedule
from members.models import Role
from tests import factories

S = Notification.State
# Reminders a day before, RSVP nudges three days before, agenda prompts a week before.
START = datetime.fromisoformat("2026-03-10 09:00Z")


def at(moment: datetime | str):
    return time_machine.travel(moment, tick=False)


def dispatch(moment: datetime | str) -> dict:
    with at(moment):
        return dispatching.notifications_dispatch()


def cohort_of(n: int, name: str = "Atlas"):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay")
    members = [
        factories.user_create(role=Role.MEMBER, email=f"{name.lower()}{i}@example.com")
        for i in range(n)
    ]
    with at("2026-02-01 12:00Z"):
        cohort = factories.cohort_create(name=name, facilitators=[facilitator], members=members)
    return cohort, facilitator, members


def meeting_on(cohort, facilitator, starts: datetime, title: str = "Forum"):
    with at(starts - timedelta(days=30)):
        return _meeting_create(cohort, facilitator, starts, title)


def _meeting_create(cohort, facilitator, starts: datetime, title: str):
    return meeting_services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=title,
        local_date=starts.date(),
        local_time=starts.time(),
        duration_minutes=60,
        time_zone="UTC",
    )


@pytest.fixture
def handed(monkeypatch) -> list[list[int]]:
    """The ids of each send task the dispatcher queued (the tasks do not run)."""
    calls: list[list[int]] = []
    monkeypatch.setattr(dispatching.tasks.notifications_send, "delay", calls.append)
    return calls


def ledger() -> list[tuple[str, str, str]]:
    return sorted(Notification.objects.values_list("kind", "recipient", "state"))


# Handing rows out -------------------------------------------------------------------------


def test_tick_hands_out_only_rows_that_need_a_sender(db, handed, settings):
    settings.NOTIFICATION_CLAIM_SECONDS = 600
    now = datetime.fromisoformat("2026-03-09 09:00Z")

    def ago(**span) -> datetime:
        return now - timedelta(**span)

    rows = {
        "new": {"due_at": ago(minutes=1)},
        "retry later": {"due_at": ago(hours=1), "retry_at": now + timedelta(seconds=1)},
        # Its task retries itself at its retry time (send._release).
        "retrying": {"due_at": ago(hours=1), "retry_at": now, "queued_at": now},
        "claimed": {"state": S.SENDING, "claimed_at": ago(seconds=599), "queued_at": ago(hours=1)},
        "abandoned": {
            "state": S.SENDING,
            "claimed_at": ago(seconds=601),
            "queued_at": ago(hours=1),
        },
        "handed out": {"due_at": ago(minutes=2), "queued_at": ago(seconds=599)},
        "handed out, lost": {"due_at": ago(minutes=3), "queued_at": ago(seconds=600)},
        "not due": {"due_at": now + timedelta(seconds=1)},
        "sent": {"state": S.SENT, "due_at": ago(hours=2)},
    }
    ids = {}
    for n, (name, fields) in enumerate(rows.items()):
        fields = {"due_at": ago(hours=3, minutes=n), **fields}
        row = Notification.objects.create(
            kind="reminder", subject=name, scope="meeting:1", recipient="a@example.com", **fields
        )
        ids[name] = row.pk
    assert dispatch(now) == {"planned": 0, "queued": 3}
    assert handed == [[ids["abandoned"], ids["handed out, lost"], ids["new"]]]
    # Another tick at the same moment finds nothing to hand out.
    assert dispatch(now) == {"planned": 0, "queued": 0}
    # A minute later: the claim has expired, the retry time has come (no task retries it:
    # queued_at is empty), the hand-out is ten minutes old and the row is due. What was
    # handed out a minute ago, and the row whose task retries it, are left alone.
    assert dispatch(now + timedelta(minutes=1)) == {"planned": 0, "queued": 4}
    assert handed[1:] == [[ids["claimed"], ids["retry later"], ids["handed out"], ids["not due"]]]


def test_rows_a_slow_sender_handed_back_go_out_with_the_next_tick(db, handed):
    row = Notification.objects.create(
        kind="reminder",
        subject="meeting:1",
        scope="meeting:1",
        recipient="a@example.com",
        due_at=datetime.fromisoformat("2026-03-09 08:00Z"),
    )
    assert dispatch("2026-03-09 09:00Z")["queued"] == 1
    with at("2026-03-09 09:00:10Z"):
        token = send.notifications_claim(ids=[row.pk])
        # Out of time before this row: handed back untouched.
        assert send._release(token, error=None) == ([row.pk], 0)
    assert dispatch("2026-03-09 09:01Z")["queued"] == 1
    assert handed == [[row.pk], [row.pk]]
    assert dispatch("2026-03-09 09:02Z")["queued"] == 0


def test_a_task_retrying_after_an_smtp_failure_is_not_doubled_by_the_tick(db, handed, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    settings.NOTIFICATION_RETRY_SECONDS = 120
    cohort, facilitator, _ = cohort_of(1)
    NotificationSchedule.objects.create(cohort=cohort, agenda_prompt_hours=0, rsvp_nudge_hours=0)
    meeting_on(cohort, facilitator, START)
    dispatch("2026-03-09 09:00Z")
    [ids] = handed
    with at("2026-03-09 09:00:05Z"), pytest.raises(send.SmtpUnavailable) as raised:
        send.notifications_send(ids=ids)
    assert (raised.value.ids, raised.value.countdown) == (ids, 120)
    # The task itself retries in two minutes: no tick hands these rows out meanwhile, nor
    # at the retry time itself.
    for moment in ["2026-03-09 09:01Z", "2026-03-09 09:02:05Z", "2026-03-09 09:03Z"]:
        assert dispatch(moment)["queued"] == 0
    assert handed == [ids]


# The watermark ----------------------------------------------------------------------------


@pytest.mark.parametrize("meetings", [1, 25])
def test_tick_with_nothing_due_makes_the_same_queries_whatever_the_size(
    db, handed, django_assert_num_queries, meetings
):
    cohort, facilitator, _ = cohort_of(3)
    for i in range(meetings):
        meeting_on(cohort, facilitator, START + timedelta(hours=i), title=f"Forum {i}")
    # Each meeting has its agenda prompt planned and handed out (still pending), its RSVP
    # nudge and reminder in the future.
    assert dispatch("2026-03-04 09:00Z")["planned"] == 3 * meetings
    # The watermark, the planners' version (the cohorts' offsets), the offsets again, the
    # meetings whose moments passed or that changed since (none), the meetings held that ended
    # within the catch-up period (none, for the evaluation prompt); then, in one transaction,
    # the rows to hand out (none) and the watermark moves.
    with at("2026-03-04 09:01Z"), django_assert_num_queries(9):
        assert dispatching.notifications_dispatch() == {"planned": 0, "queued": 0}
    assert len(handed) == 1


def test_what_falls_due_between_two_ticks_is_planned_once(db, handed):
    cohort, facilitator, _ = cohort_of(2)
    meeting_on(cohort, facilitator, START)
    reminder = START - timedelta(hours=24)
    # The first tick plans what is already due: the agenda prompt and the RSVP nudge.
    assert dispatch(reminder - timedelta(seconds=30)) == {"planned": 4, "queued": 4}
    assert dispatch(reminder + timedelta(seconds=30)) == {"planned": 2, "queued": 2}
    assert dispatch(reminder + timedelta(seconds=90)) == {"planned": 0, "queued": 0}
    # The same moment ticked again (two ticks at once) plans nothing more either.
    assert dispatch(reminder + timedelta(seconds=90)) == {"planned": 0, "queued": 0}
    mark = NotificationWatermark.objects.get()
    assert mark.planned_through == reminder + timedelta(seconds=90)
    assert [kind for kind, _, _ in ledger()] == ["agenda_prompt"] * 2 + ["reminder"] * 2 + [
        "rsvp_nudge"
    ] * 2


def test_ticks_every_few_hours_send_each_row_once(db):
    cohort, facilitator, _ = cohort_of(2)
    meetings = [
        meeting_on(cohort, facilitator, START + timedelta(hours=7 * i), f"Forum {i}")
        for i in range(3)
    ]
    moment = START - timedelta(days=8)
    while moment < START + timedelta(days=2):
        dispatch(moment)
        moment += timedelta(hours=5, minutes=17)
    sent = sorted((m.to[0], m.extra_headers["Message-ID"]) for m in mail.outbox)
    assert len(sent) == len(set(sent)) == 3 * 3 * 2
    assert set(Notification.objects.values_list("state", flat=True)) == {S.SENT}
    assert sorted(Notification.objects.values_list("subject", flat=True)) == sorted(
        [f"meeting:{m.pk}" for m in meetings] * 6
    )


def test_a_meeting_created_after_its_reminder_moment_is_planned_by_the_next_tick(db, handed):
    cohort, facilitator, _ = cohort_of(2)
    dispatch("2026-03-09 08:00Z")
    with at("2026-03-09 08:00:30Z"):
        soon = datetime.fromisoformat("2026-03-09 20:00Z")
        _meeting_create(cohort, facilitator, soon, "Short notice")
    assert dispatch("2026-03-09 08:01Z") == {"planned": 6, "queued": 6}
    assert dispatch("2026-03-09 08:02Z") == {"planned": 0, "queued": 0}


def test_a_member_who_joins_after_the_reminder_gets_it_with_the_next_tick(db, handed):
    cohort, facilitator, _ = cohort_of(1)
    NotificationSchedule.objects.create(cohort=cohort, agenda_prompt_hours=0, rsvp_nudge_hours=0)
    meeting_on(cohort, facilitator, START)
    assert dispatch("2026-03-09 09:00Z") == {"planned": 1, "queued": 1}
    newcomer = factories.user_create(role=Role.MEMBER, email="newcomer@example.com")
    with at("2026-03-09 09:02Z"):
        Membership.objects.create(cohort=cohort, member=newcomer)
    assert dispatch("2026-03-09 09:03Z") == {"planned": 1, "queued": 1}
    assert ledger() == [
        ("reminder", "atlas0@example.com", S.PENDING),
        ("reminder", "newcomer@example.com", S.PENDING),
    ]


def test_new_offsets_that_put_a_moment_in_the_past_are_caught_up(db, handed):
    cohort, facilitator, _ = cohort_of(1)
    schedule = NotificationSchedule.objects.create(
        cohort=cohort, agenda_prompt_hours=0, rsvp_nudge_hours=0
    )
    meeting_on(cohort, facilitator, START)
    assert dispatch("2026-03-08 09:00Z") == {"planned": 0, "queued": 0}
    # The reminder moves from a day to two days before: that moment has passed.
    schedule.reminder_hours = 48
    schedule.save()
    assert dispatch("2026-03-08 09:01Z") == {"planned": 1, "queued": 1}
    assert dispatch("2026-03-08 09:02Z") == {"planned": 0, "queued": 0}


def test_after_downtime_the_tick_plans_what_fell_due_meanwhile(db):
    cohort, facilitator, members = cohort_of(2)
    NotificationSchedule.objects.create(cohort=cohort, agenda_prompt_hours=0, rsvp_nudge_hours=5)
    started = meeting_on(cohort, facilitator, START, title="Started")
    coming = meeting_on(cohort, facilitator, START + timedelta(hours=6), title="Coming")
    dispatch(START - timedelta(hours=30))
    assert ledger() == []
    # Down from 30 hours before the first meeting until 90 minutes after it.
    dispatch(START + timedelta(minutes=90))
    stale = "stale: the meeting had started before this could be sent"
    rows = sorted(
        Notification.objects.values_list("subject", "kind", "recipient", "state", "skip_reason")
    )
    assert rows == sorted(
        [
            (f"meeting:{started.pk}", kind, m.email, S.SKIPPED, stale)
            for m in members
            for kind in ["reminder", "rsvp_nudge"]
        ]
        + [(f"meeting:{coming.pk}", "reminder", m.email, S.SENT, "") for m in members]
        + [(f"meeting:{coming.pk}", "rsvp_nudge", m.email, S.SENT, "") for m in members]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([m.email for m in members] * 2)


def test_first_tick_without_a_watermark_looks_back_as_far_as_the_catch_up_allows(db, handed):
    cohort, facilitator, _ = cohort_of(1)
    meeting_on(cohort, facilitator, START - timedelta(hours=25), title="Long ago")
    recent = meeting_on(cohort, facilitator, START - timedelta(hours=23), title="Recent")
    dispatch(START)
    assert (
        sorted(Notification.objects.values_list("subject", flat=True))
        == [f"meeting:{recent.pk}"] * 3
    )
