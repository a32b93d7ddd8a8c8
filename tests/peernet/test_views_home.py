import re

import pytest
from django.urls import reverse

from core.versions import COHORTS, version_bump
from groups.models import Cohort
from members import services
from members.models import Role
from tests import factories
from tests.html import duplicate_ids
from tests.test_access_matrix import MATRIX

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


@pytest.mark.django_db
def test_home_visitor_sees_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert h1(response) == "A small room of peers who have faced what you are facing"
    assert "Apply to join" in text_of(response)
    assert response.templates[0].name == "peernet/landing.html"


@pytest.mark.django_db
def test_every_response_carries_the_strict_csp(client, world):
    for path in ["/", "/accounts/login/", "/does-not-exist/", "/healthz"]:
        response = client.get(path)
        assert response["Content-Security-Policy"] == CSP, path
    client.force_login(world.admin)
    assert client.get("/")["Content-Security-Policy"] == CSP


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client, world):
    client.force_login(world.member_a)
    for path in ["/", "/accounts/email/", "/accounts/password/change/"]:
        html = client.get(path).content.decode()
        assert " style=" not in html, path
        for tag in re.findall(r"<script[^>]*>", html):
            assert 'src="' in tag or 'type="application/json"' in tag, (path, tag)


def test_home_applicant_sees_their_application(client, world):
    client.force_login(world.applicant)
    response = client.get("/")
    assert response.templates[0].name == "peernet/dashboard_applicant.html"
    assert h1(response) == f"Welcome, {world.applicant.display_name}"


def test_home_member_sees_own_cohort_only(client, world):
    mate = factories.user_create(role=Role.MEMBER, first="Casey", last="Mate")
    world.cohort_a.memberships.create(member=mate)
    client.force_login(world.member_a)
    response = client.get("/")
    assert response.templates[0].name == "peernet/dashboard_member.html"
    assert response.context["home"].cohort == world.cohort_a
    assert "Cohort B" not in text_of(response)
    assert world.member_b.display_name not in text_of(response)


def test_home_member_without_cohort_is_told_they_wait(client, db):
    member = factories.user_create(role=Role.MEMBER)
    client.force_login(member)
    assert "You are waiting for a cohort" in text_of(client.get("/"))


def test_home_facilitator_sees_only_their_cohorts(client, world):
    client.force_login(world.facilitator_a)
    response = client.get("/")
    assert response.templates[0].name == "peernet/dashboard_facilitator.html"
    assert [(c.name, c.active_members) for c in response.context["cohorts"]] == [("Cohort A", 1)]


def test_home_admin_sees_queue_and_newest_cohorts(client, world):
    client.force_login(world.admin)
    response = client.get("/")
    assert response.templates[0].name == "peernet/dashboard_admin.html"
    assert response.context["queue_counts"].open_total == 0
    assert [(c.name, c.active_members) for c in response.context["cohorts"]] == [
        ("Cohort B", 1),
        ("Cohort A", 1),
    ]


def test_home_admin_cohorts_are_bounded_and_counted_by_status(client, world):
    """However many cohorts there are, the dashboard lists the ten newest and counts them all
    by status; the cohort list pages through the rest."""
    for n in range(11):
        factories.cohort_create(
            name=f"Extra {n:02d}",
            status=Cohort.Status.FORMING if n < 3 else Cohort.Status.ACTIVE,
        )
    client.force_login(world.admin)
    response = client.get("/")
    assert [c.name for c in response.context["cohorts"]] == [
        f"Extra {n:02d}" for n in range(10, 0, -1)
    ]
    text = text_of(response)
    assert "Cohorts 13 cohorts in all states: 3 forming , 10 active , 0 paused , 0 closed" in text
    assert "All 13 cohorts" in text
    html = response.content.decode()
    assert '<a href="/cohorts/?status=forming">3 forming</a>' in html
    assert '<a href="/cohorts/">All 13 cohorts</a>' in html


