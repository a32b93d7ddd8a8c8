"""The facilitator's agenda on a phone: compact rows, icon buttons named in full for screen
readers, drag to reorder beside the keyboard's up/down buttons; no axe-core violation."""

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from groups.models import Membership
from meetings import services
from meetings.models import AgendaItem
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

TITLES = ["A competitor offered to buy us", "Hiring a COO", "Pricing power"]


def test_facilitator_orders_the_agenda_on_a_phone(open_page):
    chair = factories.user_create(role=Role.FACILITATOR, email="agenda.chair@example.com")
    secret = factories.totp_enable(chair)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[chair])
    member = factories.pool_member_create(first="Alice", last="Able", email="agenda.a@example.com")
    Membership.objects.create(cohort=cohort, member=member)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=chair,
        title="Phone forum",
        local_date=date.today() + timedelta(days=9),
        local_time=time(8, 0),
        duration_minutes=240,
        time_zone="Europe/London",
    )
    for title in TITLES:
        topic = services.topic_save(
            owner=member, title=title, kind="issue", importance=5, urgency=5, estimated_minutes=20
        )
        services.topic_post(topic=topic, meeting=meeting, actor=member, minutes=20)

    page = open_page()
    sign_in(page, chair.email, secret=secret)
    page.goto(f"/meetings/{meeting.pk}/")
    agenda = page.locator("#agenda")
    first = agenda.locator("li.agenda-item").first
    # One item stays within about a third of the phone's screen (844 px), not one and a half.
    assert first.bounding_box()["height"] < 300, first.bounding_box()
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    # Keyboard: the buttons carry the item's full name.
    page.get_by_role("button", name=f"Move {TITLES[0]} down").focus()
    page.keyboard.press("Enter")
    expect(agenda.locator("li.agenda-item strong")).to_have_text([TITLES[1], TITLES[0], TITLES[2]])

    # Drag: the last item onto the first place.
    # Drag by the grip, in small steps, with both items on the screen (a drag starts where the
    # finger went down).
    items = agenda.locator("li.agenda-item")
    page.evaluate("document.querySelector('#agenda ol').scrollIntoView()")
    grip = items.nth(2).locator(".agenda-grip").bounding_box()
    target = items.nth(0).bounding_box()
    page.mouse.move(grip["x"] + 5, grip["y"] + 5)
    page.mouse.down()
    page.mouse.move(grip["x"] + 5, grip["y"] - 10, steps=5)
    page.mouse.move(target["x"] + 20, target["y"] + 5, steps=10)
    with page.expect_response(lambda response: response.url.endswith("/move/")):
        page.mouse.up()
    expect(agenda.locator("li.agenda-item strong")).to_have_text([TITLES[2], TITLES[1], TITLES[0]])
    assert list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("topic__title", flat=True)
    ) == [TITLES[2], TITLES[1], TITLES[0]]
    assert axe_violations(page) == []
