"""The forum pages: a member's update (full page and htmx fragment), the updates summary, the
evaluation, the facilitator's individual answers, the prep view and its notes, a topic's
presentation; each with constant queries for one and many members."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from meetings import forum_services, services
from meetings.models import Evaluation, FacilitatorNote, MemberUpdate
from tests.meetings.forum.conftest import AFTER, OPEN, START, join

HX = {"HTTP_HX_REQUEST": "true"}


def login(client, user):
    client.force_login(user)
    client.get("/")
    return client


def text(response) -> str:
    return response.content.decode()


def test_member_writes_an_update_on_the_full_page(client, forum):
    url = reverse("member_update", args=[forum["meeting"].pk])
    with time_machine.travel(OPEN, tick=False):
        login(client, forum["alice"])
        page = client.get(url)
        response = client.post(
            url,
            {
                "work": "4",
                "family": "9",
                "personal": "8",
                "headlines": "Lost the Acme account\r\nHired a COO",
                "needs_time": "on",
                "time_topic": "Acme",
            },
        )
    assert '<h2 id="update-form-heading">' in text(page) and "<html" in text(page)
    assert response["Location"] == reverse("meeting_detail", args=[forum["meeting"].pk])
    assert list(MemberUpdate.objects.values_list("work", "headlines", "needs_time")) == [
        (4, ["Lost the Acme account", "Hired a COO"], True)
    ]


def test_member_update_by_htmx_returns_the_fragment_with_field_errors(client, forum):
    url = reverse("member_update", args=[forum["meeting"].pk])
    with time_machine.travel(OPEN, tick=False):
        login(client, forum["alice"])
        bad = client.post(
            url, {"work": "12", "family": "5", "personal": "5", "headlines": "a\nb\nc\nd"}, **HX
        )
        good = client.post(url, {"work": "6", "family": "5", "personal": "5"}, **HX)
    assert "<html" not in text(bad)
    assert text(bad).strip().startswith('<section class="card" id="update-form"')
    assert "Rate from 1 (very low) to 10 (excellent)." in text(bad)
    assert "Give at most 3 headlines (you gave 4): keep the ones that matter most." in text(bad)
    assert "Your update is saved; your cohort will read it." in text(good)
    assert list(MemberUpdate.objects.values_list("work", flat=True)) == [6]


@pytest.mark.parametrize("n", [1, 12])
def test_updates_summary_takes_constant_queries(client, forum, django_assert_num_queries, n):
    members = [forum["alice"], forum["bob"]] + [
        join(forum["cohort"], f"M{i:02d}", "Many") for i in range(n)
    ]
    with time_machine.travel(OPEN, tick=False):
        for i, member in enumerate(members):
            forum_services.member_update_save(
                meeting=forum["meeting"],
                member=member,
                work=3 if i % 2 else 8,
                family=7,
                personal=7,
                headlines=[f"Headline {i}"],
                needs_time=i == 0,
                time_topic="Pricing" if i == 0 else "",
            )
        login(client, forum["facilitator"])
        url = reverse("updates_summary", args=[forum["meeting"].pk])
        # session, user, MFA, meeting, facilitators (may manage), roster, updates
        with django_assert_num_queries(7):
            page = client.get(url)
        fragment = client.get(url, **HX)
    summary = page.context["summary"]
    assert summary.submitted == n + 2
    assert [u.member.first_name for u in summary.asking] == ["Alice"]
    assert len(summary.low) == (n + 2) // 2
    assert "<html" in text(page)
    assert text(fragment).strip().startswith('<section class="card" id="updates-summary"')
    assert "Not written yet:" in text(fragment)


def test_member_reads_the_summary_without_the_missing_list(client, forum):
    with time_machine.travel(OPEN, tick=False):
        forum_services.member_update_save(
            meeting=forum["meeting"],
            member=forum["alice"],
            work=2,
            family=9,
            personal=9,
            headlines=["Tough quarter"],
        )
        login(client, forum["bob"])
        page = client.get(reverse("updates_summary", args=[forum["meeting"].pk]))
    assert "Tough quarter" in text(page)
    assert "<strong>Alice Able</strong>: work 2, family 9, personal 9" in text(page)
    assert "Not written yet:" not in text(page)


def ended_with_segments(forum):
    from meetings.models import MeetingSegment  # noqa: PLC0415

    return [
        MeetingSegment.objects.create(
            meeting=forum["meeting"], position=i, kind=kind, title=title, planned_minutes=30
        )
        for i, (kind, title) in enumerate(
            [("opening", "Opening"), ("updates", "Member updates"), ("presentation", "Deep dive")],
            start=1,
        )
    ]


def test_attendee_evaluates_once_and_the_cohort_sees_only_the_average(client, forum):
    segments = ended_with_segments(forum)
    url = reverse("evaluation_submit", args=[forum["meeting"].pk])
    with time_machine.travel(AFTER, tick=False):
        login(client, forum["alice"])
        form = client.get(url)
        done = client.post(
            url, {"rating": "9", "most_valuable": segments[2].pk, "comment": "Loved it"}, **HX
        )
        again = client.post(url, {"rating": "1"})
        login(client, forum["bob"])
        bad = client.post(url, {"rating": "0"}, **HX)
        client.post(url, {"rating": "6"})
        meeting_page = client.get(reverse("meeting_detail", args=[forum["meeting"].pk]))
        list_page = client.get(reverse("evaluation_list", args=[forum["meeting"].pk]))
    assert f'<option value="{segments[2].pk}">3. Deep dive</option>' in text(form)
    assert "Thank you: you rated this meeting 9 of 10." in text(done)
    assert "<html" not in text(done)
    assert again.status_code == 200 and "Thank you: you rated this meeting 9 of 10." in text(again)
    assert "Rate from 1 (very low) to 10 (excellent)." in text(bad)
    assert sorted(Evaluation.objects.values_list("member__first_name", "rating")) == [
        ("Alice", 9),
        ("Bob", 6),
    ]
    assert "average <strong>7.5</strong> of 10 from 2 members" in text(meeting_page)
    assert "Loved it" not in text(meeting_page)
    assert list_page.status_code == 403


@pytest.mark.parametrize("n", [1, 10])
def test_facilitator_reads_each_evaluation_in_constant_queries(
    client, forum, django_assert_num_queries, n
):
    segments = ended_with_segments(forum)
    members = [join(forum["cohort"], f"E{i:02d}", "Eval") for i in range(n)]
    with time_machine.travel(AFTER, tick=False):
        for member in members:
            forum_services.evaluation_submit(
                meeting=forum["meeting"],
                member=member,
                rating=8,
                comment=f"Comment {member.first_name}",
                most_valuable=segments[1],
            )
        login(client, forum["facilitator"])
        # session, user, MFA, meeting, facilitators (may read), evaluations, averages
        with django_assert_num_queries(7):
            page = client.get(reverse("evaluation_list", args=[forum["meeting"].pk]))
    assert [e.comment for e in page.context["evaluations"]] == [
        f"Comment E{i:02d}" for i in range(n)
    ]
    assert f"Average <strong>8.0</strong> from {n} evaluation" in text(page)
    assert text(page).count("2. Member updates") == n


@pytest.mark.parametrize("n", [1, 10])
def test_prep_view_takes_constant_queries(client, forum, django_assert_num_queries, n):
    cohort, meeting = forum["cohort"], forum["meeting"]
    members = [join(cohort, f"P{i:02d}", "Prep") for i in range(n)]
    with time_machine.travel(OPEN, tick=False):
        for member in members:
            services.rsvp_set(meeting=meeting, member=member, answer="yes")
            forum_services.member_update_save(
                meeting=meeting, member=member, work=4, family=8, personal=8, headlines=["H"]
            )
            topic = services.topic_save(
                owner=member,
                title=f"Topic {member.first_name}",
                kind="issue",
                importance=5,
                urgency=5,
                estimated_minutes=20,
            )
            forum_services.presentation_save(
                topic=topic,
                owner=member,
                statement=f"Issue of {member.first_name}",
                background="",
                tried="",
                wants="ideas",
                decision_by=None,
            )
            services.topic_post(topic=topic, meeting=meeting, actor=member, minutes=20)
        forum_services.facilitator_note_save(
            meeting=meeting, actor=forum["facilitator"], text="Ask Bob about his father."
        )
        login(client, forum["facilitator"])
        # session, user, MFA, meeting, facilitators, roster, RSVPs, previous meeting, roster
        # and updates (summary), agenda, commitments, the note
        with django_assert_num_queries(13):
            page = client.get(reverse("meeting_prep", args=[meeting.pk]))
    body = text(page)
    assert f"{n} coming, 0 maybe, 0 not coming, 2 without an answer." in body
    assert f"{n} of {n + 2} written." in body
    assert body.count("<dt>The issue</dt>") == n
    assert "Issue of P00" in body
    assert "Ask Bob about his father." in body
    assert "This is the cohort's first meeting." in body


def test_facilitator_note_saves_by_htmx_and_full_page(client, forum):
    url = reverse("facilitator_note", args=[forum["meeting"].pk])
    login(client, forum["facilitator"])
    fragment = client.post(url, {"text": "First"}, **HX)
    full = client.post(url, {"text": "Second"})
    too_long = client.post(url, {"text": "x" * 8001}, **HX)
    assert text(fragment).strip().startswith('<section class="card" id="facilitator-note"')
    assert "Notes saved." in text(fragment)
    assert full["Location"] == reverse("meeting_prep", args=[forum["meeting"].pk])
    assert "Ensure this value has at most 8000 characters (it has 8001)." in text(too_long)
    assert list(FacilitatorNote.objects.values_list("text", flat=True)) == ["Second"]


def test_presentation_shown_to_cohort_mates_on_the_meeting_page(client, forum):
    topic = services.topic_save(
        owner=forum["alice"],
        title="Succession",
        kind="issue",
        importance=8,
        urgency=8,
        estimated_minutes=30,
        details="Private: my brother wants the job.",
    )
    with time_machine.travel(OPEN, tick=False):
        login(client, forum["alice"])
        edit_url = reverse("presentation_edit", args=[topic.pk])
        past = client.post(edit_url, {"statement": "Who next?", "decision_by": "2027-01-01"})
        saved = client.post(
            edit_url,
            {
                "statement": "Who runs the firm after me?",
                "background": "Founded 1998.",
                "tried": "Talked to my CFO.",
                "wants": "experience",
                "decision_by": "2027-03-01",
                "next": "/topics/",
            },
        )
        services.topic_post(topic=topic, meeting=forum["meeting"], actor=forum["alice"], minutes=30)
        login(client, forum["bob"])
        page = client.get(reverse("meeting_detail", args=[forum["meeting"].pk]))
    assert "The decision deadline has passed: choose today or a later date." in text(past)
    assert saved["Location"] == "/topics/"
    body = text(page)
    for shown in [
        "<dd>Who runs the firm after me?</dd>",
        "<dd>Founded 1998.</dd>",
        "<dd>Talked to my CFO.</dd>",
        "<dd>Your experience</dd>",
        "<dd>1 March 2027</dd>",
    ]:
        assert shown in body
    assert "my brother wants the job" not in body


def test_meeting_page_links_updates_and_prep(client, forum):
    with time_machine.travel(OPEN, tick=False):
        login(client, forum["alice"])
        member_page = text(client.get(reverse("meeting_detail", args=[forum["meeting"].pk])))
        login(client, forum["facilitator"])
        chair_page = text(client.get(reverse("meeting_detail", args=[forum["meeting"].pk])))
    pk = forum["meeting"].pk
    assert f'href="/meetings/{pk}/update/"' in member_page
    assert "Write your update" in member_page
    assert f'href="/meetings/{pk}/prep/"' not in member_page
    assert f'href="/meetings/{pk}/prep/"' in chair_page
    assert "0 of 2 members wrote an update." in chair_page


def test_facilitator_dashboard_lists_meetings_to_prepare(client, forum):
    with time_machine.travel(START - timedelta(days=2), tick=False):
        login(client, forum["facilitator"])
        soon = text(client.get("/"))
    with time_machine.travel(START - timedelta(days=6), tick=False):
        login(client, forum["facilitator"])
        early = text(client.get("/"))
    assert f'href="/meetings/{forum["meeting"].pk}/prep/"' in soon
    assert f'href="/meetings/{forum["meeting"].pk}/prep/"' not in early
