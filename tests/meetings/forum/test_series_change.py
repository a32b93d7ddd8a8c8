"""Changing a series from one meeting on: the rule itself, with a preview of what moves, exact
UTC instants across the spring-forward change, one change notice, SEQUENCE bumped; and a
paused cohort gets no new meetings."""

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Notification
from groups.models import Cohort, Membership
from meetings import series_change, services
from meetings.models import Meeting
from tests import factories
from tests.meetings.conftest import cohort_in, monthly_first_tuesday

NOW = "2026-01-15 12:00Z"
NEW_YORK = "America/New_York"


@pytest.fixture
def series(facilitator):
    """First Tuesday 08:00 in New York from 6 January 2026; Alice answered for March."""
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        cohort = cohort_in(NEW_YORK, facilitator)
        alice = factories.pool_member_create(first="Alice", last="Able")
        Membership.objects.create(cohort=cohort, member=alice)
        series = monthly_first_tuesday(cohort, facilitator, NEW_YORK)
    with time_machine.travel(NOW, tick=False):
        march = series.meetings.get(local_date=date(2026, 3, 3))
        services.rsvp_set(meeting=march, member=alice, answer="yes")
    return series


def to_second_wednesday(facilitator, meeting, **extra):
    return {
        "meeting": meeting,
        "actor": facilitator,
        "rule": "FREQ=MONTHLY;BYDAY=2WE",
        "first_date": date(2026, 3, 11),
        "start_time": time(9, 0),
        "duration_minutes": 240,
        **extra,
    }


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_preview_lists_every_move_and_what_the_meetings_hold(series, facilitator):
    march = series.meetings.get(local_date=date(2026, 3, 3))
    with time_machine.travel(NOW, tick=False):
        plan = series_change.series_change_plan(**to_second_wednesday(facilitator, march))
    rows = [
        (c.action, c.old and c.old.strftime("%a %d %b %H:%M"), c.new.strftime("%a %d %b %H:%M"))
        for c in plan.changes
    ]
    assert rows[:3] == [
        ("move", "Tue 03 Mar 08:00", "Wed 11 Mar 09:00"),
        ("move", "Tue 07 Apr 08:00", "Wed 08 Apr 09:00"),
        ("move", "Tue 05 May 08:00", "Wed 13 May 09:00"),
    ]
    assert rows[-1] == ("add", None, "Wed 13 Jan 09:00")
    assert len(plan.of("move")) == 10
    assert [(c.rsvps, c.topics) for c in plan.changes if c.holds_something] == [(1, 0)]
    assert Meeting.objects.filter(series=series, local_date=date(2026, 3, 3)).exists()


def test_apply_moves_meetings_with_exact_instants_and_one_notice(series, facilitator):
    march = series.meetings.get(local_date=date(2026, 3, 3))
    uid, feb = march.uid, series.meetings.get(local_date=date(2026, 2, 3))
    with time_machine.travel(NOW, tick=False):
        series_change.series_change_apply(**to_second_wednesday(facilitator, march))
        services.occurrences_top_up()
    moved = Meeting.objects.get(uid=uid)
    feb.refresh_from_db()
    live = Meeting.objects.filter(cohort=series.cohort, status="scheduled").order_by("starts_at")
    assert [(m.local_date, m.starts_at) for m in live[:4]] == [
        (date(2026, 1, 6), utc(2026, 1, 6, 13, 0)),  # EST, unchanged
        (date(2026, 2, 3), utc(2026, 2, 3, 13, 0)),
        (date(2026, 3, 11), utc(2026, 3, 11, 13, 0)),  # 09:00 EDT, after the clocks changed
        (date(2026, 4, 8), utc(2026, 4, 8, 13, 0)),
    ]
    assert live.get(local_date=date(2026, 11, 11)).starts_at == utc(2026, 11, 11, 14, 0)
    assert (moved.local_date, moved.sequence, moved.rsvps.count()) == (date(2026, 3, 11), 1, 1)
    assert feb.sequence == 0
    assert live.count() == 2 + 11
    assert not Meeting.objects.filter(local_date=date(2026, 4, 7)).exists()
    series.refresh_from_db()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260302T235959"
    assert list(
        Notification.objects.filter(kind="change_notice").values_list("subject", "context")
    ) == [(f"meeting:{moved.pk}:seq:1", {"following": 10})]


