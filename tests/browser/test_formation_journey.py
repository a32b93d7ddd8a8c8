import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management import call_command
from playwright.sync_api import expect

from groups import formation, formation_services, forms, selectors
from groups.models import Cohort, FormationRun, Membership
from tests.browser.pages import nav_click, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_admin_forms_cohorts_from_demo_pool(open_page, celery_worker_factory, monkeypatch):
    """The admin forms cohorts through the wizard, watching its progress, and applies the
    proposal. The worker uses the kernels the test command compiled (a deploy's warm-up does
    the same); a first run on an empty kernel cache is test_formation_compile.py's (a
    minute of compiling on one core, once per suite), its progress line
    test_formation_progress.py's."""
    worker = celery_worker_factory()
    call_command("seed_demo", "--password", "demo-pass-123", "--quiet-logins")
    monkeypatch.setattr(formation_services, "QUEUE", worker.queue)
    totp = Authenticator.objects.get(user__email="admin@example.com", type="totp")
    secret = decrypt(totp.data["secret"])

    page = open_page()
    page.set_default_timeout(60_000)
    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill("admin@example.com")
    page.get_by_label("Password:", exact=True).fill("demo-pass-123")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()

    nav_click(page, "Cohorts")
    page.get_by_role("link", name="Form cohorts").click()
    # The defaults fit the demo pool: sizes 6-12, and the default time-zone spread, which two
    # cohorts split by metro (New York, London) keep.
    defaults = formation_services.pool_defaults(
        member_ids=list(selectors.pool().values_list("pk", flat=True)),
        defaults=forms.FormationForm.default_params(),
    )
    expect(page.get_by_label("Smallest cohort")).to_have_value("6")
    expect(page.get_by_label("Largest cohort")).to_have_value("12")
    expect(page.get_by_label("Largest time-zone spread")).to_have_value(
        f"{defaults['max_tz_spread']:g}"
    )
    # No time-zone limit, so that a member can move between the two metros' cohorts below.
    page.get_by_label("Largest time-zone spread").fill("")
    page.get_by_label("Time for the engine, seconds").fill("6")
    page.get_by_label("Name new cohorts").fill("Spring forum")
    page.get_by_role("button", name="Run the formation engine").click()
    expect(page.get_by_label("Progress")).to_be_visible()

    # Within the first seconds the page says what the engine does and for how long it has.
    line = re.compile(
        r"^(Waiting for a worker|Preparing the pool|Compiling the engine \(first run after a "
        r"deploy\)|Searching: \d+\.\d of 6 s) · (\d+\.\d) s elapsed"
    )
    status = page.get_by_text(line)
    expect(status).to_be_visible(timeout=3_000)
    seen = []
    started = time.monotonic()
    while time.monotonic() - started < 4:
        text = status.text_content(timeout=3_000)
        seen.append((line.match(text)[1], float(line.match(text)[2])))
        time.sleep(0.5)
    elapsed = [e for _, e in seen]
    assert elapsed == sorted(elapsed) and elapsed[-1] >= elapsed[0] + 2, seen
    assert {phase for phase, _ in seen} - {"Waiting for a worker"}, seen

    # The kernels may still be compiling when the suite starts with this test.
    expect(page.get_by_role("heading", name="Proposed cohort 1", exact=False)).to_be_visible(
        timeout=300_000
    )
    expect(page.get_by_role("heading", name="Proposed cohort 2", exact=False)).to_be_visible()

    run = FormationRun.objects.get()
    assert run.searched == pytest.approx(6.0, abs=0.5)  # any compiling took none of its 6 s
    problem, people = formation_services._problem(run)

    # In-person cohorts are regionally coherent: every two members within the distance.
    _, explained, _ = formation.explain(problem, run.assignment)
    in_person = [c for c in explained if c.format == formation.IN_PERSON]
    assert in_person
    for c in in_person:
        points = [people[i].profile.point for i in c.members]
        assert all(formation.haversine_km(a, b) <= 80 for a in points for b in points)
        card_of = page.locator("article").filter(
            has=page.get_by_role("heading", name=f"Proposed cohort {c.cohort + 1}", exact=False)
        )
        expect(card_of).to_contain_text("In-person around New York City")

    # Moving members on the board (dragging and the move form) is test_board_journey.py's.
    page.get_by_role("button", name="Apply this proposal").click()
    expect(page.get_by_text("2 cohorts created.", exact=False)).to_be_visible()
    formed = Cohort.objects.filter(name__startswith="Spring forum")
    assert formed.count() == 2
    assert not formed.filter(facilitators__isnull=False).exists()
    assert Membership.objects.active().filter(cohort__in=formed).count() == len(run.member_ids)
