"""The live runner in two browsers at once: a facilitator runs the meeting and a member's page
follows each change within two seconds without a reload, on a laptop and on a phone."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Membership
from meetings import services, templates_lib
from meetings.models import MeetingTemplate, Series
from members.models import Role
from tests import factories
from tests.browser.pages import (
    RUNNER_FOLLOW_MS,
    axe_violations,
    no_horizontal_scroll,
    runner_heading,
    runner_not_reloaded,
    runner_open,
    runner_press,
    sign_in,
)

pytestmark = pytest.mark.browser

SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def meeting_about_to_start():
    facilitator = factories.user_create(
        role=Role.FACILITATOR, email="chair@example.com", first="Fay", last="Chair"
    )
    secret = factories.totp_enable(facilitator)
    co_chair = factories.user_create(
        role=Role.FACILITATOR, email="cochair@example.com", first="Cole", last="Chair"
    )
    co_secret = factories.totp_enable(co_chair)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator, co_chair])
    ann = factories.pool_member_create(first="Ann", last="Lee", email="ann@example.com")
    Membership.objects.create(cohort=cohort, member=ann)
    templates_lib.cohort_template_choose(
        cohort=cohort,
        actor=facilitator,
        template=MeetingTemplate.objects.get(name="Executive session (2 hours)"),
    )
    soon = (timezone.now() + timedelta(minutes=10)).astimezone(cohort.zone)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="March forum",
        local_date=soon.date(),
        local_time=soon.time().replace(second=0, microsecond=0),
        duration_minutes=120,
        time_zone=cohort.home_time_zone,
    )
    assert not Series.objects.exists()
    return meeting, secret, co_secret


def follows(page, text: str) -> float:
    """Seconds until the page shows ``text`` as its state line (fails after two seconds)."""
    began = time.monotonic()
    expect(runner_heading(page)).to_have_text(text, timeout=RUNNER_FOLLOW_MS)
    return time.monotonic() - began


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_member_page_follows_the_facilitator_within_two_seconds(open_page, size):
    meeting, secret, co_secret = meeting_about_to_start()
    chair, member = open_page(), open_page()
    for page in (chair, member):
        page.set_viewport_size(SIZES[size])
    sign_in(chair, "chair@example.com", secret=secret)
    sign_in(member, "ann@example.com")
    runner_open(chair, meeting)
    runner_open(member, meeting)
    expect(runner_heading(member)).to_have_text("Not started yet")
    # The facilitator's page before the start: running order editor, timekeeper, start.
    expect(chair.get_by_role("heading", name="Adjust the running order")).to_be_visible()
    assert axe_violations(chair) == []

    # Check-in: the member taps once; the facilitator's page lists them without a reload.
    runner_press(member, "I'm here")
    expect(member.get_by_text("You are checked in (present).")).to_be_visible()
    expect(chair.get_by_text("Ann Lee: Present")).to_be_visible(timeout=RUNNER_FOLLOW_MS)

    runner_press(chair, "Start the meeting")
    expect(runner_heading(chair)).to_have_text("Now: Welcome and confidentiality")
    follows(member, "Now: Welcome and confidentiality")
    # The countdown runs on the member's page, from the server's clock.
    countdown = member.locator("[data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^4:5\d$"), timeout=RUNNER_FOLLOW_MS + 1000)
    expect(member.get_by_text("Next: Member updates (30 min)")).to_be_visible()

    runner_press(chair, "Next: Member updates")
    follows(member, "Now: Member updates")
    runner_press(chair, "Extend by 5 minutes")
    expect(member.get_by_text("left of 35 min (30 planned + 5 extended)")).to_be_visible(
        timeout=RUNNER_FOLLOW_MS
    )

    # A dropped connection: the member's page says so, then catches up on its own.
    member.context.set_offline(True)
    expect(member.get_by_text("Connection lost: reconnecting…")).to_be_visible()
    runner_press(chair, "Next: Issue presentations")
    member.context.set_offline(False)
    follows(member, "Now: Issue presentations")
    expect(member.get_by_text("Connection lost: reconnecting…")).to_be_hidden()

    # Two facilitators at once: the second one's page has not caught up yet (its polls are
    # held back); their click on the same "Next" changes nothing and says why.
    second = open_page()
    second.set_viewport_size(SIZES[size])
    sign_in(second, "cochair@example.com", secret=co_secret)
    runner_open(second, meeting)
    second.route("**/run/state/**", lambda route: route.fulfill(status=204))
    runner_press(chair, "Next: Commitments")
    follows(member, "Now: Commitments")
    runner_press(second, "Next: Commitments")
    expect(second.get_by_role("alert")).to_contain_text(
        "Someone else changed the meeting a moment ago"
    )
    expect(runner_heading(second)).to_have_text("Now: Commitments")
    expect(member.get_by_text("Open commitments from earlier meetings")).to_be_visible()

    runner_press(chair, "End the meeting now")
    follows(member, "The meeting has ended")
    assert runner_not_reloaded(member)
    assert no_horizontal_scroll(member)
    assert axe_violations(member) == []
