"""Whole pages cached per viewer until anything is written (core.page_cache): every change made
through the real services, in bulk or in raw SQL, shows on the next load, which equals the
page computed afresh; a load with nothing written makes only the session's and user's
queries; CSRF tokens and messages are this request's own."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.db import connection, transaction
from django.middleware.csrf import _unmask_cipher_token
from django.urls import reverse

from core import page_cache
from groups import services as group_services
from groups.models import Cohort, Membership
from meetings import services
from meetings.models import Meeting
from members.models import Role
from tests import factories
from tests.conftest import Client

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([A-Za-z0-9]+)"')
NONCE = re.compile(r' nonce="([^"]+)"')


@pytest.fixture
def setup(db):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay")
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode="unrestricted")
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
    return facilitator, cohort, meeting, alice, bob


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # the first request of a session records it (usersessions)
    return client


def tokenless(html: str) -> str:
    """The page without what differs in every response: CSRF tokens and the CSP nonce."""
    return NONCE.sub(' nonce="NONCE"', TOKEN.sub(r"\1TOKEN", html))


def load(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return tokenless(response.content.decode())


def computed(client, url: str) -> str:
    """The page as computed with nothing cached."""
    page_cache.writes_change()
    return load(client, url)


def shows_change(client, url: str, before: str, write) -> str:
    """``write()`` changes the page: the next load shows it, exactly as computed afresh."""
    write()
    after = load(client, url)
    assert after != before
    assert after == computed(client, url)
    return after


def test_meeting_page_shows_every_write(setup, django_assert_num_queries):
    _, _, meeting, alice, bob = setup
    client = signed_in(alice)
    url = reverse("meeting_detail", args=[meeting.pk])
    page = load(client, url)
    # Nothing written since: the session and the user, nothing else.
    with django_assert_num_queries(2):
        assert load(client, url) == page
    page = shows_change(
        client, url, page, lambda: services.rsvp_set(meeting=meeting, member=bob, answer="yes")
    )
    assert "Bob Baker" in page
    topic = services.topic_save(
        owner=alice, title="Pricing", kind="issue", importance=6, urgency=5, estimated_minutes=30
    )
    page = shows_change(
        client,
        url,
        page,
        lambda: services.topic_post(topic=topic, meeting=meeting, actor=alice, minutes=30),
    )
    assert "Pricing" in page
    # A bulk update sends no signal; the cache sees the SQL.
    page = shows_change(
        client,
        url,
        page,
        lambda: Meeting.objects.filter(pk=meeting.pk).update(location="Boathouse"),
    )
    assert "Boathouse" in page

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE meetings_meeting SET location = %s WHERE id = %s", ["Pier 9", meeting.pk]
            )

    page = shows_change(client, url, page, raw_update)
    assert "Pier 9" in page and "Boathouse" not in page

    def rename():
        bob.first_name = "Robert"
        bob.save()

    assert "Robert Baker" in shows_change(client, url, page, rename)


def test_facilitators_meeting_page_shows_commitments_made_there(setup):
    facilitator, _, meeting, alice, _ = setup
    client = signed_in(facilitator)
    url = reverse("meeting_detail", args=[meeting.pk])
    page = load(client, url)
    page = shows_change(
        client,
        url,
        page,
        lambda: services.commitment_create(
            meeting=meeting, actor=facilitator, owner=alice, text="Call the bank"
        ),
    )
    assert "Call the bank" in page


def test_cohort_page_shows_roster_changes(setup, django_assert_num_queries):
    facilitator, cohort, _, _, _ = setup
    client = signed_in(facilitator)
    url = reverse("cohort_detail", args=[cohort.slug])
    page = load(client, url)
    # session, user, the two-factor check
    with django_assert_num_queries(3):
        assert load(client, url) == page
    carol = factories.pool_member_create(first="Carol", last="Cole")
    page = shows_change(
        client,
        url,
        page,
        lambda: group_services.membership_add(cohort=cohort, member=carol, actor=facilitator),
    )
    assert "Carol Cole" in page


def test_topic_backlog_shows_saves_and_deletes(setup):
    _, _, _, alice, _ = setup
    client = signed_in(alice)
    url = reverse("topic_list")
    page = load(client, url)
    topic = None

    def save():
        nonlocal topic
        topic = services.topic_save(
            owner=alice, title="Succession", kind="issue", importance=6, urgency=5,
            estimated_minutes=20,
        )  # fmt: skip

    page = shows_change(client, url, page, save)
    assert "Succession" in page
    page = shows_change(client, url, page, lambda: services.topic_delete(owner=alice, topic=topic))
    assert "Succession" not in page


def test_dashboards_show_writes(setup):
    facilitator, cohort, meeting, alice, _ = setup
    member = signed_in(alice)
    page = load(member, "/")
    shows_change(
        member,
        "/",
        page,
        lambda: services.rsvp_set(meeting=meeting, member=alice, answer="no"),
    )
    chair = signed_in(facilitator)
    page = load(chair, "/")
    page = shows_change(
        chair,
        "/",
        page,
        lambda: services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="Extra session",
            local_date=date.today() + timedelta(days=2),
            local_time=time(9, 0),
            duration_minutes=60,
            time_zone="UTC",
        ),
    )
    assert "Extra session" in page


def test_each_viewer_has_their_own_page(setup):
    _, _, meeting, alice, bob = setup
    url = reverse("meeting_detail", args=[meeting.pk])
    services.rsvp_set(meeting=meeting, member=alice, answer="yes")
    alices = load(signed_in(alice), url)
    bobs = load(signed_in(bob), url)
    assert alices != bobs
    assert bobs == computed(signed_in(bob), url)


def test_a_cached_page_carries_this_sessions_csrf_token(setup, stored, django_assert_num_queries):
    _, _, meeting, alice, _ = setup
    url = reverse("meeting_detail", args=[meeting.pk])
    first = signed_in(alice)
    second = Client(enforce_csrf_checks=True)
    second.force_login(alice)
    second.get("/")
    stored.clear()
    first.get(url)
    (_, (html, _)), *others = stored
    assert others == []
    # no token or nonce of the request that computed it
    assert (TOKEN.findall(html), NONCE.findall(html)) == ([], ["\x00nonce\x00"])
    with django_assert_num_queries(2):
        response = second.get(url)
    html = response.content.decode()
    # The script's nonce is this response's own, not the placeholder nor the first one's.
    (nonce,) = NONCE.findall(html)
    assert nonce == str(response.wsgi_request._csp_nonce)
    tokens = [token for _, token in TOKEN.findall(html)]
    assert len(tokens) >= 2  # the page's forms and htmx's header
    secret = second.cookies["csrftoken"].value
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html)[1]
    response = second.post(
        reverse("meeting_rsvp", args=[meeting.pk]),
        {"answer": "yes", "csrfmiddlewaretoken": form_token},
    )
    assert response.status_code == 302
    assert meeting.rsvps.get(member=alice).answer == "yes"


@pytest.fixture
def stored(monkeypatch):
    """Every page the cache stores, (key, entry), in order."""
    entries = []
    original = page_cache.cache.set

    def spy(key, value, *args, **kwargs):
        if key.startswith("page:"):
            entries.append((key, value))
        return original(key, value, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "set", spy)
    return entries


def test_a_page_with_messages_is_computed_and_shows_them(setup):
    _, _, meeting, alice, _ = setup
    client = signed_in(alice)
    url = reverse("meeting_detail", args=[meeting.pk])
    page = load(client, url)
    # An invalid answer writes nothing and leaves an error for the page it redirects to.
    client.post(reverse("meeting_rsvp", args=[meeting.pk]), {"answer": "perhaps"})
    with_message = load(client, url)
    assert "Choose yes, no or maybe." in with_message
    assert "Choose yes, no or maybe." not in page
    assert load(client, url) == page


def test_pages_follow_the_clock_to_the_minute(setup, django_assert_num_queries):
    _, _, meeting, alice, _ = setup
    client = signed_in(alice)
    url = reverse("meeting_detail", args=[meeting.pk])
    rsvp_url = reverse("meeting_rsvp", args=[meeting.pk])
    start = meeting.starts_at
    with time_machine.travel(start - timedelta(seconds=50), tick=False):
        before = load(client, url)
        assert rsvp_url in before
    with (
        time_machine.travel(start - timedelta(seconds=10), tick=False),
        django_assert_num_queries(2),
    ):
        assert load(client, url) == before
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        started = load(client, url)
        assert rsvp_url not in started
        assert started == computed(client, url)


@pytest.mark.django_db(transaction=True)
def test_a_write_changes_the_version_now_and_on_commit(setup):
    _, _, meeting, alice, _ = setup
    before = page_cache.writes_version()
    with transaction.atomic():
        services.rsvp_set(meeting=meeting, member=alice, answer="yes")
        first = page_cache.writes_version()
        services.rsvp_set(meeting=meeting, member=alice, answer="no")
        second = page_cache.writes_version()
        # At each write, and once more when the transaction commits.
        pending = [func for _, func, _ in connection.run_on_commit]
        assert pending.count(page_cache.writes_change) == 1
    assert len({before, first, second, page_cache.writes_version()}) == 4


def test_reads_and_sessions_change_nothing(setup):
    _, _, _, alice, _ = setup
    client = signed_in(alice)
    version = page_cache.writes_version()
    list(Meeting.objects.all())
    session = client.session
    session["seen"] = True
    session.save()
    assert page_cache.writes_version() == version


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ('SELECT "meetings_meeting"."id" FROM "meetings_meeting"', False),
        ("SAVEPOINT s1", False),
        ('(SELECT "a"."id" FROM "a") UNION (SELECT "b"."id" FROM "b")', False),
        ('WITH x AS (DELETE FROM "meetings_topic" RETURNING 1) SELECT 1', True),
        ('UPDATE "django_session" SET "expire_date" = now()', False),
        ('INSERT INTO "meetings_rsvp" ("answer") VALUES (%s)', True),
        ('UPDATE "members_user" SET "first_name" = %s', True),
        ('DELETE FROM "meetings_topic" WHERE "id" = %s', True),
        ("TRUNCATE meetings_topic", True),
        ('ALTER TABLE "meetings_topic" ADD COLUMN "x" int', True),
    ],
)
def test_what_counts_as_a_write(sql, write):
    assert page_cache._is_write(sql) is write


def test_post_requests_are_never_cached(setup, stored):
    _, _, _, alice, _ = setup
    client = signed_in(alice)
    stored.clear()
    client.post(reverse("topic_list"), {"title": ""})
    assert stored == []


def test_each_minute_of_the_clock_has_its_own_page(setup, stored):
    _, _, _, alice, _ = setup
    client = signed_in(alice)
    url = reverse("topic_list")
    moment = datetime.now(UTC).replace(second=10) + timedelta(minutes=1)
    stored.clear()
    for seconds in (0, 40, 60, 100):
        with time_machine.travel(moment + timedelta(seconds=seconds), tick=False):
            assert client.get(url).status_code == 200
    # computed at :10 and stored, served at :50, computed at the next minute's :10, served
    assert len(stored) == 2
    assert stored[0][0] != stored[1][0]


def test_htmx_requests_are_stored_apart_from_the_page(setup, stored):
    _, _, meeting, alice, _ = setup
    client = signed_in(alice)
    url = reverse("meeting_detail", args=[meeting.pk])
    stored.clear()
    client.get(url)
    client.get(url, headers={"HX-Request": "true", "HX-Target": "rsvp"})
    client.get(url, headers={"HX-Request": "true", "HX-Target": "agenda"})
    assert len({key for key, _ in stored}) == 3


def test_staff_without_an_authenticator_any_more_are_sent_to_set_one_up(setup):
    facilitator, cohort, _, _, _ = setup
    client = signed_in(facilitator)
    url = reverse("cohort_detail", args=[cohort.slug])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # the check's answer from the cache
    Authenticator.objects.filter(user=facilitator).delete()
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, reverse("mfa_activate_totp"))
