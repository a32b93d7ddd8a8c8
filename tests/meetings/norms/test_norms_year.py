"""A simulated year of monthly meetings: attendance recorded after each one (the service
evaluates the norms on commit), the daily job run every day, some of it twice."""

from datetime import timedelta

import time_machine
from django.core import mail

from core.models import Notification
from groups import services as group_services
from groups.models import Membership
from meetings import norm_selectors, norm_services, services, tasks
from meetings.models import Attendance, NormBreach, NormEvent, NormPolicy
from tests.meetings.norms.conftest import after

A = Attendance.Status


def record(meetings, facilitator, people, month: int, statuses: dict, capture) -> None:
    meeting = meetings[month - 1]
    with time_machine.travel(after(meeting), tick=False), capture(execute=True):
        services.attendance_record(
            meeting=meeting,
            actor=facilitator,
            statuses={people[name].pk: status for name, status in statuses.items()},
        )


def ledger() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("kind", "recipient"))


def run_year(year, facilitator, capture, absences: dict, excuse=None) -> None:
    """Every day of 2027: record each meeting's attendance the evening it was held, then run
    the daily job once (twice on the first of each month). ``excuse`` is (name, month of the
    absence[, month after whose meeting it is excused; the same one when left out])."""
    _cohort, people, meetings = year
    day = meetings[0].starts_at.replace(hour=9, minute=0) - timedelta(days=1)
    end = day + timedelta(days=365)
    recorded = set()
    while day < end:
        for month, meeting in enumerate(meetings, start=1):
            if month not in recorded and after(meeting) <= day:
                statuses = {
                    name: A.ABSENT if month in absences.get(name, ()) else A.PRESENT
                    for name in people
                }
                record(meetings, facilitator, people, month, statuses, capture)
                recorded.add(month)
                if excuse and (excuse[2:] or excuse[1:2])[0] == month:
                    with time_machine.travel(after(meeting), tick=False), capture(execute=True):
                        norm_services.absence_excuse(
                            meeting=meetings[excuse[1] - 1],
                            member=people[excuse[0]],
                            actor=facilitator,
                            reason="Family emergency, told us in advance",
                        )
        with time_machine.travel(day, tick=False), capture(execute=True):
            tasks.norms_evaluate_all()
            if day.day == 1:
                tasks.norms_evaluate_all()
        day += timedelta(days=1)


