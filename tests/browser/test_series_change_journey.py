"""A facilitator changes a monthly series from its second meeting on, in the browser: from the
meeting's page to the form pre-filled with the series as it is, a new weekday and start time,
the preview of what moves (swapped in by htmx), then the confirmation, and the cohort's
meetings list shows the meetings moved. Times are the cohort's local ones and stay put across
the daylight-saving change the year holds. On a phone and on a laptop; no console error, no
CSP violation, no axe violation."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services
from meetings.models import Meeting
from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in
from tests.meetings.conftest import cohort_in

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
NEW_YORK = ZoneInfo("America/New_York")
# Ten months of moved meetings always hold a daylight-saving change (March or November).
MOVED_SHOWN = 9


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (Monday 0) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def month_after(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=NEW_YORK)


def shown(moment: datetime) -> str:
    """As the pages show a meeting's start: "Wed 10 Feb 2027, 09:00"."""
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


@pytest.mark.parametrize("size", SIZES)
def test_facilitator_moves_a_series_to_another_weekday_and_time(page, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    chair = factories.user_create(
        role=Role.FACILITATOR,
        email="chair@example.com",
        first="Fay",
        last="Chair",
        time_zone="America/New_York",
    )
    secret = factories.totp_enable(chair)
    cohort = cohort_in("America/New_York", chair, name="Harbor Circle")
    # The first Tuesday of next month at 08:00, New York time.
    first = nth_weekday(*month_after(timezone.now().astimezone(NEW_YORK).date()), 1, 1)
    series = services.series_create(
        cohort=cohort,
        actor=chair,
        title="Monthly forum",
        rrule="FREQ=MONTHLY;BYDAY=1TU",
        first_date=first,
        start_time=time(8, 0),
        duration_minutes=240,
        time_zone="America/New_York",
        location="Club",
        video_url="",
    )
    kept, second, *later = series.meetings.order_by("starts_at")
    following = [second, *later][: MOVED_SHOWN + 1]
    # Each following meeting moves to the second Wednesday of its month, at 09:00.
    moves = [
        (
            local(m.local_date, time(8, 0)),
            local(nth_weekday(m.local_date.year, m.local_date.month, 2, 2), time(9, 0)),
        )
        for m in following
    ]
    assert {new.utcoffset() for _, new in moves} == {timedelta(hours=-5), timedelta(hours=-4)}

    sign_in(page, "chair@example.com", secret=secret)
    page.goto(f"/meetings/{second.pk}/")
    page.get_by_role("link", name="Change the series from here").click()
    expect(
        page.get_by_role("heading", name=f"Change the series from {second.local_date:%-d %B %Y}")
    ).to_be_visible()
    first_date = page.get_by_label("First meeting under the new rule")
    expect(first_date).to_have_value(second.local_date.isoformat())
    expect(page.get_by_label("Start time (local)")).to_have_value("08:00")
    expect(page.get_by_label("Length in minutes")).to_have_value("240")
    expect(page.get_by_label("Repeats:", exact=True)).to_have_value("monthly_nth_weekday")
    expect(page.get_by_label("Template:", exact=True)).to_have_value("")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.evaluate("window.peernetNoReload = true")
    first_date.fill(moves[0][1].date().isoformat())
    page.get_by_label("Start time (local)").fill("09:00")
    page.get_by_role("button", name="Preview the change").click()
    expect(
        page.get_by_role(
            "heading", name="What changes: monthly on the second wednesday, 09:00, 240 minutes"
        )
    ).to_be_visible()
    # The preview came without a reload, with the focus on its heading (a screen reader reads
    # it), and nothing has moved yet.
    assert page.evaluate("window.peernetNoReload === true")
    expect(page.locator("#preview-heading")).to_be_focused()
    table = page.get_by_role("table", name=f"Each meeting from {second.local_date:%-d %B %Y} on")
    rows = table.get_by_role("row")
    expect(rows.nth(0).get_by_role("columnheader")).to_have_text(
        ["Now", "After the change", "Already holds"]
    )
    for i, (old, new) in enumerate(moves, start=1):
        expect(rows.nth(i).get_by_role("cell")).to_have_text([shown(old), shown(new), "—"])
    assert Meeting.objects.get(pk=second.pk).local_date == second.local_date
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Confirm the change").click()
    expect(page.get_by_role("heading", name="Meetings of Harbor Circle")).to_be_visible()
    expect(page.get_by_text("Series changed to monthly on the second wednesday:")).to_be_visible()
    upcoming = page.locator("#upcoming-meetings").get_by_role("listitem")
    starts = [local(kept.local_date, time(8, 0)), *(new for _, new in moves)]
    for i, start in enumerate(starts):
        expect(upcoming.nth(i)).to_have_text(f"Monthly forum {shown(start)} {start:%Z}")
        expect(upcoming.nth(i).locator("time")).to_have_attribute("datetime", start.isoformat())
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.goto(f"/meetings/{second.pk}/series/change/")
    expect(page.get_by_label("First meeting under the new rule")).to_have_value(
        moves[0][1].date().isoformat()
    )
    expect(page.get_by_label("Start time (local)")).to_have_value("09:00")
