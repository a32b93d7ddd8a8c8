"""Annual renewal end to end: a member whose renewal is open renews from their home page (the
form pre-filled with what is stored, the agreement in force signed again), and an admin finds
it in the renewal queue and approves it. On a phone and on a laptop; no console error, no CSP
violation, no axe violation on any page."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from members import renewal_services
from members.models import CompanyConflictFlag, ConfidentialityAgreement, Profile, Renewal, Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}


@pytest.mark.parametrize("size", SIZES)
def test_member_renews_and_an_admin_approves(open_page, size):
    ann = factories.pool_member_create(first="Ann", last="Lee", email="ann@example.com")
    due = renewal_services.today_utc() + timedelta(days=20)
    Profile.objects.filter(user=ann).update(renewal_due_on=due)
    renewal_services.renewals_open(today=renewal_services.today_utc())
    admin = factories.user_create(
        role=Role.ADMIN, email="admin@example.com", first="Ada", last="Admin"
    )
    secret = factories.totp_enable(admin)
    agreement = ConfidentialityAgreement.objects.first()

    page = open_page()
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    sign_in(page, ann.email)
    page.get_by_role("link", name="Renew your membership").click()
    expect(page.get_by_role("heading", name="Membership renewal", level=1)).to_be_visible()
    # What is on file is filled in.
    expect(page.get_by_label("Job title")).to_have_value("CEO")
    expect(page.get_by_label("Number of employees")).to_have_value("100")
    expect(page.get_by_label("Annual revenue")).to_have_value("13m-50m")
    expect(
        page.get_by_role("heading", name=f"Confidentiality agreement, version {agreement.version}")
    ).to_be_visible()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.get_by_label("Number of employees").fill("140")
    page.get_by_role("button", name="Renew my membership").click()
    # Not signed: the form says how to fix it and keeps the answers.
    expect(
        page.get_by_text("Tick the box to sign the agreement; renewal needs it.")
    ).to_be_visible()
    expect(page.get_by_label("Number of employees")).to_have_value("140")
    assert axe_violations(page) == []
    page.get_by_label("I have read the confidentiality agreement above and sign it again.").check()
    page.get_by_role("button", name="Renew my membership").click()
    expect(
        page.get_by_text("Thank you. Your renewal is with the membership team for approval.")
    ).to_be_visible()
    assert axe_violations(page) == []

    staff = open_page()
    staff.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    sign_in(staff, admin.email, secret=secret)
    staff.goto("/review/")
    staff.get_by_role("link", name="Renewals").click()
    expect(staff.get_by_role("heading", name="Renewals", level=1)).to_be_visible()
    staff.get_by_label("Show").select_option("submitted")
    results = staff.locator("#renewal-results")
    expect(results.get_by_text("1 renewal", exact=True)).to_be_visible()
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []
    results.get_by_role("link", name="Ann Lee").click()
    expect(staff.get_by_role("heading", name="Renewal of Ann Lee")).to_be_visible()
    expect(staff.get_by_role("heading", name="Eligibility: eligible")).to_be_visible()
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []
    # The renewal date shows what is stored; moving it moves the open renewal too.
    date_field = staff.get_by_role("textbox", name="Renewal date")
    expect(date_field).to_have_value(due.isoformat())
    due = due + timedelta(days=10)
    date_field.fill(due.isoformat())
    staff.get_by_role("button", name="Change the renewal date").click()
    expect(staff.get_by_text("Renewal date changed.")).to_be_visible()
    expect(date_field).to_have_value(due.isoformat())
    assert Renewal.objects.get(user=ann).due_on == due
    assert axe_violations(staff) == []
    staff.get_by_label("Approve: renewed for a year").check()
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.get_by_text("Renewal of Ann Lee decided.")).to_be_visible()
    assert axe_violations(staff) == []

    renewal = Renewal.objects.get(user=ann)
    assert (renewal.status, renewal.decided_by_id, renewal.agreement_id) == (
        "renewed",
        admin.pk,
        agreement.pk,
    )
    profile = Profile.objects.get(user=ann)
    assert (profile.employees, profile.renewal_due_on) == (140, renewal_services.year_after(due))

    page.goto("/")
    expect(
        page.get_by_text(f"Your membership renews on {profile.renewal_due_on:%-d %B %Y}.")
    ).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_ineligible_answers_wait_for_an_admin_who_waives_the_rules(open_page, size):
    """Answers that fail the admission rules do not pass silently: the member is told, the
    admin finds them under "Needs a decision", reads why and waives the rules with a reason.
    The company conflicts page is checked on the way."""
    bo = factories.pool_member_create(first="Bo", last="Park", email="bo@example.com")
    Profile.objects.filter(user=bo).update(
        renewal_due_on=renewal_services.today_utc() + timedelta(days=5)
    )
    renewal_services.renewals_open(today=renewal_services.today_utc())
    CompanyConflictFlag.objects.create(
        user=bo,
        company="Initech",
        company_key="initech",
        conflicts=["Bo Park and Cy Moss both work at Initech"],
    )
    admin = factories.user_create(
        role=Role.ADMIN, email="admin@example.com", first="Ada", last="Admin"
    )
    secret = factories.totp_enable(admin)
    width_height = dict(zip(("width", "height"), SIZES[size], strict=True))

    page = open_page()
    page.set_viewport_size(width_height)
    sign_in(page, bo.email)
    page.goto("/renewal/")
    page.get_by_label("Number of employees").fill("6")
    page.get_by_label("I have read the confidentiality agreement above and sign it again.").check()
    page.get_by_role("button", name="Renew my membership").click()
    expect(
        page.get_by_text("Your answers do not meet every admission rule", exact=False)
    ).to_be_visible()
    assert axe_violations(page) == []

    staff = open_page()
    staff.set_viewport_size(width_height)
    sign_in(staff, admin.email, secret=secret)
    staff.goto("/renewals/?view=needs_decision")
    results = staff.locator("#renewal-results")
    expect(results.get_by_text("1 renewal", exact=True)).to_be_visible()
    results.get_by_role("link", name="Bo Park").click()
    expect(staff.get_by_role("heading", name="Eligibility: not eligible")).to_be_visible()
    expect(staff.get_by_text("Employees at least 50 (actual: 6)", exact=False)).to_be_visible()
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []
    # Waiving without a reason is refused with how to fix it.
    staff.get_by_label("Waive the rules: renewed for a year").check()
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.get_by_text("Say why you waive the rules; it is recorded.")).to_be_visible()
    assert axe_violations(staff) == []
    staff.get_by_label("Waive the rules: renewed for a year").check()
    staff.get_by_label("Reason").fill("Headcount dips each winter")
    staff.get_by_role("button", name="Record the decision").click()
    expect(staff.get_by_text("Renewal of Bo Park decided.")).to_be_visible()
    renewal = Renewal.objects.get(user=bo)
    assert (renewal.status, renewal.waived, renewal.reason) == (
        "renewed",
        True,
        "Headcount dips each winter",
    )

    staff.get_by_role("link", name="Company changes that conflict with a cohort").click()
    expect(staff.get_by_text("Bo Park and Cy Moss both work at Initech")).to_be_visible()
    assert no_horizontal_scroll(staff)
    assert axe_violations(staff) == []
    staff.get_by_role("button", name="Mark handled").click()
    expect(staff.get_by_text("Marked as handled: Bo Park, Initech.")).to_be_visible()
    assert CompanyConflictFlag.objects.get().handled_by_id == admin.pk
