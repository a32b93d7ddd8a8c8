"""A meeting ready to run, shared by the runner's tests (services, views, access, browser)."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import time_machine

from groups.models import Membership
from meetings import services, templates_lib
from meetings.models import Meeting, MeetingTemplate
from members.models import User
from tests import factories

# 09:00 in New York on Tuesday 9 March 2027 (EST, UTC-5).
START = datetime(2027, 3, 9, 14, 0, tzinfo=UTC)
BEFORE = START - timedelta(days=10)
EXECUTIVE = "Executive session (2 hours)"


@dataclass
class Forum:
    meeting: Meeting
    facilitator: User
    members: list[User]


def member_join(cohort, first: str, last: str = "Lee", when=BEFORE - timedelta(days=10)):
    with time_machine.travel(when, tick=False):
        person = factories.pool_member_create(first=first, last=last)
        Membership.objects.create(cohort=cohort, member=person)
    return person


def forum_create(
    cohort,
    facilitator,
    *,
    names=("Ann", "Bo"),
    template=EXECUTIVE,
    topics=(("Pricing", 30),),
    start=START,
    duration=120,
) -> Forum:
    """A one-off meeting of ``cohort`` at ``start`` (New York time), its cohort on
    ``template``, with a published agenda: the first member presents each topic."""
    members = [member_join(cohort, name) for name in names]
    if template:
        templates_lib.cohort_template_choose(
            cohort=cohort, actor=facilitator, template=MeetingTemplate.objects.get(name=template)
        )
    local = start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    with time_machine.travel(start - timedelta(days=10), tick=False):
        meeting = services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="Forum",
            local_date=date(local.year, local.month, local.day),
            local_time=time(local.hour, local.minute),
            duration_minutes=duration,
            time_zone="America/New_York",
        )
        for title, minutes in topics:
            topic = services.topic_save(
                owner=members[0],
                title=title,
                kind="issue",
                importance=7,
                urgency=6,
                estimated_minutes=minutes,
            )
            services.topic_post(topic=topic, meeting=meeting, actor=members[0], minutes=minutes)
        if topics:
            services.agenda_publish(meeting=meeting, actor=facilitator)
    meeting.refresh_from_db()
    return Forum(meeting, facilitator, members)
