import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from members.models import Role, User

pytestmark = pytest.mark.browser

PASSWORD = "a-long-unusual-passphrase-42"


def test_visitor_signs_up_verifies_logs_in_and_out(page, live_server):
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

    assert [m.to for m in mail.outbox] == [["journey@example.com"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, journey@example.com")

    page.get_by_role("button", name="Sign out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()

    nav.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email:").fill("journey@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your application")).to_be_visible()
    assert User.objects.get(email="journey@example.com").role == Role.APPLICANT

    page.get_by_role("button", name="Sign out").click()
    expect(nav.get_by_role("link", name="Apply to join")).to_be_visible()
