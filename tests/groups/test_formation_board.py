"""The proposal as a board: cohort cards a page at a time, member chips, one move form."""

import re

import pytest
import time_machine
from django.urls import reverse

from groups.models import FormationRun
from members.models import Role
from tests import factories
from tests.html import duplicate_ids

PARAMS = {
    "min_size": 2,
    "max_size": 4,
    "industry_mode": "unrestricted",
    "max_tz_spread": None,
    "weights": {},
    "seconds": 1,
}


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


def done_run(admin, cohorts: int, per_cohort: int = 3) -> FormationRun:
    people = [
        # Distinct companies: colleagues would be a conflict of interest.
        factories.pool_member_create(first=f"M{i:03d}", last=f"Board{i}", industry="54")
        for i in range(cohorts * per_cohort)
    ]
    return FormationRun.objects.create(
        created_by=admin,
        status=FormationRun.Status.DONE,
        params={**PARAMS, "n_groups": cohorts},
        member_ids=[p.pk for p in people],
        assignment=[i // per_cohort for i in range(cohorts * per_cohort)],
        best_score=0,
    )


def headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="cohort-\d+-heading">(Proposed cohort \d+) —', html)


def chips(html: str) -> list[str]:
    return re.findall(r'<li class="chip" draggable="true" data-member="(\d+)">', html)


def test_board_shows_a_page_of_cards_with_mix_and_chips(client, admin):
    run = done_run(admin, cohorts=2)
    with time_machine.travel("2027-01-13 10:00Z", tick=False):  # London on UTC
        client.force_login(admin)
        html = client.get(reverse("formation_detail", args=[run.pk])).content.decode()
    assert headings(html) == ["Proposed cohort 1", "Proposed cohort 2"]
    assert chips(html) == ["0", "1", "2", "3", "4", "5"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "2 proposed cohorts of 6 members" in text
    assert (
        "Proposed cohort 1 — score 7.67 Members 3 Can meet Mon 07:00–19:00, Tue 07:00–19:00, "
        "Wed 07:00–19:00 UTC and 2 more Shared challenges Growth and scaling (3), "
        "Hiring and leadership team (3), Culture and engagement (3) Industries Professional, "
        "scientific, and technical services (3) Places London (3) Company sizes 50-249 (3) "
        "M000 Board0 London M001 Board1 London M002 Board2 London Proposed cohort 2"
    ) in text
    assert duplicate_ids(html) == []
    # One move form for the whole board: every cohort once as a target.
    assert html.count('<select id="move-to" name="to_cohort">') == 1
    assert re.findall(r'<option value="(\d+)">Proposed cohort', html) == ["0", "1"]


def test_board_pages_hold_twenty_cohorts(client, admin):
    run = done_run(admin, cohorts=21, per_cohort=2)
    client.force_login(admin)
    first = client.get(reverse("formation_detail", args=[run.pk])).content.decode()
    second = client.get(reverse("formation_detail", args=[run.pk]), {"page": "2"})
    assert headings(first) == [f"Proposed cohort {n}" for n in range(1, 21)]
    assert headings(second.content.decode()) == ["Proposed cohort 21"]
    # Every cohort is a target on every page.
    assert len(re.findall(r'<option value="(\d+)">Proposed cohort', first)) == 21


def test_board_page_as_htmx_fragment(client, admin):
    run = done_run(admin, cohorts=21, per_cohort=2)
    client.force_login(admin)
    response = client.get(
        reverse("formation_detail", args=[run.pk]), {"page": "2"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.strip().startswith('<section id="proposal"')
    assert "<html" not in html
    assert headings(html) == ["Proposed cohort 21"]


def test_chip_link_chooses_the_member_in_the_move_form(client, admin):
    run = done_run(admin, cohorts=2)
    client.force_login(admin)
    html = client.get(reverse("formation_detail", args=[run.pk]), {"move": "4"}).content.decode()
    assert re.findall(r'<option value="(\d+)" selected>', html) == ["4"]


@pytest.mark.parametrize("cohorts", [1, 30])
def test_board_queries_do_not_grow_with_cohorts(client, admin, cohorts, django_assert_num_queries):
    run = done_run(admin, cohorts=cohorts, per_cohort=2)
    client.force_login(admin)
    url = reverse("formation_detail", args=[run.pk])
    with django_assert_num_queries(QUERIES):
        client.get(url)


QUERIES = 9


def test_move_by_htmx_swaps_the_board_and_keeps_the_page(client, admin):
    run = done_run(admin, cohorts=21, per_cohort=3)
    client.force_login(admin)
    response = client.post(
        reverse("formation_move", args=[run.pk]),
        {"member": "60", "to_cohort": "0", "page": "2"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    run.refresh_from_db()
    assert run.assignment[60] == 0
    assert html.strip().startswith('<section id="proposal"')
    assert headings(html) == ["Proposed cohort 21"]
    assert chips(html) == ["61", "62"]


def test_move_refused_says_why(client, admin):
    run = done_run(admin, cohorts=2)
    client.force_login(admin)
    FormationRun.objects.filter(pk=run.pk).update(params={**PARAMS, "n_groups": 2, "max_size": 3})
    response = client.post(
        reverse("formation_move", args=[run.pk]),
        {"member": "0", "to_cohort": "1", "page": "1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert (
        '<p class="message message-error" role="alert">Proposed cohort 2 is full (3 members).</p>'
        in html
    )
    run.refresh_from_db()
    assert run.assignment[0] == 0


def test_move_without_javascript_redirects_to_the_page(client, admin):
    run = done_run(admin, cohorts=21, per_cohort=2)
    client.force_login(admin)
    response = client.post(
        reverse("formation_move", args=[run.pk]), {"member": "40", "to_cohort": "1", "page": "2"}
    )
    assert response["Location"] == reverse("formation_detail", args=[run.pk]) + "?page=2"
