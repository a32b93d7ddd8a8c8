"""The evaluation prompt goes once to each attendee of a meeting that was held, after it
ended; the agenda prompt asks for the update. Updates, presentations, evaluations and
facilitator notes never appear in emails, calendar feeds or another cohort's pages."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse

from core.models import Notification
from core.notifications import dispatch as dispatching
from meetings import forum_services, services
from meetings.models import MeetingRun
from tests.meetings.forum.conftest import AFTER, DURING, OPEN, START, forum_meeting

SECRETS = [
    "Headline about the divorce",
    "Sell to Globex quietly",
    "Background of the Globex talks",
    "Comment about Bob",
    "Note about Alice's health",
]


def dispatch(moment) -> dict:
    with time_machine.travel(moment, tick=False):
        return dispatching.notifications_dispatch()


def ledger(kind) -> list[tuple[str, str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient", "state", "skip_reason")
    )


def confide_everything(forum):
    """Write every kind of confidential forum content into the cohort's meeting."""
    meeting, alice = forum["meeting"], forum["alice"]
    with time_machine.travel(OPEN, tick=False):
        forum_services.member_update_save(
            meeting=meeting,
            member=alice,
            work=3,
            family=2,
            personal=5,
            headlines=[SECRETS[0]],
        )
        topic = services.topic_save(
            owner=alice, title="Exit", kind="issue", importance=9, urgency=9, estimated_minutes=30
        )
        forum_services.presentation_save(
            topic=topic,
            owner=alice,
            statement=SECRETS[1],
            background=SECRETS[2],
            tried="",
            wants="ideas",
            decision_by=None,
        )
        services.topic_post(topic=topic, meeting=meeting, actor=alice, minutes=30)
        forum_services.facilitator_note_save(
            meeting=meeting, actor=forum["facilitator"], text=SECRETS[4]
        )
    with time_machine.travel(DURING, tick=False):
        services.attendance_record(
            meeting=meeting,
            actor=forum["facilitator"],
            statuses={alice.pk: "present", forum["bob"].pk: "present"},
        )
    with time_machine.travel(AFTER, tick=False):
        forum_services.evaluation_submit(
            meeting=meeting, member=alice, rating=8, comment=SECRETS[3]
        )


def test_evaluation_prompt_goes_once_to_attendees_who_have_not_answered(forum):
    meeting = forum["meeting"]
    with time_machine.travel(DURING, tick=False):
        services.attendance_record(
            meeting=meeting,
            actor=forum["facilitator"],
            statuses={forum["alice"].pk: "present", forum["bob"].pk: "excused"},
        )
    dispatch(START + timedelta(hours=3, minutes=59))
    before_end = ledger("evaluation_prompt")
    dispatch(AFTER)
    dispatch(AFTER + timedelta(minutes=1))
    assert before_end == []
    assert ledger("evaluation_prompt") == [(forum["alice"].email, "sent", "")]
    prompt = [m for m in mail.outbox if "How was January forum?" in m.subject]
    assert len(prompt) == 1
    assert f"/meetings/{meeting.pk}/evaluation/" in prompt[0].body


def test_evaluation_prompt_follows_the_runner_ending_early(forum):
    meeting = forum["meeting"]
    ended = START + timedelta(hours=2)
    MeetingRun.objects.create(meeting=meeting, started_at=START, ended_at=ended)
    dispatch(ended + timedelta(minutes=1))
    assert ledger("evaluation_prompt") == [
        (forum["alice"].email, "sent", ""),
        (forum["bob"].email, "sent", ""),
    ]


def test_a_meeting_nobody_ran_or_recorded_gets_no_evaluation_prompt(forum):
    dispatch(AFTER)
    assert ledger("evaluation_prompt") == []


def test_agenda_prompt_asks_for_the_update_with_a_link_only(forum):
    dispatch(START - timedelta(days=7))
    prompt = [m for m in mail.outbox if "What will you bring" in m.subject]
    assert [m.to for m in prompt] == [[forum["alice"].email], [forum["bob"].email]]
    assert "Updates are open: rate work, family and personal life" in prompt[0].body
    assert f"/meetings/{forum['meeting'].pk}/" in prompt[0].body


def test_forum_content_never_leaves_its_cohort(client, forum, other):
    confide_everything(forum)
    # Every email of the meeting's life (prompts, reminder, evaluation prompt) is sent.
    for moment in [START - timedelta(days=7), START - timedelta(hours=24), AFTER]:
        dispatch(moment)
    mail_text = "\n".join(
        m.subject + m.body + "".join(str(a) for a, *_ in m.alternatives) for m in mail.outbox
    )
    assert len(mail.outbox) >= 4
    # The calendar feeds of a member and of the facilitator.
    feeds = []
    for person in (forum["bob"], forum["facilitator"]):
        token = services.feed_regenerate(user=person)
        feeds.append(client.get(reverse("calendar_feed", args=[token])).content.decode())
    # Another cohort's people, on their own meeting's pages and on this one's.
    theirs = forum_meeting(other["cohort"], other["facilitator"])
    pages = []
    with time_machine.travel(OPEN, tick=False):
        for person in (other["member"], other["facilitator"]):
            client.force_login(person)
            client.get("/")
            pages.append(client.get(reverse("meeting_detail", args=[theirs.pk])).content.decode())
            pages.append(client.get(reverse("meeting_prep", args=[theirs.pk])).content.decode())
            pages.append(client.get(reverse("updates_summary", args=[theirs.pk])).content.decode())
            for name in ["meeting_detail", "updates_summary", "meeting_prep", "evaluation_list"]:
                response = client.get(reverse(name, args=[forum["meeting"].pk]))
                assert response.status_code == 404
            pages.append(client.get("/").content.decode())
    # A cohort-mate sees updates and presentations, never the note or an individual comment.
    with time_machine.travel(AFTER, tick=False):
        client.force_login(forum["bob"])
        client.get("/")
        mate = client.get(reverse("meeting_detail", args=[forum["meeting"].pk])).content.decode()
        summary = client.get(reverse("updates_summary", args=[forum["meeting"].pk]))
    for secret in SECRETS:
        assert secret not in mail_text
        for feed in feeds:
            assert secret not in feed
        for page in pages:
            assert secret not in page
    assert SECRETS[1] in mate and SECRETS[2] in mate
    assert SECRETS[3] not in mate and SECRETS[4] not in mate
    assert SECRETS[0] in summary.content.decode()
