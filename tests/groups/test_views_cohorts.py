from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

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
    # session, user, MFA, count for the pagination, cohorts with counts, facilitators, themes
    with django_assert_num_queries(7):
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


class _Htmx(HTMLParser):
    """Every element's htmx request attributes, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.requests: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hx-get" in attrs or "hx-trigger" in attrs:
            self.requests.append({"tag": tag, **attrs})


def loads_on_its_own(html: str) -> list[dict]:
    """The htmx requests a page makes as soon as it is shown (``hx-trigger`` with "load")."""
    parser = _Htmx()
    parser.feed(html)
    return [r for r in parser.requests if "load" in r.get("hx-trigger", "")]


@pytest.mark.parametrize("n", [1, 50])
def test_cohort_list_loads_health_in_one_request_per_page(client, admin, n):
    cohorts = [factories.cohort_create(name=f"Circle {i:02d}") for i in range(n)]
    html = signed_in(client, admin).get(reverse("cohort_list")).content.decode()
    loads = loads_on_its_own(html)
    assert len(loads) == 1
    url = urlsplit(loads[0]["hx-get"])
    assert url.path == reverse("cohorts_health")
    assert parse_qs(url.query) == {"cohort": [c.slug for c in cohorts]}
    assert loads[0]["hx-swap"] == "none"
    for cohort in cohorts:
        assert f'<p class="health" id="health-{cohort.slug}">' in html


def test_cohort_list_pages_keep_filters(client, admin):
    for i in range(60):
        factories.cohort_create(name=f"Circle {i:02d}")
    for i in range(55):
        factories.cohort_create(name=f"Forming {i:02d}", status=Cohort.Status.FORMING)
    signed_in(client, admin)
    response = client.get(reverse("cohort_list"), {"status": "forming", "page": "2"})
    assert [c.name for c in response.context["cohorts"]] == [
        f"Forming {i:02d}" for i in range(50, 55)
    ]
    text = " ".join(response.content.decode().split())
    assert "51–55 of 55" in text
    assert '<a href="?status=forming&amp;page=1" hx-get="?status=forming&amp;page=1"' in text
    assert "Next page" not in text
    first = client.get(reverse("cohort_list"), {"status": "active"})
    text = " ".join(first.content.decode().split())
    assert "1–50 of 60" in text
    assert '<a href="?status=active&amp;page=2"' in text and "Previous page" not in text
    fragment = client.get(
        reverse("cohort_list"), {"status": "active", "page": "2"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.strip().startswith('<section id="cohort-results"')
    assert [c.name for c in first.context["cohorts"]][:2] == ["Circle 00", "Circle 01"]
    assert "Circle 59" in fragment and "Circle 49" not in fragment


def test_cohort_list_shows_thousands_in_the_count(client, admin):
    Cohort.objects.bulk_create(
        Cohort(name=f"Circle {i:04d}", slug=f"circle-{i}") for i in range(1001)
    )
    text = " ".join(signed_in(client, admin).get(reverse("cohort_list")).content.decode().split())
    assert "1–50 of 1,001" in text


def test_pool_rows_are_each_waiting_member_once(client, admin, cohort):
    """Members with several matching challenges appear once; someone who left a cohort is back
    in the pool; someone in an active cohort is not."""
    first, second = factories.challenges(2)
    a = factories.pool_member_create(first="Ana", challenge_count=3)
    b = factories.pool_member_create(first="Bo", challenge_count=3)
    left = factories.pool_member_create(first="Lee", challenge_count=1)
    Membership.objects.create(cohort=cohort, member=left, status=Membership.Status.LEFT)
    seated = factories.pool_member_create(first="Seated")
    Membership.objects.create(cohort=cohort, member=seated)
    signed_in(client, admin)

    def found(**params):
        return [p.pk for p in client.get(reverse("pool"), params).context["page"]]

    assert found() == [a.pk, b.pk, left.pk]
    assert found(challenge=first.pk) == [a.pk, b.pk, left.pk]
    assert found(challenge=second.pk) == [a.pk, b.pk]


def test_pool_pages_keep_filters(client, admin):
    people = [factories.pool_member_create(first="Ana", industry="62") for _ in range(27)]
    factories.pool_member_create(first="Bo", industry="54")
    signed_in(client, admin)
    response = client.get(reverse("pool"), {"industry": "62", "page": "2"})
    assert [p.pk for p in response.context["page"]] == [p.pk for p in people[25:]]
    text = " ".join(response.content.decode().split())
    assert "26–27 of 27" in text
    assert '<a href="?industry=62&amp;page=1"' in text


@pytest.mark.parametrize("n", [1, 50])
def test_pool_page_query_count_is_constant(client, admin, django_assert_num_queries, n):
    for _ in range(n):
        factories.pool_member_create()
    signed_in(client, admin)
    # session, user, MFA, challenge choices, pool count, pool page, pool challenges
    with django_assert_num_queries(7):
        html = client.get(reverse("pool")).content.decode()
    assert loads_on_its_own(html) == []
