"""Access-matrix rows of the design system, profiles and the cohort directory.

The styleguide is for admins. Everyone but applicants edits their own profile (an applicant's
profile is their application). Cohort A's directory and its people's pages are for A's members,
A's facilitators and admins; everyone else learns nothing (404). A photo is served to those who
see its owner; member A's photo exists before anyone asks for it."""

from datetime import date, time, timedelta

from django.core.files.base import ContentFile
from django.urls import reverse

from meetings import services as meeting_services
from members.models import Profile
from tests.access import HOME, LOGIN, Row, nobody_but, signed_in, url
from tests.conftest import World

SEE_A = {**signed_in("404"), "member_a": "200", "facilitator_a": "200", "admin": "200"}
NOT_APPLICANT = {**signed_in("200"), "applicant": "404"}


def photo_of_member_a(world: World) -> str:
    profile, _ = Profile.objects.get_or_create(user=world.member_a)
    if not profile.photo:
        profile.photo.save("a.jpg", ContentFile(b"\xff\xd8\xff\xe0 not checked here"), save=True)
    return reverse("person_photo", args=[world.member_a.pk])


def person_a(world: World) -> str:
    return reverse("cohort_person", args=[world.cohort_a.slug, world.member_a.pk])


def next_meeting_of_a(world: World) -> str:
    meeting = meeting_services.meeting_create(
        cohort=world.cohort_a,
        actor=world.facilitator_a,
        title="Dashboard forum",
        local_date=date.today() + timedelta(days=9),
        local_time=time(9, 0),
        duration_minutes=120,
        time_zone="Europe/London",
    )
    return reverse("home_rsvp", args=[meeting.pk])


ROWS = {
    "styleguide": [Row(url("styleguide"), nobody_but("admin", "200"))],
    "profile_edit": [
        Row(url("profile_edit"), NOT_APPLICANT),
        # An empty post: the form again, with what is missing.
        Row(url("profile_edit"), NOT_APPLICANT, method="post"),
    ],
    "company_change": [
        Row(url("company_change"), NOT_APPLICANT, method="post"),
        Row(url("company_change"), {**signed_in("405")}),
    ],
    "cohort_directory": [Row(lambda w: reverse("cohort_directory", args=[w.cohort_a.slug]), SEE_A)],
    "cohort_person": [
        Row(person_a, SEE_A),
        # Someone who is not in cohort A, asked for through A: nobody learns they exist.
        Row(
            lambda w: reverse("cohort_person", args=[w.cohort_a.slug, w.member_b.pk]),
            {**signed_in("404")},
        ),
    ],
    "person_photo": [Row(photo_of_member_a, SEE_A)],
    "agreement_reread": [
        Row(url("agreement_reread"), NOT_APPLICANT),
        Row(
            url("agreement_reread"),
            {
                **NOT_APPLICANT,
                **dict.fromkeys(NOT_APPLICANT, HOME),
                "applicant": "404",
                "anonymous": LOGIN,
            },
            method="post",
        ),
    ],
    # The dashboard's RSVP: A's member answers (an empty post is refused and sent home);
    # A's facilitators and admins see the meeting but are no members (refused, sent home);
    # everyone else learns nothing.
    "home_rsvp": [
        Row(
            next_meeting_of_a,
            {**signed_in("404"), "member_a": HOME, "facilitator_a": HOME, "admin": HOME},
            method="post",
        ),
        Row(next_meeting_of_a, {**signed_in("405")}),
    ],
}
