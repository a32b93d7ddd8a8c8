"""Access-matrix rows of the live runner, the template library and a cohort's template.

Cohort A's meeting is prepared (template chosen, running order built) before it is requested.
Its members and facilitators and admins see the runner; only facilitators and admins (and a
timekeeper member) drive it; cohort B's people learn nothing (404). The library is read by
admins and facilitators and edited by admins."""

from datetime import date, time, timedelta

from django.urls import reverse

from meetings import runner, services, templates_lib
from meetings.models import MeetingTemplate
from tests.access import LOGIN, Row, signed_in
from tests.conftest import World

TO_RUNNER = "302 /meetings/"


def runner_meeting(world: World):
    if not hasattr(world, "runner_meeting"):
        templates_lib.cohort_template_choose(
            cohort=world.cohort_a,
            actor=world.facilitator_a,
            template=MeetingTemplate.objects.get(name="Executive session (2 hours)"),
        )
        world.runner_meeting = services.meeting_create(
            cohort=world.cohort_a,
            actor=world.facilitator_a,
            title="Forum to run",
            local_date=date.today() + timedelta(days=10),
            local_time=time(9, 0),
            duration_minutes=120,
            time_zone="Europe/London",
        )
        runner.running_order_ensure(meeting=world.runner_meeting)
    return world.runner_meeting


def runner_url(name: str, *, timekeeper: bool = False):
    def build(world: World) -> str:
        meeting = runner_meeting(world)
        if timekeeper:
            runner.timekeeper_set(meeting=meeting, actor=world.facilitator_a, member=world.member_a)
        return reverse(name, args=[meeting.pk])

    return build


def first_template(name: str):
    return lambda world: reverse(name, args=[MeetingTemplate.objects.order_by("pk").first().pk])


def cohort_a_template(world: World) -> str:
    return reverse("cohort_template", args=[world.cohort_a.slug])


SEE_A = {**signed_in("404"), "member_a": "200", "facilitator_a": "200", "admin": "200"}


def act_a(member: str, manager: str) -> dict[str, str]:
    return {**signed_in("404"), "member_a": member, "facilitator_a": manager, "admin": manager}


READERS = {
    **signed_in("403"),
    "anonymous": LOGIN,
    "facilitator_a": "200",
    "facilitator_b": "200",
    "admin": "200",
}


def admins_only(outcome: str) -> dict[str, str]:
    return {**signed_in("403"), "anonymous": LOGIN, "admin": outcome}


# The meeting is ten days ahead: a control is refused with a message and sent back to the page.
ROWS = {
    "meeting_runner": [Row(runner_url("meeting_runner"), SEE_A)],
    "runner_state": [Row(runner_url("runner_state"), SEE_A)],
    "runner_control": [
        Row(
            runner_url("runner_control"),
            act_a("403", TO_RUNNER),
            method="post",
            data={"action": "start", "version": "1"},
        ),
        Row(
            runner_url("runner_control", timekeeper=True),
            act_a(TO_RUNNER, TO_RUNNER),
            method="post",
            data={"action": "advance", "version": "1"},
        ),
    ],
    "runner_checkin": [Row(runner_url("runner_checkin"), act_a(TO_RUNNER, "403"), method="post")],
    "runner_commitment": [
        Row(
            runner_url("runner_commitment"),
            act_a(TO_RUNNER, TO_RUNNER),
            method="post",
            data={"text": "Call the bank"},
        )
    ],
    "runner_timekeeper": [
        Row(
            runner_url("runner_timekeeper"),
            act_a("403", TO_RUNNER),
            method="post",
            data={"timekeeper": ""},
        )
    ],
    "running_order_edit": [
        Row(
            runner_url("running_order_edit"),
            act_a("403", TO_RUNNER),
            method="post",
            data={"action": "rebuild"},
        )
    ],
    "cohort_template": [Row(cohort_a_template, act_a("403", "200"))],
    "template_list": [Row(lambda world: reverse("template_list"), READERS)],
    "template_detail": [Row(first_template("template_detail"), READERS)],
    "template_create": [Row(lambda world: reverse("template_create"), admins_only("200"))],
    "template_edit": [Row(first_template("template_edit"), admins_only("200"))],
    "template_delete": [
        Row(first_template("template_delete"), admins_only("302 /meeting-templates/"), "post")
    ],
}
