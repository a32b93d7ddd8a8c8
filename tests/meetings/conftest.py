from datetime import date, time

import pytest

from groups.models import Cohort
from meetings import services
from members.models import Role
from tests import factories


@pytest.fixture
def facilitator(db):
    return factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay", last="Chair")


def cohort_in(zone: str, facilitator, name="Forum"):
    cohort = factories.cohort_create(name=name, facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(
        home_time_zone=zone, max_size=30, industry_mode="unrestricted"
    )
    cohort.refresh_from_db()
    return cohort


@pytest.fixture
def cohort(facilitator):
    return cohort_in("America/New_York", facilitator)


def monthly_first_tuesday(cohort, facilitator, zone, first=date(2026, 1, 6)):
    return services.series_create(
        cohort=cohort,
        actor=facilitator,
        title="Monthly forum",
        rrule="FREQ=MONTHLY;BYDAY=1TU",
        first_date=first,
        start_time=time(8, 0),
        duration_minutes=240,
        time_zone=zone,
        location="Club",
        video_url="",
    )
