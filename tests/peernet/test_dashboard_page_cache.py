"""The three dashboards are kept for each viewer until something they show changes
(core.page_cache): every change made through the app shows on the next load, the clock moves
them on, a kept page carries this session's CSRF token, and the admin's background-work card
is read afresh for every request."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse

from core.models import Heartbeat, Notification
from groups import services as group_services
from groups.models import Cohort, Membership
from meetings import services as meeting_services
from members import services as member_services
from members.models import Role
from tests import factories
from tests.conftest import Client

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# CSRF tokens are masked afresh and CSP nonces drawn afresh for each request.
PER_REQUEST = re.compile(r'[A-Za-z0-9]{64}|nonce="[^"]+"')


def at(day: int, hour: int, minute: int = 0):
    """The clock frozen at a moment of March 2027 (UTC, the viewers' zone)."""
    return time_machine.travel(datetime(2027, 3, day, hour, minute, tzinfo=UTC), tick=False)


@pytest.fixture(autouse=True)
def frozen(settings):
    # Sessions outlast the weeks these tests travel through.
    settings.SESSION_COOKIE_AGE = 90 * 24 * 3600
    with time_machine.travel(NOW, tick=False):
        yield


def meeting(cohort, facilitator, *, day: int, title: str):
    """A two-hour meeting at 09:00 UTC on ``day`` March 2027."""
    return meeting_services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=title,
        local_date=date(2027, 3, 1) + timedelta(days=day - 1),
        local_time=time(9, 0),
        duration_minutes=120,
        time_zone="UTC",
    )


def signed_in(user, client=None) -> Client:
    client = client or Client()
    client.force_login(user)
    client.get("/")  # the first request of a session records it (usersessions)
    return client


def page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def topic_posted(owner, meeting, title: str):
    topic = meeting_services.topic_save(
        owner=owner, title=title, kind="issue", importance=6, urgency=5, estimated_minutes=20
    )
    meeting_services.topic_post(topic=topic, meeting=meeting, actor=owner, minutes=20)
    return topic


@pytest.fixture
def admin():
    return factories.user_create(role=Role.ADMIN, totp=True)


@pytest.fixture
def facilitator():
    return factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay", last="Chair")


@pytest.fixture
def forum(facilitator):
    ada = factories.user_create(role=Role.MEMBER, first="Ada", last="King")
    bo = factories.user_create(role=Role.MEMBER, first="Bo", last="Mate")
    cohort = factories.cohort_create(name="Harbor", facilitators=[facilitator], members=[ada, bo])
    march = meeting(cohort, facilitator, day=11, title="March forum")
    return cohort, march, ada, bo


# The member's dashboard --------------------------------------------------------------------


def test_member_a_kept_dashboard_reads_no_data(forum, django_assert_num_queries):
    _, _, ada, _ = forum
    client = signed_in(ada)
    first = page(client)
    # The session and the user, as for any signed-in request; nothing of the dashboard.
    with django_assert_num_queries(2):
        second = page(client)
    assert PER_REQUEST.sub("", first) == PER_REQUEST.sub("", second)
    assert "March forum" in second


def test_member_what_others_do_shows_on_the_next_load(forum, facilitator, admin):
    cohort, march, ada, bo = forum
    client = signed_in(ada)
    page(client)
    assert "Quiet for now" in page(client)
    topic = topic_posted(bo, march, "Hiring a CFO")
    assert "New topic: Hiring a CFO" in text(page(client))
    meeting_services.topic_save(owner=bo, topic=topic, title="Hiring a COO")
    assert "New topic: Hiring a COO" in text(page(client))
    meeting_services.agenda_publish(meeting=march, actor=facilitator)
    assert "Agenda published: March forum" in text(page(client))
    meeting_services.meeting_update(
        meeting=march,
        actor=facilitator,
        local_date=march.local_date,
        local_time=time(10, 30),
        duration_minutes=60,
        location="Room 12",
        video_url="",
        title="March forum, moved",
    )
    html = text(page(client))
    assert "Thursday 11 March, 10:30–11:30" in html and "Room 12" in html
    held = meeting(cohort, facilitator, day=-20, title="February forum")
    meeting_services.commitment_create(
        meeting=held, actor=facilitator, owner=ada, text="Call the bank"
    )
    assert "Call the bank No due date · from February forum" in text(page(client))
    group_services.cohort_update(cohort=cohort, actor=admin, name="Harbour")
    assert "Recently in Harbour" in text(page(client))
    meeting_services.meeting_cancel(meeting=march, actor=facilitator)
    assert "No meeting scheduled yet" in text(page(client))


def test_member_what_they_do_shows_on_the_next_load(forum):
    _, march, ada, _ = forum
    client = signed_in(ada)
    page(client)
    assert "You said" not in page(client)
    meeting_services.rsvp_set(meeting=march, member=ada, answer="no")
    assert "You said <strong>no</strong>." in page(client)
    assert "Your update is due before the meeting" in text(page(client))
    topic_posted(ada, march, "Selling the company")
    assert "You present “Selling the company”" in text(page(client))
    meeting_services.feed_regenerate(user=ada)
    assert "Set up your calendar feed" not in page(client)
    member_services.profile_update(
        profile=member_services.profile_get_or_create(user=ada), user_fields={"first_name": "Adele"}
    )
    assert "Welcome, Adele King" in text(page(client))


