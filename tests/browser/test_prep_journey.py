"""A facilitator prepares an upcoming meeting: opens its prep page from the meeting, writes
private notes, saves them (htmx), reloads and finds them filled in, edits and saves again,
and also saves without JavaScript's help. A member of the cohort never sees the notes on the
meeting's pages and is refused the prep page. On a phone and on a laptop; no console error, no
CSP violation, no axe violation, no horizontal scroll on any page."""

from datetime import date, timedelta
from datetime import time as clock

import pytest
from playwright.sync_api import expect

from groups.models import Membership
from meetings import services
from meetings.models import FacilitatorNote
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
NOTES_LABEL = "Facilitator notes (only the cohort's facilitators see them)"
FIRST = "Alice seemed tired last month; ask her first.\nKeep Bob's COO question to 30 minutes."
SECOND = "Open with Bob: his COO starts Monday.\nAlice asked to go last."


@pytest.mark.parametrize("size", SIZES)
def test_facilitator_notes_saved_reloaded_edited_and_hidden_from_members(open_page, size):
    facilitator = factories.user_create(
        role=Role.FACILITATOR, email="chair@example.com", first="Carla", last="Chair"
    )
    secret = factories.totp_enable(facilitator)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    alice = factories.pool_member_create(first="Alice", last="Able", email="alice@example.com")
    bob = factories.pool_member_create(first="Bob", last="Baker", email="bob@example.com")
    for person in (alice, bob):
        Membership.objects.create(cohort=cohort, member=person)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="December forum",
        local_date=date.today() + timedelta(days=9),
        local_time=clock(8, 0),
        duration_minutes=240,
        time_zone="Europe/London",
    )
    for owner, title in ((alice, "Pricing power"), (bob, "Hiring a COO")):
        topic = services.topic_save(
            owner=owner, title=title, kind="issue", importance=7, urgency=7, estimated_minutes=30
        )
        services.topic_post(topic=topic, meeting=meeting, actor=owner, minutes=30)
    width_height = dict(zip(("width", "height"), SIZES[size], strict=True))

    chair = open_page()
    chair.set_viewport_size(width_height)
    sign_in(chair, facilitator.email, secret=secret)
    chair.goto(f"/meetings/{meeting.pk}/")
    chair.get_by_role("link", name="Prepare", exact=True).click()
    expect(chair.get_by_role("heading", level=1)).to_contain_text("Prepare December forum")
    presentations = chair.get_by_role("region", name="Presentations")
    expect(presentations.get_by_role("heading", level=3)).to_have_text(
        ["Pricing power", "Hiring a COO"]
    )
    notes = chair.get_by_label(NOTES_LABEL)
    expect(notes).to_have_value("")
    assert no_horizontal_scroll(chair)
    assert axe_violations(chair) == []

    # Saved in place (htmx): the page is not reloaded, the box keeps the text.
    chair.evaluate("window.peernetNoReload = true")
    notes.fill(FIRST)
    chair.get_by_role("button", name="Save notes").click()
    expect(chair.locator("#facilitator-note").get_by_role("status")).to_have_text("Notes saved.")
    assert chair.evaluate("window.peernetNoReload") is True
    expect(chair.get_by_label(NOTES_LABEL)).to_have_value(FIRST)
    expect(chair.locator("#facilitator-note")).to_contain_text("by Carla Chair")
    assert FacilitatorNote.objects.get(meeting=meeting).text == FIRST
    assert axe_violations(chair) == []

    chair.reload()
    expect(chair.get_by_label(NOTES_LABEL)).to_have_value(FIRST)
    chair.get_by_label(NOTES_LABEL).fill(SECOND)
    chair.get_by_role("button", name="Save notes").click()
    expect(chair.locator("#facilitator-note").get_by_role("status")).to_have_text("Notes saved.")
    chair.reload()
    expect(chair.get_by_label(NOTES_LABEL)).to_have_value(SECOND)
    assert FacilitatorNote.objects.get(meeting=meeting).text == SECOND
    assert no_horizontal_scroll(chair)

    # Members see the meeting, its agenda and its forum, never the notes nor the prep page.
    mate = open_page()
    mate.set_viewport_size(width_height)
    sign_in(mate, alice.email)
    for path in (
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/updates/",
        f"/cohorts/{cohort.slug}/meetings/",
        "/",
    ):
        mate.goto(path)
        expect(mate.locator("main")).to_be_visible()
        body = mate.locator("body").inner_text()
        for secret_line in (*FIRST.splitlines(), *SECOND.splitlines()):
            assert secret_line not in body, (path, secret_line)
        expect(mate.get_by_role("link", name="Prepare", exact=True)).to_have_count(0)
    mate.goto(f"/meetings/{meeting.pk}/")
    expect(mate.get_by_role("heading", level=1)).to_have_text("December forum")
    response = mate.request.get(f"/meetings/{meeting.pk}/prep/")
    assert response.status == 403
    assert "Open with Bob" not in response.text()


def test_facilitator_notes_save_without_javascript(browser, live_server):
    """With JavaScript off the form posts plainly, and the page comes back with the notes."""
    facilitator = factories.user_create(role=Role.FACILITATOR, email="chair@example.com")
    secret = factories.totp_enable(facilitator)
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="December forum",
        local_date=date.today() + timedelta(days=9),
        local_time=clock(8, 0),
        duration_minutes=240,
        time_zone="Europe/London",
    )
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, facilitator.email, secret=secret)
        page.goto(f"/meetings/{meeting.pk}/prep/")
        page.get_by_label(NOTES_LABEL).fill(FIRST)
        page.get_by_role("button", name="Save notes").click()
        expect(page).to_have_url(f"{live_server.url}/meetings/{meeting.pk}/prep/")
        expect(page.get_by_label(NOTES_LABEL)).to_have_value(FIRST)
        assert FacilitatorNote.objects.get(meeting=meeting).text == FIRST
    finally:
        context.close()
