import threading
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from meetings import services
from meetings.models import AgendaItem, Attendance, Rsvp
from members.models import Role
from tests import factories
from tests.meetings.conftest import cohort_in, monthly_first_tuesday


@pytest.fixture
def setup(cohort, facilitator):
    """A coming one-off meeting of a New York cohort, with two members."""
    alice = factories.pool_member_create(first="Alice", last="Able", time_zone="Europe/Paris")
    bob = factories.pool_member_create(first="Bob", last="Baker", time_zone="America/New_York")
    for person in (alice, bob):
        Membership.objects.create(cohort=cohort, member=person)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=8),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="America/New_York",
    )
    return cohort, meeting, alice, bob


def login(client, user):
    client.force_login(user)
    client.get("/")
    return client


def topic_for(member, title="Pricing", minutes=30):
    return services.topic_save(
        owner=member, title=title, kind="issue", importance=6, urgency=5, estimated_minutes=minutes
    )


class _FormValues(HTMLParser):
    """What a browser would send for a form as rendered: inputs, checked radios, selects."""

    def __init__(self):
        super().__init__()
        self.values, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in {"radio", "checkbox"}:
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("name") and "checked" in a:
            self.values[a["name"]] = a["value"]
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a["value"]


def form_values(html: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(html)
    return parser.values


def test_rsvp_one_click_htmx_and_plain(client, setup):
    _, meeting, alice, _ = setup
    login(client, alice)
    url = reverse("meeting_rsvp", args=[meeting.pk])
    fragment = client.post(
        url, {"answer": "yes", "note": "Arriving at 8:15"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.strip().startswith('<section class="card" id="rsvp"')
    assert "Alice Able: Yes" in fragment
    plain = client.post(url, {"answer": "maybe"})
    assert plain["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert list(Rsvp.objects.values_list("member__first_name", "answer", "note")) == [
        ("Alice", "maybe", "")
    ]


def test_rsvp_closes_at_start(client, setup):
    _, meeting, alice, _ = setup
    with (
        pytest.raises(ValidationError) as error,
        time_machine.travel(meeting.starts_at + timedelta(minutes=1)),
    ):
        services.rsvp_set(meeting=meeting, member=alice, answer="no")
    assert error.value.messages == ["This meeting has started; answers can no longer change."]


def test_parallel_rsvps_leave_one_answer(transactional_db, live_server, facilitator):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL; CI runs this test there.")

    cohort = cohort_in("Europe/London", facilitator)
    member = factories.pool_member_create()
    Membership.objects.create(cohort=cohort, member=member)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=3),
        local_time=time(9, 0),
        duration_minutes=60,
        time_zone="Europe/London",
    )
    answers = ["yes", "no", "maybe", "yes", "no", "maybe", "yes", "no"]
    barrier = threading.Barrier(len(answers))
    errors = []

    def click(answer):
        try:
            barrier.wait()
            services.rsvp_set(meeting=meeting, member=member, answer=answer)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(a,)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert Rsvp.objects.filter(meeting=meeting, member=member).count() == 1


@pytest.mark.parametrize(("attendees", "topics"), [(1, 1), (16, 30)])
def test_meeting_page_query_count_is_constant(
    client, cohort, facilitator, django_assert_num_queries, attendees, topics
):
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=8),
        local_time=time(8, 0),
        duration_minutes=240,
        time_zone="America/New_York",
    )
    members = [factories.pool_member_create() for _ in range(attendees)]
    for person in members:
        Membership.objects.create(cohort=cohort, member=person)
        services.rsvp_set(meeting=meeting, member=person, answer="yes")
    for i in range(topics):
        owner = members[i % attendees]
        services.topic_post(
            topic=topic_for(owner, f"Topic {i}", 5), meeting=meeting, actor=owner, minutes=5
        )
    voter = members[0]
    login(client, voter)
    # session, user, meeting, facilitators, RSVPs, agenda with votes, attendance, roster,
    # open commitments, the member's topics for the post form, updates written, when updates open
    with django_assert_num_queries(12):
        response = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert len(response.context["agenda"]) == topics
    assert len(response.context["coming"]) == attendees