def test_member_each_viewer_sees_their_own_dashboard(forum):
    _, march, ada, bo = forum
    meeting_services.rsvp_set(meeting=march, member=ada, answer="no")
    ada_client, bo_client = signed_in(ada), signed_in(bo)
    for _ in range(2):
        ada_page, bo_page = page(ada_client), page(bo_client)
    assert "Welcome, Ada King" in text(ada_page) and "You said <strong>no</strong>." in ada_page
    assert "Welcome, Bo Mate" in text(bo_page) and "You said" not in bo_page


def test_member_placed_in_a_cohort_and_taken_out_sees_it_at_once(admin):
    cohort = factories.cohort_create(name="Alder")
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode="unrestricted")
    meeting(cohort, admin, day=11, title="Alder forum")
    newcomer = factories.pool_member_create(first="Nia", last="New", time_zone="UTC")
    client = signed_in(newcomer)
    page(client)
    assert "You are waiting for a cohort" in page(client)
    group_services.membership_add(cohort=cohort, member=newcomer, actor=admin)
    html = text(page(client))
    assert "Alder forum" in html and "Recently in Alder" in html
    group_services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, member=newcomer),
        actor=admin,
        reason="Moved abroad",
    )
    html = text(page(client))
    assert "You are waiting for a cohort" in html and "Alder" not in html


def test_member_commitment_of_a_former_cohort_follows_its_meeting(forum, facilitator, admin):
    """An open commitment stays on the dashboard after its owner moves on: a change to the
    meeting it was made in (another cohort's now) still shows."""
    cohort, march, ada, _ = forum
    meeting_services.commitment_create(
        meeting=march, actor=facilitator, owner=ada, text="Call the bank"
    )
    group_services.membership_remove(
        membership=Membership.objects.get(cohort=cohort, member=ada),
        actor=admin,
        reason="Moved to another city",
    )
    elsewhere = factories.cohort_create(name="Elsewhere", members=[ada])
    client = signed_in(ada)
    page(client)
    assert "from March forum" in text(page(client))
    meeting_services.meeting_update(
        meeting=march,
        actor=facilitator,
        local_date=march.local_date,
        local_time=time(9, 0),
        duration_minutes=120,
        location="",
        video_url="",
        title="March deep dive",
    )
    html = text(page(client))
    assert "from March deep dive" in html and f"Recently in {elsewhere.name}" in html


def test_member_the_clock_moves_the_dashboard_on(forum, facilitator):
    cohort, _, ada, _ = forum
    meeting(cohort, facilitator, day=20, title="Late March forum")
    client = signed_in(ada)
    with at(11, 8, 59):
        page(client)
        assert 'name="answer"' in page(client)  # the RSVP is open until it starts
    with at(11, 9, 0):
        html = page(client)
        assert 'name="answer"' not in html and "March forum" in html
    with at(11, 11, 0):
        assert "Late March forum" not in page(client)  # still the next until it has ended
    with at(11, 11, 1):
        assert "Late March forum" in page(client)


def test_member_activity_grows_old_and_commitments_fall_due(forum, facilitator):
    _, march, ada, bo = forum
    topic_posted(bo, march, "Hiring a CFO")  # 1 March, 12:00
    meeting_services.commitment_create(
        meeting=march,
        actor=facilitator,
        owner=ada,
        text="Call the bank",
        due_date=date(2027, 3, 30),
    )
    client = signed_in(ada)
    with at(30, 12):
        page(client)
        assert "Overdue" not in page(client)
    with at(31, 11, 59):
        page(client)
        html = page(client)
        assert "New topic: Hiring a CFO" in text(html) and "Overdue" in html
    with at(31, 12, 1):
        assert "Quiet for now" in text(page(client))


