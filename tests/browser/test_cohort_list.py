"""The admins' cohort list: pages of 50, and the health line of every cohort on the page filled
in by one request."""

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from groups.models import Cohort
from meetings import services as meeting_services
from members.models import Role
from tests import factories
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


def test_admin_pages_through_cohorts_with_their_health(open_page):
    admin = factories.user_create(role=Role.ADMIN, email="admin@example.com")
    secret = factories.totp_enable(admin)
    facilitator = factories.user_create(role=Role.FACILITATOR)
    Cohort.objects.bulk_create(
        Cohort(name=f"Circle {i:02d}", slug=f"circle-{i:02d}") for i in range(52)
    )
    last = Cohort.objects.get(slug="circle-51")
    last.facilitators.set([facilitator])
    meeting_services.meeting_create(
        cohort=last,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=5),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="UTC",
    )
    requests = []
    page = open_page()
    sign_in(page, "admin@example.com", secret=secret)
    page.on("request", lambda r: requests.append(r.url) if "cohort-health" in r.url else None)
    page.goto("/cohorts/")
    expect(page.get_by_text("1–50 of 52")).to_be_visible()
    first = page.locator("#health-circle-00")
    expect(first).to_contain_text("No meeting scheduled · no attendance recorded yet")
    expect(page.locator("#health-circle-49")).to_contain_text("No meeting scheduled")
    assert len(requests) == 1

    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("51–52 of 52")).to_be_visible()
    expect(page.locator("#health-circle-51")).to_contain_text("Next meeting")
    expect(page.locator("#health-circle-50")).to_contain_text("No meeting scheduled")
    assert page.url.endswith("/cohorts/?page=2")
    assert len(requests) == 2