def test_post_vote_order_publish(client, setup, facilitator):
    _, meeting, alice, bob = setup
    first = topic_for(alice, "Pricing", 30)
    second = topic_for(bob, "Hiring", 40)
    login(client, alice)
    client.post(
        reverse("meeting_post_topic", args=[meeting.pk]),
        {"topic": first.pk, "minutes": 30, "priority": "high"},
    )
    login(client, bob)
    client.post(
        reverse("meeting_post_topic", args=[meeting.pk]),
        {"topic": second.pk, "minutes": 40, "priority": "normal"},
    )
    item = AgendaItem.objects.get(topic=first)
    html = client.post(
        reverse("agenda_vote", args=[meeting.pk, item.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert html.strip().startswith('<section class="card" id="agenda"')
    assert "1 vote" in html and "The agenda needs 70 minutes but the meeting lasts 60" in html
    client.post(reverse("agenda_vote", args=[meeting.pk, item.pk]))  # toggled off
    assert item.votes.count() == 0
    login(client, facilitator)
    client.post(
        reverse("agenda_move", args=[meeting.pk, AgendaItem.objects.get(topic=second).pk]),
        {"direction": "up"},
    )
    assert list(meeting.agenda.order_by("position").values_list("topic__title", flat=True)) == [
        "Hiring",
        "Pricing",
    ]
    client.post(
        reverse("agenda_item_update", args=[meeting.pk, item.pk]),
        {"minutes": "20", "state": "parked"},
    )
    client.post(reverse("agenda_publish", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.agenda_published_at is not None
    assert list(meeting.agenda.order_by("position").values_list("state", "minutes")) == [
        ("scheduled", 40),
        ("parked", 20),
    ]
    first.refresh_from_db()
    assert first.times_raised == 2


def test_outcome_notes_only_for_presenter_and_facilitators(client, setup, facilitator):
    _, meeting, alice, bob = setup
    item = services.topic_post(topic=topic_for(alice), meeting=meeting, actor=alice, minutes=20)
    services.outcome_notes_set(item=item, actor=alice, notes="PRIVATE-OUTCOME")
    assert (
        "PRIVATE-OUTCOME"
        in login(client, alice).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    )
    assert (
        "PRIVATE-OUTCOME"
        in login(client, facilitator)
        .get(reverse("meeting_detail", args=[meeting.pk]))
        .content.decode()
    )
    assert (
        "PRIVATE-OUTCOME"
        not in login(client, bob).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    )


def test_commitments_come_back_at_next_meeting_and_on_dashboard(client, setup, facilitator):
    cohort, meeting, alice, _ = setup
    later = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Next forum",
        local_date=meeting.local_date + timedelta(days=28),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="America/New_York",
    )
    login(client, facilitator)
    client.post(
        reverse("commitment_add", args=[meeting.pk]),
        {"owner": alice.pk, "text": "Call two investors", "due_date": ""},
    )
    page = login(client, alice).get(reverse("meeting_detail", args=[later.pk]))
    assert [c.text for c in page.context["commitments"]] == ["Call two investors"]
    mine = client.get(reverse("my_commitments"), headers={"HX-Request": "true"}).content.decode()
    assert "Call two investors" in mine
    commitment = page.context["commitments"][0]
    client.post(reverse("commitment_done", args=[commitment.pk]), {"next": "https://evil.test/"})
    page = client.get(reverse("meeting_detail", args=[later.pk]))
    assert list(page.context["commitments"]) == []


def test_attendance_is_recorded_for_cohort_members_only(client, setup, facilitator):
    _, meeting, alice, bob = setup
    with time_machine.travel(meeting.starts_at + timedelta(hours=1), tick=False):
        login(client, facilitator)
        response = client.post(
            reverse("meeting_attendance", args=[meeting.pk]),
            {f"member_{alice.pk}": "late", f"member_{bob.pk}": "excused"},
        )
        bad = client.post(
            reverse("meeting_attendance", args=[meeting.pk]),
            {f"member_{alice.pk}": "asleep", f"member_{bob.pk}": "late"},
        )
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert sorted(Attendance.objects.values_list("member__first_name", "status")) == [
        ("Alice", "late"),
        ("Bob", "excused"),
    ]
    assert bad.context["form"].errors[f"member_{alice.pk}"] == [
        "Select a valid choice. asleep is not one of the available choices."
    ]


def test_series_form_rejects_bad_rule_zone_and_minutes(client, cohort, facilitator):
    login(client, facilitator)
    response = client.post(
        reverse("series_create", args=[cohort.slug]),
        {
            "title": "Forum",
            "first_date": "2026-12-01",
            "start_time": "08:00",
            "duration_minutes": "0",
            "time_zone": "Mars/Olympus",
            "repeats": "custom",
            "rrule": "FREQ=SOMETIMES",
        },
    )
    errors = response.context["form"].errors
    assert errors["duration_minutes"] == ["Ensure this value is greater than or equal to 15."]
    assert errors["time_zone"] == ["Choose a time zone from the list, e.g. America/New_York."]
    response = client.post(
        reverse("series_create", args=[cohort.slug]),
        {
            "title": "Forum",
            "first_date": "2026-12-01",
            "start_time": "08:00",
            "duration_minutes": "120",
            "time_zone": "Europe/London",
            "repeats": "custom",
            "rrule": "FREQ=SOMETIMES",
        },
    )
    assert (
        response.context["form"]
        .errors["rrule"][0]
        .startswith("This is not a valid recurrence rule:")
    )


def test_topic_forms_reject_non_positive_minutes(client, setup):
    _, meeting, alice, _ = setup
    login(client, alice)
    response = client.post(
        reverse("topic_list"),
        {
            "title": "X",
            "kind": "issue",
            "importance": "11",
            "urgency": "0",
            "times_raised": "1",
            "estimated_minutes": "0",
        },
    )
    assert response.context["form"].errors == {
        "importance": ["Ensure this value is less than or equal to 10."],
        "urgency": ["Ensure this value is greater than or equal to 1."],
        "estimated_minutes": ["Ensure this value is greater than or equal to 1."],
    }
    topic = topic_for(alice)
    response = client.post(
        reverse("meeting_post_topic", args=[meeting.pk]),
        {"topic": topic.pk, "minutes": "-5", "priority": "high"},
    )
    assert response.context["post_form"].errors == {
        "minutes": ["Ensure this value is greater than or equal to 1."]
    }


def test_backlog_sorted_by_score_and_private(client, setup):
    _, _, alice, bob = setup
    services.topic_save(
        owner=alice, title="Low", kind="issue", importance=2, urgency=2, estimated_minutes=5
    )
    services.topic_save(
        owner=alice,
        title="High",
        kind="issue",
        importance=9,
        urgency=8,
        times_raised=2,
        estimated_minutes=5,
    )
    services.topic_save(
        owner=bob, title="Bob's secret", kind="issue", importance=9, urgency=9, estimated_minutes=5
    )
    page = login(client, alice).get(reverse("topic_list"))
    assert [(t.title, t.score_value) for t in page.context["topics"]] == [("High", 144), ("Low", 4)]
    bobs = bob.topics.get()
    assert client.get(reverse("topic_edit", args=[bobs.pk])).status_code == 404


def test_suggested_presenter_ranks_by_score_then_time_since(client, setup, facilitator):
    cohort, _meeting, alice, bob = setup
    services.topic_save(
        owner=alice, title="A", kind="issue", importance=5, urgency=5, estimated_minutes=5
    )
    services.topic_save(
        owner=bob, title="B", kind="issue", importance=9, urgency=9, estimated_minutes=5
    )
    page = login(client, facilitator).get(reverse("presenters", args=[cohort.slug]))
    assert [(r["member"].first_name, r["score"]) for r in page.context["rows"]] == [
        ("Bob", 81),
        ("Alice", 25),
    ]


def test_other_cohorts_meeting_and_topics_are_404(client, setup, facilitator):
    _, meeting, alice, _ = setup
    outsider = factories.user_create(role=Role.MEMBER)

    Membership.objects.create(
        cohort=cohort_in("Europe/London", facilitator, "Other"), member=outsider
    )
    item = services.topic_post(topic=topic_for(alice), meeting=meeting, actor=alice, minutes=10)
    login(client, outsider)
    for path in [
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("meeting_ics", args=[meeting.pk]),
        reverse("topic_edit", args=[item.topic.pk]),
    ]:
        assert client.get(path).status_code == 404
    assert client.post(reverse("agenda_vote", args=[meeting.pk, item.pk])).status_code == 404


def test_meeting_page_shows_viewer_and_cohort_times(client, setup):
    _, meeting, alice, _ = setup
    page = login(client, alice).get(reverse("meeting_detail", args=[meeting.pk]))
    assert page.context["viewer_start"].tzinfo.key == "Europe/Paris"
    assert page.context["show_cohort_time"] is True
    assert page.context["cohort_start"].hour == 8
    assert timezone.localtime(meeting.starts_at, page.context["viewer_start"].tzinfo).hour == (
        page.context["viewer_start"].hour
    )


def test_cohort_health_line_shows_next_meeting_and_attendance(client, setup, facilitator):
    cohort, meeting, alice, bob = setup
    past = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Last forum",
        local_date=date.today() - timedelta(days=20),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="America/New_York",
    )
    Membership.objects.filter(cohort=cohort).update(joined_at=past.starts_at - timedelta(days=1))
    services.attendance_record(
        meeting=past, actor=facilitator, statuses={alice.pk: "present", bob.pk: "absent"}
    )
    quiet = cohort_in("Europe/Paris", facilitator, name="Quiet")
    hidden = cohort_in("Europe/Paris", factories.user_create(role=Role.FACILITATOR), name="Hidden")
    html = login(client, facilitator).get(
        reverse("cohorts_health"), {"cohort": [cohort.slug, quiet.slug, hidden.slug]}
    )
    text = " ".join(html.content.decode().split())
    when = timezone.localtime(meeting.starts_at).strftime("%a %-d %b, %H:%M")
    assert text == (
        f'<span id="health-{cohort.slug}" hx-swap-oob="innerHTML"> <span class="cohort-health">'
        f' Next meeting <a href="/meetings/{meeting.pk}/">{when} UTC</a> · attendance 50%'
        ' <strong class="warn">below 80%</strong> </span> </span>'
        f' <span id="health-{quiet.slug}" hx-swap-oob="innerHTML"> <span class="cohort-health">'
        " No meeting scheduled · no attendance recorded yet </span> </span>"
    )
    assert (
        login(client, facilitator).get(reverse("cohorts_health"), {"cohort": hidden.slug})
    ).status_code == 404


def test_cohort_health_line_leaves_excused_absences_out(client, setup, facilitator):
    cohort, _meeting, alice, bob = setup
    past = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Last forum",
        local_date=date.today() - timedelta(days=20),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="America/New_York",
    )
    Membership.objects.filter(cohort=cohort).update(joined_at=past.starts_at - timedelta(days=1))
    services.attendance_record(
        meeting=past, actor=facilitator, statuses={alice.pk: "present", bob.pk: "excused"}
    )
    html = login(client, facilitator).get(reverse("cohorts_health"), {"cohort": cohort.slug})
    text = " ".join(html.content.decode().split())
    assert "· attendance 100% </span>" in text


@pytest.mark.parametrize("n", [1, 50])
def test_cohort_health_of_a_page_takes_constant_queries(
    client, facilitator, django_assert_num_queries, n
):
    cohorts = [cohort_in("Europe/Paris", facilitator, name=f"Forum {i:02d}") for i in range(n)]
    for cohort in cohorts:
        meeting = services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="Forum",
            local_date=date.today() + timedelta(days=3),
            local_time=time(8, 0),
            duration_minutes=60,
            time_zone="Europe/Paris",
        )
    login(client, facilitator)
    # session, user, MFA, cohorts, next meetings, attendance
    with django_assert_num_queries(6):
        html = client.get(reverse("cohorts_health"), {"cohort": [c.slug for c in cohorts]})
    assert html.content.decode().count("Next meeting") == n
    assert f'href="/meetings/{meeting.pk}/"' in html.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_facilitator_dashboard_loads_health_in_one_request(client, facilitator, n):
    cohorts = [cohort_in("Europe/Paris", facilitator, name=f"Forum {i:02d}") for i in range(n)]
    html = login(client, facilitator).get(reverse("home")).content.decode()
    loads = [r for r in HtmxRequests.of(html) if "load" in r.get("hx-trigger", "")]
    assert loads == [
        {
            "tag": "div",
            "hx-get": reverse("cohorts_health")
            + "?"
            + "&".join(f"cohort={c.slug}" for c in cohorts),
            "hx-trigger": "load",
            "hx-swap": "none",
        }
    ]
    for cohort in cohorts:
        assert f'<td id="health-{cohort.slug}">' in html


class HtmxRequests(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hx-get" in attrs:
            self.found.append({"tag": tag, **attrs})

    @classmethod
    def of(cls, html: str) -> list[dict]:
        parser = cls()
        parser.feed(html)
        return parser.found


@pytest.mark.parametrize("scope", ["this", "following"])
def test_edit_form_shows_iso_date_and_saves_a_new_start_time_only(
    client, cohort, facilitator, scope
):
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC)):
        series = monthly_first_tuesday(cohort, facilitator, "America/New_York", date(2027, 1, 5))
        meeting, later = series.meetings.order_by("local_date")[:2]
        login(client, facilitator)
        url = reverse("meeting_edit", args=[meeting.pk])
        page = client.get(url).content.decode()
        assert '<input type="date" name="local_date" value="2027-01-05"' in page
        assert '<input type="time" name="local_time" value="08:00"' in page
        values = form_values(page.split('<form method="post" class="card"')[1].split("</form>")[0])
        values.pop("csrfmiddlewaretoken", None)
        response = client.post(url, {**values, "local_time": "09:30", "scope": scope})
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    meeting.refresh_from_db()
    later.refresh_from_db()
    moved = [(meeting.local_date, meeting.local_time, meeting.duration_minutes)]
    moved.append((later.local_date, later.local_time, later.duration_minutes))
    assert moved == [
        (date(2027, 1, 5), time(9, 30), 240),
        (date(2027, 2, 2), time(9, 30) if scope == "following" else time(8, 0), 240),
    ]
    assert meeting.starts_at == datetime(2027, 1, 5, 14, 30, tzinfo=UTC)


