import pytest
from playwright.sync_api import expect

from groups.models import FormationRun
from members.models import Role
from tests import factories
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


def test_admin_drags_a_member_to_another_cohort_on_the_board(open_page):
    admin = factories.user_create(role=Role.ADMIN, email="boss@example.com", first="Ada")
    secret = factories.totp_enable(admin)
    people = [
        factories.pool_member_create(first=f"Member{i}", last=f"Board{i}", industry="54")
        for i in range(6)
    ]
    run = FormationRun.objects.create(
        created_by=admin,
        status=FormationRun.Status.DONE,
        params={
            "min_size": 2,
            "max_size": 4,
            "n_groups": 2,
            "industry_mode": "unrestricted",
            "max_tz_spread": None,
            "weights": {},
            "seconds": 1,
        },
        member_ids=[p.pk for p in people],
        assignment=[0, 0, 0, 1, 1, 1],
        best_score=0,
    )

    page = open_page()
    sign_in(page, "boss@example.com", secret=secret)
    page.goto(f"/formation/{run.pk}/")

    def card(number):
        return page.locator("article").filter(
            has=page.get_by_role("heading", name=f"Proposed cohort {number}", exact=False)
        )

    expect(card(1).get_by_role("link")).to_have_count(3)
    card(1).get_by_role("link", name="Member0 Board0").drag_to(card(2).get_by_role("heading"))
    expect(card(2).get_by_role("link", name="Member0 Board0")).to_be_visible()
    expect(card(1).get_by_role("link")).to_have_count(2)
    run.refresh_from_db()
    assert run.assignment == [1, 0, 0, 1, 1, 1]

    # Without dragging: the one move form.
    page.get_by_label("Member", exact=True).select_option(label="Member0 Board0")
    page.get_by_label("Move to").select_option(label="Proposed cohort 1 (2)")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(card(1).get_by_role("link", name="Member0 Board0")).to_be_visible()
    run.refresh_from_db()
    assert run.assignment == [0, 0, 0, 1, 1, 1]
