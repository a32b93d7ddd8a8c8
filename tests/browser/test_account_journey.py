import re

import pytest
from playwright.sync_api import expect

from members.models import Role, User
from tests.browser.pages import nav_click

pytestmark = pytest.mark.browser

PASSWORD = "a-long-unusual-passphrase-42"


@pytest.fixture
def development_mail(settings, tmp_path):
    """As `make run` has it: DEBUG on, every email written to a file for /dev/mail/."""
    settings.DEBUG = True
    settings.MAILERS = {
        "default": {
            "BACKEND": "core.dev_mail.EmlBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }


def test_visitor_signs_up_verifies_logs_in_and_out(page, live_server, development_mail):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "A small room of peers who have faced what you are facing"
    )
    page.get_by_role("link", name="Apply to join").first.click()

    page.get_by_label("Email:").fill("journey@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")

    # The developer reads the email on the development mail page, decoded as it was sent.
    page.goto("/dev/mail/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Development mail")
    row = page.get_by_role("row").filter(has_text="journey@example.com")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="[PeerNet] Please Confirm Your Email Address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "[PeerNet] Please Confirm Your Email Address"
    )
    text = page.locator(".mail-text")
    expect(text).to_contain_text("Hello from PeerNet,")
    expect(text).to_contain_text("Thank you for using PeerNet.")
    expect(text).not_to_contain_text("Hello from !")
    expect(text).not_to_contain_text("using !")
    text.get_by_role("link", name=re.compile(r"accounts.confirm-email.")).click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, journey@example.com")

    nav_click(page, "Sign out", role="button")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()

    nav.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email:").fill("journey@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your application")).to_be_visible()
    assert User.objects.get(email="journey@example.com").role == Role.APPLICANT

    nav_click(page, "Sign out", role="button")
    expect(nav.get_by_role("link", name="Apply to join")).to_be_visible()
