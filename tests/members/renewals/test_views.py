"""The member's renewal page and the admins' renewal queue, detail and company flags."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from members import renewal_services
from members.models import CompanyConflictFlag, ConfidentialityAgreement, Profile, Renewal, Role
from tests import factories
from tests.html import duplicate_ids
from tests.members.renewals.conftest import DUE, answer

TODAY = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    client.get("/")  # settle the session before counting queries
    return client


def renewals(n: int, **fields) -> list[Renewal]:
    """n members with a renewal each, due on 10 January 2027."""
    made = []
    for i in range(n):
        user = factories.user_create(role=Role.MEMBER)
        Profile.objects.create(
            user=user, company=f"Company {i:02d}", approved_at=TODAY, renewal_due_on=DUE
        )
        made.append(Renewal.objects.create(user=user, due_on=DUE, **fields))
    return made


def test_member_page_is_pre_filled_and_renewing_submits(client, people, frozen):
    bob = people["Bob"]
    renewal_services.renewals_open(today=date(2026, 12, 1))
    client.force_login(bob)
    response = client.get(reverse("renewal"))
    form = response.context["form"]
    assert {name: form[name].value() for name in form.FACTS} == {
        "title": "CEO",
        "industry": "54",
        "employees": 100,
        "payroll_usd": None,
        "revenue_band": "13m-50m",
        "years_in_role": 5,
    }
    html = response.content.decode()
    assert "Your membership is due for renewal on <strong>10 January 2027</strong>." in html
    agreement = ConfidentialityAgreement.objects.first()
    assert f"Confidentiality agreement, version {agreement.version}" in html
    assert duplicate_ids(html) == []

    data = {**{k: v for k, v in form.initial.items() if v is not None}, "employees": 150}
    refused = client.post(reverse("renewal"), data)
    assert refused.context["form"].errors == {
        "agreement": ["Tick the box to sign the agreement; renewal needs it."]
    }
    response = client.post(reverse("renewal"), {**data, "agreement": "on"})
    assert response.status_code == 302
    renewal = Renewal.objects.get(user=bob)
    assert (renewal.status, renewal.agreement_id) == ("submitted", agreement.pk)
    assert Profile.objects.get(user=bob).employees == 150
    page = client.get(reverse("renewal")).content.decode()
    assert "You renewed on 1 December 2026; the membership team will confirm it." in page
    assert "Renew my membership" not in page


def test_member_home_shows_the_renewal(client, people, frozen):
    alice = people["Alice"]
    client.force_login(alice)
    assert "Your membership renews on 10 January 2027." in client.get("/").content.decode()
    renewal_services.renewals_open(today=date(2026, 12, 1))
    home = client.get("/").content.decode()
    assert "Your renewal is due on 10 January 2027." in home
    assert 'href="/renewal/">Renew your membership</a>' in home


def test_member_without_an_open_renewal_cannot_post(client, people, frozen):
    client.force_login(people["Alice"])
    response = client.post(reverse("renewal"), {"title": "CEO", "agreement": "on"})
    assert response.status_code == 404


@pytest.mark.parametrize("n", [1, 30])
def test_queue_query_count_is_constant(admin_client, django_assert_num_queries, frozen, n):
    renewals(n)
    # session, user, MFA check, count, page, counts per view, company changes waiting
    with django_assert_num_queries(7):
        response = admin_client.get(reverse("renewal_queue"))
    assert response.context["page"].paginator.count == n
    assert len(response.context["page"].object_list) == min(n, 25)


def test_queue_views_and_the_htmx_fragment(admin_client, frozen):
    waiting = renewals(1)[0]
    submitted = renewals(1, status="submitted", eligible=True)[0]
    undecided = renewals(1, status="needs_decision", eligible=False)[0]
    grace = renewals(1)[0]
    Renewal.objects.filter(pk=grace.pk).update(due_on=date(2026, 11, 20))
    lapsed = renewals(1, status="lapsed")[0]

    def names(view):
        response = admin_client.get(reverse("renewal_queue"), {"view": view})
        return [r.pk for r in response.context["page"]]

    assert names("") == [grace.pk, waiting.pk, submitted.pk, undecided.pk]
    assert names("due_soon") == [waiting.pk]
    assert names("submitted") == [submitted.pk]
    assert names("needs_decision") == [undecided.pk]
    assert names("in_grace") == [grace.pk]
    assert names("lapsed") == [lapsed.pk]
    counts = admin_client.get(reverse("renewal_queue")).context["counts"]
    assert [(c.view, c.count) for c in counts] == [
        ("", 4),
        ("due_soon", 1),
        ("submitted", 1),
        ("needs_decision", 1),
        ("in_grace", 1),
        ("lapsed", 1),
        ("renewed", 0),
    ]
    fragment = admin_client.get(
        reverse("renewal_queue"), {"view": "lapsed"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.lstrip().startswith('<section id="renewal-results"')
    assert "<h1>" not in fragment


def test_admin_approves_from_the_detail_page(admin_client, admin, people, frozen):
    bob = people["Bob"]
    renewal_services.renewals_open(today=date(2026, 12, 1))
    renewal = answer(Renewal.objects.get(user=bob))
    page = admin_client.get(reverse("renewal_detail", args=[renewal.pk])).content.decode()
    assert "Eligibility:" in page and "eligible" in page
    response = admin_client.post(
        reverse("renewal_decide", args=[renewal.pk]), {"decision": "approve"}
    )
    assert response["Location"] == reverse("renewal_queue")
    renewal.refresh_from_db()
    assert (renewal.status, renewal.decided_by) == ("renewed", admin)
    refused = admin_client.post(
        reverse("renewal_decide", args=[renewal.pk]), {"decision": "lapse", "reason": "x"}
    )
    assert refused.context["decision_form"].non_field_errors() == [
        "This renewal was already decided."
    ]


def test_admin_sets_the_date(admin_client, people, frozen):
    renewal_services.renewals_open(today=date(2026, 12, 1))
    renewal = Renewal.objects.get(user=people["Bob"])
    response = admin_client.post(
        reverse("renewal_date", args=[renewal.pk]), {"due_on": "2027-02-15"}
    )
    assert response["Location"] == reverse("renewal_detail", args=[renewal.pk])
    renewal.refresh_from_db()
    assert renewal.due_on == date(2027, 2, 15)


@pytest.mark.parametrize("n", [1, 30])
def test_company_flags_page(admin_client, admin, django_assert_num_queries, n):
    users = [factories.user_create(role=Role.MEMBER, first=f"F{i:02d}") for i in range(n)]
    CompanyConflictFlag.objects.bulk_create(
        CompanyConflictFlag(user=u, company="Initech", company_key="initech", conflicts=["x"])
        for u in users
    )
    # session, user, MFA check, count, page
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("company_flags"))
    assert response.context["page"].paginator.count == n
    flag = CompanyConflictFlag.objects.order_by("pk").first()
    admin_client.post(reverse("company_flag_handled", args=[flag.pk]))
    flag.refresh_from_db()
    assert flag.handled_by == admin


def test_queue_says_whether_the_grace_period_is_over(admin_client, frozen):
    in_grace = renewals(1)[0]
    waiting = renewals(1, status="submitted", eligible=True)[0]
    Renewal.objects.filter(pk=in_grace.pk).update(due_on=date(2026, 11, 20))
    Renewal.objects.filter(pk=waiting.pk).update(due_on=date(2026, 10, 1))
    html = admin_client.get(reverse("renewal_queue")).content.decode()
    words = " ".join(html.split())
    assert "1 Oct 2026 (grace over: waiting for a decision)" in words
    assert "20 Nov 2026 (in grace)" in words
