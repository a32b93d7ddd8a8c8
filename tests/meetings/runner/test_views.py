"""The runner page, its polled state fragment and its controls, with and without htmx."""

import html as html_lib
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from meetings import runner
from meetings.models import MeetingRun, MeetingSegment
from meetings.runner_selectors import poll_token, version_cached
from tests.meetings.runner.setup import START, forum_create, member_join
from tests.meetings.test_views_meeting import login

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def forum(cohort, facilitator):
    return forum_create(cohort, facilitator)


@pytest.fixture(autouse=True)
def clock():
    """Every request of these tests happens around the meeting (sessions are signed in then)."""
    with time_machine.travel(START - timedelta(minutes=30), tick=False) as traveller:
        yield traveller


def at(moment):
    return time_machine.travel(moment, tick=False)


def text_of(html: str, element_id: str) -> str:
    """The visible text of the element with that id, whitespace collapsed."""
    start = html.index(f'id="{element_id}"')
    chunk = html[start:]
    chunk = re.sub(r"<[^>]+>", " ", chunk[chunk.index(">") + 1 :])
    return " ".join(html_lib.unescape(chunk).split())


def version(meeting) -> int:
    return MeetingRun.objects.get(meeting=meeting).version


def test_runner_page_before_the_start_builds_the_running_order(client, forum):
    with at(START - timedelta(minutes=30)):
        html = login(client, forum.members[0]).get(
            reverse("meeting_runner", args=[forum.meeting.pk])
        )
    page = html.content.decode()
    assert html.status_code == 200
    assert text_of(page, "runner-heading").startswith(
        "Not started yet The meeting is planned for Tuesday 9 March, 14:00 (GMT)."
    )
    steps = re.findall(r'<span class="step-title">([^<]+)</span>', page)
    assert steps == [
        "Welcome and confidentiality",
        "Member updates",
        "Pricing (Ann Lee)",
        "Commitments",
        "Evaluation",
    ]
    assert "Planned: 90 of 120 minutes." in " ".join(page.split())
    # A member sees the check-in button, no controls and no editor.
    assert "I'm here" in text_of(page, "checkin-heading")
    assert 'value="start"' not in page
    assert "data-runner-editor" not in page
    assert '<script src="/static/js/runner.js" defer></script>' in page


def test_facilitator_page_has_start_editor_and_timekeeper(client, forum):
    with at(START - timedelta(minutes=30)):
        page = (
            login(client, forum.facilitator)
            .get(reverse("meeting_runner", args=[forum.meeting.pk]))
            .content.decode()
        )
    assert '<button type="submit" name="action" value="start">Start the meeting</button>' in page
    assert "data-runner-editor" in page
    assert '<option value="">Facilitators only</option>' in page
    assert page.count('name="planned_minutes"') == 6  # five segments and the add form