def test_time_labelled_with_the_cohort_zone_is_in_that_zone(client, cohort, facilitator):
    dubliner = factories.pool_member_create(first="Dee", last="Doyle", time_zone="Europe/Dublin")
    Membership.objects.create(cohort=cohort, member=dubliner)
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC)):
        meeting = services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title="Forum",
            local_date=date(2027, 1, 12),
            local_time=time(3, 30),
            duration_minutes=120,
            time_zone="America/New_York",
        )
        page = login(client, dubliner).get(reverse("meeting_detail", args=[meeting.pk]))
    html = page.content.decode()
    when = " ".join(html.split('<p class="when">')[1].split("</p>")[0].split())
    assert when == (
        '<time datetime="2027-01-12T08:30:00+00:00">Tuesday 12 January 2027, 08:30–10:30'
        ' (GMT, your time)</time> <br> <span class="helptext">Tuesday 12 January, 03:30–05:30'
        " in America/New_York</span>"
    )


def series_post(client, cohort, **fields):
    data = {
        "title": "Sunday forum",
        "first_date": "2027-01-03",
        "start_time": "08:00",
        "duration_minutes": "120",
        "time_zone": "America/New_York",
        "repeats": "custom",
        "rrule": "",
        "until": "",
        "count": "",
    }
    return client.post(reverse("series_create", args=[cohort.slug]), {**data, **fields})


