"""A New York cohort meeting monthly through 2027 (first Tuesday, 08:00), facilitated by Fay
Chair, with Alice, Bob and Cleo who joined in 2026; an admin to receive review items."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from groups.models import Membership
from meetings import services
from meetings.models import Meeting
from members.models import Role
from tests import factories
from tests.meetings.conftest import cohort_in

SETUP = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def admin(db):
    return factories.user_create(
        role=Role.ADMIN, email="admin@example.com", first="Ada", last="Admin", totp=True
    )


@pytest.fixture
def year(db, facilitator, admin):
    """(cohort, {first name: member}, [the twelve meetings of 2027])."""
    with time_machine.travel(SETUP, tick=False):
        cohort = cohort_in("America/New_York", facilitator)
        people = {}
        for first in ("Alice", "Bob", "Cleo"):
            person = factories.pool_member_create(first=first, last="Member")
            Membership.objects.create(cohort=cohort, member=person)
            people[first] = person
        services.series_create(
            cohort=cohort,
            actor=facilitator,
            title="Monthly forum",
            rrule="FREQ=MONTHLY;BYDAY=1TU",
            first_date=date(2027, 1, 5),
            start_time=time(8, 0),
            duration_minutes=240,
            time_zone="America/New_York",
            location="Club",
            video_url="",
        )
    meetings = list(
        Meeting.objects.filter(cohort=cohort, local_date__year=2027).order_by("starts_at")
    )
    assert len(meetings) == 12
    # Everyone answers ten days ahead: the RSVP norm is kept.
    for meeting in meetings:
        with time_machine.travel(meeting.starts_at - timedelta(days=10), tick=False):
            for person in people.values():
                services.rsvp_set(meeting=meeting, member=person, answer="yes")
    return cohort, people, meetings


def after(meeting) -> datetime:
    return meeting.starts_at + timedelta(hours=5)