@pytest.mark.parametrize("extra_cohorts", [0, 30])
def test_home_admin_query_count_is_constant(
    client, world, django_assert_num_queries, extra_cohorts
):
    for _ in range(extra_cohorts):
        factories.cohort_create(members=[factories.user_create(role=Role.MEMBER)])
    client.force_login(world.admin)
    client.get("/")  # the first request of a session records it (usersessions)
    version_bump(COHORTS)  # count a load that computes the cohorts (test_dashboard_cache.py)
    # session, user, MFA check, applicants, heartbeat, failed notifications, cohorts by
    # status, the newest cohorts with member counts
    with django_assert_num_queries(8) as queries:
        client.get("/")
    # Members are counted for the ten newest cohorts only, not for every cohort before the
    # limit (32 ms at 4,000 cohorts, 1 ms this way).
    (counting,) = [
        q["sql"]
        for q in queries.captured_queries
        if "COUNT(" in q["sql"] and "groups_membership" in q["sql"]
    ]
    assert "IN (SELECT" in counting and counting.count("LIMIT 10") == 1
    assert counting.index("LIMIT 10") < counting.index("GROUP BY")


def test_navigation_follows_role(client, world):
    client.force_login(world.member_a)
    assert "Administration" not in text_of(client.get("/"))
    client.force_login(world.admin)
    assert "Administration" in text_of(client.get("/"))


@pytest.mark.django_db
def test_not_found_page_is_friendly(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert h1(response) == "Page not found"


@pytest.mark.django_db
def test_healthz_reports_ok(client):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def _applications_in(statuses: list[str], admin) -> None:
    """One submitted application per entry, then moved to that status by the admin."""

    decisions = {"waitlisted": "waitlist", "approved": "approve", "declined": "decline"}
    for i, status in enumerate(statuses):
        application = factories.application_complete(
            email=f"queue{i}@example.com", company=f"Queue Co {i}", submit=status != "draft"
        )
        if status == "under_review":
            services.application_review_start(application=application, actor=admin)
        elif status == "info_requested":
            services.application_decide(
                application=application,
                decision="request_info",
                actor=admin,
                message="Add your payroll.",
            )
        elif status in decisions:
            factories.references_answer(application)
            services.application_decide(
                application=application, decision=decisions[status], actor=admin
            )


def _queue_card(response) -> tuple[str, list[tuple[str, str]]]:
    html = response.content.decode()
    section = r'<section class="card" aria-labelledby="queue-heading">(.*?)</section>'
    card = re.search(section, html, flags=re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", card)).strip()
    links = [
        (href.replace("&amp;", "&"), re.sub(r"\s+", " ", label).strip())
        for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', card, flags=re.S)
    ]
    return text, links


def test_home_admin_queue_total_parts_and_queue_agree(client, world):
    _applications_in(
        [
            "submitted",
            "submitted",
            "under_review",
            "info_requested",
            "waitlisted",
            "approved",
            "declined",
            "draft",
        ],
        world.admin,
    )
    client.force_login(world.admin)
    text, links = _queue_card(client.get("/"))
    queue = reverse("review_queue")
    assert text == (
        "Vetting queue 5 open applications: 2 submitted, 1 under review, "
        "1 more information requested, 1 waitlisted Open the vetting queue"
    )
    assert links == [
        (f"{queue}?status=submitted", "2 submitted"),
        (f"{queue}?status=under_review", "1 under review"),
        (f"{queue}?status=info_requested", "1 more information requested"),
        (f"{queue}?status=waitlisted", "1 waitlisted"),
        (queue, "Open the vetting queue"),
    ]
    # Each part is what the queue shows behind its link, and the total what it shows unfiltered.
    for href, label in links:
        shown = client.get(href).context["page"].paginator.count
        expected = 5 if href == queue else int(label.split()[0])
        assert shown == expected, href


def test_home_admin_queue_with_nothing_open(client, world):
    _applications_in(["approved"], world.admin)
    client.force_login(world.admin)
    text, links = _queue_card(client.get("/"))
    assert text == "Vetting queue 0 open applications Open the vetting queue"
    assert links == [(reverse("review_queue"), "Open the vetting queue")]


@pytest.mark.parametrize("role", ["anonymous", "applicant", "member_a", "facilitator_a", "admin"])
def test_every_page_has_unique_element_ids(client, world, role):
    """Every page in the access matrix that this role may open, as this role sees it."""

    user = world.by_role(role)
    if user is not None:
        client.force_login(user)
    found = {}
    for rows in MATRIX.values():
        for row in rows:
            if row.method != "get" or row.expect[role] != "200":
                continue
            path = row.path(world)
            response = client.get(path)
            if response.status_code == 200 and "html" in response["Content-Type"]:
                duplicates = duplicate_ids(response.content.decode())
                if duplicates:
                    found[path] = duplicates
    assert found == {}