@pytest.mark.parametrize(
    ("rule", "last", "meetings"),
    [
        ("FREQ=WEEKLY;BYDAY=SU;UNTIL=20270331T235959", date(2027, 3, 28), 13),
        ("FREQ=WEEKLY;BYDAY=SU;COUNT=3", date(2027, 1, 17), 3),
    ],
)
def test_custom_rule_keeps_its_own_end(client, cohort, facilitator, rule, last, meetings):
    login(client, facilitator)
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC)):
        response = series_post(client, cohort, rrule=rule)
    assert response["Location"] == reverse("cohort_meetings", args=[cohort.slug])
    series = cohort.series.get()
    assert series.rrule == rule
    dates = list(series.meetings.order_by("local_date").values_list("local_date", flat=True))
    assert (len(dates), dates[0], dates[-1]) == (meetings, date(2027, 1, 3), last)


def test_custom_rule_with_its_own_end_and_another_is_refused(client, cohort, facilitator):
    login(client, facilitator)
    rule = "FREQ=WEEKLY;BYDAY=SU;UNTIL=20270331T235959"
    with time_machine.travel(datetime(2026, 12, 1, 12, tzinfo=UTC)):
        response = series_post(client, cohort, rrule=rule, count="5")
        both = series_post(client, cohort, rrule="FREQ=WEEKLY", until="2027-06-30", count="5")
    form = response.context["form"]
    assert form.errors == {
        "rrule": [
            "The rule already ends (UNTIL=20270331T235959). Remove UNTIL=20270331T235959 from "
            "the rule, or leave the end date and the number of meetings empty."
        ]
    }
    assert (form["rrule"].value(), form["count"].value()) == (rule, "5")
    assert both.context["form"].errors == {
        "count": ["Give either an end date or a number of meetings, not both: clear one of them."]
    }
    assert not cohort.series.exists()


