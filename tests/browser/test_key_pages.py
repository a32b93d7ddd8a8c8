"""Every role's key pages at a phone's width (390x844) and a laptop's (1280x800): nothing
scrolls sideways and axe-core finds no WCAG 2.2 A/AA violation (nor a best-practice one).

With PEERNET_SCREENSHOTS=1 the run also writes the screenshots under docs/screenshots/ that
the README shows (make screenshots)."""

import os
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Cohort
from meetings.models import Meeting
from members.models import Application, User
from tests.browser.pages import axe_violations, no_horizontal_scroll, totp_code

pytestmark = pytest.mark.browser

SIZES = [(390, 844), (1280, 800)]
PASSWORD = "demo-pass-123"
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
# The pages shown in the README (the rest are checked, not photographed).
PHOTOGRAPHED = {
    "visitor-landing",
    "applicant-application",
    "member-home",
    "member-profile",
    "member-directory",
    "member-meeting",
    "facilitator-home",
    "facilitator-meeting",
    "admin-home",
    "admin-review",
}


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    totp = Authenticator.objects.filter(user__email=email, type="totp").first()
    if totp is not None:
        secret = decrypt(totp.data["secret"])
        code = totp_code(secret)
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def pages_of(role: str) -> dict[str, str]:
    member = User.objects.get(email="member01@example.com")
    cohort = Cohort.objects.get(memberships__member=member, memberships__status="active")
    mate = cohort.memberships.exclude(member=member).first().member
    meeting = (
        Meeting.objects.filter(cohort=cohort, status="scheduled", starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    submitted = Application.objects.exclude(status="draft").order_by("pk").first()
    return {
        "visitor": {
            "landing": "/",
            "login": reverse("account_login"),
            "signup": reverse("account_signup"),
        },
        "applicant": {
            "home": "/",
            "application": reverse("application_overview"),
            "about": reverse("application_section", args=["about"]),
            "conflicts": reverse("application_section", args=["conflicts"]),
            "review": reverse("application_review"),
        },
        "member": {
            "home": "/",
            "profile": reverse("profile_edit"),
            "cohort": reverse("cohort_detail", args=[cohort.slug]),
            "directory": reverse("cohort_directory", args=[cohort.slug]),
            "person": reverse("cohort_person", args=[cohort.slug, mate.pk]),
            "meeting": reverse("meeting_detail", args=[meeting.pk]),
            "topics": reverse("topic_list"),
            "calendar": reverse("calendar_settings"),
            "agreement": reverse("agreement_reread"),
        },
        "facilitator": {
            "home": "/",
            "cohorts": reverse("cohort_list"),
            "cohort": reverse("cohort_detail", args=[cohort.slug]),
            "meeting": reverse("meeting_detail", args=[meeting.pk]),
        },
        "admin": {
            "home": "/",
            "review": reverse("review_queue"),
            "application": reverse("review_detail", args=[submitted.pk]),
            "cohorts": reverse("cohort_list"),
            "pool": reverse("pool"),
            "styleguide": reverse("styleguide"),
        },
    }[role]


ACCOUNTS = {
    "visitor": None,
    "applicant": "applicant1@example.com",
    "member": "member01@example.com",
    "facilitator": "facilitator1@example.com",
    "admin": "admin@example.com",
}


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_key_pages_fit_phones_and_laptops_and_pass_axe(open_page, role):
    call_command("seed_demo", "--password", PASSWORD, "--quiet-logins")
    page = open_page()
    page.set_default_timeout(30_000)
    if ACCOUNTS[role]:
        sign_in(page, ACCOUNTS[role])
    problems = []
    for name, path in pages_of(role).items():
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(path)
            if not no_horizontal_scroll(page):
                wide = page.evaluate("document.documentElement.scrollWidth")
                problems.append(f"{role} {name} at {width}px scrolls sideways ({wide}px)")
            problems += axe_violations(page)
            key = f"{role}-{name}"
            if os.environ.get("PEERNET_SCREENSHOTS") and key in PHOTOGRAPHED:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SHOTS / f"{key}-{width}.png", full_page=True)
    assert problems == [], "\n".join(problems)
