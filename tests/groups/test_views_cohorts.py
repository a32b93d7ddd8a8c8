import pytest
from django.urls import reverse

from groups import services
from groups.models import Cohort, Membership
from members import services as member_services
from members.models import Role
from tests import factories


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


@pytest.fixture
def facilitator(db):
    return factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay", last="F")


@pytest.fixture
def cohort(facilitator):
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(max_size=30, industry_mode="unrestricted")
    cohort.refresh_from_db()
    cohort.themes.set(factories.challenges(2))
    return cohort


def signed_in(client, user):
    client.force_login(user)
    client.get("/")  # settle the session before counting queries
    return client


def fill(cohort, n):
    for _ in range(n):
        Membership.objects.create(cohort=cohort, member=factories.pool_member_create())


@pytest.mark.parametrize("n", [1, 50])
def test_cohort_list_query_count_is_constant(client, admin, django_assert_num_queries, n):
    for i in range(n):
        cohort = factories.cohort_create(name=f"Circle {i:02d}")
        Membership.objects.create(cohort=cohort, member=factories.pool_member_create())
    signed_in(client, admin)
    # session, user, MFA, cohorts with counts, facilitators, themes
    with django_assert_num_queries(6):
        response = client.get(reverse("cohort_list"))
    assert [c.active_members for c in response.context["cohorts"]] == [1] * n