def outcome_region(html: str, item) -> str:
    region = html.split(f'action="/meetings/{item.meeting_id}/agenda/{item.pk}/outcome/"')[1]
    return region.split("</form>")[0]


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize(
    ("typed", "shown", "error"),
    [
        (
            "x" * 4001,
            "x" * 4001,
            "Outcome notes can be at most 4000 characters and these have 4001: shorten them, "
            "then save again.",
        ),
        (
            "Agreed\x00 to call the bank",
            "Agreed\ufffd to call the bank",
            "The notes contain an invisible null character, shown as \ufffd (it often comes with "
            "pasted text): delete it, then save again.",
        ),
    ],
)
def test_refused_outcome_notes_explain_the_fix_and_keep_the_text(
    client, setup, htmx, typed, shown, error
):
    _, meeting, alice, _ = setup
    item = services.topic_post(topic=topic_for(alice), meeting=meeting, actor=alice, minutes=20)
    services.outcome_notes_set(item=item, actor=alice, notes="Earlier notes")
    login(client, alice)
    response = client.post(
        reverse("agenda_outcome", args=[meeting.pk, item.pk]),
        {"notes": typed},
        headers={"HX-Request": "true"} if htmx else {},
    )
    html = response.content.decode()
    assert html.strip().startswith('<section class="card" id="agenda"') is htmx
    region = outcome_region(html, item)
    assert f'<ul class="errorlist" id="outcome-{item.pk}-error" role="alert">' in region
    assert f"<li>{error}</li>" in region
    assert f'aria-invalid="true" aria-describedby="outcome-{item.pk}-error' in region
    assert f'-help">\n{shown}</textarea>' in region
    item.refresh_from_db()
    assert item.outcome_notes == "Earlier notes"


