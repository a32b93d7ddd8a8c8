"""A New York cohort (facilitator Fay Chair) with Alice and Bob, who joined long before, a
meeting on 12 January 2027 at 08:00 New York time (13:00 UTC), and a second cohort with its
own member and facilitator for the leak tests."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from groups.models import Membership
from meetings import services
from members.models import Role
from tests import factories
from tests.meetings.conftest import cohort_in

START = datetime(2027, 1, 12, 13, 0, tzinfo=UTC)
OPEN = START - timedelta(days=3)  # updates are open (the agenda prompt went out a week before)
EARLY = START - timedelta(days=10)  # not yet
DURING = START + timedelta(minutes=30)
AFTER = START + timedelta(hours=5)  # the four-hour meeting has ended


def join(cohort, first: str, last: str):
    with time_machine.travel(START - timedelta(days=60), tick=False):
        person = factories.pool_member_create(first=first, last=last)
        Membership.objects.create(cohort=cohort, member=person)
    return person


def forum_meeting(cohort, facilitator, day=date(2027, 1, 12)):
    with time_machine.travel(START - timedelta(days=30), tick=False):
        return services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="January forum",
            local_date=day,
            local_time=time(8, 0),
            duration_minutes=240,
            time_zone="America/New_York",
        )


@pytest.fixture
def forum(cohort, facilitator):
    alice, bob = join(cohort, "Alice", "Able"), join(cohort, "Bob", "Baker")
    return {
        "cohort": cohort,
        "facilitator": facilitator,
        "alice": alice,
        "bob": bob,
        "meeting": forum_meeting(cohort, facilitator),
    }


@pytest.fixture
def other(db):
    """Cohort B: its facilitator and member must learn nothing of the forum's cohort."""
    chair = factories.user_create(role=Role.FACILITATOR, totp=True, first="Olga", last="Other")
    cohort = cohort_in("Europe/London", chair, name="Other forum")
    member = join(cohort, "Oscar", "Outsider")
    return {"cohort": cohort, "facilitator": chair, "member": member}
