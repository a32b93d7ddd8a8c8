"""The admins' page of company changes to decide (groups/company_change_views.py): the waiting
requests oldest first with the member's cohorts and the conflicts the new company would bring
there, approved or declined in place with htmx or by a plain POST."""

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from groups.models import Membership
from members import services
from members.models import CompanyChangeRequest, Profile, Role
from tests import factories

CONFLICT = "Cy Moss declared Initech as a competitor; Ann Lee works at Initech"
ASKED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(db):
    return factories.user_create(
        role=Role.ADMIN, email="admin@example.com", first="Ada", last="Admin", totp=True
    )


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    client.get("/")  # settle the session before counting queries
    return client


@pytest.fixture
def people(db):
    """Ann (Lee Holdings) sits in Harbor Circle and Bay Forum; Cy, who declared Initech a
    competitor, sits with her in Harbor Circle; Zed declared Initech too but shares no cohort
    with her. Bob has no cohort."""
    ann = factories.pool_member_create(first="Ann", last="Lee", email="ann@example.com")
    cy = factories.pool_member_create(first="Cy", last="Moss", email="cy@example.com")
    zed = factories.pool_member_create(first="Zed", last="Far", email="zed@example.com")
    bob = factories.pool_member_create(first="Bob", last="Stone", email="bob@example.com")
    for person in (cy, zed):
        services.conflicts_replace(
            profile=Profile.objects.get(user=person),
            declarations=[{"relationship": "competitor", "company_name": "Initech"}],
        )
    factories.cohort_create(name="Harbor Circle", members=[ann, cy])
    factories.cohort_create(name="Bay Forum", members=[ann])
    factories.cohort_create(name="Far Table", members=[zed])
    return {"Ann": ann, "Cy": cy, "Zed": zed, "Bob": bob}


def ask(user, company: str, *, website: str = "", day: int = 2) -> CompanyChangeRequest:
    with time_machine.travel(ASKED.replace(day=day), tick=False):
        return services.company_change_request(user=user, company=company, company_website=website)


def shown(response) -> list[tuple]:
    return [
        (
            row.change.user.display_name,
            row.cohorts,
            row.change.user.profile.company,
            row.change.company,
            row.change.company_website,
            row.conflicts,
        )
        for row in response.context["rows"]
    ]


def test_list_oldest_first_with_cohorts_and_cohort_conflicts(admin_client, admin, people):
    ask(people["Bob"], "Hooli", day=3)
    ask(people["Ann"], "Initech", website="https://initech.test", day=2)
    decided = ask(people["Cy"], "Globex", day=1)
    services.company_change_decide(change=decided, actor=admin, approve=False)

    response = admin_client.get(reverse("company_changes"))

    assert shown(response) == [
        (
            "Ann Lee",
            ["Bay Forum", "Harbor Circle"],
            "Lee Holdings",
            "Initech",
            "https://initech.test",
            [CONFLICT],
        ),
        ("Bob Stone", [], "Stone Holdings", "Hooli", "", []),
    ]
    html = response.content.decode()
    assert "<h1>Company changes to decide</h1>" in html
    assert "2 requests waiting" in html
    assert f"<li>{CONFLICT}</li>" in html
    assert "Bay Forum, Harbor Circle" in html
    assert "No cohort" in html
    assert "2 Nov 2026" in html
    assert 'hx-post="/renewals/company-changes/' in html
    assert re.findall(r'action="(/renewals/company-changes/\d+/decide/)"', html) == [
        reverse("company_change_decide", args=[pk])
        for pk in CompanyChangeRequest.objects.filter(status="pending")
        .order_by("created_at")
        .values_list("pk", flat=True)
    ]
    # Zed's declaration counts against every member when the request was made, not in her
    # cohorts: the page shows only what the cohorts would hold.
    ann_change = CompanyChangeRequest.objects.get(user=people["Ann"])
    assert ann_change.conflicts == [
        CONFLICT,
        "Zed Far declared Initech as a competitor; Ann Lee works at Initech",
    ]


def test_htmx_gets_the_fragment_only(admin_client, people):
    ask(people["Ann"], "Initech")
    fragment = admin_client.get(
        reverse("company_changes"), headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.lstrip().startswith('<section id="company-changes">')
    assert "<h1>" not in fragment


def test_approve_by_plain_post(admin_client, admin, people):
    change = ask(people["Ann"], "Initech", website="https://initech.test")
    response = admin_client.post(
        reverse("company_change_decide", args=[change.pk]), {"decision": "approve", "page": "1"}
    )
    assert (response.status_code, response["Location"]) == (
        302,
        "/renewals/company-changes/?page=1",
    )
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.conflicts) == (
        "approved",
        admin,
        [CONFLICT, "Zed Far declared Initech as a competitor; Ann Lee works at Initech"],
    )
    profile = Profile.objects.get(user=people["Ann"])
    assert (profile.company, profile.company_website) == ("Initech", "https://initech.test")
    page = admin_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Approved: Ann Lee now works at Initech."]
    assert shown(page) == []
    assert "No company change is waiting." in page.content.decode()


