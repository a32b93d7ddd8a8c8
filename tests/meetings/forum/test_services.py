"""Member updates, presentations, evaluations and facilitator notes: what the services accept,
and what they refuse with a field error, changing nothing."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from meetings import forum_selectors, forum_services, services
from meetings.models import Attendance, Evaluation, FacilitatorNote, MemberUpdate
from tests.meetings.forum.conftest import AFTER, DURING, EARLY, OPEN, START, forum_meeting


def update(meeting, member, **overrides):
    values = {
        "work": 7,
        "family": 8,
        "personal": 6,
        "headlines": ["Closed the Series B", "New COO starts"],
        "needs_time": False,
        "time_topic": "",
        **overrides,
    }
    return forum_services.member_update_save(meeting=meeting, member=member, **values)


def test_update_saves_once_per_member_and_changes_in_place(forum):
    with time_machine.travel(OPEN, tick=False):
        first = update(forum["meeting"], forum["alice"])
        again = update(
            forum["meeting"], forum["alice"], work=3, needs_time=True, time_topic="Succession"
        )
    assert again.pk == first.pk
    assert list(
        MemberUpdate.objects.values_list(
            "member__first_name", "work", "family", "personal", "headlines", "time_topic"
        )
    ) == [("Alice", 3, 8, 6, ["Closed the Series B", "New COO starts"], "Succession")]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"work": 0}, {"work": ["Rate from 1 (very low) to 10 (excellent)."]}),
        (
            {"family": 11, "personal": -1},
            {
                "family": ["Rate from 1 (very low) to 10 (excellent)."],
                "personal": ["Rate from 1 (very low) to 10 (excellent)."],
            },
        ),
        (
            {"headlines": ["One", "Two", "Three", "Four"]},
            {
                "headlines": [
                    "Give at most 3 headlines (you gave 4): keep the ones that matter most."
                ]
            },
        ),
        ({"headlines": ["x" * 141]}, {"headlines": ["Keep each headline to 140 characters."]}),
    ],
)
def test_update_with_bad_input_is_refused_and_nothing_changes(forum, overrides, errors):
    with time_machine.travel(OPEN, tick=False):
        update(forum["meeting"], forum["alice"])
        with pytest.raises(ValidationError) as refused:
            update(forum["meeting"], forum["alice"], **overrides)
    assert refused.value.message_dict == errors
    assert list(MemberUpdate.objects.values_list("work", "family", "personal")) == [(7, 8, 6)]


def test_update_outside_its_window_is_refused(forum):
    with time_machine.travel(EARLY, tick=False), pytest.raises(ValidationError) as early:
        update(forum["meeting"], forum["alice"])
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as late:
        update(forum["meeting"], forum["alice"])
    assert early.value.messages == ["Updates for this meeting open on Tuesday 5 January."]
    assert late.value.messages == ["This meeting has started: updates can no longer change."]
    assert MemberUpdate.objects.count() == 0


def test_update_for_a_meeting_of_another_cohort_is_refused(forum, other):
    with time_machine.travel(OPEN, tick=False), pytest.raises(PermissionDenied):
        update(forum["meeting"], other["member"])
    assert MemberUpdate.objects.count() == 0


def test_update_closes_when_the_facilitator_starts_the_meeting_early(forum):
    from meetings.models import MeetingRun  # noqa: PLC0415

    with time_machine.travel(OPEN, tick=False):
        MeetingRun.objects.create(meeting=forum["meeting"], started_at=OPEN)
        forum["meeting"].refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            update(forum["meeting"], forum["alice"])
    assert refused.value.messages == ["This meeting has started: updates can no longer change."]


def test_updates_summary_shows_who_is_low_who_asks_for_time_and_who_is_missing(forum):
    with time_machine.travel(OPEN, tick=False):
        update(forum["meeting"], forum["alice"], family=4, needs_time=True, time_topic="My son")
    summary = forum_selectors.updates_summary(forum["meeting"])
    assert [u.member.first_name for u in summary.updates] == ["Alice"]
    assert [u.member.first_name for u in summary.low] == ["Alice"]
    assert [(u.member.first_name, u.time_topic) for u in summary.asking] == [("Alice", "My son")]
    assert [m.first_name for m in summary.missing] == ["Bob"]
    assert (summary.submitted, summary.expected) == (1, 2)


def topic_of(member, title="Succession"):
    return services.topic_save(
        owner=member, title=title, kind="issue", importance=8, urgency=7, estimated_minutes=30
    )


def test_presentation_saves_its_fields_for_the_owner(forum):
    topic = topic_of(forum["alice"])
    with time_machine.travel(OPEN, tick=False):
        forum_services.presentation_save(
            topic=topic,
            owner=forum["alice"],
            statement="Who runs the firm after me?",
            background="Founded 1998.",
            tried="Talked to my CFO.",
            wants="accountability",
            decision_by=date(2027, 3, 1),
        )
    topic.refresh_from_db()
    assert (topic.statement, topic.get_wants_display(), topic.decision_by) == (
        "Who runs the firm after me?",
        "Accountability",
        date(2027, 3, 1),
    )


def test_presentation_refuses_a_past_deadline_and_another_owner(forum):
    topic = topic_of(forum["alice"])
    fields = {
        "statement": "Who?",
        "background": "",
        "tried": "",
        "wants": "ideas",
        "decision_by": date(2027, 1, 1),
    }
    with time_machine.travel(OPEN, tick=False):
        with pytest.raises(ValidationError) as refused:
            forum_services.presentation_save(topic=topic, owner=forum["alice"], **fields)
        with pytest.raises(PermissionDenied):
            forum_services.presentation_save(
                topic=topic, owner=forum["bob"], **{**fields, "decision_by": None}
            )
    assert refused.value.message_dict == {
        "decision_by": ["The decision deadline has passed: choose today or a later date."]
    }
    topic.refresh_from_db()
    assert (topic.statement, topic.wants, topic.decision_by) == ("", "", None)


def test_evaluation_once_per_attendee_after_the_end(forum):
    meeting = forum["meeting"]
    with time_machine.travel(DURING, tick=False), pytest.raises(ValidationError) as early:
        forum_services.evaluation_submit(meeting=meeting, member=forum["alice"], rating=8)
    with time_machine.travel(AFTER, tick=False):
        forum_services.evaluation_submit(
            meeting=meeting, member=forum["alice"], rating=8, comment="Good"
        )
        with pytest.raises(ValidationError) as twice:
            forum_services.evaluation_submit(meeting=meeting, member=forum["alice"], rating=2)
        with pytest.raises(ValidationError) as out_of_range:
            forum_services.evaluation_submit(meeting=meeting, member=forum["bob"], rating=11)
        forum_services.evaluation_submit(meeting=meeting, member=forum["bob"], rating=5)
    assert early.value.messages == ["You can evaluate the meeting once it has ended."]
    assert twice.value.messages == ["You have already evaluated this meeting."]
    assert out_of_range.value.message_dict == {
        "rating": ["Rate from 1 (very low) to 10 (excellent)."]
    }
    assert sorted(Evaluation.objects.values_list("member__first_name", "rating")) == [
        ("Alice", 8),
        ("Bob", 5),
    ]
    assert forum_selectors.evaluation_averages(meeting) == {"average": 6.5, "count": 2}


def test_evaluation_refuses_the_absent_and_other_cohorts(forum, other):
    meeting = forum["meeting"]
    with time_machine.travel(DURING, tick=False):
        services.attendance_record(
            meeting=meeting, actor=forum["facilitator"], statuses={forum["bob"].pk: "absent"}
        )
    with time_machine.travel(AFTER, tick=False):
        for person in (forum["bob"], other["member"], forum["facilitator"]):
            with pytest.raises(PermissionDenied):
                forum_services.evaluation_submit(meeting=meeting, member=person, rating=7)
    assert Evaluation.objects.count() == 0
    assert Attendance.objects.count() == 1


def test_evaluation_names_a_segment_of_this_meeting_only(forum, cohort, facilitator):
    from meetings.models import MeetingSegment  # noqa: PLC0415

    meeting = forum["meeting"]
    other_meeting = forum_meeting(cohort, facilitator, day=date(2027, 2, 2))
    mine = MeetingSegment.objects.create(
        meeting=meeting, position=1, kind="updates", title="Updates", planned_minutes=40
    )
    theirs = MeetingSegment.objects.create(
        meeting=other_meeting, position=1, kind="updates", title="Updates", planned_minutes=40
    )
    with time_machine.travel(AFTER, tick=False):
        with pytest.raises(ValidationError) as refused:
            forum_services.evaluation_submit(
                meeting=meeting, member=forum["alice"], rating=9, most_valuable=theirs
            )
        forum_services.evaluation_submit(
            meeting=meeting, member=forum["alice"], rating=9, most_valuable=mine
        )
    assert refused.value.message_dict == {
        "most_valuable": ["Choose a segment of this meeting's running order."]
    }
    assert list(Evaluation.objects.values_list("most_valuable__title", flat=True)) == ["Updates"]


def test_facilitator_note_is_for_the_cohorts_facilitators_only(forum, other):
    meeting = forum["meeting"]
    forum_services.facilitator_note_save(
        meeting=meeting, actor=forum["facilitator"], text="Alice seems tired."
    )
    for outsider in (forum["alice"], other["facilitator"]):
        with pytest.raises(PermissionDenied):
            forum_services.facilitator_note_save(meeting=meeting, actor=outsider, text="x")
    with pytest.raises(ValidationError) as too_long:
        forum_services.facilitator_note_save(
            meeting=meeting, actor=forum["facilitator"], text="x" * 8001
        )
    assert too_long.value.message_dict == {"text": ["Keep the notes to 8000 characters."]}
    assert list(FacilitatorNote.objects.values_list("text", "updated_by__first_name")) == [
        ("Alice seems tired.", "Fay")
    ]


def test_meetings_to_prepare_are_those_within_three_days(forum, facilitator, cohort):
    later = forum_meeting(cohort, facilitator, day=date(2027, 1, 26))
    with time_machine.travel(START - timedelta(days=2), tick=False):
        soon = forum_selectors.meetings_to_prepare(facilitator)
    with time_machine.travel(START - timedelta(days=5), tick=False):
        not_yet = forum_selectors.meetings_to_prepare(facilitator)
    assert [m.pk for m in soon] == [forum["meeting"].pk]
    assert not_yet == []
    assert later.pk not in [m.pk for m in soon]
