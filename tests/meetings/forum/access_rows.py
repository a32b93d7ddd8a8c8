"""Access-matrix rows of the forum protocol. Each builder first creates the thing that could
leak (an update, a presentation, an evaluation, a facilitator note) in cohort A. Cohort B's
people, applicants and the anonymous learn nothing (404 / login); A's member reads updates and
presentations but never facilitator notes or individual evaluations (403); updates and
evaluations are written by members only (A's facilitator and admins get 403)."""

from datetime import date, time, timedelta

from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from meetings import forum_services, services
from tests.access import Row, nobody_but, signed_in
from tests.conftest import World


def _meeting(world: World, key: str, days: int):
    if not hasattr(world, key):
        setattr(
            world,
            key,
            services.meeting_create(
                cohort=world.cohort_a,
                actor=world.facilitator_a,
                title=f"Forum {key}",
                local_date=date.today() + timedelta(days=days),
                local_time=time(9, 0),
                duration_minutes=120,
                time_zone="Europe/London",
            ),
        )
    return getattr(world, key)


def coming_with_update(world: World):
    """A meeting three days ahead (updates open) with member A's update and presentation."""
    meeting = _meeting(world, "forum_coming", 3)
    if not hasattr(world, "forum_update"):
        world.forum_update = forum_services.member_update_save(
            meeting=meeting,
            member=world.member_a,
            work=3,
            family=8,
            personal=7,
            headlines=["Lost the Acme account"],
            needs_time=True,
            time_topic="Succession",
        )
        topic = services.topic_save(
            owner=world.member_a,
            title="Succession",
            kind="issue",
            importance=8,
            urgency=8,
            estimated_minutes=30,
        )
        forum_services.presentation_save(
            topic=topic,
            owner=world.member_a,
            statement="Who runs the firm after me?",
            background="Founded 1998.",
            tried="Talked to my CFO.",
            wants="experience",
            decision_by=None,
        )
        services.topic_post(topic=topic, meeting=meeting, actor=world.member_a, minutes=30)
        world.forum_topic = topic
        world.forum_note = forum_services.facilitator_note_save(
            meeting=meeting, actor=world.facilitator_a, text="Watch Alex's energy."
        )
    return meeting


def ended_with_evaluation(world: World):
    """A meeting that ended yesterday, evaluated by member A."""
    meeting = _meeting(world, "forum_ended", -2)
    if not hasattr(world, "forum_evaluation"):
        Membership.objects.filter(member=world.member_a).update(
            joined_at=timezone.now() - timedelta(days=30)
        )
        world.forum_evaluation = forum_services.evaluation_submit(
            meeting=meeting, member=world.member_a, rating=9, comment="Best one yet."
        )
    return meeting


def series_meeting(world: World):
    """The next occurrence of a monthly series of cohort A, with member A's RSVP."""
    if not hasattr(world, "forum_series"):
        world.forum_series = services.series_create(
            cohort=world.cohort_a,
            actor=world.facilitator_a,
            title="Monthly forum",
            rrule="FREQ=MONTHLY;BYDAY=2WE",
            first_date=date.today() + timedelta(days=20),
            start_time=time(8, 0),
            duration_minutes=240,
            time_zone="Europe/London",
        )
        first = world.forum_series.meetings.order_by("starts_at").first()
        services.rsvp_set(meeting=first, member=world.member_a, answer="yes")
    return world.forum_series.meetings.order_by("starts_at").first()


def at(name: str, build):
    return lambda world: reverse(name, args=[build(world).pk])


def topic_at(name: str):
    def build(world: World) -> str:
        coming_with_update(world)
        return reverse(name, args=[world.forum_topic.pk])

    return build


def a_only(member: str, manager: str) -> dict[str, str]:
    return {**signed_in("404"), "member_a": member, "facilitator_a": manager, "admin": manager}


SEE_A = a_only("200", "200")

ROWS = {
    "member_update": [Row(at("member_update", coming_with_update), a_only("200", "403"))],
    "updates_summary": [Row(at("updates_summary", coming_with_update), SEE_A)],
    "meeting_prep": [Row(at("meeting_prep", coming_with_update), a_only("403", "200"))],
    "facilitator_note": [
        Row(
            at("facilitator_note", coming_with_update),
            a_only("403", "302 /meetings/"),
            method="post",
            data={"text": "Watch Alex's energy."},
        )
    ],
    "evaluation_submit": [
        Row(at("evaluation_submit", ended_with_evaluation), a_only("200", "403"))
    ],
    "evaluation_list": [Row(at("evaluation_list", ended_with_evaluation), a_only("403", "200"))],
    "series_change": [Row(at("series_change", series_meeting), a_only("403", "200"))],
    "presentation_edit": [Row(topic_at("presentation_edit"), nobody_but("member_a", "200"))],
}
