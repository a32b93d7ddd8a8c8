"""Editing the norms in the browser: an admin changes the organisation's defaults (the form
pre-filled with what is stored, an invalid value refused next to its field with every other
answer kept), and a facilitator gives a cohort norms of its own and finds them on the cohort's
health page and in the form again. On a phone and on a laptop; no console error, no CSP
violation, no axe violation."""

import pytest
from playwright.sync_api import expect

from meetings.models import NormPolicy
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}

WINDOW = "Meetings looked at"
WARN = "Absences that warn"
REVIEW = "Absences that open a review"
RSVP_HOURS = "RSVP due, hours before"
RSVP_LATE = "Late RSVPs that warn"
FOLLOW_THROUGH = "Follow-through below which to warn (%)"


def norm_values(page) -> dict[str, str]:
    return {
        label: page.get_by_label(label, exact=True).input_value()
        for label in (WINDOW, WARN, REVIEW, RSVP_HOURS, RSVP_LATE, FOLLOW_THROUGH)
    }


def stored(policy: NormPolicy) -> tuple:
    return (
        policy.window_meetings,
        policy.warn_absences,
        policy.review_absences,
        policy.rsvp_hours,
        policy.rsvp_late_limit,
        policy.follow_through_percent,
    )


@pytest.mark.parametrize("size", SIZES)
def test_admin_changes_the_organisation_defaults(page, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    NormPolicy.objects.create(
        cohort=None,
        window_meetings=8,
        warn_absences=3,
        review_absences=4,
        rsvp_hours=48,
        rsvp_late_limit=2,
        follow_through_percent=60,
    )
    admin = factories.user_create(role=Role.ADMIN, email="ada@example.com", first="Ada")
    secret = factories.totp_enable(admin)

    sign_in(page, "ada@example.com", secret=secret)
    page.get_by_role("link", name="Organisation norms").click()
    expect(page.get_by_role("heading", name="Organisation norms", level=1)).to_be_visible()
    assert norm_values(page) == {
        WINDOW: "8",
        WARN: "3",
        REVIEW: "4",
        RSVP_HOURS: "48",
        RSVP_LATE: "2",
        FOLLOW_THROUGH: "60",
    }
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    # More absences than meetings looked at: refused next to the field, nothing lost.
    page.get_by_label(WINDOW, exact=True).fill("5")
    page.get_by_label(WARN, exact=True).fill("6")
    page.get_by_label(RSVP_HOURS, exact=True).fill("36")
    page.get_by_role("button", name="Save the norms").click()
    warn = page.get_by_label(WARN, exact=True)
    expect(warn).to_have_accessible_description(
        "Enter at most 5: only the last 5 meetings are counted."
    )
    expect(warn).to_have_attribute("aria-invalid", "true")
    assert norm_values(page) == {
        WINDOW: "5",
        WARN: "6",
        REVIEW: "4",
        RSVP_HOURS: "36",
        RSVP_LATE: "2",
        FOLLOW_THROUGH: "60",
    }
    assert stored(NormPolicy.objects.get(cohort=None)) == (8, 3, 4, 48, 2, 60)
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    warn.fill("2")
    page.get_by_label(FOLLOW_THROUGH, exact=True).fill("70")
    page.get_by_role("button", name="Save the norms").click()
    expect(page.get_by_text("Norms saved.")).to_be_visible()
    assert stored(NormPolicy.objects.get(cohort=None)) == (5, 2, 4, 36, 2, 70)

    page.goto("/norms/defaults/")
    assert norm_values(page) == {
        WINDOW: "5",
        WARN: "2",
        REVIEW: "4",
        RSVP_HOURS: "36",
        RSVP_LATE: "2",
        FOLLOW_THROUGH: "70",
    }


@pytest.mark.parametrize("size", SIZES)
def test_facilitator_gives_a_cohort_norms_of_its_own(page, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    NormPolicy.objects.create(
        cohort=None,
        window_meetings=8,
        warn_absences=3,
        review_absences=4,
        rsvp_hours=48,
        rsvp_late_limit=2,
        follow_through_percent=60,
    )
    chair = factories.user_create(
        role=Role.FACILITATOR, email="chair@example.com", first="Fay", last="Chair"
    )
    secret = factories.totp_enable(chair)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[chair])

    sign_in(page, "chair@example.com", secret=secret)
    page.goto(f"/cohorts/{cohort.slug}/health/")
    page.get_by_role("link", name="Change the norms of Harbor Circle").click()
    expect(page.get_by_role("heading", name="Norms of Harbor Circle", level=1)).to_be_visible()
    # No norms of its own yet: the organisation's defaults are filled in.
    assert norm_values(page) == {
        WINDOW: "8",
        WARN: "3",
        REVIEW: "4",
        RSVP_HOURS: "48",
        RSVP_LATE: "2",
        FOLLOW_THROUGH: "60",
    }
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.get_by_label(WINDOW, exact=True).fill("10")
    page.get_by_label(WARN, exact=True).fill("4")
    page.get_by_label(REVIEW, exact=True).fill("5")
    page.get_by_label(RSVP_HOURS, exact=True).fill("24")
    page.get_by_label(RSVP_LATE, exact=True).fill("3")
    page.get_by_label(FOLLOW_THROUGH, exact=True).fill("40")
    page.get_by_role("button", name="Save the norms").click()

    expect(page.get_by_role("heading", name="Health of Harbor Circle")).to_be_visible()
    expect(page.get_by_text("Norms saved.")).to_be_visible()
    expect(
        page.get_by_text(
            "Norms: absent from 4 or more of the last 10 meetings warns the member and you; "
            "5 opens a review by the membership team. Excused absences do not count. "
            "An RSVP is late after 24 hours before the start (3 late warn); "
            "follow-through below 40% warns."
        )
    ).to_be_visible()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []
    assert stored(NormPolicy.objects.get(cohort=cohort)) == (10, 4, 5, 24, 3, 40)
    assert stored(NormPolicy.objects.get(cohort=None)) == (8, 3, 4, 48, 2, 60)

    page.get_by_role("link", name="Change the norms of Harbor Circle").click()
    assert norm_values(page) == {
        WINDOW: "10",
        WARN: "4",
        REVIEW: "5",
        RSVP_HOURS: "24",
        RSVP_LATE: "3",
        FOLLOW_THROUGH: "40",
    }
