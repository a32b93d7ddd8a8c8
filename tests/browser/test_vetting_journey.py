import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from members.models import Application, Role, User
from tests import factories
from tests.browser.pages import totp_code

pytestmark = pytest.mark.browser
PASSWORD = "a-long-unusual-passphrase-42"


def sign_up_and_verify(page, email):
    page.goto("/accounts/signup/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    body = next(m.body for m in mail.outbox if m.to == [email])
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+", body).group(0))
    page.get_by_role("button", name="Confirm").click()


def save(page):
    page.get_by_role("button", name="Save and continue").click()


def test_applicant_applies_admin_scores_and_approves(open_page):
    page = open_page()
    sign_up_and_verify(page, "founder@example.com")
    page.get_by_role("link", name="Start your application").click()
    page.get_by_role("link", name="About you").click()

    page.get_by_label("First name").fill("Frances")
    page.get_by_label("Last name").fill("Founder")
    page.get_by_label("Job title").fill("Founder and CEO")
    page.get_by_role("searchbox", name="City").fill("Toronto")
    page.get_by_role("radio", name=re.compile(r"^Toronto, Canada")).check()
    page.get_by_label("Time zone").select_option("America/Toronto")
    save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your company")
    page.get_by_label("Company name").fill("Maple Robotics Inc.")
    page.get_by_label("Industry").select_option(label="Manufacturing")
    page.get_by_label("Number of employees").fill("140")
    page.get_by_label("Annual payroll (USD)").fill("9500000")
    page.get_by_label("Annual revenue").select_option(label="$13M – $50M")
    page.get_by_label("Years in this role").fill("9")
    page.get_by_label("Preferred meeting format").select_option(label="Hybrid")
    save(page)
    for ordinal, option in [("First", 0), ("Second", 1), ("Third", 2)]:
        page.get_by_label(f"{ordinal} challenge:", exact=True).select_option(index=option + 1)
    save(page)
    # "Add another" adds a third row in the page, without a round trip.
    expect(page.get_by_role("group", name=re.compile(r"^Declaration"))).to_have_count(2)
    expect(page.get_by_role("button", name="Add another row")).to_be_hidden()
    page.get_by_role("button", name="Add another", exact=True).click()
    third = page.get_by_role("group", name="Declaration 3")
    expect(third.get_by_label("Relationship")).to_be_focused()
    third.get_by_label("Relationship").select_option(label="Competitor")
    third.get_by_label("Company name").fill("Rival Robotics")
    page.get_by_label("This list is complete").check()
    save(page)
    for i, (name, email) in enumerate(
        [("Rita Board", "rita@example.org"), ("Omar Partner", "omar@example.org")], start=1
    ):
        page.get_by_label(f"Referee's name (referee {i})").fill(name)
        page.get_by_label(f"Referee's email (referee {i})").fill(email)
        page.get_by_label(f"How they know you (referee {i})").fill("Board member")
    save(page)
    page.get_by_label("Why do you want to join a peer group?").fill(
        "I want honest peers who have scaled a hardware company before me."
    )
    page.get_by_label("I accept the confidentiality agreement above.").check()
    save(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review your application")
    expect(page.get_by_text("Competitor: Rival Robotics")).to_be_visible()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("Your application is submitted")).to_be_visible()
    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    page.get_by_role("link", name="See what you submitted").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What you submitted")
    expect(page.get_by_text("Competitor: Rival Robotics")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Change"))).to_have_count(0)

    factories.user_create(role=Role.ADMIN, email="vetting.admin@example.com", totp=False)
    admin_user = User.objects.get(email="vetting.admin@example.com")
    secret = factories.totp_enable(admin_user)
    admin = open_page()
    admin.goto("/accounts/login/")
    admin.get_by_label("Email:").fill("vetting.admin@example.com")
    admin.get_by_label("Password:", exact=True).fill(factories.PASSWORD)
    admin.get_by_role("button", name="Sign In").click()
    admin.get_by_label("Code").fill(totp_code(secret))
    admin.get_by_role("button", name="Sign In").click()
    admin.get_by_role("link", name="Open the vetting queue").click()
    admin.get_by_label("Search").fill("Maple")
    admin.get_by_role("button", name="Apply filters").click()
    admin.get_by_role("link", name="Frances Founder").click()
    expect(admin.get_by_role("heading", name="Eligibility: Eligible")).to_be_visible()
    expect(admin.get_by_text("$9,500,000", exact=True)).to_be_visible()
    # The score starts empty: nothing is preselected, and saving it as it is asks for each.
    for label in ["Fit (1–5)", "Contribution (1–5)", "Commitment (1–5)"]:
        expect(admin.get_by_label(label)).to_have_value("")
    admin.get_by_label("Contribution (1–5)").select_option("4")
    admin.get_by_role("button", name="Save score").click()
    expect(admin.get_by_text("Choose a fit score from 1 (weak) to 5 (strong).")).to_be_visible()
    expect(
        admin.get_by_text("Choose a commitment score from 1 (weak) to 5 (strong).")
    ).to_be_visible()
    admin.get_by_label("Fit (1–5)").select_option("5")
    admin.get_by_label("Commitment (1–5)").select_option("5")
    admin.get_by_role("button", name="Save score").click()
    expect(admin.get_by_role("heading", name="Scores — average 4.67")).to_be_visible()

    # Neither referee has answered: approving warns, then needs a confirmation and a reason.
    expect(
        admin.get_by_text(
            "References outstanding: Rita Board (Board member) and Omar Partner (Board member) "
            "have not answered yet."
        )
    ).to_be_visible()
    admin.get_by_label("Approve", exact=True).check()
    admin.get_by_role("button", name="Record decision").click()
    expect(
        admin.get_by_text("Tick this box to approve before Rita Board and Omar Partner answer.")
    ).to_be_visible()
    expect(
        admin.get_by_text("Say why you approve before Rita Board and Omar Partner answer.")
    ).to_be_visible()
    assert Application.objects.get(applicant__email="founder@example.com").status == "under_review"
    admin.get_by_label("Go ahead without waiting for these references").check()
    admin.get_by_label("Why not wait?").fill("Both referees confirmed by phone.")
    admin.get_by_role("button", name="Record decision").click()
    expect(admin.get_by_text("Decision recorded: approved.")).to_be_visible()
    expect(
        admin.get_by_text(
            "Approved before Rita Board and Omar Partner answered: "
            "Both referees confirmed by phone."
        )
    ).to_be_visible()

    page.goto("/application/")
    expect(page.get_by_text("Status: Approved")).to_be_visible()
    expect(page.get_by_role("heading", name="What has happened so far")).to_be_visible()
    expect(page.get_by_text("Welcome to PeerNet")).to_have_count(1)
    assert Application.objects.get(applicant__email="founder@example.com").status == "approved"
    decision = [
        m for m in mail.outbox if m.subject == "[PeerNet] There is news about your application"
    ]
    assert [m.to for m in decision] == [["founder@example.com"]]
    assert "Maple" not in decision[0].body
