"""The cohort page and the upcoming meetings it pulls are kept for each viewer until something
they show changes (core.page_cache): every change made through the app shows on the next load,
the clock moves the meetings on, and a kept page carries this session's CSRF token."""

import re
from datetime import date, time, timedelta

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse

from groups import services
from groups.models import Cohort, Membership
from meetings import services as meeting_services
from members import services as member_services
from members.models import Challenge, Role
from tests import factories
from tests.conftest import Client

pytestmark = pytest.mark.django_db

# CSRF tokens are masked afresh and CSP nonces drawn afresh for each request.
VARYING = re.compile(r'[A-Za-z0-9]{64}|nonce="[^"]+"')


@pytest.fixture
def admin():
    return factories.user_create(role=Role.ADMIN, totp=True, first="Ada", last="Admin")


@pytest.fixture
def facilitator():
    return factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay", last="Chair")


@pytest.fixture
def cohort(facilitator):
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(max_size=30, industry_mode="unrestricted")
    cohort.refresh_from_db()
    cohort.themes.set(factories.challenges(1))
    return cohort


@pytest.fixture
def alice(cohort):
    alice = factories.pool_member_create(first="Alice", last="Able")
    Membership.objects.create(cohort=cohort, member=alice)
    return alice


@pytest.fixture
def bob(cohort):
    bob = factories.pool_member_create(first="Bob", last="Baker", company="Baker Mills")
    Membership.objects.create(cohort=cohort, member=bob)
    return bob


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, cohort) -> str:
    response = client.get(reverse("cohort_detail", args=[cohort.slug]))
    assert response.status_code == 200
    return response.content.decode()


def upcoming(client, cohort) -> str:
    response = client.get(reverse("cohort_meetings", args=[cohort.slug]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def meeting_in(cohort, facilitator, days: int, title: str):
    return meeting_services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=title,
        local_date=date.today() + timedelta(days=days),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="UTC",
    )


def test_a_second_visit_is_served_kept_and_a_third_reads_no_data(
    alice, bob, cohort, django_assert_num_queries
):
    client = signed_in(alice)
    first = page(client, cohort)  # renders (and learns the cohort at the slug)
    second = page(client, cohort)  # renders and keeps
    # The session and the user, as for any signed-in request; nothing of the cohort.
    with django_assert_num_queries(2):
        third = page(client, cohort)
    assert VARYING.sub("", first) == VARYING.sub("", second) == VARYING.sub("", third)
    assert "Bob Baker" in third


def test_a_facilitators_kept_page_reads_only_the_session_user_and_authenticator(
    alice, cohort, facilitator, django_assert_num_queries
):
    client = signed_in(facilitator)
    page(client, cohort)
    page(client, cohort)
    # The session, the user and the two-factor gate's authenticator.
    with django_assert_num_queries(3):
        html = page(client, cohort)
    assert "Roster history" in html and "Remove Alice Able" in html


def test_what_others_do_shows_on_the_next_load(alice, bob, cohort, facilitator, admin):
    newest = Challenge.objects.create(name="Selling the company", position=99)
    client = signed_in(alice)
    page(client, cohort)
    assert "Baker Mills" in page(client, cohort)
    services.cohort_update(cohort=cohort, actor=facilitator, description="We meet by the sea.")
    assert "We meet by the sea." in page(client, cohort)
    newcomer = factories.pool_member_create(first="Carla", last="Cruz")
    services.membership_add(cohort=cohort, member=newcomer, actor=facilitator)
    assert "Carla Cruz" in page(client, cohort)
    member_services.profile_update(profile=bob.profile, company="Baker Shipping")
    html = page(client, cohort)
    assert "Baker Shipping" in html and "Baker Mills" not in html
    member_services.profile_self_update(user=bob, first_name="Robert")
    assert "Robert Baker" in page(client, cohort)
    member_services.challenges_rank(profile=bob.profile, challenges=[newest])
    assert "Selling the company" in page(client, cohort)
    newest.name = "Selling the family firm"
    newest.save()
    assert "Selling the family firm" in page(client, cohort)
    services.cohort_update(cohort=cohort, actor=facilitator, themes=[newest])
    assert re.search(r"<li>Selling the family firm</li>", page(client, cohort))
    co_chair = factories.user_create(role=Role.FACILITATOR, first="Cole", last="Chair")
    services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[co_chair])
    html = page(client, cohort)
    assert "Cole Chair" in html and "Fay Chair" not in html


def test_the_roster_history_shows_each_change_and_the_name_of_whoever_made_it(
    alice, bob, cohort, facilitator, admin
):
    client = signed_in(facilitator)
    page(client, cohort)
    assert "Moved abroad" not in page(client, cohort)
    services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, member=bob),
        actor=admin,
        reason="Moved abroad",
    )
    html = page(client, cohort)
    assert "Moved abroad" in html and "by Ada Admin" in html
    assert "Remove Bob Baker" not in html
    # An admin is in no cohort: their new name reaches the pages whose history shows them.
    member_services.profile_update(
        profile=member_services.profile_get_or_create(user=admin),
        user_fields={"first_name": "Adele"},
    )
    assert "by Adele Admin" in page(client, cohort)