def test_decline_in_place_with_htmx(admin_client, admin, people):
    change = ask(people["Ann"], "Initech", day=2)
    ask(people["Bob"], "Hooli", day=3)
    response = admin_client.post(
        reverse("company_change_decide", args=[change.pk]),
        {"decision": "decline", "page": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="company-changes">')
    assert "<h1>" not in html
    assert json.loads(response["HX-Trigger"]) == {
        "peernet:toast": [{"level": "success", "text": "Declined: Ann Lee's change to Initech."}]
    }
    assert shown(response) == [("Bob Stone", [], "Stone Holdings", "Hooli", "", [])]
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("declined", admin)
    assert Profile.objects.get(user=people["Ann"]).company == "Lee Holdings"
    # The message went with the fragment, not kept for the next page.
    assert list(admin_client.get(reverse("company_changes")).context["messages"]) == []


@pytest.mark.parametrize("htmx", [False, True])
def test_already_decided_is_refused_and_nothing_changes(admin_client, admin, people, htmx):
    change = ask(people["Ann"], "Initech")
    with time_machine.travel(datetime(2026, 11, 5, tzinfo=UTC), tick=False):
        services.company_change_decide(change=change, actor=admin, approve=False)
    before = CompanyChangeRequest.objects.values().get(pk=change.pk)

    response = admin_client.post(
        reverse("company_change_decide", args=[change.pk]),
        {"decision": "approve"},
        headers={"HX-Request": "true"} if htmx else {},
        follow=not htmx,
    )

    if htmx:
        assert json.loads(response["HX-Trigger"]) == {
            "peernet:toast": [{"level": "error", "text": "This request was already decided."}]
        }
        assert response.content.decode().lstrip().startswith('<section id="company-changes">')
    else:
        assert [str(m) for m in response.context["messages"]] == [
            "This request was already decided."
        ]
        assert "This request was already decided." in response.content.decode()
    assert CompanyChangeRequest.objects.values().get(pk=change.pk) == before
    assert Profile.objects.get(user=people["Ann"]).company == "Lee Holdings"


def test_a_post_without_a_decision_changes_nothing(admin_client, people):
    change = ask(people["Ann"], "Initech")
    response = admin_client.post(reverse("company_change_decide", args=[change.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Choose Approve or Decline."]
    change.refresh_from_db()
    assert change.status == "pending"


@pytest.mark.parametrize("role", ["Ann", "Cy"])
def test_only_admins_see_or_decide(client, people, role):
    change = ask(people["Ann"], "Initech")
    facilitator = factories.user_create(role=Role.FACILITATOR, email="fay@example.com", totp=True)
    factories.cohort_create(name="Fay's", facilitators=[facilitator], members=[people["Ann"]])
    for user in (people[role], facilitator):
        client.force_login(user)
        assert client.get(reverse("company_changes")).status_code == 404
        response = client.post(
            reverse("company_change_decide", args=[change.pk]), {"decision": "approve"}
        )
        assert response.status_code == 404
    change.refresh_from_db()
    assert change.status == "pending"


@pytest.mark.parametrize("n", [1, 30])
def test_query_count_is_constant(admin_client, django_assert_num_queries, n):
    users = [
        factories.user_create(role=Role.MEMBER, first=f"M{i:02d}", email=f"m{i}@example.com")
        for i in range(n)
    ]
    Profile.objects.bulk_create(Profile(user=u, company="Old Co") for u in users)
    cy = factories.pool_member_create(first="Cy", last="Moss", email="cy@example.com")
    services.conflicts_replace(
        profile=Profile.objects.get(user=cy),
        declarations=[{"relationship": "competitor", "company_name": "Initech"}],
    )
    cohort = factories.cohort_create(name="Harbor Circle", members=[cy])
    Membership.objects.bulk_create(Membership(cohort=cohort, member=u) for u in users)
    CompanyChangeRequest.objects.bulk_create(
        CompanyChangeRequest(user=u, company="Initech") for u in users
    )
    # session, user, MFA check, count, page, cohort seats, people, declarations
    with django_assert_num_queries(8):
        response = admin_client.get(reverse("company_changes"))
    assert response.context["page"].paginator.count == n
    rows = response.context["rows"]
    assert len(rows) == min(n, 25)
    assert rows[0].cohorts == ["Harbor Circle"]
    assert rows[0].conflicts == [
        f"Cy Moss declared Initech as a competitor; {rows[0].change.user.display_name} works at"
        " Initech"
    ]


def test_renewal_queue_links_with_the_count(admin_client, people):
    ask(people["Ann"], "Initech")
    ask(people["Bob"], "Hooli")
    html = admin_client.get(reverse("renewal_queue")).content.decode()
    assert (
        '<a href="/renewals/company-changes/">Company changes to decide</a>: <strong>2</strong>'
        in html
    )
    flags = admin_client.get(reverse("company_flags")).content.decode()
    assert '<a href="/renewals/company-changes/">Company changes to decide</a>' in flags
