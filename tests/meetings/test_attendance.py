"""Attendance: after the start, for the roster of that day, pre-filled from the RSVPs."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups.models import Membership
from meetings import services
from meetings.models import Attendance
from tests import factories

START = datetime(2027, 1, 12, 13, 0, tzinfo=UTC)  # 08:00 in New York
BEFORE, DURING = START - timedelta(days=20), START + timedelta(minutes=30)


def join(cohort, first: str, when: datetime):
    with time_machine.travel(when, tick=False):
        person = factories.pool_member_create(first=first, last="Lee")
        Membership.objects.create(cohort=cohort, member=person)
    return person


def leave(cohort, person, when: datetime) -> None:
    Membership.objects.filter(cohort=cohort, member=person).update(status="left", left_at=when)


@pytest.fixture
def held(cohort, facilitator):
    """A meeting that has started; its cohort's members at the start answered yes, no,
    maybe and nothing; one has left since; one had left before; one joined after."""
    people = {
        name: join(cohort, name, BEFORE - timedelta(days=10))
        for name in ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"]
    }
    with time_machine.travel(BEFORE, tick=False):
        meeting = services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="Forum",
            local_date=date(2027, 1, 12),
            local_time=time(8, 0),
            duration_minutes=120,
            time_zone="America/New_York",
        )
        for name, answer in [("Ann", "yes"), ("Bo", "no"), ("Cy", "maybe"), ("Ed", "yes")]:
            services.rsvp_set(meeting=meeting, member=people[name], answer=answer)
    leave(cohort, people["Ed"], START + timedelta(days=3))  # left since: still listed
    leave(cohort, people["Flo"], START - timedelta(days=1))  # left before: not listed
    people["Gus"] = join(cohort, "Gus", START + timedelta(hours=1))  # joined after
    return meeting, people


def fields(form) -> list[tuple[str, str, str]]:
    return [
        (field.label, field.initial, field.help_text)
        for field in (form.fields[name] for name in form.fields)
    ]


def test_form_lists_the_roster_of_that_day_prefilled_from_rsvps(client, facilitator, held):
    meeting, _ = held
    with time_machine.travel(DURING + timedelta(days=5), tick=False):
        client.force_login(facilitator)
        response = client.get(reverse("meeting_attendance", args=[meeting.pk]))
    assert fields(response.context["form"]) == [
        ("Ann Lee", "present", "Answered yes"),
        ("Bo Lee", "absent", "Answered no"),
        ("Cy Lee", "", "Answered maybe"),
        ("Di Lee", "", "Did not answer"),
        ("Ed Lee", "present", "Answered yes"),
    ]
    html = response.content.decode()
    assert '<option value="" selected>Choose…</option>' in html


def test_saved_attendance_shows_on_the_meeting_page(client, facilitator, held):
    meeting, people = held
    chosen = {"Ann": "present", "Bo": "absent", "Cy": "late", "Di": "excused", "Ed": "present"}
    url = reverse("meeting_attendance", args=[meeting.pk])
    with time_machine.travel(DURING, tick=False):
        client.force_login(facilitator)
        saved = client.post(url, {f"member_{people[n].pk}": s for n, s in chosen.items()})
        page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
        again = client.get(url)
    assert saved["Location"] == reverse("meeting_detail", args=[meeting.pk])
    section = " ".join(page.split('<h2 id="attendance-heading">Attendance</h2>')[1].split())
    assert section.startswith(
        '<ul class="people"> <li>Ann Lee: Present</li><li>Bo Lee: Absent</li>'
        "<li>Cy Lee: Late</li><li>Di Lee: Excused</li><li>Ed Lee: Present</li> </ul>"
    )
    assert [initial for _, initial, _ in fields(again.context["form"])] == list(chosen.values())


def test_members_left_without_a_choice_are_named(client, facilitator, held):
    meeting, people = held
    with time_machine.travel(DURING, tick=False):
        client.force_login(facilitator)
        response = client.post(
            reverse("meeting_attendance", args=[meeting.pk]),
            {f"member_{people['Ann'].pk}": "present", f"member_{people['Bo'].pk}": "absent"},
        )
    assert response.context["form"].errors == {
        f"member_{people[n].pk}": [f"Choose present, late, absent or excused for {n} Lee."]
        for n in ["Cy", "Di", "Ed"]
    }
    assert not Attendance.objects.exists()


def test_attendance_waits_for_the_start(client, facilitator, held):
    meeting, people = held
    url = reverse("meeting_attendance", args=[meeting.pk])
    with time_machine.travel(START - timedelta(minutes=1), tick=False):
        client.force_login(facilitator)
        detail = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
        opened = client.get(url, follow=True)
        posted = client.post(url, {f"member_{people['Ann'].pk}": "present"})
        with pytest.raises(ValidationError) as refused:
            services.attendance_record(
                meeting=meeting, actor=facilitator, statuses={people["Ann"].pk: "present"}
            )
    assert "Record attendance" not in detail
    assert [str(m) for m in opened.context["messages"]] == [
        "Attendance can be recorded once the meeting has started."
    ]
    assert posted["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert refused.value.messages == ["Attendance can be recorded once the meeting has started."]
    assert not Attendance.objects.exists()
    with time_machine.travel(START, tick=False):
        detail = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert f'href="{url}">Record attendance</a>' in detail


@pytest.mark.parametrize("name", ["Flo", "Gus"])
def test_service_refuses_who_was_not_a_member_at_the_start(facilitator, held, name):
    meeting, people = held
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as refused:
        services.attendance_record(
            meeting=meeting, actor=facilitator, statuses={people[name].pk: "present"}
        )
    assert refused.value.messages == [
        "Attendance can only be recorded for the cohort's members at the meeting."
    ]


def test_cancelled_meeting_has_no_attendance(facilitator, held):
    meeting, people = held
    with time_machine.travel(BEFORE, tick=False):
        services.meeting_cancel(meeting=meeting, actor=facilitator)
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as refused:
        services.attendance_record(
            meeting=meeting, actor=facilitator, statuses={people["Ann"].pk: "present"}
        )
    assert refused.value.messages == [
        "This meeting was cancelled: there is no attendance to record."
    ]


@pytest.mark.parametrize("count", [1, 16])
def test_meeting_page_with_attendance_has_constant_queries(
    client, cohort, facilitator, django_assert_num_queries, count
):
    members = [join(cohort, f"M{i}", BEFORE) for i in range(count)]
    with time_machine.travel(BEFORE, tick=False):
        meeting = services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="Forum",
            local_date=date(2027, 1, 12),
            local_time=time(8, 0),
            duration_minutes=120,
            time_zone="America/New_York",
        )
    with time_machine.travel(DURING, tick=False):
        services.attendance_record(
            meeting=meeting, actor=facilitator, statuses={m.pk: "present" for m in members}
        )
        client.force_login(members[0])
        client.get("/")
        # session, user, meeting, facilitators, RSVPs, agenda with votes, attendance, roster,
        # open commitments (no topics can be posted any more), updates written (the meeting
        # is under way: no evaluation yet)
        with django_assert_num_queries(10):
            response = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert len(response.context["attendance"]) == count
