"""A facilitator opens a cohort's health page, sees the charts and a member at risk under the
attendance norm, and excuses one of her absences with a reason: the member keeps the norms
again. No console errors, no CSP violations, no axe violations."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Membership
from meetings import norm_services
from meetings.models import Attendance, Meeting, Rsvp
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, sign_in

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
            updated_at=meeting.starts_at - timedelta(days=10)
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
