"""The meeting page writes its two forms out by hand (the default widget templates cost more
than the rest of the page): they must stay what Django's own rendering gives, errors too."""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from meetings import forms, services
from meetings.models import Commitment
from tests import factories
from tests.meetings.test_views_meeting import login, topic_for


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _between(html: str, start: str, end: str) -> str:
    return _squash(html.split(start, 1)[1].split(end, 1)[0])


def _post_form_html(html: str) -> str:
    return _between(html, "<legend>Bring a topic</legend>", '<button type="submit">Post topic')


def _commitment_form_html(html: str) -> str:
    section = html.split('id="made-heading"', 1)[1]
    return _between(section.split('name="csrfmiddlewaretoken"', 1)[1], ">", "<button")


def _meeting(cohort, facilitator):
    return services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=8),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="America/New_York",
    )


@pytest.fixture
def people(cohort, facilitator):
    alice = factories.pool_member_create(first="Alice", last="Able")
    bob = factories.pool_member_create(first="Bob", last="Baker")
    for person in (bob, alice):
        Membership.objects.create(cohort=cohort, member=person)
    return _meeting(cohort, facilitator), alice, bob


def test_post_topic_form_is_django_rendering_without_widget_templates(client, people):
    meeting, alice, _ = people
    topic_for(alice, "Pricing")
    topic_for(alice, "Hiring")
    response = login(client, alice).get(reverse("meeting_detail", args=[meeting.pk]))
    assert _post_form_html(response.content.decode()) == _squash(
        forms.PostTopicForm(owner=alice).render()
    )
    assert [t.name for t in response.templates if t.name.startswith("django/forms/")] == []


def test_post_topic_form_keeps_the_choice_and_links_each_error(client, people):
    meeting, alice, _ = people
    topic_for(alice, "Pricing")
    hiring = topic_for(alice, "Hiring")
    data = {"topic": str(hiring.pk), "minutes": "-5", "priority": "high"}
    response = login(client, alice).post(reverse("meeting_post_topic", args=[meeting.pk]), data)
    expected = forms.PostTopicForm(data, owner=alice)
    assert not expected.is_valid()
    html = _post_form_html(response.content.decode())
    assert html == _squash(expected.render())
    assert (
        '<ul class="errorlist" id="id_minutes_error"><li>Ensure this value is greater than or'
        ' equal to 1.</li></ul><input type="number" name="minutes" value="-5" min="1" max="480"'
        ' required aria-invalid="true" aria-describedby="id_minutes_error" id="id_minutes">'
    ) in html
    assert f'<option value="{hiring.pk}" selected>Hiring</option>' in html


def test_commitment_form_lists_the_roster_and_links_each_error(client, people, facilitator):
    meeting, alice, bob = people
    page = login(client, facilitator).get(reverse("meeting_detail", args=[meeting.pk]))
    roster = [alice, bob]
    assert _commitment_form_html(page.content.decode()) == _squash(
        forms.CommitmentForm(members=roster).render()
    )
    assert [t.name for t in page.templates if t.name.startswith("django/forms/")] == []
    data = {"owner": "", "text": "Call the bank", "due_date": "soon"}
    response = client.post(reverse("commitment_add", args=[meeting.pk]), data)
    expected = forms.CommitmentForm(data, members=roster)
    assert not expected.is_valid()
    html = _commitment_form_html(response.content.decode())
    assert html == _squash(expected.render())
    assert (
        f'<option value="" selected>Choose a member</option><option value="{alice.pk}">Alice Able'
        f'</option><option value="{bob.pk}">Bob Baker</option>'
    ) in html
    assert 'value="Call the bank"' in html
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(("people_count", "commitments"), [(1, 1), (12, 20)])
def test_meeting_page_for_facilitator_takes_constant_queries(
    client, cohort, facilitator, django_assert_num_queries, people_count, commitments
):
    meeting = _meeting(cohort, facilitator)
    members = [factories.pool_member_create() for _ in range(people_count)]
    for person in members:
        Membership.objects.create(cohort=cohort, member=person)
        services.rsvp_set(meeting=meeting, member=person, answer="yes")
    for i in range(commitments):
        services.commitment_create(
            meeting=meeting, actor=facilitator, owner=members[i % people_count], text=f"Do {i}"
        )
    login(client, facilitator)
    earlier = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Earlier",
        local_date=date.today() + timedelta(days=1),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="America/New_York",
    )
    for i in range(commitments):
        services.commitment_create(
            meeting=earlier, actor=facilitator, owner=members[-1], text=f"Open {i}"
        )
    done = services.commitment_create(
        meeting=earlier, actor=facilitator, owner=members[0], text="Done"
    )
    Commitment.objects.filter(pk=done.pk).update(done_at=timezone.now())
    login(client, facilitator)
    # session, user, MFA, meeting, facilitators, RSVPs, agenda with votes, attendance, roster,
    # commitments (open from earlier meetings and made here, together), updates written, when
    # updates open
    with django_assert_num_queries(12) as queries:
        response = client.get(reverse("meeting_detail", args=[meeting.pk]))
    # The cohort condition applies to both parts, so the meetings index finds the rows; an OR
    # of the two parts as they stand scanned every commitment of the organisation.
    (commitment_query,) = [
        q["sql"] for q in queries.captured_queries if 'FROM "meetings_commitment"' in q["sql"]
    ]
    assert f'WHERE ("meetings_meeting"."cohort_id" = {cohort.pk} AND (' in commitment_query
    assert len(response.context["members"]) == people_count
    assert [c.text for c in response.context["made_here"]] == [
        f"Do {i}" for i in range(commitments)
    ]
    assert [c.text for c in response.context["commitments"]] == [
        f"Open {i}" for i in range(commitments)
    ]


def test_topic_backlog_form_is_django_rendering_without_widget_templates(client, people):
    _, alice, _ = people
    response = login(client, alice).get(reverse("topic_list"))
    html = response.content.decode()
    assert _between(html, "<h2>Add a topic</h2>", '<button type="submit">Add topic') == _squash(
        forms.TopicForm().render()
    )
    assert [t.name for t in response.templates if t.name.startswith("django/forms/")] == []
    data = {"title": "", "kind": "issue", "importance": "0", "urgency": "5"}
    bad = client.post(reverse("topic_list"), data)
    expected = forms.TopicForm(data)
    assert not expected.is_valid()
    assert _between(
        bad.content.decode(), "<h2>Add a topic</h2>", '<button type="submit">Add topic'
    ) == _squash(expected.render())
