"""Access-matrix rows of the attendance page: cohort A's facilitators and admins record it
once the meeting has started (before that they are sent back to the meeting page); A's
member may see the meeting but not record (403); everyone else learns nothing (404)."""

from datetime import date, time, timedelta

from django.urls import reverse

from meetings import services
from tests.access import Row, signed_in
from tests.conftest import World


def managers_a(outcome: str) -> dict[str, str]:
    return {**signed_in("404"), "member_a": "403", "facilitator_a": outcome, "admin": outcome}


def attendance_of(started: bool):
    def build(world: World) -> str:
        key = f"attendance_meeting_{started}"
        if not hasattr(world, key):
            day = date.today() + timedelta(days=-1 if started else 10)
            setattr(
                world,
                key,
                services.meeting_create(
                    cohort=world.cohort_a,
                    actor=world.facilitator_a,
                    title="Held forum" if started else "Coming forum",
                    local_date=day,
                    local_time=time(9, 0),
                    duration_minutes=120,
                    time_zone="Europe/London",
                ),
            )
        meeting = getattr(world, key)
        return reverse("meeting_attendance", args=[meeting.pk])

    return build


ROWS = {
    "meeting_attendance": [
        Row(attendance_of(started=True), managers_a("200")),
        Row(attendance_of(started=False), managers_a("302 /meetings/")),
    ],
}