def test_a_member_who_leaves_gets_404_at_once(alice, cohort, facilitator):
    client = signed_in(alice)
    page(client, cohort)
    page(client, cohort)
    upcoming(client, cohort)
    upcoming(client, cohort)
    services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, member=alice),
        actor=facilitator,
        reason="Moved abroad",
    )
    assert client.get(reverse("cohort_detail", args=[cohort.slug])).status_code == 404
    response = client.get(reverse("cohort_meetings", args=[cohort.slug]), HTTP_HX_REQUEST="true")
    assert response.status_code == 404


def test_a_facilitator_who_is_replaced_gets_404_at_once(alice, cohort, facilitator, admin):
    client = signed_in(facilitator)
    page(client, cohort)
    page(client, cohort)
    other = factories.user_create(role=Role.FACILITATOR)
    services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[other])
    assert client.get(reverse("cohort_detail", args=[cohort.slug])).status_code == 404


def test_each_viewer_sees_their_own_page(alice, cohort, facilitator):
    member_client, facilitator_client = signed_in(alice), signed_in(facilitator)
    for _ in range(2):
        member_page = page(member_client, cohort)
        facilitator_page = page(facilitator_client, cohort)
    assert "Roster history" not in member_page and "Your standing" in member_page
    assert "Roster history" in facilitator_page and "Your standing" not in facilitator_page


def test_a_slug_another_cohort_takes_shows_that_cohort(alice, cohort):
    client = signed_in(alice)
    page(client, cohort)
    assert "Harbor Circle" in page(client, cohort)
    slug = cohort.slug
    # The slug moves to another cohort of hers (written outside the services, as a bulk update).
    Cohort.objects.filter(pk=cohort.pk).update(slug="harbor-circle-old")
    other = factories.cohort_create(name="Lighthouse Circle", members=[alice])
    Cohort.objects.filter(pk=other.pk).update(slug=slug)
    other.refresh_from_db()
    for _ in range(3):
        html = page(client, other)
        assert "Lighthouse Circle" in html and "Harbor Circle" not in html


def test_the_meetings_a_cohort_page_pulls_are_kept_and_follow_changes(
    alice, cohort, facilitator, django_assert_num_queries
):
    first = meeting_in(cohort, facilitator, 8, "Spring forum")
    client = signed_in(alice)
    upcoming(client, cohort)
    upcoming(client, cohort)
    with django_assert_num_queries(2):
        html = upcoming(client, cohort)
    assert "Spring forum" in html and "<h1" not in html
    meeting_in(cohort, facilitator, 4, "Early forum")
    html = upcoming(client, cohort)
    assert html.index("Early forum") < html.index("Spring forum")
    meeting_services.meeting_cancel(meeting=first, actor=facilitator)
    cancelled = r"Spring forum</a>\s*<time[^>]*>[^<]*</time>\s*<span[^>]*>Cancelled"
    assert re.search(cancelled, upcoming(client, cohort))


def test_the_clock_moves_the_meetings_on(alice, cohort, facilitator):
    early = meeting_in(cohort, facilitator, 4, "Early forum")
    meeting_in(cohort, facilitator, 8, "Spring forum")
    client = signed_in(alice)
    upcoming(client, cohort)
    assert "Early forum" in upcoming(client, cohort)
    with time_machine.travel(early.ends_at - timedelta(minutes=1), tick=False):
        assert "Early forum" in upcoming(client, cohort)
    with time_machine.travel(early.ends_at + timedelta(minutes=1), tick=False):
        html = upcoming(client, cohort)
        assert "Early forum" not in html and "Spring forum" in html


def test_a_kept_page_carries_a_token_this_session_can_post_with(alice, cohort):
    client = DjangoClient(enforce_csrf_checks=True)
    client.force_login(alice)
    page(client, cohort)
    page(client, cohort)
    html = page(client, cohort)
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html).group(1)
    assert "__peernet_csrf_token__" not in html
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_message_waiting_is_shown_not_a_kept_page(alice, cohort, facilitator):
    meeting = meeting_in(cohort, facilitator, 8, "Spring forum")
    client = signed_in(alice)
    page(client, cohort)
    page(client, cohort)
    # Refused without writing anything; the message waits for the next page.
    response = client.post(reverse("meeting_rsvp", args=[meeting.pk]), {"answer": "nonsense"})
    assert response.status_code == 302
    assert "Choose yes, no or maybe." in page(client, cohort)
    assert "Choose yes, no or maybe." not in page(client, cohort)
