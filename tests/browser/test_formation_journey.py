import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from playwright.sync_api import expect

from groups import formation_services
from groups.models import Cohort, FormationRun, Membership

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_admin_forms_cohorts_from_demo_pool(open_page, celery_worker_process, monkeypatch):
    call_command("seed_demo", "--password", "demo-pass-123", "--quiet-logins")
    monkeypatch.setattr(formation_services, "QUEUE", celery_worker_process.queue)
    totp = Authenticator.objects.get(user__email="admin@example.com", type="totp")
    secret = decrypt(totp.data["secret"])

    page = open_page()
    page.set_default_timeout(60_000)
    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill("admin@example.com")
    page.get_by_label("Password:", exact=True).fill("demo-pass-123")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    page.get_by_role("link", name="Form cohorts").click()
    page.get_by_label("Smallest cohort").fill("6")
    page.get_by_label("Largest cohort").fill("8")
    page.get_by_label("Largest time-zone spread").fill("")
    page.get_by_label("Time for the engine, seconds").fill("4")
    page.get_by_label("Name new cohorts").fill("Spring forum")
    page.get_by_role("button", name="Run the formation engine").click()
    expect(page.get_by_label("Progress")).to_be_visible()
    # The worker compiles the engine on its first run: allow it time.
    expect(page.get_by_role("heading", name="Proposed cohort 1", exact=False)).to_be_visible(
        timeout=90_000
    )
    expect(page.get_by_role("heading", name="Proposed cohort 2", exact=False)).to_be_visible()

    run = FormationRun.objects.get()
    problem, people = formation_services._problem(run)
    from groups import formation

    mover = next(
        i
        for i in range(len(people))
        if formation.check_move(problem, run.assignment, i, 1 - run.assignment[i]).allowed
    )
    name, source = people[mover].display_name, run.assignment[mover]
    page.get_by_role("button", name=f"Move {name}").click()
    cohort_card = page.locator("article").filter(
        has=page.get_by_role("heading", name=f"Proposed cohort {2 - source}", exact=False)
    )
    expect(cohort_card.get_by_text(name, exact=True)).to_be_visible()
    run.refresh_from_db()
    assert run.assignment[mover] == 1 - source

    page.get_by_role("button", name="Apply this proposal").click()
    expect(page.get_by_text("2 cohorts created.", exact=False)).to_be_visible()
    formed = Cohort.objects.filter(name__startswith="Spring forum")
    assert formed.count() == 2
    assert not formed.filter(facilitators__isnull=False).exists()
    assert Membership.objects.filter(cohort__in=formed, status="active").count() == len(
        run.member_ids
    )