def test_member_a_kept_dashboard_carries_a_token_this_session_can_post_with(forum):
    _, march, ada, _ = forum
    client = signed_in(ada, DjangoClient(enforce_csrf_checks=True))
    page(client)
    html = page(client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', html).group(1)
    assert "__peernet_csrf_token__" not in html
    response = client.post(
        reverse("home_rsvp", args=[march.pk]), {"answer": "yes", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert march.rsvps.get(member=ada).answer == "yes"
    assert "You said <strong>yes</strong>." in page(client)


def test_member_a_message_waiting_is_shown_not_a_kept_dashboard(forum):
    _, march, ada, _ = forum
    client = signed_in(ada)
    page(client)
    page(client)
    response = client.post(reverse("home_rsvp", args=[march.pk]), {"answer": "nonsense"})
    assert response.status_code == 302
    assert "Choose yes, no or maybe." in page(client)
    assert "Choose yes, no or maybe." not in page(client)


# The facilitator's dashboard ---------------------------------------------------------------


def test_facilitator_a_kept_dashboard_reads_no_data(forum, facilitator, django_assert_num_queries):
    client = signed_in(facilitator)
    first = page(client)
    # The session, the user and the two-factor gate's authenticator.
    with django_assert_num_queries(3):
        second = page(client)
    assert PER_REQUEST.sub("", first) == PER_REQUEST.sub("", second)
    assert "0 of 2 answered" in second


def test_facilitator_what_members_and_admins_do_shows_on_the_next_load(forum, facilitator, admin):
    cohort, march, ada, _ = forum
    client = signed_in(facilitator)
    page(client)
    assert "0 of 2 answered · 0 updates in" in text(page(client))
    meeting_services.rsvp_set(meeting=march, member=ada, answer="yes")
    assert "1 of 2 answered · 0 updates in" in text(page(client))
    group_services.membership_add(
        cohort=cohort, member=factories.pool_member_create(time_zone="UTC"), actor=admin
    )
    html = text(page(client))
    assert "1 of 3 answered" in html and "Harbor Active 3 of" in html
    other = factories.cohort_create(name="Alder")
    assert "Alder" not in page(client)
    group_services.cohort_facilitators_set(cohort=other, actor=admin, facilitators=[facilitator])
    assert "Alder Active 0 of" in text(page(client))
    group_services.cohort_update(cohort=other, actor=admin, status=Cohort.Status.PAUSED)
    assert "Alder Paused 0 of" in text(page(client))
    group_services.cohort_facilitators_set(cohort=other, actor=admin, facilitators=[])
    assert "Alder" not in page(client)
    meeting(cohort, facilitator, day=3, title="Extra session")
    assert "Meetings to prepare Harbor: Extra session" in text(page(client))


def test_facilitator_the_clock_moves_the_dashboard_on(facilitator):
    """A meeting needs its facilitator 14 days ahead, is to prepare 3 days ahead until it
    ends, and the next one follows it; each moment shows without any write."""
    cohort = factories.cohort_create(
        name="Alder", facilitators=[facilitator], members=[factories.user_create(role=Role.MEMBER)]
    )
    meeting(cohort, facilitator, day=25, title="Spring forum")  # 09:00-11:00
    meeting(cohort, facilitator, day=26, title="Follow-up")
    client = signed_in(facilitator)
    with at(11, 8, 59):
        page(client)
        assert "Publish the agenda" not in page(client)
    with at(11, 9, 0):
        assert "Publish the agenda" in page(client)
    with at(22, 8, 59):
        page(client)
        assert "Meetings to prepare" not in page(client)
    with at(22, 9, 0):
        assert "Meetings to prepare Alder: Spring forum" in text(page(client))
    with at(23, 8, 59):
        page(client)
        assert "Alder: Follow-up" not in text(page(client))
    with at(23, 9, 0):
        html = text(page(client))
        assert "Alder: Spring forum" in html and "Alder: Follow-up" in html
    with at(25, 10, 59):
        page(client)
        assert "Alder: Spring forum" in text(page(client))
    with at(25, 11, 0):  # it has ended: nothing to prepare, still the latest meeting
        html = text(page(client))
        assert "Alder: Spring forum" not in html and "Alder Spring forum" in html
    with at(25, 11, 1):
        html = text(page(client))
        assert "Alder Spring forum" not in html and "Alder Follow-up" in html


# The admin's dashboard ---------------------------------------------------------------------


def test_admin_a_kept_dashboard_reads_only_background_work(admin, django_assert_num_queries):
    client = signed_in(admin)
    first = page(client)
    # The session, the user, the two-factor gate; the heartbeat and the failed notifications.
    with django_assert_num_queries(5):
        second = page(client)
    assert PER_REQUEST.sub("", first) == PER_REQUEST.sub("", second)
    assert "No scheduler heartbeat recorded yet" in second


def test_admin_applications_show_on_the_next_load(admin):
    client = signed_in(admin)
    page(client)
    assert "Vetting queue 0 open applications" in text(page(client))
    application = factories.application_complete(submit=True)
    assert "Vetting queue 1 open application: 1 submitted" in text(page(client))
    member_services.application_review_start(application=application, actor=admin)
    assert "Vetting queue 1 open application: 1 under review" in text(page(client))
    member_services.application_withdraw(application=application, actor=application.applicant)
    assert "Vetting queue 0 open applications" in text(page(client))


def test_admin_background_work_is_read_for_every_request(admin):
    client = signed_in(admin)
    page(client)
    page(client)
    Heartbeat.objects.create(name="scheduler", beat_at=NOW - timedelta(minutes=5))
    assert "Last scheduler heartbeat 5 minutes ago." in text(page(client))
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert "Last scheduler heartbeat 15 minutes ago." in text(page(client))
    Notification.objects.create(
        kind="welcome",
        subject="welcome:1",
        scope="cohort:1",
        recipient="someone@example.com",
        due_at=NOW,
        state=Notification.State.FAILED,
    )
    html = page(client)
    assert "1 notification failed." in text(html)
    assert '<a href="/notifications/?state=failed">Notification log</a>' in html
    assert html.count('id="scheduler-heading"') == 1