@pytest.mark.parametrize("n", [1, 29])
def test_cohort_page_query_count_is_constant(
    client, facilitator, cohort, django_assert_num_queries, n
):
    fill(cohort, n)
    signed_in(client, facilitator)
    # session, user, MFA, cohort, facilitators, themes, roster, challenges, roster events
    with django_assert_num_queries(9):
        response = client.get(reverse("cohort_detail", args=[cohort.slug]))
    assert len(response.context["roster"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_pool_search_query_count_is_constant(
    client, facilitator, cohort, django_assert_num_queries, n
):
    for _ in range(n):
        factories.pool_member_create()
    signed_in(client, facilitator)
    # session, user, MFA, cohort, facilitators, themes, roster, roster challenges,
    # pool count, pool page, pool challenges
    with django_assert_num_queries(11):
        response = client.get(reverse("cohort_add", args=[cohort.slug]), {"q": "Holdings"})
    assert response.context["page"].paginator.count == n


def test_pool_filters(client, facilitator, cohort):
    a = factories.pool_member_create(
        first="Ana", industry="54", time_zone="America/Chicago", preferred_format="virtual"
    )
    b = factories.pool_member_create(first="Bo", industry="62", time_zone="Europe/Paris")
    seated = factories.pool_member_create(first="Seated")
    Membership.objects.create(cohort=cohort, member=seated)
    signed_in(client, facilitator)

    def found(**params):
        response = client.get(reverse("cohort_add", args=[cohort.slug]), params)
        return [p.pk for p in response.context["page"]]

    assert found() == [a.pk, b.pk]
    assert found(industry="62") == [b.pk]
    assert found(region="America") == [a.pk]
    assert found(meeting_format="virtual") == [a.pk]
    assert found(challenge=factories.challenges(1)[0].pk) == [a.pk, b.pk]
    assert found(q="ana") == [a.pk]


def test_pool_htmx_returns_results_fragment(client, facilitator, cohort):
    factories.pool_member_create(first="Ana")
    signed_in(client, facilitator)
    url = reverse("cohort_add", args=[cohort.slug])
    assert "<html" in client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode().strip()
    assert fragment.startswith('<section id="pool-results"') and "<html" not in fragment


def test_candidate_check_shows_conflict_and_refuses(client, facilitator, cohort):
    seated = factories.pool_member_create(first="Sam", last="Seated", company="Acme Inc")
    Membership.objects.create(cohort=cohort, member=seated)
    rival = factories.pool_member_create(first="Rex", last="Rival")
    member_services.conflicts_replace(
        profile=rival.profile,
        declarations=[{"relationship": "supplier", "company_domain": "acme.com"}],
    )
    signed_in(client, facilitator)
    url = reverse("cohort_add_member", args=[cohort.slug, rival.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<section class="candidate-check"')
    assert "Conflict of interest with the current roster" in fragment
    assert "Rex Rival declared acme.com as a supplier; Sam Seated works at Acme Inc" in fragment
    assert "Add Rex Rival to Harbor Circle" not in fragment  # no button to press
    response = client.post(url, {}, headers={"HX-Request": "true"})
    assert "This member has a conflict of interest with the roster:" in response.content.decode()
    assert not Membership.objects.filter(member=rival).exists()


def test_candidate_add_plain_post_redirects_to_cohort(client, facilitator, cohort):
    person = factories.pool_member_create(first="Pia")
    signed_in(client, facilitator)
    response = client.post(reverse("cohort_add_member", args=[cohort.slug, person.pk]))
    assert response["Location"] == reverse("cohort_detail", args=[cohort.slug])
    assert Membership.objects.active().filter(cohort=cohort, member=person).exists()


def test_candidate_add_htmx_post_confirms_inline(client, facilitator, cohort):
    person = factories.pool_member_create(first="Pia", last="Inline")
    signed_in(client, facilitator)
    response = client.post(
        reverse("cohort_add_member", args=[cohort.slug, person.pk]), headers={"HX-Request": "true"}
    )
    assert "Pia Inline joined Harbor Circle." in response.content.decode()


def test_cohort_form_rejects_bad_input(client, admin):
    signed_in(client, admin)
    response = client.post(
        reverse("cohort_create"),
        {
            "name": "",
            "min_size": "9",
            "max_size": "4",
            "format": "zoom",
            "home_time_zone": "Nowhere/City",
            "status": "active",
            "industry_mode": "no_overlap",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name": ["This field is required."],
        "format": ["Select a valid choice. zoom is not one of the available choices."],
        "home_time_zone": ["Choose a time zone from the list, e.g. Europe/London."],
        "max_size": ["The maximum must be at least the minimum size."],
    }


def test_admin_creates_cohort_with_facilitator(client, admin, facilitator):
    signed_in(client, admin)
    response = client.post(
        reverse("cohort_create"),
        {
            "name": "Lisbon Scale-ups",
            "min_size": "6",
            "max_size": "10",
            "format": "hybrid",
            "home_time_zone": "Europe/Lisbon",
            "status": "forming",
            "industry_mode": "single",
            "facilitators": [facilitator.pk],
            "themes": [factories.challenges(1)[0].pk],
        },
    )
    cohort = Cohort.objects.get(name="Lisbon Scale-ups")
    assert response["Location"] == reverse("cohort_detail", args=[cohort.slug])
    assert list(cohort.facilitators.all()) == [facilitator]
    assert cohort.roster_events.get().action == "created"


def test_facilitator_edit_form_has_no_facilitator_field(client, facilitator, cohort):
    signed_in(client, facilitator)
    form = client.get(reverse("cohort_edit", args=[cohort.slug])).context["form"]
    assert "facilitators" not in form.fields


def test_remove_form_requires_reason(client, facilitator, cohort):
    fill(cohort, 1)
    membership = cohort.memberships.get()
    signed_in(client, facilitator)
    url = reverse("membership_remove", args=[cohort.slug, membership.pk])
    response = client.post(url, {"reason": ""})
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    response = client.post(url, {"reason": "Moved abroad"})
    assert response["Location"] == reverse("cohort_detail", args=[cohort.slug])


def test_member_sees_cohort_mates_and_nothing_of_other_cohorts(client, cohort, facilitator):
    me = factories.pool_member_create(first="Mia", last="Member")
    mate = factories.pool_member_create(first="Max", last="Mate")
    for person in (me, mate):
        services.membership_add(cohort=cohort, member=person, actor=facilitator)
    other = factories.cohort_create(name="Other Circle")
    stranger = factories.pool_member_create(first="Stan", last="Stranger")
    Membership.objects.create(cohort=other, member=stranger)
    signed_in(client, me)
    page = client.get(reverse("cohort_detail", args=[cohort.slug]))
    html = page.content.decode()
    assert [m.member.display_name for m in page.context["roster"]] == ["Max Mate", "Mia Member"]
    assert "Stan Stranger" not in html and "Other Circle" not in html
    assert "Roster history" not in html and "Add member" not in html
    assert client.get(reverse("cohort_detail", args=[other.slug])).status_code == 404
    assert client.get(reverse("cohort_list"))["Location"] == reverse(
        "cohort_detail", args=[cohort.slug]
    )