def test_state_fragment_is_204_when_unchanged_and_the_fragment_otherwise(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    current = version(forum.meeting)
    login(client, forum.members[0])
    url = reverse("runner_state", args=[forum.meeting.pk])
    same = client.get(url, {"v": current}, **HTMX)
    assert (same.status_code, same.content) == (204, b"")
    assert same["X-Runner-Now"].isdigit()
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
        changed = client.get(url, {"v": current}, **HTMX)
    html = changed.content.decode()
    assert changed.status_code == 200
    assert html.strip().startswith('<section id="runner-live"')
    assert "<html" not in html
    assert f'data-version="{current + 1}"' in html
    assert text_of(html, "runner-heading").startswith(
        "Now: Welcome and confidentiality 5:00 left of 5 min"
    )
    assert f'data-segment-start="{int(START.timestamp() * 1000)}"' in html
    assert 'data-segment-seconds="300"' in html
    assert 'data-rest-seconds="5100"' in html
    assert "Next: Member updates (30 min)" in text_of(html, "runner-heading")


def test_state_fragment_without_version_is_the_fragment(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    response = login(client, forum.members[0]).get(reverse("runner_state", args=[forum.meeting.pk]))
    assert response.content.decode().strip().startswith('<section id="runner-live"')


@pytest.mark.parametrize("many", [False, True])
def test_state_fragment_takes_constant_queries(
    client, cohort, facilitator, django_assert_num_queries, many
):
    names = [f"M{i:02d}" for i in range(12 if many else 1)]
    topics = [(f"Topic {i}", 10) for i in range(8 if many else 1)]
    forum = forum_create(cohort, facilitator, names=names, topics=topics)
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START - timedelta(minutes=5)):
        for member in forum.members:
            runner.checkin(meeting=forum.meeting, member=member)
    url = reverse("runner_state", args=[forum.meeting.pk])
    login(client, facilitator)
    with at(START):
        # Before the start, with check-ins: session, user, MFA, meeting, segments, check-ins.
        with django_assert_num_queries(6):
            before = client.get(url, **HTMX)
        runner.meeting_start(meeting=forum.meeting, actor=facilitator)
        seen = version(forum.meeting)
        token = poll_token(facilitator.pk, forum.meeting.pk)
        # Unchanged, with the page's poll token: session, user, MFA; the version is cached.
        with django_assert_num_queries(3):
            assert client.get(url, {"v": seen, "t": token}, **HTMX).status_code == 204
        # Without the token: and the meeting, read in scope.
        with django_assert_num_queries(4):
            assert client.get(url, {"v": seen}, **HTMX).status_code == 204
    assert before.content.decode().count("<li>M") == len(names)
    with at(START + timedelta(minutes=1)):
        for _ in range(3 + (len(topics) - 1)):
            runner.meeting_advance(
                meeting=forum.meeting, actor=facilitator, expected_version=version(forum.meeting)
            )
        # In the commitments review: the commitments instead of the check-ins.
        with django_assert_num_queries(6):
            review = client.get(url, **HTMX)
    assert "Open commitments from earlier meetings" in review.content.decode()
    login(client, forum.members[0])
    with at(START + timedelta(minutes=1)), django_assert_num_queries(5):
        client.get(url, **HTMX)


def test_control_without_js_redirects_back_and_with_htmx_returns_the_fragment(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    url = reverse("runner_control", args=[forum.meeting.pk])
    login(client, forum.facilitator)
    with at(START):
        started = client.post(url, {"action": "start", "version": version(forum.meeting)})
        assert started["Location"] == reverse("meeting_runner", args=[forum.meeting.pk])
        advanced = client.post(
            url, {"action": "advance", "version": version(forum.meeting)}, **HTMX
        )
    html = advanced.content.decode()
    assert html.strip().startswith('<section id="runner-live"')
    assert text_of(html, "runner-heading").startswith("Now: Member updates 30:00 left of 30 min")


def test_stale_control_shows_a_clear_message_and_changes_nothing(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    login(client, forum.facilitator)
    url = reverse("runner_control", args=[forum.meeting.pk])
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
        seen = version(forum.meeting)
        client.post(url, {"action": "advance", "version": seen}, **HTMX)
        second = client.post(url, {"action": "advance", "version": seen}, **HTMX)
        page = client.post(url, {"action": "advance", "version": seen}, follow=True)
    assert (
        '<p class="message message-error" role="alert">' + runner.STALE.replace("'", "&#x27;")
        in second.content.decode()
    )
    assert runner.STALE.replace("'", "&#x27;") in page.content.decode()
    current = MeetingRun.objects.get(meeting=forum.meeting).current_segment
    assert current.title == "Member updates"


def test_advancing_an_ended_meeting_is_refused_clearly(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    login(client, forum.facilitator)
    url = reverse("runner_control", args=[forum.meeting.pk])
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
        runner.meeting_end(
            meeting=forum.meeting,
            actor=forum.facilitator,
            expected_version=version(forum.meeting),
        )
        response = client.post(
            url, {"action": "advance", "version": version(forum.meeting)}, **HTMX
        )
    html = response.content.decode()
    assert "The meeting has ended: nothing more can change." in html
    assert text_of(html, "runner-heading").startswith("The meeting has ended")


def test_member_checks_in_with_one_tap(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    login(client, forum.members[1])
    with at(START - timedelta(minutes=10)):
        response = client.post(reverse("runner_checkin", args=[forum.meeting.pk]), **HTMX)
    html = " ".join(response.content.decode().split())
    assert "You are checked in (present)." in html
    assert "1 of 2 members here." in html


def test_commitment_recorded_in_the_runner(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    ann = forum.members[0]
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
        login(client, forum.facilitator)
        url = reverse("runner_commitment", args=[forum.meeting.pk])
        empty = client.post(url, {"owner": ann.pk, "text": " "}, follow=True)
        saved = client.post(url, {"owner": ann.pk, "text": "Call the bank"})
    assert "Write the commitment (what, by when) before recording it." in empty.content.decode()
    assert saved["Location"] == reverse("meeting_runner", args=[forum.meeting.pk])
    assert [(c.owner, c.text) for c in forum.meeting.commitments.all()] == [(ann, "Call the bank")]


def test_running_order_edits_through_the_page(client, forum):
    segments = runner.running_order_ensure(meeting=forum.meeting)
    login(client, forum.facilitator)
    url = reverse("running_order_edit", args=[forum.meeting.pk])
    client.post(
        url,
        {"action": "update", "segment": segments[1].pk, "title": "Updates", "planned_minutes": 45},
    )
    refused = client.post(
        url,
        {"action": "update", "segment": segments[0].pk, "title": "Open", "planned_minutes": 0},
        follow=True,
    )
    client.post(url, {"action": "move", "segment": segments[1].pk, "direction": "up"})
    client.post(url, {"action": "add", "kind": "break", "title": "Coffee", "planned_minutes": "10"})
    client.post(url, {"action": "remove", "segment": segments[4].pk})
    assert "Enter the planned minutes as a whole number from 1 to 1440." in (
        refused.content.decode()
    )
    rows = [
        (s.title, s.planned_minutes)
        for s in MeetingSegment.objects.filter(meeting=forum.meeting).order_by("position")
    ]
    assert rows == [
        ("Updates", 45),
        ("Welcome and confidentiality", 5),
        ("Pricing (Ann Lee)", 30),
        ("Commitments", 15),
        ("Coffee", 10),
    ]


def test_timekeeper_member_gets_the_controls(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    ann = forum.members[0]
    login(client, forum.facilitator).post(
        reverse("runner_timekeeper", args=[forum.meeting.pk]), {"timekeeper": ann.pk}
    )
    with at(START):
        page = (
            login(client, ann)
            .get(reverse("meeting_runner", args=[forum.meeting.pk]))
            .content.decode()
        )
        started = client.post(
            reverse("runner_control", args=[forum.meeting.pk]),
            {"action": "start", "version": version(forum.meeting)},
        )
    assert "Timekeeper: Ann Lee." in page
    assert started.status_code == 302
    assert MeetingRun.objects.get(meeting=forum.meeting).started_at == START


def test_outsider_member_cannot_join(client, forum, world):
    member_join(world.cohort_b, "Zed")
    response = login(client, world.member_b).get(
        reverse("runner_state", args=[forum.meeting.pk]), **HTMX
    )
    assert response.status_code == 404


@pytest.mark.parametrize("many", [False, True])
def test_runner_page_takes_constant_queries(
    client, cohort, facilitator, django_assert_num_queries, many
):
    names = [f"M{i:02d}" for i in range(12 if many else 1)]
    topics = [(f"Topic {i}", 10) for i in range(8 if many else 1)]
    forum = forum_create(cohort, facilitator, names=names, topics=topics)
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START - timedelta(minutes=5)):
        for member in forum.members:
            runner.checkin(meeting=forum.meeting, member=member)
    url = reverse("meeting_runner", args=[forum.meeting.pk])
    login(client, facilitator)
    # session, user, MFA, meeting, running order (exists?), running order, check-ins, roster
    # (timekeeper and commitment owners)
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count('name="planned_minutes"') == len(topics) + 4 + 1
    login(client, forum.members[0])
    # session, user, meeting, running order (exists?), running order: a member sees only the
    # count of check-ins (in the meeting's query), no roster
    with django_assert_num_queries(5):
        client.get(url)


def test_poll_token_is_bound_to_its_user_and_meeting(client, forum, world):
    """Another cohort's member cannot learn a meeting's version by borrowing a token: without
    a token of their own the poll is read in scope (404)."""
    runner.running_order_ensure(meeting=forum.meeting)
    current = version(forum.meeting)
    assert version_cached(forum.meeting.pk) == current
    url = reverse("runner_state", args=[forum.meeting.pk])
    ann_token = poll_token(forum.members[0].pk, forum.meeting.pk)
    login(client, world.member_b)
    for token in (ann_token, poll_token(world.member_b.pk, forum.meeting.pk + 1), ""):
        assert client.get(url, {"v": current, "t": token}, **HTMX).status_code == 404
    login(client, forum.members[0])
    assert client.get(url, {"v": current, "t": ann_token}, **HTMX).status_code == 204
    page = client.get(reverse("meeting_runner", args=[forum.meeting.pk])).content.decode()
    assert f'data-state-url="{url}?t={ann_token}"' in page


def test_cached_version_follows_every_change(client, forum):
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
        assert version_cached(forum.meeting.pk) == version(forum.meeting)
        runner.checkin(meeting=forum.meeting, member=forum.members[0])
        assert version_cached(forum.meeting.pk) == version(forum.meeting)
        login(client, forum.members[0])
        token = poll_token(forum.members[0].pk, forum.meeting.pk)
        url = reverse("runner_state", args=[forum.meeting.pk])
        stale = client.get(url, {"v": version(forum.meeting) - 1, "t": token}, **HTMX)
    assert stale.status_code == 200
    assert f'data-version="{version(forum.meeting)}"' in stale.content.decode()
