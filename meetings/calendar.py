"""iCalendar output: one event per meeting, stable UID, SEQUENCE, VTIMEZONE; no confidential
content (title, time, place and a link only)."""

import zoneinfo
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from meetings.models import Meeting


def _event(meeting: Meeting, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    # The start in local wall-clock time with its TZID, so calendars show the cohort's own
    # time. The end in UTC: when the clocks go back, a local end can fall in the repeated
    # hour, which a TZID time cannot tell apart (readers take the first one).
    zone = zoneinfo.ZoneInfo(meeting.time_zone)
    start = meeting.starts_at.astimezone(zone)
    if start.utcoffset() != meeting.ends_at.astimezone(zone).utcoffset():
        # The clocks change during the meeting. Readers that derive the end as start plus
        # length add on the local wall clock (an hour off then); from a UTC start they land
        # on the exact end.
        start = start.astimezone(UTC)
    event.add("dtstart", start)
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", f"{meeting.title} ({meeting.cohort.name})")
    link = settings.BASE_URL + reverse("meeting_detail", args=[meeting.pk])
    event.add("url", link)
    event.add("description", f"Agenda, RSVP and details: {link}")
    where = ", ".join(x for x in [meeting.location, meeting.video_url] if x)
    if where:
        event.add("location", where)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("last-modified", meeting.updated_at)
    return event


def calendar_for(meetings, *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//PeerNet//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for meeting in meetings:
        cal.add_component(_event(meeting, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()
