import pytest
from playwright.sync_api import expect

from groups.models import Cohort, Membership
from members import services as member_services
from members.models import Role
from tests import factories
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


def test_facilitator_refused_conflict_then_adds_member_who_sees_cohort(open_page):
    facilitator = factories.user_create(
        role=Role.FACILITATOR, email="fac@example.com", first="Fiona", last="Chair"
    )
    secret = factories.totp_enable(facilitator)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode="unrestricted")
    cohort.themes.set(factories.challenges(2))
    seated = factories.pool_member_create(first="Sam", last="Seated", company="Acme Inc")
    Membership.objects.create(cohort=cohort, member=seated)
    rival = factories.pool_member_create(first="Rex", last="Rival", company="Rival Works")
    member_services.conflicts_replace(
        profile=rival.profile,
        declarations=[{"relationship": "competitor", "company_name": "Acme"}],
    )
    factories.pool_member_create(
        first="Nina", last="Newcomer", email="nina@example.com", company="Newcomer Labs"
    )

    page = open_page()
    sign_in(page, "fac@example.com", secret=secret)
    page.get_by_role("link", name="Harbor Circle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbor Circle")
    page.get_by_role("link", name="Add member").click()

    page.get_by_label("Search").fill("Rival")
    expect(page.get_by_text("1 unassigned member", exact=True)).to_be_visible()
    page.get_by_role("link", name="Check Rex Rival").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Conflict of interest with the current roster")
    expect(alert).to_contain_text(
        "Rex Rival declared Acme as a competitor; Sam Seated works at Acme Inc"
    )
    expect(alert).to_contain_text("You cannot add Rex Rival to this cohort.")
    expect(page.get_by_role("button", name="Add Rex Rival to Harbor Circle")).to_have_count(0)

    page.get_by_label("Search").fill("Nina")
    expect(page.get_by_text("1 unassigned member", exact=True)).to_be_visible()
    page.get_by_role("link", name="Check Nina Newcomer").click()
    page.get_by_role("button", name="Add Nina Newcomer to Harbor Circle").click()
    expect(page.get_by_text("Nina Newcomer joined Harbor Circle.").first).to_be_visible()
    assert not Membership.objects.filter(member=rival).exists()

    member_page = open_page()
    sign_in(member_page, "nina@example.com")
    expect(member_page.get_by_role("link", name="Harbor Circle", exact=True)).to_be_visible()
    member_page.get_by_role("link", name="Harbor Circle", exact=True).click()
    expect(member_page.get_by_text("Sam Seated")).to_be_visible()
