"""In the live runner: the updates segment shows who is low and who asked for time, the
presentation segment shows the presenter's fields, and the ended meeting asks members for
their evaluation; the polled fragment keeps its constant number of queries."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from meetings import forum_services, runner
from meetings.models import MeetingRun
from tests.meetings.runner.setup import START, forum_create

HTMX = {"HTTP_HX_REQUEST": "true"}


def at(moment):
    return time_machine.travel(moment, tick=False)


def version(meeting) -> int:
    return MeetingRun.objects.get(meeting=meeting).version


def advance(forum, times=1):
    for _ in range(times):
        runner.meeting_advance(
            meeting=forum.meeting, actor=forum.facilitator, expected_version=version(forum.meeting)
        )


def login(client, user):
    client.force_login(user)
    client.get("/")


@pytest.mark.parametrize("many", [False, True])
def test_updates_segment_shows_the_summary_in_constant_queries(
    client, cohort, facilitator, django_assert_num_queries, many
):
    names = [f"M{i:02d}" for i in range(12 if many else 2)]
    forum = forum_create(cohort, facilitator, names=names)
    with at(START - timedelta(days=2)):
        for i, member in enumerate(forum.members):
            forum_services.member_update_save(
                meeting=forum.meeting,
                member=member,
                work=3 if i == 1 else 8,
                family=8,
                personal=8,
                headlines=["Busy month"],
                needs_time=i == 0,
                time_topic="Hiring" if i == 0 else "",
            )
    runner.running_order_ensure(meeting=forum.meeting)
    url = reverse("runner_state", args=[forum.meeting.pk])
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=facilitator)
        advance(forum)  # opening -> member updates
        login(client, forum.members[0])
        # session, user, meeting (with the viewer), segments, updates
        with django_assert_num_queries(5):
            html = client.get(url, **HTMX).content.decode()
    assert f"Member updates: {len(names)} of {len(names)} written" in html
    assert "<strong>M01 Lee</strong> (work 3, family 8, personal 8)" in html
    assert "<strong>M00 Lee</strong> (Hiring)" in html


def test_presentation_segment_shows_the_presenters_fields(client, cohort, facilitator):
    forum = forum_create(cohort, facilitator)
    topic = forum.meeting.agenda.get().topic
    with at(START - timedelta(days=2)):
        forum_services.presentation_save(
            topic=topic,
            owner=forum.members[0],
            statement="Should we raise prices 20%?",
            background="Costs rose 15%.",
            tried="A pilot in one region.",
            wants="experience",
            decision_by=None,
        )
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=facilitator)
        advance(forum, 2)  # opening -> updates -> the presentation
        login(client, forum.members[1])
        html = client.get(reverse("runner_state", args=[forum.meeting.pk]), **HTMX)
    body = html.content.decode()
    assert "Ann Lee presents: Pricing" in body
    assert "<dd>Should we raise prices 20%?</dd>" in body
    assert "<dd>Your experience</dd>" in body


def test_ended_meeting_asks_members_to_evaluate(client, cohort, facilitator):
    forum = forum_create(cohort, facilitator)
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=facilitator)
        runner.meeting_end(
            meeting=forum.meeting, actor=facilitator, expected_version=version(forum.meeting)
        )
        login(client, forum.members[0])
        body = client.get(reverse("runner_state", args=[forum.meeting.pk]), **HTMX)
        evaluation = client.get(reverse("evaluation_submit", args=[forum.meeting.pk]))
    assert f'href="/meetings/{forum.meeting.pk}/evaluation/"' in body.content.decode()
    assert "Submit my evaluation" in evaluation.content.decode()
