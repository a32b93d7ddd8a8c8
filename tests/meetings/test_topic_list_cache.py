"""The parking lot is kept for its owner until something it shows changes (core.page_cache):
their topics and seats, the meetings of their cohorts, and the clock (a meeting that starts
takes no more topics)."""

import re
from datetime import date, time, timedelta

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse

from groups import services as group_services
from groups.models import Membership
from meetings import services
from meetings.models import Topic
from tests import factories
from tests.conftest import Client

pytestmark = pytest.mark.django_db

VARYING = re.compile(r'[A-Za-z0-9]{64}|nonce="[^"]+"')


@pytest.fixture
def alice(cohort):
    alice = factories.pool_member_create(first="Alice", last="Able")
    Membership.objects.create(cohort=cohort, member=alice)
    return alice


@pytest.fixture
def bob(cohort):
    bob = factories.pool_member_create(first="Bob", last="Baker")
    Membership.objects.create(cohort=cohort, member=bob)
    return bob


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def backlog(client) -> str:
    response = client.get(reverse("topic_list"))
    assert response.status_code == 200
    return response.content.decode()


def topic_of(owner, title: str, importance: int = 5) -> Topic:
    return services.topic_save(
        owner=owner,
        title=title,
        kind="issue",
        importance=importance,
        urgency=5,
        estimated_minutes=20,
    )


def meeting_in(cohort, facilitator, days: int, title: str):
    return services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=title,
        local_date=date.today() + timedelta(days=days),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="UTC",
    )


def test_a_second_visit_is_served_kept_and_reads_no_data(alice, django_assert_num_queries):
    topic_of(alice, "Hiring a CFO")
    client = signed_in(alice)
    first = backlog(client)
    # The session and the user, as for any signed-in request; nothing of the backlog.
    with django_assert_num_queries(2):
        second = backlog(client)
    assert VARYING.sub("", first) == VARYING.sub("", second)
    assert "Hiring a CFO" in second


def test_her_topics_show_on_the_next_load(alice):
    client = signed_in(alice)
    backlog(client)
    assert "Your parking lot is empty." in backlog(client)
    topic = topic_of(alice, "Hiring a CFO")
    topic_of(alice, "Pricing", importance=9)
    html = backlog(client)
    assert html.index("Pricing") < html.index("Hiring a CFO")
    services.topic_save(
        owner=alice,
        topic=topic,
        title="Hiring a COO",
        kind="issue",
        importance=10,
        urgency=10,
        estimated_minutes=20,
    )
    html = backlog(client)
    assert html.index("Hiring a COO") < html.index("Pricing") and "Hiring a CFO" not in html
    services.topic_delete(owner=alice, topic=topic)
    assert "Hiring a COO" not in backlog(client)


def test_her_cohorts_meetings_show_on_the_next_load(alice, cohort, facilitator):
    client = signed_in(alice)
    backlog(client)
    assert "Post a topic from a meeting" not in backlog(client)
    meeting = meeting_in(cohort, facilitator, 8, "Spring forum")
    assert "Spring forum" in backlog(client)
    services.meeting_update(
        meeting=meeting,
        actor=facilitator,
        local_date=meeting.local_date,
        local_time=time(9, 30),
        duration_minutes=60,
        location="",
        video_url="",
        title="Spring forum, moved",
    )
    assert "Spring forum, moved" in backlog(client)
    services.meeting_cancel(meeting=meeting, actor=facilitator)
    assert "Spring forum" not in backlog(client)


def test_the_clock_moves_the_meetings_on(alice, cohort, facilitator):
    early = meeting_in(cohort, facilitator, 4, "Early forum")
    meeting_in(cohort, facilitator, 8, "Spring forum")
    client = signed_in(alice)
    backlog(client)
    assert "Early forum" in backlog(client)
    with time_machine.travel(early.starts_at - timedelta(minutes=1), tick=False):
        assert "Early forum" in backlog(client)
    with time_machine.travel(early.starts_at + timedelta(minutes=1), tick=False):
        html = backlog(client)
        assert "Early forum" not in html and "Spring forum" in html


def test_each_owner_sees_only_their_own_topics(alice, bob):
    topic_of(alice, "Hiring a CFO")
    topic_of(bob, "Selling the firm")
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    for _ in range(2):
        alice_page, bob_page = backlog(alice_client), backlog(bob_client)
    assert "Hiring a CFO" in alice_page and "Selling the firm" not in alice_page
    assert "Selling the firm" in bob_page and "Hiring a CFO" not in bob_page


def test_a_member_who_leaves_gets_404_at_once(alice, cohort, facilitator):
    client = signed_in(alice)
    backlog(client)
    backlog(client)
    group_services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, member=alice),
        actor=facilitator,
        reason="Moved abroad",
    )
    assert client.get(reverse("topic_list")).status_code == 404


def test_a_member_who_joins_another_cohort_sees_its_meetings(alice, facilitator):
    client = signed_in(alice)
    backlog(client)
    backlog(client)
    other = factories.cohort_create(name="Lighthouse", facilitators=[facilitator])
    meeting_in(other, facilitator, 8, "Lighthouse forum")
    # Not hers yet: nothing of hers changed, and the page does not show it.
    assert "Lighthouse forum" not in backlog(client)
    Membership.objects.create(cohort=other, member=alice)
    assert "Lighthouse forum" in backlog(client)


def test_a_kept_page_carries_a_token_this_session_can_post_with(alice):
    client = DjangoClient(enforce_csrf_checks=True)
    client.force_login(alice)
    backlog(client)
    html = backlog(client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html).group(1)
    assert "__peernet_csrf_token__" not in html
    fields = {
        "title": "Pricing",
        "details": "",
        "kind": "issue",
        "importance": "6",
        "urgency": "5",
        "times_raised": "1",
        "estimated_minutes": "30",
        "csrfmiddlewaretoken": token,
    }
    response = client.post(reverse("topic_list"), fields)
    assert response.status_code == 302
    # The message waiting is shown on a page rendered afresh, with the new topic.
    html = backlog(client)
    assert "Topic added to your parking lot." in html and "Pricing" in html
    assert "Topic added to your parking lot." not in backlog(client)


def test_an_invalid_topic_is_shown_with_its_errors_not_a_kept_page(alice):
    client = signed_in(alice)
    backlog(client)
    backlog(client)
    response = client.post(reverse("topic_list"), {"title": "", "kind": "issue"})
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == ["This field is required."]
