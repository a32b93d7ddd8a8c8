from datetime import UTC, date, datetime, time

import pytest
import time_machine

from meetings import recurrence, services
from meetings.models import Meeting
from tests.meetings.conftest import cohort_in, monthly_first_tuesday

# (zone, local date, expected UTC start) around both daylight-saving changes of 2026.
CASES = [
    ("America/New_York", date(2026, 3, 3), datetime(2026, 3, 3, 13, 0, tzinfo=UTC)),
    ("America/New_York", date(2026, 4, 7), datetime(2026, 4, 7, 12, 0, tzinfo=UTC)),
    ("America/New_York", date(2026, 10, 6), datetime(2026, 10, 6, 12, 0, tzinfo=UTC)),
    ("America/New_York", date(2026, 11, 3), datetime(2026, 11, 3, 13, 0, tzinfo=UTC)),
    ("Europe/London", date(2026, 3, 3), datetime(2026, 3, 3, 8, 0, tzinfo=UTC)),
    ("Europe/London", date(2026, 4, 7), datetime(2026, 4, 7, 7, 0, tzinfo=UTC)),
    ("Europe/London", date(2026, 10, 6), datetime(2026, 10, 6, 7, 0, tzinfo=UTC)),
    ("Europe/London", date(2026, 11, 3), datetime(2026, 11, 3, 8, 0, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 3, 3), datetime(2026, 3, 2, 21, 0, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 5, 5), datetime(2026, 5, 4, 22, 0, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 9, 1), datetime(2026, 8, 31, 22, 0, tzinfo=UTC)),
    ("Australia/Sydney", date(2026, 10, 6), datetime(2026, 10, 5, 21, 0, tzinfo=UTC)),
]


@pytest.mark.parametrize(("zone", "local_date", "utc"), CASES)
def test_first_tuesday_keeps_0800_local_across_dst(facilitator, zone, local_date, utc):
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        series = monthly_first_tuesday(cohort_in(zone, facilitator), facilitator, zone)
    meeting = series.meetings.get(local_date=local_date)
    assert (meeting.local_time, meeting.starts_at) == (time(8, 0), utc)


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Australia/Sydney"])
def test_series_creates_a_year_of_first_tuesdays(facilitator, zone):
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        series = monthly_first_tuesday(cohort_in(zone, facilitator), facilitator, zone)
    dates = list(series.meetings.order_by("local_date").values_list("local_date", flat=True))
    assert dates == [
        date(2026, 1, 6),
        date(2026, 2, 3),
        date(2026, 3, 3),
        date(2026, 4, 7),
        date(2026, 5, 5),
        date(2026, 6, 2),
        date(2026, 7, 7),
        date(2026, 8, 4),
        date(2026, 9, 1),
        date(2026, 10, 6),
        date(2026, 11, 3),
        date(2026, 12, 1),
    ]
    assert {m.starts_at.astimezone(m.cohort.zone).time() for m in series.meetings.all()} == {
        time(8, 0)
    }


def test_top_up_adds_only_missing_occurrences(facilitator):
    zone = "Europe/London"
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        series = monthly_first_tuesday(cohort_in(zone, facilitator), facilitator, zone)
        assert services.occurrences_top_up() == 0
    with time_machine.travel("2026-03-01 12:00Z", tick=False):
        assert services.occurrences_top_up() == 2
    assert series.meetings.count() == 14


def test_moved_occurrence_keeps_new_time_and_bumps_sequence(facilitator):
    zone = "America/New_York"
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        series = monthly_first_tuesday(cohort_in(zone, facilitator), facilitator, zone)
        march = series.meetings.get(local_date=date(2026, 3, 3))
        moved = services.meeting_update(
            meeting=march,
            actor=facilitator,
            local_date=date(2026, 3, 10),
            local_time=time(9, 30),
            duration_minutes=180,
            location="Harbor Room",
            video_url="",
        )
        services.occurrences_top_up()
        services.series_update_following(
            meeting=series.meetings.get(local_date=date(2026, 2, 3)),
            actor=facilitator,
            start_time=time(7, 0),
            duration_minutes=240,
            location="Club",
            video_url="",
        )
    moved.refresh_from_db()
    assert (moved.local_date, moved.local_time, moved.detached, moved.sequence) == (
        date(2026, 3, 10),
        time(9, 30),
        True,
        1,
    )
    assert moved.starts_at == datetime(2026, 3, 10, 13, 30, tzinfo=UTC)
    april = series.meetings.get(local_date=date(2026, 4, 7))
    assert (april.local_time, april.sequence) == (time(7, 0), 1)
    january = series.meetings.get(local_date=date(2026, 1, 6))
    assert (january.local_time, january.sequence) == (time(8, 0), 0)


