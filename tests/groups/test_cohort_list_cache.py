"""The cohort list's results are cached until anything they show changes (core.versions.COHORTS):
every write must show on the next page load."""

import re

import pytest
from django.urls import reverse

from groups import formation_services, services
from groups.models import Cohort, FormationRun, Membership
from members import services as member_services
from members.models import Role
from tests import factories


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


@pytest.fixture
def facilitator(db):
    return factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay", last="Ford")


@pytest.fixture
def cohort(facilitator):
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(
        max_size=30, min_size=2, industry_mode=Cohort.IndustryMode.UNRESTRICTED
    )
    return cohort


def _cards(client, **params) -> list[str]:
    """Each card of the list as one line of text."""
    html = client.get(reverse("cohort_list"), params).content.decode()
    cards = re.findall(r'<li class="card">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]


@pytest.fixture
def admin_client(client, admin, cohort):
    client.force_login(admin)
    client.get("/")  # settle the session before counting queries
    return client


def test_cohort_list_is_rendered_once_until_a_cohort_changes(
    admin_client, cohort, django_assert_num_queries
):
    first = _cards(admin_client)
    assert first == [
        "Harbor Circle Active 0 members (size 2–30) · below minimum · In person · UTC "
        "Meetings of Harbor Circle Facilitated by Fay Ford"
    ]
    # session, user, MFA: the results come from the cache
    with django_assert_num_queries(3):
        assert _cards(admin_client) == first
    htmx = admin_client.get(reverse("cohort_list"), headers={"HX-Request": "true"})
    assert htmx.content.decode().strip().startswith('<section id="cohort-results"')


def test_cohort_list_follows_roster_changes(admin_client, admin, cohort):
    people = [factories.pool_member_create() for _ in range(2)]
    assert "0 members" in _cards(admin_client)[0]
    seat = services.membership_add(cohort=cohort, member=people[0], actor=admin)
    services.membership_add(cohort=cohort, member=people[1], actor=admin)
    assert "2 members (size 2–30) · In person" in _cards(admin_client)[0]
    services.membership_remove(membership=seat, actor=admin, reason="Moved away")
    assert "1 member (size 2–30) · below minimum" in _cards(admin_client)[0]


def test_cohort_list_follows_settings_themes_and_facilitators(admin_client, admin, cohort):
    theme = factories.challenges(1)[0]
    other = factories.user_create(role=Role.FACILITATOR, first="Gil", last="Grey")
    assert "Facilitated by Fay Ford" in _cards(admin_client)[0]
    services.cohort_update(
        cohort=cohort, actor=admin, name="Harbour Circle", status=Cohort.Status.PAUSED
    )
    assert _cards(admin_client)[0].startswith("Harbour Circle Paused")
    services.cohort_update(cohort=cohort, actor=admin, themes=[theme])
    assert _cards(admin_client)[0].endswith(f"· Themes: {theme.name}")
    theme.name = "Succession"
    theme.save()
    assert _cards(admin_client)[0].endswith("· Themes: Succession")
    services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[other])
    assert "Facilitated by Gil Grey" in _cards(admin_client)[0]
    member_services.profile_update(
        profile=member_services.profile_get_or_create(user=other),
        user_fields={"first_name": "Gilbert"},
    )
    assert "Facilitated by Gilbert Grey" in _cards(admin_client)[0]


def test_cohort_list_follows_new_and_deleted_cohorts(admin_client, admin, cohort):
    services.cohort_create(actor=admin, name="Alder Circle")
    assert [card.split(" ")[0] for card in _cards(admin_client)] == ["Alder", "Harbor"]
    cohort.delete()
    assert [card.split(" ")[0] for card in _cards(admin_client)] == ["Alder"]


def test_cohort_list_follows_an_applied_formation_run(admin_client, admin, cohort):
    people = [factories.pool_member_create() for _ in range(2)]
    assert len(_cards(admin_client)) == 1
    run = FormationRun.objects.create(
        created_by=admin,
        status=FormationRun.Status.DONE,
        params={"min_size": 2, "max_size": 4, "industry_mode": "unrestricted"},
        member_ids=[p.pk for p in people],
        assignment=[0, 0],
    )
    (formed,) = formation_services.run_apply(run=run, actor=admin)
    cards = _cards(admin_client)
    assert [card.split(" Forming")[0] for card in cards[1:]] == [formed.name]
    assert "2 members (size 2–4)" in cards[1]


def test_cohort_list_caches_each_filter_and_page_apart(admin_client, admin, cohort):
    services.cohort_create(actor=admin, name="Alder Circle", status=Cohort.Status.FORMING)
    assert len(_cards(admin_client)) == 2
    assert [card.split(" Forming")[0] for card in _cards(admin_client, status="forming")] == [
        "Alder Circle"
    ]
    assert len(_cards(admin_client, q="harbor")) == 1


def test_facilitators_never_get_the_admins_copy(client, admin_client, admin, facilitator, cohort):
    elsewhere = factories.cohort_create(name="Alder Circle")
    assert len(_cards(admin_client)) == 2
    client.force_login(facilitator)
    assert [card.split(" Active")[0] for card in _cards(client)] == ["Harbor Circle"]
    # appointed to another cohort: it appears in their list
    services.cohort_facilitators_set(cohort=elsewhere, actor=admin, facilitators=[facilitator])
    assert [card.split(" Active")[0] for card in _cards(client)] == [
        "Alder Circle",
        "Harbor Circle",
    ]


def test_a_seat_written_without_a_service_still_shows(admin_client, cohort):
    assert "0 members" in _cards(admin_client)[0]
    Membership.objects.create(cohort=cohort, member=factories.pool_member_create())
    assert "1 member " in _cards(admin_client)[0]
