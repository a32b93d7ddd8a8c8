"""The pool's count and the formation wizard's defaults are cached until the pool changes
(core.versions.POOL): every write the pool is made of must show on the next page."""

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import strip_tags

from groups import formation_services, forms, selectors, services
from groups.models import Cohort, FormationRun, Membership
from members import services as member_services
from members.models import Role, User
from tests import factories
from tests.conftest import Client


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


@pytest.fixture
def cohort(db):
    cohort = factories.cohort_create(name="Harbor Circle")
    Cohort.objects.filter(pk=cohort.pk).update(max_size=30, industry_mode="unrestricted")
    cohort.refresh_from_db()
    return cohort


@pytest.fixture
def pool_page(client, admin):
    client.force_login(admin)

    def text(**params) -> str:
        html = client.get(reverse("pool"), params).content.decode()
        line = next(line for line in html.splitlines() if "unassigned member" in line)
        return " ".join(line.replace("<p>", "").replace("</p>", "").split())

    return text


def test_pool_count_is_counted_once_until_the_pool_changes(
    client, admin, pool_page, django_assert_num_queries
):
    factories.pool_member_create()
    assert pool_page() == "1 unassigned member"
    # session, user, MFA, challenge choices: the results region (count, rows) is kept
    with django_assert_num_queries(4):
        assert pool_page() == "1 unassigned member"
    factories.pool_member_create()
    assert pool_page() == "2 unassigned members"


def test_pool_count_follows_roster_changes(admin, cohort, pool_page):
    first, second = factories.pool_member_create(), factories.pool_member_create()
    assert pool_page() == "2 unassigned members"
    membership = services.membership_add(cohort=cohort, member=first, actor=admin)
    assert pool_page() == "1 unassigned member"
    services.membership_add(cohort=cohort, member=second, actor=admin)
    assert pool_page() == "0 unassigned members"
    services.membership_remove(membership=membership, actor=admin, reason="Moved away")
    assert pool_page() == "1 unassigned member"


def test_pool_count_follows_an_approval(admin, pool_page):
    application = factories.application_complete(submit=True)
    factories.references_answer(application)
    assert pool_page() == "0 unassigned members"
    member_services.application_decide(application=application, decision="approve", actor=admin)
    assert pool_page() == "1 unassigned member"


def test_filtered_pool_count_follows_profile_and_challenge_changes(pool_page):
    person = factories.pool_member_create(industry="54", challenge_count=0)
    challenge = factories.challenges(1)[0]
    assert pool_page(industry="62") == "0 unassigned members"
    assert pool_page(challenge=challenge.pk) == "0 unassigned members"
    member_services.profile_update(profile=person.profile, industry="62")
    assert pool_page(industry="62") == "1 unassigned member"
    assert pool_page(challenge=challenge.pk) == "0 unassigned members"
    # ranked challenges are written in bulk, which sends no signals
    member_services.challenges_rank(profile=person.profile, challenges=[challenge])
    assert pool_page(challenge=challenge.pk) == "1 unassigned member"
    member_services.challenges_rank(profile=person.profile, challenges=[])
    assert pool_page(challenge=challenge.pk) == "0 unassigned members"


def test_pool_count_follows_an_applied_formation_run(admin, pool_page):
    people = [factories.pool_member_create() for _ in range(3)]
    assert pool_page() == "3 unassigned members"
    run = FormationRun.objects.create(
        created_by=admin,
        status=FormationRun.Status.DONE,
        params={"min_size": 2, "max_size": 4, "industry_mode": "unrestricted"},
        member_ids=[p.pk for p in people[:2]],
        assignment=[0, 0],
    )
    # the memberships are written in bulk, which sends no signals
    formation_services.run_apply(run=run, actor=admin)
    assert pool_page() == "1 unassigned member"


def test_signing_in_keeps_the_pool_count(client, admin, pool_page, django_assert_num_queries):
    """`last_login` is no part of the pool: a sign-in does not throw the count away."""
    member = factories.pool_member_create()
    assert pool_page() == "1 unassigned member"
    client.force_login(member)
    client.force_login(admin)
    client.get("/")  # settle the session before counting queries
    with django_assert_num_queries(4):
        assert pool_page() == "1 unassigned member"


# The results region (count, rows, buttons) is kept per filter and page.


def pool_rows(client, url=None, **params) -> str:
    """The text of the pool's rows, one line each."""
    html = client.get(url or reverse("pool"), params).content.decode()
    region = html[html.index('<section id="pool-results"') :]
    rows = region.split('<li class="card pool-row">')[1:]
    return "\n".join(" ".join(strip_tags(row).split()) for row in rows)


def test_a_row_follows_its_profile_its_challenges_and_their_names(client, admin):
    client.force_login(admin)
    challenge = factories.challenges(1)[0]
    person = factories.pool_member_create(
        first="Ada", last="Stone", company="Stone Mills", challenge_count=0
    )
    assert "Ada Stone" in pool_rows(client) and "Stone Mills" in pool_rows(client)
    member_services.profile_update(profile=person.profile, company="Quarry Works")
    assert "Quarry Works" in pool_rows(client)
    member_services.challenges_rank(profile=person.profile, challenges=[challenge])
    assert challenge.name in pool_rows(client)
    challenge.name = "Selling the family firm"
    challenge.save()
    assert "Selling the family firm" in pool_rows(client)
    person.first_name = "Adaline"
    person.save(update_fields=["first_name"])
    assert "Adaline Stone" in pool_rows(client)