def test_change_starting_before_a_kept_meeting_or_in_the_past_is_refused(series, facilitator):
    march = series.meetings.get(local_date=date(2026, 3, 3))
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as before_kept:
        series_change.series_change_apply(
            **to_second_wednesday(facilitator, march, first_date=date(2026, 2, 3))
        )
    january = series.meetings.get(local_date=date(2026, 1, 6))
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as started:
        series_change.series_change_plan(**to_second_wednesday(facilitator, january))
    assert before_kept.value.message_dict == {
        "first_date": [
            "The new rule must start after the meeting of 3 February 2026, which keeps the old one."
        ]
    }
    assert started.value.messages == [
        "This meeting has started: change the series from a coming one."
    ]
    assert Meeting.objects.filter(series=series).count() == 12
    assert Notification.objects.count() == 0


def test_series_change_page_previews_then_confirms(client, series, facilitator):
    march = series.meetings.get(local_date=date(2026, 3, 3))
    url = reverse("series_change", args=[march.pk])
    data = {
        "first_date": "2026-03-11",
        "start_time": "09:00",
        "duration_minutes": "240",
        "repeats": "monthly_nth_weekday",
        "rrule": "",
        "template": "",
    }
    with time_machine.travel(NOW, tick=False):
        client.force_login(facilitator)
        form = client.get(url)
        preview = client.post(url, {**data, "preview": "1"})
        bad = client.post(url, {**data, "first_date": "2026-01-20", "preview": "1"})
        done = client.post(url, {**data, "confirm": "1"})
    assert form.context["form"].initial["repeats"] == "monthly_nth_weekday"
    body = preview.content.decode()
    assert "What changes: monthly on the second wednesday, 09:00, 240 minutes" in body
    assert "Tue 3 Mar 2026, 08:00" in body and "Wed 11 Mar 2026, 09:00" in body
    assert "<strong>1 RSVP, 0 topics</strong>" in body
    assert "The new rule must start after the meeting of 3 February 2026" in bad.content.decode()
    assert done["Location"] == reverse("cohort_meetings", args=[series.cohort.slug])
    assert Meeting.objects.get(pk=march.pk).local_date == date(2026, 3, 11)


def test_paused_cohort_gets_no_new_meetings_and_resumes_from_today(series, facilitator):
    Cohort.objects.filter(pk=series.cohort_id).update(status=Cohort.Status.PAUSED)
    with time_machine.travel("2027-03-01 12:00Z", tick=False):
        assert services.occurrences_top_up() == 0
    Cohort.objects.filter(pk=series.cohort_id).update(status=Cohort.Status.ACTIVE)
    with time_machine.travel("2027-03-01 12:00Z", tick=False):
        # A year ahead from today: March 2027 to February 2028, not the paused months.
        assert services.occurrences_top_up() == 12
    dates = set(series.meetings.values_list("local_date", flat=True))
    assert date(2027, 1, 5) not in dates and date(2027, 2, 2) not in dates
    assert {date(2026, 12, 1), date(2027, 3, 2), date(2028, 2, 1)} <= dates
    assert len(dates) == 24


def test_series_change_over_htmx_swaps_the_form_and_confirms_with_a_client_redirect(
    client, series, facilitator
):
    march = series.meetings.get(local_date=date(2026, 3, 3))
    url = reverse("series_change", args=[march.pk])
    data = {
        "first_date": "2026-03-11",
        "start_time": "09:00",
        "duration_minutes": "240",
        "repeats": "monthly_nth_weekday",
        "rrule": "",
        "template": "",
    }
    with time_machine.travel(NOW, tick=False):
        client.force_login(facilitator)
        page = client.get(url)
        preview = client.post(url, {**data, "preview": "1"}, headers={"HX-Request": "true"})
        done = client.post(url, {**data, "confirm": "1"}, headers={"HX-Request": "true"})
    assert "<h1>Change the series from 3 March 2026</h1>" in page.content.decode()
    body = preview.content.decode().strip()
    assert body.startswith('<form id="series-change-form"')
    assert body.endswith("</form>")
    assert "What changes: monthly on the second wednesday, 09:00, 240 minutes" in body
    assert "<h1>" not in body
    assert (done.status_code, done["HX-Redirect"]) == (
        200,
        reverse("cohort_meetings", args=[series.cohort.slug]),
    )
    assert Meeting.objects.get(pk=march.pk).local_date == date(2026, 3, 11)
