"""Access-matrix rows of the group norms: a cohort's health page and excusing an absence are
for its facilitators and admins (its member: 403; everyone else learns nothing: 404); the
review queue, decisions and the overview of every cohort by risk (page and CSV) are the admins'
(403 for everyone else signed in); everyone signed in sees their own standing."""

from datetime import date, time, timedelta

from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, NormBreach
from tests.access import Row, signed_in
from tests.conftest import World


def managers_a() -> dict[str, str]:
    return {**signed_in("404"), "member_a": "403", "facilitator_a": "200", "admin": "200"}


def admins_only() -> dict[str, str]:
    return {**signed_in("403"), "admin": "200"}


def absent_meeting(world: World):
    if not hasattr(world, "norms_absent_meeting"):
        meeting = services.meeting_create(
            cohort=world.cohort_a,
            actor=world.facilitator_a,
            title="Missed forum",
            local_date=date.today() - timedelta(days=2),
            local_time=time(9, 0),
            duration_minutes=120,
            time_zone="Europe/London",
        )
        Attendance.objects.create(
            meeting=meeting, member=world.member_a, status=Attendance.Status.ABSENT
        )
        world.norms_absent_meeting = meeting
    return world.norms_absent_meeting


def review_item(world: World) -> str:
    if not hasattr(world, "norms_review_item"):
        world.norms_review_item = NormBreach.objects.create(
            cohort=world.cohort_a,
            member=world.member_a,
            kind=NormBreach.Kind.ATTENDANCE,
            level=NormBreach.Level.REVIEW,
            detail="absent from 3 of the last 6 meetings",
            opened_at=timezone.now(),
        )
    return reverse("norm_review_decide", args=[world.norms_review_item.pk])


ROWS = {
    "cohort_health_page": [
        Row(lambda w: reverse("cohort_health_page", args=[w.cohort_a.slug]), managers_a()),
    ],
    "absence_excuse": [
        Row(
            lambda w: reverse("absence_excuse", args=[absent_meeting(w).pk, w.member_a.pk]),
            managers_a(),
        ),
    ],
    "cohort_norms_edit": [
        Row(lambda w: reverse("cohort_norms_edit", args=[w.cohort_a.slug]), managers_a()),
    ],
    "norm_defaults": [Row(lambda w: reverse("norm_defaults"), admins_only())],
    "norm_review_queue": [Row(lambda w: reverse("norm_review_queue"), admins_only())],
    "norm_review_decide": [Row(review_item, admins_only())],
    "my_standing": [Row(lambda w: reverse("my_standing"), signed_in("200"))],
    # The overview names every cohort and its review items: created first, shown to admins only.
    "cohorts_overview": [
        Row(lambda w: review_item(w) and reverse("cohorts_overview"), admins_only()),
    ],
    "cohorts_overview_csv": [
        Row(lambda w: review_item(w) and reverse("cohorts_overview_csv"), admins_only()),
    ],
}
