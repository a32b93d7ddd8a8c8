from datetime import date, time

import icalendar
import recurring_ical_events
import time_machine
from django.urls import reverse

from groups.models import Membership
from meetings import services
from meetings.models import Meeting
from members.models import Role
from tests import factories
from tests.meetings.conftest import cohort_in, monthly_first_tuesday


def world_with_feed(facilitator):
    zones = ["America/New_York", "Europe/London", "Australia/Sydney"]
    member = factories.pool_member_create(first="Mo", last="Member", time_zone="Europe/Paris")
    cohorts = []
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        for zone in zones:
            cohort = cohort_in(zone, facilitator, name=f"Forum {zone}")
            monthly_first_tuesday(cohort, facilitator, zone)
            cohorts.append(cohort)
    Membership.objects.create(cohort=cohorts[0], member=member)
    cohorts[1].facilitators.add(facilitator)
    return member, cohorts


def test_feed_parses_with_two_readers_and_matches_database(client, facilitator):
    _member, cohorts = world_with_feed(facilitator)
    # The facilitator's feed covers all three cohorts, one per zone.
    token = services.feed_regenerate(user=facilitator)
    with time_machine.travel("2026-01-02 12:00Z", tick=False):
        march = cohorts[2].meetings.get(local_date=date(2026, 3, 3))
        services.meeting_update(
            meeting=march,
            actor=facilitator,
            local_date=date(2026, 3, 4),
            local_time=time(18, 0),
            duration_minutes=120,
            location="Bar",
            video_url="",
        )
        may = cohorts[1].meetings.get(local_date=date(2026, 5, 5))
        services.meeting_cancel(meeting=may, actor=facilitator)
        body = client.get(reverse("calendar_feed", args=[token])).content

    cal = icalendar.Calendar.from_ical(body)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}

    db = {m.uid: m for m in Meeting.objects.filter(cohort__in=cohorts)}
    assert set(events) == set(db)
    for uid, event in events.items():
        assert event.decoded("DTSTART") == db[uid].starts_at
        assert int(event["SEQUENCE"]) == db[uid].sequence
    assert {str(t["TZID"]) for t in cal.walk("VTIMEZONE")} == {
        "America/New_York",
        "Europe/London",
        "Australia/Sydney",
    }
    assert str(events[may.uid]["STATUS"]) == "CANCELLED"
    assert str(events[march.uid]["STATUS"]) == "CONFIRMED"
    assert int(events[march.uid]["SEQUENCE"]) == 1

    second = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2027, 1, 1))
    starts = sorted((str(e["UID"]), e["DTSTART"].dt) for e in second)
    assert starts == sorted((uid, m.starts_at) for uid, m in db.items())
    sydney = {str(e["UID"]): e["DTSTART"].dt for e in second}[march.uid]
    assert (str(sydney.tzinfo), sydney.hour, sydney.minute) == ("Australia/Sydney", 18, 0)


def test_feed_has_no_confidential_content(client, facilitator):
    member, cohorts = world_with_feed(facilitator)
    with time_machine.travel("2026-01-01 12:00Z", tick=False):
        meeting = cohorts[0].meetings.get(local_date=date(2026, 2, 3))
        topic = services.topic_save(
            owner=member,
            title="SECRET ACQUISITION",
            kind="issue",
            importance=9,
            urgency=9,
            estimated_minutes=30,
            details="VERY PRIVATE",
        )
        services.topic_post(topic=topic, meeting=meeting, actor=member, minutes=30)
        token = services.feed_regenerate(user=member)
        body = client.get(reverse("calendar_feed", args=[token])).content.decode()
    assert "SECRET" not in body and "PRIVATE" not in body
    assert "SUMMARY:Monthly forum (Forum America/New_York)" in body


def test_member_feed_holds_only_their_cohorts(client, facilitator):
    member, _cohorts = world_with_feed(facilitator)
    token = services.feed_regenerate(user=member)
    with time_machine.travel("2026-01-02 12:00Z", tick=False):
        cal = icalendar.Calendar.from_ical(
            client.get(reverse("calendar_feed", args=[token])).content
        )
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert summaries == {"Monthly forum (Forum America/New_York)"}


def test_regenerated_or_revoked_feed_stops_working(client, db):
    member = factories.user_create(role=Role.MEMBER)
    old = services.feed_regenerate(user=member)
    new = services.feed_regenerate(user=member)
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
    services.feed_revoke(user=member)
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 404


def test_single_meeting_ics_download(client, facilitator):
    member, cohorts = world_with_feed(facilitator)
    meeting = cohorts[0].meetings.first()
    client.force_login(member)
    response = client.get(reverse("meeting_ics", args=[meeting.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert (str(event["UID"]), event.decoded("DTSTART")) == (meeting.uid, meeting.starts_at)


def test_calendar_page_shows_webcal_address_once(client, db):
    member = factories.user_create(role=Role.MEMBER)
    client.force_login(member)
    page = client.post(reverse("calendar_settings"), {"action": "regenerate"})
    assert page.context["webcal_url"].startswith("webcal://127.0.0.1:8000/calendar/feed/")
    assert client.get(reverse("calendar_settings")).context["webcal_url"] is None
