"""The running order and the live runner: building, adjusting, starting, advancing,
extending, skipping, ending, check-in and what is recorded."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from meetings import runner, services, templates_lib
from meetings.models import (
    Attendance,
    Commitment,
    MeetingRun,
    MeetingSegment,
    MeetingTemplate,
    Series,
)
from meetings.runner_selectors import runner_meeting, runner_state
from members.models import Role
from tests import factories
from tests.meetings.runner.setup import START, forum_create, member_join


@pytest.fixture
def forum(cohort, facilitator):
    return forum_create(cohort, facilitator)


def order(meeting) -> list[tuple]:
    return [
        (s.position, s.kind, s.title, s.planned_minutes)
        for s in MeetingSegment.objects.filter(meeting=meeting).order_by("position")
    ]


def timing(meeting) -> list[tuple]:
    return [
        (s.title, s.started_at, s.ended_at, s.skipped, s.extra_minutes, s.actual_minutes)
        for s in MeetingSegment.objects.filter(meeting=meeting).order_by("position")
    ]


def run_of(meeting) -> MeetingRun:
    return MeetingRun.objects.get(meeting=meeting)


def at(moment):
    return time_machine.travel(moment, tick=False)


# Building the running order ---------------------------------------------------------------


def test_running_order_is_the_template_with_agenda_topics_in_the_presentation_slot(
    cohort, facilitator
):
    forum = forum_create(cohort, facilitator, topics=[("Pricing", 30), ("Succession", 45)])
    segments = runner.running_order_ensure(meeting=forum.meeting)
    assert order(forum.meeting) == [
        (1, "opening", "Welcome and confidentiality", 5),
        (2, "updates", "Member updates", 30),
        (3, "presentation", "Pricing (Ann Lee)", 30),
        (4, "presentation", "Succession (Ann Lee)", 45),
        (5, "commitments_review", "Commitments", 15),
        (6, "evaluation", "Evaluation", 10),
    ]
    items = {i.topic.title: i.pk for i in forum.meeting.agenda.select_related("topic")}
    assert [s.agenda_item_id for s in segments] == [
        None,
        None,
        items["Pricing"],
        items["Succession"],
        None,
        None,
    ]
    # Built once: a second call reads it.
    assert runner.running_order_ensure(meeting=forum.meeting) == segments


def test_running_order_keeps_the_placeholder_without_a_published_agenda(cohort, facilitator):
    forum = forum_create(cohort, facilitator, topics=[])
    runner.running_order_ensure(meeting=forum.meeting)
    assert [row[2] for row in order(forum.meeting)] == [
        "Welcome and confidentiality",
        "Member updates",
        "Issue presentations",
        "Commitments",
        "Evaluation",
    ]


def test_series_template_wins_over_the_cohorts(cohort, facilitator):
    forum = forum_create(cohort, facilitator, topics=[])
    series = Series.objects.create(
        cohort=cohort,
        title="Monthly",
        rrule="FREQ=MONTHLY",
        first_date=forum.meeting.local_date,
        start_time=forum.meeting.local_time,
        duration_minutes=90,
        time_zone="America/New_York",
    )
    forum.meeting.series = series
    forum.meeting.save()
    virtual = MeetingTemplate.objects.get(name="Virtual check-in (90 minutes)")
    templates_lib.series_template_set(series=series, actor=facilitator, template=virtual)
    runner.running_order_ensure(meeting=forum.meeting)
    assert sum(row[3] for row in order(forum.meeting)) == 90
    assert order(forum.meeting)[2] == (3, "parking_lot", "Parking lot", 10)


def test_running_order_without_template_or_agenda_is_refused(cohort, facilitator):
    forum = forum_create(cohort, facilitator, template=None, topics=[])
    with pytest.raises(ValidationError) as error:
        runner.running_order_ensure(meeting=forum.meeting)
    assert error.value.messages == [
        "There is nothing to run yet: choose a template for this cohort or publish an agenda."
    ]
    assert order(forum.meeting) == []


def test_template_without_presentation_slot_puts_topics_before_commitments(cohort, facilitator):
    admin = factories.user_create(role=Role.ADMIN)
    template = templates_lib.template_save(
        actor=admin,
        name="Short",
        segments=[
            templates_lib.SegmentSpec("opening", "Open", 5),
            templates_lib.SegmentSpec("commitments_review", "Commitments", 10),
        ],
    )
    forum = forum_create(cohort, facilitator, template=template.name)
    runner.running_order_ensure(meeting=forum.meeting)
    assert [row[2] for row in order(forum.meeting)] == ["Open", "Pricing (Ann Lee)", "Commitments"]


# Adjusting it before the start -----------------------------------------------------------


def test_facilitator_adjusts_minutes_order_and_segments(forum):
    meeting, facilitator = forum.meeting, forum.facilitator
    segments = runner.running_order_ensure(meeting=meeting)
    runner.segment_update(segment=segments[1], actor=facilitator, planned_minutes=40)
    runner.segment_move(segment=segments[4], actor=facilitator, direction="up")
    runner.segment_remove(segment=segments[0], actor=facilitator)
    runner.segment_add(
        meeting=meeting, actor=facilitator, kind="break", title="Coffee", planned_minutes=10
    )
    assert order(meeting) == [
        (2, "updates", "Member updates", 40),
        (3, "presentation", "Pricing (Ann Lee)", 30),
        (4, "evaluation", "Evaluation", 10),
        (5, "commitments_review", "Commitments", 15),
        (6, "break", "Coffee", 10),
    ]
    state = runner_state(facilitator, runner_meeting(facilitator, meeting.pk))
    assert (state.planned_total, state.over_length) == (105, 0)


def test_totals_warn_when_over_the_meetings_length(forum):
    segments = runner.running_order_ensure(meeting=forum.meeting)
    runner.segment_update(segment=segments[2], actor=forum.facilitator, planned_minutes=75)
    state = runner_state(forum.facilitator, runner_meeting(forum.facilitator, forum.meeting.pk))
    assert (state.planned_total, state.over_length) == (135, 15)


@pytest.mark.parametrize("minutes", [0, -5, 1441, "ten"])
def test_segment_minutes_out_of_range_are_refused(forum, minutes):
    segments = runner.running_order_ensure(meeting=forum.meeting)
    with pytest.raises(ValidationError) as error:
        runner.segment_update(segment=segments[0], actor=forum.facilitator, planned_minutes=minutes)
    assert error.value.messages == ["Planned minutes must be from 1 to 1440."]
    with pytest.raises(ValidationError):
        runner.segment_add(
            meeting=forum.meeting,
            actor=forum.facilitator,
            kind="custom",
            title="X",
            planned_minutes=minutes,
        )
    assert order(forum.meeting)[0] == (1, "opening", "Welcome and confidentiality", 5)
    assert len(order(forum.meeting)) == 5


def test_members_cannot_adjust_the_running_order(forum):
    segments = runner.running_order_ensure(meeting=forum.meeting)
    with pytest.raises(PermissionDenied):
        runner.segment_update(segment=segments[0], actor=forum.members[0], planned_minutes=9)
    with pytest.raises(PermissionDenied):
        runner.running_order_rebuild(meeting=forum.meeting, actor=forum.members[0])
    assert order(forum.meeting)[0][3] == 5


def test_running_order_is_frozen_once_started(forum):
    segments = runner.running_order_ensure(meeting=forum.meeting)
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
    before = order(forum.meeting)
    for change in (
        lambda: runner.segment_update(
            segment=segments[1], actor=forum.facilitator, planned_minutes=9
        ),
        lambda: runner.segment_move(segment=segments[1], actor=forum.facilitator, direction="up"),
        lambda: runner.segment_remove(segment=segments[1], actor=forum.facilitator),
        lambda: runner.running_order_rebuild(meeting=forum.meeting, actor=forum.facilitator),
    ):
        with pytest.raises(ValidationError) as error:
            change()
        assert error.value.messages == [
            "The meeting has started: its running order can no longer change."
        ]
    assert order(forum.meeting) == before


def test_rebuild_starts_over_from_the_template(forum):
    segments = runner.running_order_ensure(meeting=forum.meeting)
    runner.segment_remove(segment=segments[0], actor=forum.facilitator)
    runner.running_order_rebuild(meeting=forum.meeting, actor=forum.facilitator)
    assert [row[:2] for row in order(forum.meeting)] == [
        (1, "opening"),
        (2, "updates"),
        (3, "presentation"),
        (4, "commitments_review"),
        (5, "evaluation"),
    ]


# Running it -------------------------------------------------------------------------------


def test_a_whole_run_records_start_end_and_actual_minutes_per_segment(forum):
    meeting, f = forum.meeting, forum.facilitator
    runner.running_order_ensure(meeting=meeting)
    with at(START - timedelta(minutes=2)):
        runner.meeting_start(meeting=meeting, actor=f)
    t = START - timedelta(minutes=2)
    steps = [
        (t + timedelta(minutes=6), "advance"),  # opening: 6 of 5
        (t + timedelta(minutes=6, seconds=30), "extend"),  # updates +5
        (t + timedelta(minutes=40), "advance"),  # updates: 34 of 35
        (t + timedelta(minutes=41), "skip"),  # commitments skipped ahead of time
        (t + timedelta(minutes=70), "advance"),  # presentation: 30
        (t + timedelta(minutes=79, seconds=40), "advance"),  # evaluation: last, ends the run
    ]
    for moment, action in steps:
        version = run_of(meeting).version
        with at(moment):
            if action == "advance":
                runner.meeting_advance(meeting=meeting, actor=f, expected_version=version)
            elif action == "extend":
                runner.meeting_extend(meeting=meeting, actor=f, expected_version=version)
            else:
                commitments = meeting.segments.get(kind="commitments_review")
                runner.segment_skip(
                    meeting=meeting, actor=f, segment_id=commitments.pk, expected_version=version
                )
    run = run_of(meeting)
    assert (run.started_at, run.ended_at, run.current_segment) == (
        t,
        t + timedelta(minutes=79, seconds=40),
        None,
    )
    m = timedelta(minutes=1)
    assert timing(meeting) == [
        ("Welcome and confidentiality", t, t + 6 * m, False, 0, 6),
        ("Member updates", t + 6 * m, t + 40 * m, False, 5, 34),
        ("Pricing (Ann Lee)", t + 40 * m, t + 70 * m, False, 0, 30),
        ("Commitments", None, None, True, 0, None),
        ("Evaluation", t + 70 * m, t + 79 * m + 40 * m / 60, False, 0, 10),
    ]
    assert run.version == 9  # 1 when created, then built, started and six changes


def test_actual_minutes_are_elapsed_time_across_a_clock_change(cohort, facilitator):
    """New York springs forward at 02:00 on 14 March 2027: a segment from 01:30 to 03:30 local
    lasted one hour."""
    start = datetime(2027, 3, 14, 6, 30, tzinfo=UTC)  # 01:30 EST
    forum = forum_create(cohort, facilitator, topics=[], start=start, duration=180)
    runner.running_order_ensure(meeting=forum.meeting)
    with at(start):
        runner.meeting_start(meeting=forum.meeting, actor=facilitator)
    with at(start + timedelta(hours=1)):  # 03:30 EDT
        runner.meeting_advance(
            meeting=forum.meeting, actor=facilitator, expected_version=run_of(forum.meeting).version
        )
    first = forum.meeting.segments.order_by("position").first()
    assert (first.actual_seconds, first.actual_minutes) == (3600, 60)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_facilitators_advancing_at_once_advance_once(transactional_db, cohort, facilitator):
    """Both saw version N; the row lock lets one through and the other is told."""
    forum = forum_create(cohort, facilitator)
    meeting, f = forum.meeting, forum.facilitator
    runner.running_order_ensure(meeting=meeting)
    with at(START):
        runner.meeting_start(meeting=meeting, actor=f)
    seen = run_of(meeting).version
    barrier = threading.Barrier(2)
    outcomes = []

    def press():
        try:
            barrier.wait()
            runner.meeting_advance(meeting=meeting, actor=f, expected_version=seen)
            outcomes.append("advanced")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(2)]
    with at(START + timedelta(minutes=5)):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == sorted(["advanced", runner.STALE])
    run = run_of(meeting)
    assert run.version == seen + 1
    assert run.current_segment.title == "Member updates"
    assert [s.started_at is not None for s in meeting.segments.order_by("position")] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_stale_version_changes_nothing(forum):
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
    before = (run_of(forum.meeting).version, timing(forum.meeting))
    for control in (runner.meeting_advance, runner.meeting_extend, runner.meeting_end):
        with pytest.raises(ValidationError) as error:
            control(meeting=forum.meeting, actor=forum.facilitator, expected_version=before[0] - 1)
        assert error.value.messages == [runner.STALE]
    assert (run_of(forum.meeting).version, timing(forum.meeting)) == before


def test_controls_before_the_start_and_after_the_end_are_refused(forum):
    meeting, f = forum.meeting, forum.facilitator
    runner.running_order_ensure(meeting=meeting)
    version = run_of(meeting).version
    with pytest.raises(ValidationError) as error:
        runner.meeting_advance(meeting=meeting, actor=f, expected_version=version)
    assert error.value.messages == ["The meeting has not started yet: start it first."]
    with at(START):
        runner.meeting_start(meeting=meeting, actor=f)
        runner.meeting_end(meeting=meeting, actor=f, expected_version=run_of(meeting).version)
    ended = (run_of(meeting).version, timing(meeting))
    for control in (runner.meeting_advance, runner.meeting_extend, runner.meeting_end):
        with pytest.raises(ValidationError) as error, at(START + timedelta(minutes=1)):
            control(meeting=meeting, actor=f, expected_version=ended[0])
        assert error.value.messages == ["The meeting has ended: nothing more can change."]
    with pytest.raises(ValidationError) as error, at(START + timedelta(minutes=1)):
        runner.meeting_start(meeting=meeting, actor=f)
    assert error.value.messages == ["The meeting has ended: it cannot start again."]
    assert (run_of(meeting).version, timing(meeting)) == ended
    # Ending early records what was never reached as skipped.
    assert [row[3] for row in ended[1]] == [False, True, True, True, True]


def test_start_window_and_cancelled_meetings(forum):
    runner.running_order_ensure(meeting=forum.meeting)
    with pytest.raises(ValidationError) as error, at(START - timedelta(minutes=61)):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
    assert error.value.messages == ["A meeting can be started from one hour before its start time."]
    services.meeting_cancel(meeting=forum.meeting, actor=forum.facilitator)
    with pytest.raises(ValidationError) as error, at(START):
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
    assert error.value.messages == ["This meeting is cancelled."]
    assert not run_of(forum.meeting).is_started


def test_members_drive_only_as_timekeeper(forum):
    meeting, ann, bo = forum.meeting, *forum.members
    runner.running_order_ensure(meeting=meeting)
    with pytest.raises(PermissionDenied), at(START):
        runner.meeting_start(meeting=meeting, actor=ann)
    runner.timekeeper_set(meeting=meeting, actor=forum.facilitator, member=ann)
    with at(START):
        runner.meeting_start(meeting=meeting, actor=ann)
        runner.meeting_advance(meeting=meeting, actor=ann, expected_version=run_of(meeting).version)
    with pytest.raises(PermissionDenied), at(START):
        runner.meeting_advance(meeting=meeting, actor=bo, expected_version=run_of(meeting).version)
    with pytest.raises(PermissionDenied):
        runner.timekeeper_set(meeting=meeting, actor=ann, member=bo)
    assert run_of(meeting).current_segment.title == "Member updates"


def test_timekeeper_must_be_a_cohort_member(forum, world):
    with pytest.raises(ValidationError) as error:
        runner.timekeeper_set(meeting=forum.meeting, actor=forum.facilitator, member=world.member_b)
    assert error.value.message_dict == {
        "timekeeper": ["The timekeeper must be a member of this cohort."]
    }


def test_skip_refuses_past_and_current_segments(forum):
    meeting, f = forum.meeting, forum.facilitator
    segments = runner.running_order_ensure(meeting=meeting)
    with at(START):
        runner.meeting_start(meeting=meeting, actor=f)
    for segment in (segments[0], MeetingSegment(pk=999_999)):
        with pytest.raises(ValidationError) as error:
            runner.segment_skip(
                meeting=meeting,
                actor=f,
                segment_id=segment.pk,
                expected_version=run_of(meeting).version,
            )
        assert error.value.messages == ["Only a segment still to come can be skipped."]


# Check-in and commitments -----------------------------------------------------------------


def test_checkin_records_present_then_late_and_keeps_the_facilitators_record(forum):
    meeting, ann, bo = forum.meeting, *forum.members
    late = member_join(meeting.cohort, "Cy")
    with at(START - timedelta(minutes=20)):
        runner.checkin(meeting=meeting, member=ann)
        runner.checkin(meeting=meeting, member=ann)  # twice: one row
    with at(START + timedelta(minutes=5)):
        services.attendance_record(
            meeting=meeting, actor=forum.facilitator, statuses={bo.pk: "excused"}
        )
    with at(START + timedelta(minutes=11)):
        runner.checkin(meeting=meeting, member=bo)
        runner.checkin(meeting=meeting, member=late)
    rows = {
        a.member.first_name: (a.status, a.recorded_by_id)
        for a in Attendance.objects.filter(meeting=meeting).select_related("member")
    }
    assert rows == {
        "Ann": ("present", ann.pk),
        "Bo": ("excused", forum.facilitator.pk),
        "Cy": ("late", late.pk),
    }


def test_checkin_refused_outside_its_window_and_to_non_members(forum, world):
    with pytest.raises(ValidationError) as error, at(START - timedelta(minutes=61)):
        runner.checkin(meeting=forum.meeting, member=forum.members[0])
    assert error.value.messages == [
        "Check-in is open from an hour before the meeting until it ends."
    ]
    with pytest.raises(PermissionDenied), at(START):
        runner.checkin(meeting=forum.meeting, member=world.member_b)
    assert not Attendance.objects.filter(meeting=forum.meeting).exists()


def test_facilitator_confirms_attendance_after_an_early_start(forum):
    """The existing attendance service accepts a meeting its facilitator started early."""
    runner.running_order_ensure(meeting=forum.meeting)
    with at(START - timedelta(minutes=30)):
        with pytest.raises(ValidationError):
            services.attendance_record(meeting=forum.meeting, actor=forum.facilitator, statuses={})
        runner.meeting_start(meeting=forum.meeting, actor=forum.facilitator)
        version = run_of(forum.meeting).version
        services.attendance_record(
            meeting=forum.meeting,
            actor=forum.facilitator,
            statuses={forum.members[0].pk: "present"},
        )
    assert run_of(forum.meeting).version == version + 1
    assert list(Attendance.objects.values_list("status", flat=True)) == ["present"]


def test_commitments_come_back_in_the_next_meetings_review(cohort, facilitator):
    first = forum_create(cohort, facilitator)
    ann = first.members[0]
    services.commitment_create(
        meeting=first.meeting, actor=facilitator, owner=ann, text="Call the bank"
    )
    second = forum_create(
        cohort, facilitator, names=(), template=None, topics=(), start=START + timedelta(days=28)
    )
    runner.running_order_ensure(meeting=second.meeting)
    with at(START + timedelta(days=28)):
        runner.meeting_start(meeting=second.meeting, actor=facilitator)
        for _ in range(3):
            runner.meeting_advance(
                meeting=second.meeting,
                actor=facilitator,
                expected_version=run_of(second.meeting).version,
            )
        services.commitment_create(meeting=second.meeting, actor=ann, owner=ann, text="Hire a CFO")
        state = runner_state(ann, runner_meeting(ann, second.meeting.pk))
    assert state.current.kind == "commitments_review"
    assert [c.text for c in state.commitments_open] == ["Call the bank"]
    assert [c.text for c in state.commitments_made] == ["Hire a CFO"]
    assert Commitment.objects.count() == 2