def test_missing_three_of_six_gives_one_warning_and_one_review_item(
    year, facilitator, admin, django_capture_on_commit_callbacks
):
    _cohort, people, meetings = year
    alice = people["Alice"]
    run_year(year, facilitator, django_capture_on_commit_callbacks, {"Alice": (2, 4, 6)})

    breaches = list(
        NormBreach.objects.order_by("level").values_list(
            "member_id", "kind", "level", "detail", "opened_at", "cleared_at"
        )
    )
    # Opened when June's absence was recorded; cleared when March–August held only two.
    june, august = meetings[5], meetings[7]
    assert breaches == [
        (
            alice.pk,
            "attendance",
            "review",
            "absent from 3 of the last 6 meetings",
            after(june),
            after(august),
        ),
        (
            alice.pk,
            "attendance",
            "warning",
            "absent from 3 of the last 6 meetings",
            after(june),
            after(august),
        ),
    ]
    assert ledger() == sorted(
        [
            ("norm_review", "admin@example.com"),
            ("norm_warning", alice.email),
            ("norm_warning", facilitator.email),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox if "forum" in m.subject.lower()) == sorted(
        ["admin@example.com", alice.email, facilitator.email]
    )
    assert list(
        NormEvent.objects.order_by("created_at", "action").values_list("action", "actor_id")
    ) == [
        ("review_opened", None),
        ("warned", None),
        ("cleared", None),
        ("cleared", None),
    ]


def test_an_excused_absence_does_not_count(
    year, facilitator, admin, django_capture_on_commit_callbacks
):
    _cohort, people, _meetings = year
    run_year(
        year,
        facilitator,
        django_capture_on_commit_callbacks,
        {"Bob": (2, 4, 6)},
        excuse=("Bob", 4),
    )
    assert list(NormBreach.objects.all()) == []
    assert ledger() == []
    assert list(NormEvent.objects.values_list("action", "member_id", "actor_id", "reason")) == [
        ("excused", people["Bob"].pk, facilitator.pk, "Family emergency, told us in advance")
    ]


def test_running_the_daily_job_twice_changes_nothing(
    year, facilitator, admin, django_capture_on_commit_callbacks
):
    _cohort, people, meetings = year
    for month in range(1, 7):
        statuses = {name: A.PRESENT for name in people}
        if month in (1, 3, 5):
            statuses["Cleo"] = A.ABSENT
        record(meetings, facilitator, people, month, statuses, django_capture_on_commit_callbacks)
    day = after(meetings[5]) + timedelta(days=1)

    def state():
        return (
            list(NormBreach.objects.values_list("pk", "level", "cleared_at").order_by("pk")),
            list(NormEvent.objects.values_list("pk", "action").order_by("pk")),
            ledger(),
        )

    with time_machine.travel(day, tick=False):
        first = state()
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.norms_evaluate_all() == 0
        assert state() == first
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.norms_evaluate_all() == 0
        assert state() == first
    assert [level for _, level, _ in first[0]] == ["warning", "review"]


def test_an_excuse_after_a_warning_gives_no_second_warning(
    year, facilitator, admin, django_capture_on_commit_callbacks
):
    """Two absences warn, three open a review: Bob misses February and April (warned), then
    June (review); the facilitator excuses April after June's meeting. The review item closes,
    the warning stays (February and June still count) and is not sent again, all year."""
    cohort, people, meetings = year
    bob = people["Bob"]
    NormPolicy.objects.create(cohort=cohort, warn_absences=2, review_absences=3)
    run_year(
        year,
        facilitator,
        django_capture_on_commit_callbacks,
        {"Bob": (2, 4, 6)},
        excuse=("Bob", 4, 6),
    )
    april, june, august = meetings[3], meetings[5], meetings[7]
    assert list(
        NormBreach.objects.order_by("opened_at", "level").values_list(
            "level", "opened_at", "cleared_at"
        )
    ) == [
        # Cleared when August's window (March to August) held June alone.
        ("warning", after(april), after(august)),
        ("review", after(june), after(june)),
    ]
    assert ledger() == sorted(
        [
            ("norm_review", "admin@example.com"),
            ("norm_warning", bob.email),
            ("norm_warning", facilitator.email),
        ]
    )
    assert list(
        NormEvent.objects.order_by("created_at", "pk").values_list(
            "action", "actor_id", "meeting_id", "reason"
        )
    ) == [
        ("warned", None, None, "Attendance: absent from 2 of the last 4 meetings"),
        ("review_opened", None, None, "Attendance: absent from 3 of the last 6 meetings"),
        ("excused", facilitator.pk, april.pk, "Family emergency, told us in advance"),
        ("cleared", None, None, "Attendance: the norm is kept again"),
        ("cleared", None, None, "Attendance: the norm is kept again"),
    ]


def test_a_removed_member_keeps_no_open_breach(
    year, facilitator, admin, django_capture_on_commit_callbacks
):
    cohort, people, meetings = year
    cleo = people["Cleo"]
    for month in range(1, 4):
        record(
            meetings,
            facilitator,
            people,
            month,
            {"Alice": A.PRESENT, "Bob": A.PRESENT, "Cleo": A.ABSENT},
            django_capture_on_commit_callbacks,
        )
    assert NormBreach.objects.filter(member=cleo, cleared_at__isnull=True).count() == 2
    moment = after(meetings[2]) + timedelta(days=1)
    with time_machine.travel(moment, tick=False):
        group_services.membership_remove(
            membership=Membership.objects.get(cohort=cohort, member=cleo),
            actor=facilitator,
            reason="Moved abroad",
        )
        with django_capture_on_commit_callbacks(execute=True):
            tasks.norms_evaluate_all()
    assert list(
        NormBreach.objects.order_by("level").values_list("member_id", "level", "cleared_at")
    ) == [(cleo.pk, "review", moment), (cleo.pk, "warning", moment)]
    assert (
        list(NormEvent.objects.filter(action="cleared").values_list("reason", flat=True))
        == ["Attendance: the member left the cohort"] * 2
    )


def test_a_changed_rsvp_keeps_the_time_of_the_first_answer(year):
    """Everyone answered ten days ahead (the fixture); Alice changes her answer an hour before
    January's meeting: still on time."""
    cohort, people, meetings = year
    january = meetings[0]
    with time_machine.travel(january.starts_at - timedelta(hours=1), tick=False):
        services.rsvp_set(meeting=january, member=people["Alice"], answer="no")
    facts = norm_selectors.norm_facts(
        cohort_ids=[cohort.pk], now=january.starts_at + timedelta(hours=5)
    )
    assert facts.standings[cohort.pk, people["Alice"].pk].late_rsvps == 0
