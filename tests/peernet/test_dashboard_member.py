"""The member's dashboard: the next meeting in their own time zone with an inline RSVP, their
update and presentation, open commitments (overdue flagged), cohort activity and first steps;
the facilitator's coming meetings and what needs them. Constant queries."""

from datetime import date, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Rsvp
from members import services as member_services
from members.models import Role
from peernet import home_selectors
from tests import factories

NOW = timezone.datetime(2027, 3, 1, 12, 0, tzinfo=timezone.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def meeting(cohort, facilitator, *, days=10, title="Forum"):
    return meeting_services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=title,
        local_date=date(2027, 3, 1) + timedelta(days=days),
        local_time=time(9, 0),
        duration_minutes=120,
        time_zone="Europe/London",
    )


@pytest.fixture
def forum(db, frozen):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True)
    member = factories.user_create(
        role=Role.MEMBER, first="Ada", last="King", time_zone="Asia/Kolkata"
    )
    mates = [factories.user_create(role=Role.MEMBER) for _ in range(2)]
    cohort = factories.cohort_create(
        name="Harbor", facilitators=[facilitator], members=[member, *mates]
    )
    return facilitator, member, mates, cohort


def test_next_meeting_in_the_members_zone_with_rsvp_update_and_slot(client, forum):
    facilitator, member, _, cohort = forum
    coming = meeting(cohort, facilitator, days=10, title="March forum")
    meeting(cohort, facilitator, days=40, title="April forum")
    topic = meeting_services.topic_save(
        owner=member,
        title="Selling the company",
        kind="issue",
        importance=8,
        urgency=7,
        estimated_minutes=30,
    )
    meeting_services.topic_post(topic=topic, meeting=coming, actor=member, minutes=30)
    client.force_login(member)
    html = client.get("/").content.decode()
    # 09:00 in London on 11 March is 14:30 in Kolkata.
    assert "Thursday 11 March, 14:30–16:30" in html
    assert "Your update is due before the meeting" in html
    assert "You present “Selling the company”" in html
    assert "March forum" in html and "April forum" not in html


def test_rsvp_inline_answers_and_returns_the_card(client, forum):
    _, member, _, cohort = forum
    coming = meeting(cohort, forum[0])
    client.force_login(member)
    response = client.post(
        f"/home/meetings/{coming.pk}/rsvp/", {"answer": "yes"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card card-lead" id="next-meeting"')
    assert "You said <strong>yes</strong>." in html
    assert "<html" not in html
    assert (
        '"peernet:toast": [{"level": "success", "text": "Your answer is saved."}]'
        in response["HX-Trigger"]
    )
    assert list(Rsvp.objects.values_list("member__email", "answer")) == [(member.email, "yes")]


def test_rsvp_without_htmx_goes_home(client, forum):
    _, member, _, cohort = forum
    coming = meeting(cohort, forum[0])
    client.force_login(member)
    response = client.post(f"/home/meetings/{coming.pk}/rsvp/", {"answer": "maybe"})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_rsvp_of_another_cohorts_meeting_is_a_404(client, forum):
    facilitator, _, _, cohort = forum
    coming = meeting(cohort, facilitator)
    outsider = factories.user_create(role=Role.MEMBER)
    factories.cohort_create(members=[outsider])
    client.force_login(outsider)
    assert client.post(f"/home/meetings/{coming.pk}/rsvp/", {"answer": "yes"}).status_code == 404


def test_commitments_are_listed_with_overdue_flagged(client, forum):
    facilitator, member, _, cohort = forum
    held = meeting(cohort, facilitator, days=-20, title="February forum")
    for text, due in [("Call the bank", date(2027, 2, 20)), ("Hire a CFO", date(2027, 4, 1))]:
        meeting_services.commitment_create(
            meeting=held, actor=facilitator, owner=member, text=text, due_date=due
        )
    client.force_login(member)
    home = client.get("/").context["home"]
    assert [(c.text, c.due_date) for c in home.commitments] == [
        ("Call the bank", date(2027, 2, 20)),
        ("Hire a CFO", date(2027, 4, 1)),
    ]
    html = client.get("/").content.decode()
    assert html.count('<span class="badge badge-overdue">Overdue</span>') == 1


def test_first_steps_follow_what_the_member_did(client, forum):
    _, member, _, _ = forum
    client.force_login(member)
    steps = client.get("/").context["home"].steps
    assert [(s.key, s.done) for s in steps] == [
        ("profile", False),
        ("calendar", False),
        ("agreement", False),
        ("update", False),
    ]
    meeting_services.feed_regenerate(user=member)
    member_services.agreement_reread(user=member)
    steps = client.get("/").context["home"].steps
    assert [(s.key, s.done) for s in steps] == [
        ("profile", False),
        ("calendar", True),
        ("agreement", True),
        ("update", False),
    ]


@pytest.mark.parametrize("size", [1, 6])
def test_member_dashboard_queries_are_constant(client, forum, django_assert_num_queries, size):
    facilitator, member, mates, cohort = forum
    held = meeting(cohort, facilitator, days=-10)
    coming = [meeting(cohort, facilitator, days=3 + 5 * n) for n in range(size)]
    for n in range(size):
        topic = meeting_services.topic_save(
            owner=mates[0],
            title=f"T{n}",
            kind="issue",
            importance=5,
            urgency=5,
            estimated_minutes=10,
        )
        meeting_services.topic_post(topic=topic, meeting=coming[-1], actor=mates[0], minutes=10)
        meeting_services.commitment_create(
            meeting=held, actor=facilitator, owner=member, text=f"C{n}"
        )
    client.force_login(member)
    # Rendered (a first load): the session, the user, the cohorts the page shows (kept under
    # the member's version), the seat, the member with their profile and first steps, the
    # renewal, the next meeting, its RSVP and presentations, the commitments, the activity (2).
    with django_assert_num_queries(12):
        client.get("/")


def test_facilitator_sees_next_meetings_and_what_needs_them(client, forum):
    facilitator, member, _, cohort = forum
    coming = meeting(cohort, facilitator, days=5)
    meeting(cohort, facilitator, days=35)
    meeting_services.rsvp_set(meeting=coming, member=member, answer="yes")
    [next_one] = home_selectors.facilitator_coming(facilitator)
    assert (next_one.meeting, next_one.members, next_one.answered) == (coming, 3, 1)
    assert next_one.needs == ["Publish the agenda", "2 not answered yet", "3 updates to come"]
    client.force_login(facilitator)
    assert "2 not answered yet" in client.get("/").content.decode()


@pytest.mark.parametrize("cohorts", [1, 4])
def test_facilitator_dashboard_queries_are_constant(
    client, db, frozen, django_assert_num_queries, cohorts
):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True)
    for _ in range(cohorts):
        cohort = factories.cohort_create(
            facilitators=[facilitator], members=[factories.user_create(role=Role.MEMBER)]
        )
        meeting(cohort, facilitator, days=3)
    client.force_login(facilitator)
    with django_assert_num_queries(7):
        response = client.get("/")
    assert len(response.context["coming"]) == cohorts
