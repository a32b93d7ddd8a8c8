"""The meeting page is kept for each viewer until something it shows changes (core.page_cache):
every change made through the app shows on the next load, the clock moves it on, and a kept
page carries this session's CSRF token."""

import re
from datetime import date, time, timedelta

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse

from core import page_cache
from groups import services as group_services
from groups.models import Membership
from meetings import services
from tests import factories
from tests.conftest import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(cohort, facilitator):
    alice = factories.pool_member_create(first="Alice", last="Able")
    bob = factories.pool_member_create(first="Bob", last="Baker")
    for person in (alice, bob):
        Membership.objects.create(cohort=cohort, member=person)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=8),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="UTC",
    )
    return cohort, meeting, alice, bob


def page(client, meeting) -> str:
    response = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_second_visit_is_served_kept_and_a_third_reads_no_data(setup, django_assert_num_queries):
    _, meeting, alice, _ = setup
    client = signed_in(alice)
    first = page(client, meeting)  # renders (and learns the meeting's cohort)
    second = page(client, meeting)  # renders and keeps
    # The session and the user, as for any signed-in request; nothing of the meeting.
    with django_assert_num_queries(2):
        third = page(client, meeting)
    # CSRF tokens are masked afresh and CSP nonces drawn afresh for each request.
    strip = re.compile(r'[A-Za-z0-9]{64}|nonce="[^"]+"')
    assert strip.sub("", first) == strip.sub("", second) == strip.sub("", third)


def test_what_others_do_shows_on_the_next_load(setup, facilitator):
    _, meeting, alice, bob = setup
    alice_client = signed_in(alice)
    page(alice_client, meeting)
    assert "Flying in early" not in page(alice_client, meeting)
    services.rsvp_set(meeting=meeting, member=bob, answer="yes", note="Flying in early")
    assert "Flying in early" in page(alice_client, meeting)
    topic = services.topic_save(
        owner=bob, title="Hiring a CFO", kind="issue", importance=6, urgency=5, estimated_minutes=20
    )
    services.topic_post(topic=topic, meeting=meeting, actor=bob, minutes=20)
    assert "Hiring a CFO" in page(alice_client, meeting)
    topic.title = "Hiring a COO"
    topic.save()
    assert "Hiring a COO" in page(alice_client, meeting)
    bob.first_name = "Robert"
    bob.save()
    assert "Robert Baker" in page(alice_client, meeting)
    services.meeting_update(
        meeting=meeting,
        actor=facilitator,
        local_date=meeting.local_date,
        local_time=time(9, 30),
        duration_minutes=60,
        location="Room 12",
        video_url="",
        title="Forum, moved",
    )
    html = page(alice_client, meeting)
    assert "Forum, moved" in html and "Room 12" in html and "09:30" in html


def test_a_member_who_leaves_gets_404_at_once(setup, facilitator):
    cohort, meeting, alice, _ = setup
    client = signed_in(alice)
    page(client, meeting)
    page(client, meeting)
    group_services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, member=alice),
        actor=facilitator,
        reason="Moved abroad",
    )
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404


def test_each_viewer_sees_their_own_page(setup):
    _, meeting, alice, bob = setup
    services.rsvp_set(meeting=meeting, member=alice, answer="no", note="")
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    for _ in range(2):
        alice_page, bob_page = page(alice_client, meeting), page(bob_client, meeting)
    assert re.search(r"Your answer:\s*<strong>No</strong>", alice_page)
    assert re.search(r"Your answer:\s*not given yet", bob_page)


def test_the_clock_moves_the_page_on(setup):
    _, meeting, alice, _ = setup
    client = signed_in(alice)
    page(client, meeting)
    assert 'name="answer"' in page(client, meeting)  # RSVP open
    with time_machine.travel(meeting.starts_at + timedelta(minutes=1), tick=False):
        assert 'name="answer"' not in page(client, meeting)
    with time_machine.travel(meeting.ends_at + timedelta(minutes=1), tick=False):
        assert "Evaluate this meeting" in page(client, meeting)


def test_a_kept_page_carries_a_token_this_session_can_post_with(setup):
    _, meeting, alice, _ = setup
    client = DjangoClient(enforce_csrf_checks=True)
    client.force_login(alice)
    page(client, meeting)
    page(client, meeting)
    html = page(client, meeting)
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html).group(1)
    assert "__peernet_csrf_token__" not in html
    response = client.post(
        reverse("meeting_rsvp", args=[meeting.pk]),
        {"answer": "yes", "note": "", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert meeting.rsvps.get(member=alice).answer == "yes"


def test_a_message_waiting_is_shown_not_a_kept_page(setup):
    _, meeting, alice, _ = setup
    client = signed_in(alice)
    page(client, meeting)
    page(client, meeting)
    response = client.post(reverse("meeting_rsvp", args=[meeting.pk]), {"answer": "nonsense"})
    assert response.status_code == 302
    html = page(client, meeting)
    assert "Choose yes, no or maybe." in html


def test_a_deploy_never_serves_a_page_the_old_code_rendered(
    setup, monkeypatch, django_assert_num_queries
):
    _, meeting, alice, _ = setup
    client = signed_in(alice)
    page(client, meeting)
    page(client, meeting)
    with django_assert_num_queries(2):
        page(client, meeting)
    monkeypatch.setattr(page_cache, "build", lambda: "the next build")
    # Rendered again: the session, the user and the page's own 10 queries.
    with django_assert_num_queries(12):
        page(client, meeting)