def test_outcome_notes_count_a_line_break_as_one_character(client, setup):
    _, meeting, alice, _ = setup
    item = services.topic_post(topic=topic_for(alice), meeting=meeting, actor=alice, minutes=20)
    login(client, alice)
    typed = "\r\n".join(["a"] * 2000)  # 5,998 characters sent, 3,999 in the box
    client.post(reverse("agenda_outcome", args=[meeting.pk, item.pk]), {"notes": typed})
    item.refresh_from_db()
    assert item.outcome_notes == "\n".join(["a"] * 2000)


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        ("x" * 4001, "Outcome notes can be at most 4000 characters."),
        ("a\x00b", "Outcome notes cannot contain null characters."),
    ],
)
def test_outcome_notes_service_refuses_what_cannot_be_stored(setup, notes, message):
    _, meeting, alice, _ = setup
    item = services.topic_post(topic=topic_for(alice), meeting=meeting, actor=alice, minutes=20)
    with pytest.raises(ValidationError) as refused:
        services.outcome_notes_set(item=item, actor=alice, notes=notes)
    assert refused.value.message_dict == {"notes": [message]}


def test_agenda_drag_drop_puts_an_item_at_a_place(client, setup, facilitator):
    _, meeting, alice, bob = setup
    titles = ["Pricing", "Hiring", "Funding"]
    for owner, title in zip([alice, bob, alice], titles, strict=True):
        topic = topic_for(owner, title, 10)
        services.topic_post(topic=topic, meeting=meeting, actor=owner, minutes=10)
    login(client, facilitator)
    last = AgendaItem.objects.get(topic__title="Funding")
    html = client.post(
        reverse("agenda_move", args=[meeting.pk, last.pk]),
        {"direction": "to", "position": "1"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert html.strip().startswith('<section class="card" id="agenda"')
    assert list(meeting.agenda.order_by("position").values_list("topic__title", flat=True)) == [
        "Funding",
        "Pricing",
        "Hiring",
    ]
    bad = client.post(
        reverse("agenda_move", args=[meeting.pk, last.pk]), {"direction": "to", "position": "x"}
    )
    assert bad.status_code == 404