def test_how_long_a_person_waited_moves_on_within_a_minute(client, admin):
    client.force_login(admin)
    with time_machine.travel("2026-05-04 09:00:00Z", tick=False):
        factories.pool_member_create(first="Ada", last="Stone")
        assert "waiting 0 minutes" in pool_rows(client)
    with time_machine.travel("2026-05-04 09:00:50Z", tick=False):
        assert "waiting 0 minutes" in pool_rows(client)  # the same minute: the kept copy
    with time_machine.travel("2026-05-04 09:03:10Z", tick=False):
        assert "waiting 3 minutes" in pool_rows(client)


def test_admins_share_one_copy_of_the_results(client, admin, django_assert_num_queries):
    factories.pool_member_create(first="Ada", last="Stone")
    other = Client()
    other.force_login(factories.user_create(role=Role.ADMIN, totp=True))
    other.get("/")  # settle the session before counting queries
    client.force_login(admin)
    assert "Ada Stone" in pool_rows(client, industry="54")
    # session, user, MFA, challenge choices: the other admin's results come from the copy
    with django_assert_num_queries(4):
        assert "Ada Stone" in pool_rows(other, industry="54")
    # another filter is another copy
    assert pool_rows(other, industry="62") == ""


def test_each_cohorts_add_page_keeps_its_own_rows(client, admin):
    first, second = factories.cohort_create(name="Harbor"), factories.cohort_create(name="Summit")
    person = factories.pool_member_create(first="Ada", last="Stone")
    client.force_login(admin)
    for cohort in (first, second):
        html = client.get(reverse("cohort_add", args=[cohort.slug])).content.decode()
        check = reverse("cohort_add_member", args=[cohort.slug, person.pk])
        assert html.count(f'href="{check}"') == 1
    assert "Ada Stone" in pool_rows(client, reverse("cohort_add", args=[first.slug]))
    services.membership_add(cohort=first, member=person, actor=admin)
    assert pool_rows(client, reverse("cohort_add", args=[second.slug])) == ""


def test_pool_count_selector_keys_each_filter_apart(db):
    factories.pool_member_create(industry="54")
    factories.pool_member_create(industry="62")
    assert (selectors.pool_count(), selectors.pool_count(industry="62")) == (2, 1)
    assert (selectors.pool_count(industry="54"), selectors.pool_count(q="nobody")) == (1, 0)


# The wizard's defaults (see test_formation_defaults.py for what they are).
WINTER = "2026-01-15 12:00Z"


@pytest.fixture
def demo_admin_client(client, db):
    with time_machine.travel(WINTER, tick=False):
        call_command("seed_demo", "--password", "demo-pass-123", "--quiet-logins")
    client.force_login(User.objects.get(email="admin@example.com"))
    return client


def _spread(client) -> float:
    return client.get(reverse("formation_start")).context["form"]["max_tz_spread"].value()


def test_wizard_defaults_are_worked_out_once_until_the_pool_changes(demo_admin_client, monkeypatch):
    calls = []
    original = formation_services.pool_defaults

    def counted(**kwargs):
        calls.append(len(kwargs["member_ids"]))
        return original(**kwargs)

    monkeypatch.setattr(formation_services, "pool_defaults", counted)
    with time_machine.travel(WINTER, tick=False):
        assert _spread(demo_admin_client) == 3
        assert _spread(demo_admin_client) == 3
        assert calls == [15]
        # A member far to the east joins the pool: the spread the pool needs is recomputed.
        factories.pool_member_create(email="far.east@example.com", time_zone="Asia/Tokyo")
        spread = _spread(demo_admin_client)
        assert calls == [15, 16]
    ids = list(selectors.pool().values_list("pk", flat=True))
    with time_machine.travel(WINTER, tick=False):
        expected = original(member_ids=ids, defaults=forms.FormationForm.default_params())
    assert spread == expected["max_tz_spread"]


def test_wizard_defaults_are_worked_out_again_on_another_day(demo_admin_client):
    """Time-zone offsets are taken on the day: the summer's spread is not the winter's."""
    # The demo pool (New York, London, Paris) and one member in Sydney: the London cohort
    # spans UTC+0 to +11 in January, +1 to +10 in July.
    factories.pool_member_create(email="sydney@example.com", time_zone="Australia/Sydney")
    with time_machine.travel(WINTER, tick=False):
        assert _spread(demo_admin_client) == 11
    with time_machine.travel("2026-07-15 12:00Z", tick=False):
        assert _spread(demo_admin_client) == 9


def test_leaving_a_cohort_returns_to_the_wizard_pool(demo_admin_client):
    with time_machine.travel(WINTER, tick=False):
        page = demo_admin_client.get(reverse("formation_start"))
        assert page.context["pool_size"] == 15
        seat = Membership.objects.active().select_related("member", "cohort").first()
        admin = User.objects.get(email="admin@example.com")
        services.membership_remove(membership=seat, actor=admin, reason="Sabbatical")
        page = demo_admin_client.get(reverse("formation_start"))
        assert page.context["pool_size"] == 16
