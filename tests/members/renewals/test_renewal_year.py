"""A simulated year, day by day, with the daily job (groups.tasks.renewals_daily, twice on the
first of each month) and the notification tick: prompts at 60, 30 and 7 days exactly once, an
unanswered renewal lapsing after the grace period and its cohort seat ending while history
stays, a renewal approved, and a company change conflicting with a cohort-mate flagged once."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.core import mail
from django.urls import reverse

from core.models import Notification
from core.notifications.dispatch import notifications_dispatch
from groups import selectors as group_selectors
from groups import tasks
from groups.models import Membership, RosterEvent
from meetings.models import Attendance, Meeting
from members import renewal_services, services
from members.models import CompanyConflictFlag, Profile, Renewal
from tests.members.renewals.conftest import DUE, answer

START = datetime(2026, 7, 1, 5, 7, tzinfo=UTC)


def company_change(user, admin, company, capture) -> None:
    with capture(execute=True):
        change = services.company_change_request(
            user=user, company=company, company_website=f"https://{company.lower()}.test"
        )
        services.company_change_decide(change=change, actor=admin, approve=True)


def run_year(people, admin, capture, *, on_day=None) -> None:
    """Every day from 1 July 2026 to 30 June 2027 at 05:07 UTC: ``on_day(day)`` first, then the
    daily job and the notification tick."""
    day = START
    while day < START + timedelta(days=365):
        with time_machine.travel(day, tick=False), capture(execute=True):
            if on_day:
                on_day(day)
            tasks.renewals_daily()
            if day.day == 1:
                tasks.renewals_daily()
            notifications_dispatch()
        day += timedelta(days=1)


def prompts(user) -> list[tuple[str, date]]:
    return [
        (subject.rsplit(":", 1)[1], due_at.date())
        for subject, due_at in Notification.objects.filter(
            kind="renewal_prompt", user=user
        ).values_list("subject", "due_at")
    ]


def test_a_year_of_renewals(people, admin, facilitator, client, django_capture_on_commit_callbacks):
    alice, bob, cleo = people["Alice"], people["Bob"], people["Cleo"]
    forum = people["forum"]
    # History that must outlive Alice's seat: a past meeting and her attendance at it.
    meeting = Meeting.objects.create(
        cohort=forum,
        title="October forum",
        time_zone="UTC",
        local_date=date(2026, 10, 6),
        local_time=time(8),
        duration_minutes=240,
    )
    Attendance.objects.create(meeting=meeting, member=alice, status=Attendance.Status.PRESENT)

    def on_day(day):
        if day.date() == date(2026, 12, 20):  # Bob renews; an admin approves the next day
            answer(Renewal.objects.get(user=bob))
        if day.date() == date(2026, 12, 21):
            renewal_services.renewal_decide(
                renewal=Renewal.objects.get(user=bob), actor=admin, decision="approve"
            )
        if day.date() == date(2027, 1, 5):  # Cleo renews late; approved in the grace period
            answer(Renewal.objects.get(user=cleo))
        if day.date() == date(2027, 1, 20):
            renewal_services.renewal_decide(
                renewal=Renewal.objects.get(user=cleo), actor=admin, decision="approve"
            )
        if day.date() == date(2027, 3, 1):  # Bob now works where Cleo works: a conflict
            company_change(bob, admin, "Initech", django_capture_on_commit_callbacks)
        if day.date() == date(2027, 4, 1):  # the same change again: nothing new to flag
            company_change(bob, admin, "Initech", django_capture_on_commit_callbacks)

    run_year(people, admin, django_capture_on_commit_callbacks, on_day=on_day)

    # Alice never answered: three prompts, each once, on the day each distance was reached.
    assert prompts(alice) == [
        ("60", date(2026, 11, 11)),
        ("30", date(2026, 12, 11)),
        ("7", date(2027, 1, 3)),
    ]
    # Bob answered on 20 December: the 7-day prompt was never due for him.
    assert prompts(bob) == [("60", date(2026, 11, 11)), ("30", date(2026, 12, 11))]
    renewal_mail = [m.to[0] for m in mail.outbox if "renew" in m.subject.lower()]
    assert sorted(renewal_mail) == sorted(
        [alice.email] * 3 + [bob.email] * 2 + [cleo.email] * 3 + [people["Dora"].email] * 3
    )

    # Bob and Cleo are renewed and their next date is a year on; Alice and Dora lapsed.
    assert list(
        Renewal.objects.order_by("user__first_name").values_list("user__first_name", "status")
    ) == [("Alice", "lapsed"), ("Bob", "renewed"), ("Cleo", "renewed"), ("Dora", "lapsed")]
    assert (
        list(Profile.objects.filter(user__in=[bob, cleo]).values_list("renewal_due_on", flat=True))
        == [date(2028, 1, 10)] * 2
    )
    # Their next renewal opens 60 days before 10 January 2028, after this year ends.
    assert Renewal.objects.filter(due_on__gt=DUE).count() == 0

    # Alice lapsed the day after the 30-day grace period, and her seat ended that morning.
    renewal = Renewal.objects.get(user=alice)
    assert (renewal.status, renewal.access_ended_at) == (
        "lapsed",
        datetime(2027, 2, 10, 5, 7, tzinfo=UTC),
    )
    seat = Membership.objects.get(member=alice)
    assert (seat.status, seat.left_at, seat.reason) == (
        "left",
        datetime(2027, 2, 10, 5, 7, tzinfo=UTC),
        "Membership lapsed: not renewed by the end of the grace period.",
    )
    assert list(
        RosterEvent.objects.filter(member=alice).values_list("cohort_id", "action", "actor")
    ) == [(forum.pk, "removed", None)]
    # Dora's cohort has no facilitator to tell; hers is the only other seat that ended.
    assert list(
        Membership.objects.filter(status="left")
        .order_by("member__first_name")
        .values_list("member__first_name", flat=True)
    ) == ["Alice", "Dora"]
    assert list(
        Notification.objects.filter(kind="member_lapsed").values_list("recipient", "subject")
    ) == [(facilitator.email, f"membership:{seat.pk}:lapsed")]
    # She left the pool too: no cohort takes her until she is admitted again.
    assert Profile.objects.get(user=alice).lapsed_at == datetime(2027, 2, 10, 5, 7, tzinfo=UTC)
    assert list(group_selectors.pool(q="Alice")) == []
    # History stays: the meeting and her attendance row.
    assert list(Attendance.objects.filter(member=alice).values_list("meeting_id", "status")) == [
        (meeting.pk, "present")
    ]
    # Her cohort is closed to her now; Bob, renewed, still sees it.
    client.force_login(alice)
    assert client.get(reverse("cohort_detail", args=[forum.slug])).status_code == 404
    client.force_login(bob)
    assert client.get(reverse("cohort_detail", args=[forum.slug])).status_code == 200

    # Bob's move to Cleo's company was flagged once, to the admin, whatever ran again.
    assert list(CompanyConflictFlag.objects.values_list("user_id", "company", "conflicts")) == [
        (bob.pk, "Initech", ["Bob Member and Cleo Member both work at Initech"])
    ]
    assert list(
        Notification.objects.filter(kind="company_conflict").values_list("recipient", flat=True)
    ) == ["admin@example.com"]