def test_cancel_marks_status_and_bumps_sequence(facilitator):
    zone = "Europe/London"
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        series = monthly_first_tuesday(cohort_in(zone, facilitator), facilitator, zone)
    meeting = series.meetings.get(local_date=date(2026, 5, 5))
    services.meeting_cancel(meeting=meeting, actor=facilitator)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.CANCELLED, 1)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Enter a recurrence rule, e.g. FREQ=MONTHLY;BYDAY=1TU."),
        ("BYDAY=1TU", "The rule needs a FREQ, e.g. FREQ=MONTHLY."),
        ("FREQ=HOURLY", "Meetings repeat daily at most: use DAILY, WEEKLY, MONTHLY or YEARLY."),
        ("DTSTART=20260101;FREQ=DAILY", "Leave DTSTART out: the first date and start time set it."),
        (
            "FREQ=MONTHLY;UNTIL=20250101T235959",
            "This rule gives no meeting on or after the first date.",
        ),
        (
            "FREQ=WEEKLY;COUNT=4;UNTIL=20270331T235959",
            "The rule ends twice (COUNT=4, UNTIL=20270331T235959): keep one UNTIL or one COUNT.",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20270331T235959Z",
            "Write UNTIL as a local date and time without a zone, e.g. UNTIL=20270331T235959 "
            "for meetings up to and including 20270331.",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20270331",
            "Write UNTIL as a local date and time without a zone, e.g. UNTIL=20270331T235959 "
            "for meetings up to and including 20270331.",
        ),
    ],
)
def test_invalid_rules_are_explained(rule, message):
    with pytest.raises(recurrence.RecurrenceError) as error:
        recurrence.validate(rule, date(2026, 1, 6), time(8, 0))
    assert str(error.value) == message


def test_garbage_rule_is_reported_not_raised():
    with pytest.raises(recurrence.RecurrenceError) as error:
        recurrence.validate("FREQ=MONTHLY;BYDAY=XX", date(2026, 1, 6), time(8, 0))
    assert str(error.value).startswith("This is not a valid recurrence rule:")


@pytest.mark.parametrize(
    ("kind", "first", "rule", "text"),
    [
        (
            "monthly_nth_weekday",
            date(2026, 1, 6),
            "FREQ=MONTHLY;BYDAY=1TU",
            "Monthly on the first Tuesday",
        ),
        (
            "monthly_nth_weekday",
            date(2026, 1, 29),
            "FREQ=MONTHLY;BYDAY=-1TH",
            "Monthly on the last Thursday",
        ),
        ("monthly_date", date(2026, 1, 15), "FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on day 15"),
        ("weekly", date(2026, 1, 7), "FREQ=WEEKLY;BYDAY=WE", "Weekly on Wednesday"),
        (
            "biweekly",
            date(2026, 1, 9),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
            "Every two weeks on Friday",
        ),
    ],
)
def test_presets_build_rules(kind, first, rule, text):
    assert recurrence.preset(kind, first) == rule
    assert recurrence.describe(rule) == text


def test_until_and_count_end_a_series():
    rule = recurrence.with_end("FREQ=MONTHLY;BYDAY=1TU", until=date(2026, 3, 31))
    assert rule == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260331T235959"
    assert len(recurrence.expand(rule, date(2026, 1, 6), time(8), until=date(2027, 1, 1))) == 3
    counted = recurrence.with_end("FREQ=WEEKLY;BYDAY=TU", count=4)
    assert len(recurrence.expand(counted, date(2026, 1, 6), time(8), until=date(2027, 1, 1))) == 4


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;BYDAY=SU;UNTIL=20270331T235959", "FREQ=WEEKLY;BYDAY=SU;COUNT=3"]
)
def test_a_rules_own_end_is_kept_when_no_other_end_is_given(rule):
    assert recurrence.with_end(f" rrule:{rule.lower()} ") == rule


@pytest.mark.parametrize(
    ("rule", "until", "count", "message"),
    [
        (
            "FREQ=WEEKLY;BYDAY=SU;UNTIL=20270331T235959",
            date(2027, 6, 30),
            None,
            "The rule already ends (UNTIL=20270331T235959). Remove UNTIL=20270331T235959 from "
            "the rule, or leave the end date and the number of meetings empty.",
        ),
        (
            "FREQ=WEEKLY;COUNT=3;BYDAY=SU",
            None,
            10,
            "The rule already ends (COUNT=3). Remove COUNT=3 from the rule, or leave the end "
            "date and the number of meetings empty.",
        ),
        (
            "FREQ=WEEKLY;BYDAY=SU",
            date(2027, 6, 30),
            10,
            "Give either an end date or a number of meetings, not both: clear one of them.",
        ),
    ],
)
def test_a_second_end_is_refused_not_swapped_in(rule, until, count, message):
    with pytest.raises(recurrence.RecurrenceError) as error:
        recurrence.with_end(rule, until=until, count=count)
    assert str(error.value) == message
