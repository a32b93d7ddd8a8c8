"""An admin builds a meeting template in the browser; a facilitator chooses it for a cohort."""

import pytest
from playwright.sync_api import expect

from meetings.models import CohortTemplate, MeetingTemplate
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser


def test_admin_builds_a_template_and_a_facilitator_chooses_it(open_page):
    admin = factories.user_create(role=Role.ADMIN, email="admin@example.com")
    secret = factories.totp_enable(admin)
    facilitator = factories.user_create(role=Role.FACILITATOR, email="chair@example.com")
    chair_secret = factories.totp_enable(facilitator)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])

    page = open_page()
    sign_in(page, "admin@example.com", secret=secret)
    page.goto("/meeting-templates/")
    expect(page.get_by_role("link", name="In-person forum (4 hours)")).to_be_visible()
    page.get_by_role("link", name="New template").click()
    page.get_by_label("Name").fill("Board day")
    # Saving with no segment is refused, with the reason.
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("A template needs at least one segment")).to_be_visible()

    first = page.get_by_role("group", name="Segment 1")
    first.get_by_label("Kind").select_option(label="Speaker")
    first.get_by_label("Title").fill("Guest speaker")
    first.get_by_label("Planned minutes").fill("0")
    page.get_by_role("button", name="Add another segment").click()
    second = page.get_by_role("group", name="Segment 2")
    second.get_by_label("Kind").select_option(label="Opening")
    second.get_by_label("Title").fill("Welcome")
    second.get_by_label("Planned minutes").fill("10")
    page.get_by_role("button", name="Save template").click()
    expect(
        page.get_by_text("Enter the planned minutes as a whole number from 1 to 1440.")
    ).to_be_visible()
    assert not MeetingTemplate.objects.filter(name="Board day").exists()
    assert axe_violations(page) == []
    assert no_horizontal_scroll(page)

    # Fix the minutes and put the welcome first.
    page.get_by_role("group", name="Segment 1").get_by_label("Planned minutes").fill("45")
    page.get_by_role("group", name="Segment 1").get_by_label("Order").fill("2")
    page.get_by_role("group", name="Segment 2").get_by_label("Order").fill("1")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board day")
    expect(page.get_by_text("2 segments, 55 minutes in all.")).to_be_visible()
    template = MeetingTemplate.objects.get(name="Board day")
    assert [(s.title, s.planned_minutes) for s in template.segments.all()] == [
        ("Welcome", 10),
        ("Guest speaker", 45),
    ]

    chair = open_page()
    sign_in(chair, "chair@example.com", secret=chair_secret)
    chair.goto(f"/cohorts/{cohort.slug}/meetings/")
    chair.get_by_role("link", name="Meeting template").click()
    chair.get_by_label("Template for this cohort's meetings").select_option(label="Board day")
    chair.get_by_role("button", name="Save the cohort's template").click()
    expect(chair.get_by_text("Harbor Circle's meetings follow “Board day”.")).to_be_visible()
    assert CohortTemplate.objects.get(cohort=cohort).template == template
    assert axe_violations(chair) == []
