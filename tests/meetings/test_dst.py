"""A meeting's length is elapsed time, also on the days the clocks change."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from meetings import services
from meetings.calendar import calendar_for
from meetings.models import Meeting, span
from tests.meetings.conftest import cohort_in

# (zone, local date, local start, minutes, start in UTC, end in UTC)
DST_DAYS = [
    # Fall back: 01:30 happens twice; the meeting starts at the first and lasts 2 real hours.
    ("America/New_York", date(2026, 11, 1), time(1, 30), 120, (5, 30), (7, 30)),
    # Spring forward: 02:30 does not exist and is read as 03:30 EDT, like the clock.
    ("America/New_York", date(2027, 3, 14), time(2, 30), 120, (7, 30), (9, 30)),
    # The end, 01:30 GMT, falls in Dublin's repeated hour (the other 01:30 is 00:30Z).
    ("Europe/Dublin", date(2026, 10, 25), time(0, 30), 120, (-1, 23, 30), (1, 30)),
    ("Australia/Sydney", date(2026, 10, 4), time(1, 0), 180, (-1, 15, 0), (-1, 18, 0)),
]


def utc_on(day: date, hm: tuple) -> datetime:
    if len(hm) == 3:
        day, hm = day + timedelta(days=hm[0]), hm[1:]
    return datetime(day.year, day.month, day.day, *hm, tzinfo=UTC)


def instants(meeting) -> tuple[datetime, datetime]:
    return meeting.starts_at.astimezone(UTC), meeting.ends_at.astimezone(UTC)


@pytest.mark.parametrize(("zone", "day", "start", "minutes", "utc_start", "utc_end"), DST_DAYS)
def test_one_off_meeting_lasts_its_minutes_across_a_clock_change(
    facilitator, zone, day, start, minutes, utc_start, utc_end
):
    with time_machine.travel("2026-06-01 12:00Z", tick=False):
        meeting = services.meeting_create(
            cohort=cohort_in(zone, facilitator),
            actor=facilitator,
            title="Forum",
            local_date=day,
            local_time=start,
            duration_minutes=minutes,
            time_zone=zone,
        )
    expected = (utc_on(day, utc_start), utc_on(day, utc_end))
    assert instants(meeting) == expected
    meeting.refresh_from_db()
    assert instants(meeting) == expected


def test_series_occurrences_moves_and_following_changes_keep_elapsed_minutes(facilitator):
    zone = "America/New_York"
    cohort = cohort_in(zone, facilitator)
    with time_machine.travel("2026-06-01 12:00Z", tick=False):
        series = services.series_create(
            cohort=cohort,
            actor=facilitator,
            title="Sunday forum",
            rrule="FREQ=WEEKLY;BYDAY=SU",
            first_date=date(2026, 10, 25),
            start_time=time(0, 30),
            duration_minutes=120,
            time_zone=zone,
        )
        fall_back = series.meetings.get(local_date=date(2026, 11, 1))
        # 00:30 EDT to 02:30 wall clock would be 3 real hours; 2 hours end at 01:30 EST.
        assert instants(fall_back) == (
            datetime(2026, 11, 1, 4, 30, tzinfo=UTC),
            datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        )
        services.series_update_following(
            meeting=series.meetings.get(local_date=date(2026, 10, 25)),
            actor=facilitator,
            start_time=time(1, 30),
            duration_minutes=90,
            location="",
            video_url="",
        )
        spring = series.meetings.get(local_date=date(2027, 3, 14))
        moved = services.meeting_update(
            meeting=series.meetings.get(local_date=date(2027, 3, 7)),
            actor=facilitator,
            local_date=date(2027, 3, 13),
            local_time=time(23, 30),
            duration_minutes=240,
            location="",
            video_url="",
        )
    fall_back.refresh_from_db()
    spring.refresh_from_db()
    assert instants(fall_back) == (
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
    )
    assert instants(spring) == (  # 01:30 EST, then 90 real minutes
        datetime(2027, 3, 14, 6, 30, tzinfo=UTC),
        datetime(2027, 3, 14, 8, 0, tzinfo=UTC),
    )
    assert instants(moved) == (
        datetime(2027, 3, 14, 4, 30, tzinfo=UTC),
        datetime(2027, 3, 14, 8, 30, tzinfo=UTC),
    )
    for meeting in Meeting.objects.filter(series=series):
        assert meeting.ends_at - meeting.starts_at == timedelta(minutes=meeting.duration_minutes)


ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


@given(
    zone=st.sampled_from(ZONES),
    local=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
    minutes=st.integers(min_value=15, max_value=24 * 60),
)
def test_span_is_elapsed_minutes_from_the_wall_clock_start(zone, local, minutes):
    start, end = span(local, zone, minutes)
    assert start.tzinfo is UTC and end.tzinfo is UTC
    assert end - start == timedelta(minutes=minutes)
    wall = start.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    # The wall clock shows the asked time, or the time a forward jump moved it to.
    assert timedelta(0) <= wall - local <= timedelta(hours=3)


@pytest.mark.parametrize(("zone", "day", "start", "minutes", "utc_start", "utc_end"), DST_DAYS)
def test_calendar_gives_every_reader_the_exact_start_and_end(
    facilitator, zone, day, start, minutes, utc_start, utc_end
):
    with time_machine.travel("2026-06-01 12:00Z", tick=False):
        meeting = services.meeting_create(
            cohort=cohort_in(zone, facilitator),
            actor=facilitator,
            title="Forum",
            local_date=day,
            local_time=start,
            duration_minutes=minutes,
            time_zone=zone,
        )
    cal = icalendar.Calendar.from_ical(calendar_for([meeting], name="Forum"))
    expected = (utc_on(day, utc_start), utc_on(day, utc_end))
    (event,) = cal.walk("VEVENT")
    read_by_icalendar = (event.decoded("DTSTART"), event.decoded("DTEND"))
    (occurrence,) = recurring_ical_events.of(cal).between(
        day - timedelta(days=2), day + timedelta(days=2)
    )
    read_by_recurring = (occurrence["DTSTART"].dt, occurrence["DTEND"].dt)
    for start_read, end_read in (read_by_icalendar, read_by_recurring):
        assert (start_read.astimezone(UTC), end_read.astimezone(UTC)) == expected


def test_calendar_keeps_the_local_start_when_the_clocks_do_not_change(facilitator):
    with time_machine.travel("2026-06-01 12:00Z", tick=False):
        meeting = services.meeting_create(
            cohort=cohort_in("Europe/Dublin", facilitator),
            actor=facilitator,
            title="Forum",
            local_date=date(2026, 10, 25),
            local_time=time(8, 0),
            duration_minutes=120,
            time_zone="Europe/Dublin",
        )
    body = calendar_for([meeting], name="Forum").decode()
    assert "DTSTART;TZID=Europe/Dublin:20261025T080000\r\n" in body
    assert "DTEND:20261025T100000Z\r\n" in body
    assert "TZID:Europe/Dublin" in body
