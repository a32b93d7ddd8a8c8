"""A member's company change end to end: the member opens their profile, finds the company
form filled in with the company on file, first sends it empty (a clear error, the website
typed is kept), then asks to move to a company a cohort-mate declared as a competitor and is
told the membership team checks it first. An admin finds the request among the company
changes to decide (linked from the renewals, with how many wait), sees the conflict it would
bring in her cohort, approves it in place, finds the conflict flagged, and marks the flag
handled. The member's profile then shows the new company; a change declined on the same page
is told there too. On a phone and on a laptop; no console error or CSP violation anywhere; no
axe violation and no horizontal scroll."""

import re

import pytest
from playwright.sync_api import expect

from groups.models import Membership
from members import services
from members.models import CompanyChangeRequest, CompanyConflictFlag, Profile, Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
CONFLICT = "Cy Moss declared Initech as a competitor; Ann Lee works at Initech"


@pytest.mark.parametrize("size", SIZES)
def test_company_change_to_a_competitor_is_approved_and_flagged(open_page, size):
    ann = factories.pool_member_create(
        first="Ann", last="Lee", email="ann@example.com", company="Lee Holdings"
    )
    cy = factories.pool_member_create(first="Cy", last="Moss", email="cy@example.com")
    services.conflicts_replace(
        profile=Profile.objects.get(user=cy),
        declarations=[{"relationship": "competitor", "company_name": "Initech"}],
    )
    cohort = factories.cohort_create(name="Harbor Circle")
    for person in (ann, cy):
        Membership.objects.create(cohort=cohort, member=person)
    admin = factories.user_create(
        role=Role.ADMIN, email="admin@example.com", first="Ada", last="Admin"
    )
    secret = factories.totp_enable(admin)
    width_height = dict(zip(("width", "height"), SIZES[size], strict=True))

    page = open_page()
    page.set_viewport_size(width_height)
    sign_in(page, ann.email)
    page.goto("/profile/")
    company = page.get_by_role("region", name="Your company")
    expect(company.get_by_text("Lee Holdings", exact=True)).to_be_visible()
    expect(company.get_by_label("New company name")).to_have_value("Lee Holdings")
    expect(company.get_by_label("New company website")).to_have_value("https://leeholdings.test")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    # Sent empty: the form says what to do and keeps the website typed.
    company.get_by_label("New company name").fill("")
    company.get_by_label("New company website").fill("https://initech.test")
    company.get_by_role("button", name="Ask to change my company").click()
    company = page.get_by_role("region", name="Your company")
    expect(company.get_by_text("Enter the name of your new company.")).to_be_visible()
    expect(company.get_by_label("New company website")).to_have_value("https://initech.test")
    assert not CompanyChangeRequest.objects.exists()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    company.get_by_label("New company name").fill("Initech")
    company.get_by_role("button", name="Ask to change my company").click()
    expect(
        page.get_by_text(
            "Your new company is with the membership team. Your profile shows it once they "
            "approve it."
        )
    ).to_be_visible()
    company = page.get_by_role("region", name="Your company")
    expect(company.get_by_role("paragraph").first).to_have_text(
        "Lee Holdings · https://leeholdings.test"
    )
    expect(company.locator(".message-info")).to_contain_text(
        "Your change to Initech is waiting for the membership team"
    )
    change = CompanyChangeRequest.objects.get(user=ann)
    assert (change.company, change.company_website, change.status, change.conflicts) == (
        "Initech",
        "https://initech.test",
        "pending",
        [CONFLICT],
    )
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    staff = open_page()
    staff.set_viewport_size(width_height)
    sign_in(staff, admin.email, secret=secret)
    staff.goto("/renewals/")
    expect(staff.get_by_role("list", name="Company changes")).to_contain_text(
        "Company changes to decide: 1"
    )
    staff.get_by_role("link", name="Company changes to decide").click()
    changes = staff.locator("#company-changes")
    expect(changes.get_by_text("1 request waiting", exact=True)).to_be_visible()
    cells = changes.locator("tbody tr td")
    for column, text in (
        (0, "Ann Lee Harbor Circle"),
        (1, "Lee Holdings → Initech https://initech.test"),
        (3, CONFLICT),
    ):
        expect(cells.nth(column)).to_have_text(text)
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []
    cells.nth(4).get_by_role("button", name="Approve Ann Lee: Initech").click()
    expect(staff.locator("#toasts")).to_contain_text("Approved: Ann Lee now works at Initech.")
    expect(changes.get_by_text("No company change is waiting.")).to_be_visible()
    assert CompanyChangeRequest.objects.get(user=ann).status == "approved"
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []

    staff.get_by_role("link", name="company changes that conflict").click()
    flags = staff.locator("#flags")
    expect(flags.get_by_text("1 flag", exact=True)).to_be_visible()
    cells = flags.locator("tbody tr td")
    for column, text in ((0, "Ann Lee"), (1, "Initech"), (2, CONFLICT), (4, "Mark handled")):
        expect(cells.nth(column)).to_have_text(text)
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []
    cells.nth(4).get_by_role("button", name="Mark handled").click()
    expect(staff.get_by_text("Marked as handled: Ann Lee, Initech.")).to_be_visible()
    expect(staff.locator("#flags tbody tr td").nth(4)).to_contain_text("by Ada Admin")
    flag = CompanyConflictFlag.objects.get(user=ann)
    assert (flag.company, flag.conflicts, flag.handled_by_id) == ("Initech", [CONFLICT], admin.pk)
    assert axe_violations(staff) == []

    page.goto("/profile/")
    company = page.get_by_role("region", name="Your company")
    expect(company.get_by_role("paragraph").first).to_have_text("Initech · https://initech.test")
    expect(company.locator(".message-info")).to_have_count(0)
    expect(company.get_by_label("New company name")).to_have_value("Initech")
    assert Profile.objects.get(user=ann).company == "Initech"
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []


def test_declined_company_change_is_told_on_the_profile(open_page):
    """A declined change leaves the company as it was, and the profile says so."""
    ann = factories.pool_member_create(
        first="Ann", last="Lee", email="ann@example.com", company="Lee Holdings"
    )
    services.company_change_request(user=ann, company="Initech")
    admin = factories.user_create(role=Role.ADMIN, email="admin@example.com")
    secret = factories.totp_enable(admin)

    staff = open_page()
    sign_in(staff, admin.email, secret=secret)
    staff.goto("/renewals/company-changes/")
    staff.get_by_role("button", name="Decline Ann Lee: Initech").click()
    expect(staff.locator("#toasts")).to_contain_text("Declined: Ann Lee's change to Initech.")
    expect(staff.get_by_text("No company change is waiting.")).to_be_visible()
    assert CompanyChangeRequest.objects.get(user=ann).status == "declined"

    page = open_page()
    sign_in(page, ann.email)
    page.goto("/profile/")
    company = page.get_by_role("region", name="Your company")
    expect(company.get_by_role("paragraph").first).to_have_text(
        "Lee Holdings · https://leeholdings.test"
    )
    expect(company.locator(".message")).to_have_text(
        re.compile(
            r"The membership team did not approve your change to Initech \(\d{1,2} \w{3} \d{4}\)\. "
            r"Write to them if you want to know why, or ask again below\."
        )
    )
    expect(company.get_by_label("New company name")).to_have_value("Lee Holdings")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
