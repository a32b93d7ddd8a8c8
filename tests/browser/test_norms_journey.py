"""A facilitator opens a cohort's health page, sees the charts and a member at risk under the
attendance norm, and excuses one of her absences with a reason: the member keeps the norms
again. An admin finds the riskiest cohort on the overview at a phone's and a laptop's width and
filters it. No console errors, no CSP violations, no axe violations."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Cohort, Membership
from meetings import norm_services
from meetings.models import Attendance, Meeting, Rsvp
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser


def test_facilitator_sees_a_chart_and_an_at_risk_member_and_excuses_an_absence(page):
    chair = factories.user_create(
        role=Role.FACILITATOR, email="chair@example.com", first="Fay", last="Chair"
    )
    secret = factories.totp_enable(chair)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[chair])
    ann = factories.pool_member_create(first="Ann", last="Lee", email="ann@example.com")
    bo = factories.pool_member_create(first="Bo", last="Park", email="bo@example.com")
    for person in (ann, bo):
        Membership.objects.filter(member=person).delete()
        Membership.objects.create(cohort=cohort, member=person)
    Membership.objects.filter(cohort=cohort).update(joined_at=timezone.now() - timedelta(days=400))
    now = timezone.now()
    meetings = []
    for i in range(6):
        start = now - timedelta(days=30 * (6 - i))
        meetings.append(
            Meeting.objects.create(
                cohort=cohort,
                title=f"Forum {i + 1}",
                local_date=start.date(),
                local_time=start.time().replace(microsecond=0),
                time_zone="UTC",
                duration_minutes=120,
            )
        )
    for i, meeting in enumerate(meetings):
        Attendance.objects.create(
            meeting=meeting, member=ann, status="absent" if i in (0, 2, 4) else "present"
        )
        Attendance.objects.create(meeting=meeting, member=bo, status="present")
        for person in (ann, bo):
            Rsvp.objects.create(meeting=meeting, member=person, answer="yes")
        # Answered well ahead: the RSVP norm is kept.
        Rsvp.objects.filter(meeting=meeting).update(
            answered_at=meeting.starts_at - timedelta(days=10)
        )
    norm_services.norms_evaluate(cohort_ids=[cohort.pk])

    sign_in(page, "chair@example.com", secret=secret)
    page.goto(f"/cohorts/{cohort.slug}/")
    page.get_by_role("link", name="Health and norms of Harbor Circle").click()
    expect(page.get_by_role("heading", name="Health of Harbor Circle")).to_be_visible()
    expect(page.get_by_role("img", name="Attendance")).to_be_visible()
    ann_row = page.get_by_role("row").filter(has_text="Ann Lee")
    expect(ann_row.get_by_text("At risk: attendance warning")).to_be_visible()
    assert axe_violations(page) == []

    day = meetings[0].local_date.strftime("%-d %b %Y")
    page.get_by_role("link", name=f"Excuse the absence of Ann Lee on {day}").click()
    page.get_by_label("Why is the absence excused?").fill("Flight cancelled")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Excuse the absence").click()

    expect(page.get_by_role("heading", name="Health of Harbor Circle")).to_be_visible()
    ann_row = page.get_by_role("row").filter(has_text="Ann Lee")
    expect(ann_row.get_by_text("Keeps the norms")).to_be_visible()
    expect(page.get_by_text("Absence excused: Ann Lee")).to_be_visible()
    assert Attendance.objects.get(meeting=meetings[0], member=ann).status == "excused"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_admin_finds_the_riskiest_cohorts_filters_and_exports(page, width, height):
    """One page load is one request (no fragment loads itself); the filters swap the results;
    the CSV link carries the filters."""
    page.set_viewport_size({"width": width, "height": height})
    admin = factories.user_create(role=Role.ADMIN, email="ada@example.com", first="Ada")
    secret = factories.totp_enable(admin)
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    for name, statuses in (("Calm Circle", "pppp"), ("Fading Circle", "paaa")):
        cohort = factories.cohort_create(name=name, facilitators=[chair])
        person = factories.pool_member_create(first=name.split()[0], last="Member")
        Membership.objects.filter(member=person).delete()
        Membership.objects.create(cohort=cohort, member=person)
        Cohort.objects.filter(pk=cohort.pk).update(min_size=2)
        now = timezone.now()
        for i, status in enumerate(statuses):
            start = now - timedelta(days=30 * (4 - i))
            meeting = Meeting.objects.create(
                cohort=cohort,
                title=f"Forum {i + 1}",
                local_date=start.date(),
                local_time=start.time().replace(microsecond=0),
                time_zone="UTC",
                duration_minutes=120,
            )
            Attendance.objects.create(
                meeting=meeting, member=person, status="present" if status == "p" else "absent"
            )

    sign_in(page, "ada@example.com", secret=secret)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/health/" in r.url else None)
    page.goto("/")
    page.get_by_role("link", name="Cohorts by risk").click()
    expect(page.get_by_role("heading", name="Cohorts by risk")).to_be_visible()
    assert [url.split("//", 1)[1].split("/", 1)[1] for url in requests] == ["health/"]
    rows = page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Fading Circle")
    expect(rows.nth(1)).to_contain_text("High")
    expect(rows.nth(2)).to_contain_text("Calm Circle")
    expect(page.get_by_role("img", name="Attendance at the last 4 meetings")).to_have_count(2)
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.get_by_label("Risk").select_option("high")
    expect(page.get_by_role("row").filter(has_text="Calm Circle")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Fading Circle")).to_have_count(1)
    link = page.get_by_role("link", name="Download 1 cohort as CSV")
    path, _, query = link.get_attribute("href").partition("?")
    assert (path, parse_qs(query)) == ("/health/cohorts.csv", {"risk": ["high"]})
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
