"""The cohort health page (charts and standing), excusing an absence, the review queue and a
member's own standing: both page kinds, exact figures against SQL, constant queries."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from groups.models import Membership
from meetings import norm_services
from meetings.models import (
    AgendaItem,
    Attendance,
    Evaluation,
    Meeting,
    NormBreach,
    NormEvent,
    Rsvp,
    Topic,
)
from tests import factories
from tests.meetings.conftest import cohort_in
from tests.meetings.norms.conftest import SETUP

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def at_now():
    """Every test here happens on NOW (sessions signed in then stay valid)."""
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(client, user):
    client.force_login(user)
    return client


def held(cohort, n: int, people) -> list[Meeting]:
    """n meetings a month apart before NOW with mixed attendance, RSVPs and ratings."""
    meetings = []
    for i in range(n):
        start = NOW - timedelta(days=30 * (n - i))
        meeting = Meeting.objects.create(
            cohort=cohort,
            title=f"Forum {i}",
            local_date=start.date(),
            local_time=start.time(),
            time_zone="UTC",
            duration_minutes=120,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        meetings.append(meeting)
        for j, person in enumerate(people):
            status = ["present", "absent", "late", "excused"][(i + j) % 4]
            Attendance.objects.create(meeting=meeting, member=person, status=status)
            if (i + j) % 3:
                Rsvp.objects.create(
                    meeting=meeting,
                    member=person,
                    answer="yes",
                    answered_at=start - timedelta(hours=12 * (1 + (i + 2 * j) % 9)),
                )
            if (i + j) % 5 == 0:
                topic = Topic.objects.create(
                    owner=person,
                    title=f"Topic {i}-{j}",
                    importance=5,
                    urgency=5,
                    estimated_minutes=20,
                )
                AgendaItem.objects.create(
                    meeting=meeting, topic=topic, presenter=person, minutes=20
                )
            if status in ("present", "late"):
                Evaluation.objects.create(meeting=meeting, member=person, rating=1 + (i + j) % 10)
    return meetings


@pytest.fixture
def forum(db, facilitator):
    with time_machine.travel(SETUP, tick=False):
        cohort = cohort_in("UTC", facilitator)
        people = []
        for first in ("Alice", "Bob", "Cleo"):
            person = factories.pool_member_create(first=first, last="Member")
            Membership.objects.create(cohort=cohort, member=person)
            people.append(person)
    return cohort, people


def sql_attendance(cohort) -> list[float]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT round(100.0 * count(*) FILTER (WHERE a.status IN ('present', 'late'))
                         / count(*) FILTER (WHERE a.status <> 'excused'), 1)
            FROM meetings_meeting m JOIN meetings_attendance a ON a.meeting_id = m.id
            WHERE m.cohort_id = %s AND m.status = 'scheduled' AND m.starts_at <= %s
            GROUP BY m.id, m.starts_at ORDER BY m.starts_at, m.id
            """,
            [cohort.pk, NOW],
        )
        return [float(v) for (v,) in cursor.fetchall()]


def sql_evaluation(cohort) -> list[float]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT round(avg(e.rating), 1)
            FROM meetings_meeting m JOIN meetings_evaluation e ON e.meeting_id = m.id
            WHERE m.cohort_id = %s AND m.starts_at <= %s
            GROUP BY m.id, m.starts_at ORDER BY m.starts_at, m.id
            """,
            [cohort.pk, NOW],
        )
        return [float(v) for (v,) in cursor.fetchall()]


def sql_rsvp(cohort) -> list[float]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT round(100.0 * (SELECT count(*) FROM meetings_rsvp r WHERE r.meeting_id = m.id)
                         / 3, 1)
            FROM meetings_meeting m
            WHERE m.cohort_id = %s AND m.starts_at <= %s ORDER BY m.starts_at, m.id
            """,
            [cohort.pk, NOW],
        )
        return [float(v) for (v,) in cursor.fetchall()]


def sql_lead_days(cohort) -> list[float]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT round(avg(extract(epoch FROM m.starts_at - r.answered_at) / 86400)::numeric, 1)
            FROM meetings_meeting m JOIN meetings_rsvp r ON r.meeting_id = m.id
            WHERE m.cohort_id = %s AND m.starts_at <= %s
            GROUP BY m.id, m.starts_at ORDER BY m.starts_at, m.id
            """,
            [cohort.pk, NOW],
        )
        return [float(v) for (v,) in cursor.fetchall()]


def sql_silent(cohort) -> list[float]:
    """Per meeting from the second: members seated at it and at the one before who presented
    at neither (everyone here joined before the first meeting and stayed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH held AS (
                SELECT id, starts_at, lag(id) OVER (ORDER BY starts_at, id) AS before
                FROM meetings_meeting WHERE cohort_id = %s AND starts_at <= %s
            )
            SELECT (SELECT count(*) FROM groups_membership s
                    WHERE s.cohort_id = %s AND NOT EXISTS (
                        SELECT 1 FROM meetings_agendaitem a
                        WHERE a.presenter_id = s.member_id
                          AND a.meeting_id IN (held.id, held.before)))
            FROM held WHERE held.before IS NOT NULL ORDER BY held.starts_at, held.id
            """,
            [cohort.pk, NOW, cohort.pk],
        )
        return [float(v) for (v,) in cursor.fetchall()]


def plotted(html: str, chart_title: str, series: str) -> list[float]:
    """The values of one series of one chart, read from the SVG parsed as XML."""
    for svg in svgs(html):
        if svg.find(f"{SVG}title").text == chart_title:
            group = next(g for g in svg.iter(f"{SVG}g") if g.get("data-series") == series)
            return [float(c.get("data-value")) for c in group.iter(f"{SVG}circle")]
    raise AssertionError(f"no chart {chart_title}")


def svgs(html: str) -> list[ET.Element]:
    """The charts (not the icons), each parsed as XML on its own."""
    found = []
    rest = html
    while 'class="chart-svg"' in rest:
        start = rest.rindex("<svg", 0, rest.index('class="chart-svg"'))
        end = rest.index("</svg>", start) + len("</svg>")
        found.append(ET.fromstring(rest[start:end]))
        rest = rest[end:]
    return found


@pytest.mark.parametrize("count", [0, 1, 36])
def test_cohort_charts_plot_the_figures_sql_computes(client, forum, facilitator, count):
    cohort, people = forum
    held(cohort, count, people)
    signed_in(client, facilitator)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("cohort_health_page", args=[cohort.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    if count == 0:
        assert svgs(html) == []
        assert html.count("No meetings held yet: the chart starts after the first one.") == 7
        return
    assert len(svgs(html)) == 7
    assert plotted(html, "Attendance", "Per meeting") == sql_attendance(cohort)
    assert plotted(html, "Evaluation average", "Average rating") == sql_evaluation(cohort)
    assert plotted(html, "RSVPs and updates", "RSVP response") == sql_rsvp(cohort)
    assert len(plotted(html, "Attendance", "Rolling six")) == count
    assert plotted(html, "RSVP lead time", "Days ahead") == sql_lead_days(cohort)
    assert plotted(html, "Silent members", "Silent members") == sql_silent(cohort)
    assert len(sql_silent(cohort)) == count - 1
    for svg in svgs(html):
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}desc").text
    assert "style=" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_cohort_health_page_queries_do_not_grow(
    client, forum, facilitator, count, django_assert_num_queries
):
    cohort, people = forum
    held(cohort, count, people)
    signed_in(client, facilitator)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(27):
        client.get(reverse("cohort_health_page", args=[cohort.slug]))


def test_facilitator_sees_the_at_risk_member_and_excuses_an_absence(
    client, forum, facilitator, django_capture_on_commit_callbacks
):
    cohort, people = forum
    alice = people[0]
    meetings = held(cohort, 6, people[1:])
    for meeting in meetings[:3]:
        Attendance.objects.create(meeting=meeting, member=alice, status="absent")
    with time_machine.travel(NOW, tick=False):
        norm_services.norms_evaluate(cohort_ids=[cohort.pk])
        signed_in(client, facilitator)
        page = client.get(reverse("cohort_health_page", args=[cohort.slug])).content.decode()
        assert page.count("At risk: attendance") == 2
        url = reverse("absence_excuse", args=[meetings[0].pk, alice.pk])
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert fragment.strip().startswith('<form id="excuse-form"')
        assert "<html" not in fragment
        invalid = client.post(url, {"reason": " "}, headers={"HX-Request": "true"})
        assert invalid.status_code == 200
        assert "Say why the absence is excused; it is recorded." in invalid.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(url, {"reason": "Flight cancelled"}, headers={"HX-Request": "true"})
        assert done.headers["HX-Redirect"] == reverse("cohort_health_page", args=[cohort.slug])
    assert Attendance.objects.get(meeting=meetings[0], member=alice).status == "excused"
    attendance = NormBreach.objects.filter(kind="attendance")
    assert list(attendance.values_list("level", flat=True).order_by("level")) == [
        "review",
        "warning",
    ]
    assert attendance.filter(cleared_at__isnull=True).count() == 0
    assert list(
        NormEvent.objects.filter(action="excused").values_list("actor_id", "reason", "meeting_id")
    ) == [(facilitator.pk, "Flight cancelled", meetings[0].pk)]


def test_excuse_full_page_post_redirects(client, forum, facilitator):
    cohort, people = forum
    meeting = held(cohort, 1, people[:1])[0]
    Attendance.objects.filter(meeting=meeting).update(status="absent")
    signed_in(client, facilitator)
    url = reverse("absence_excuse", args=[meeting.pk, people[0].pk])
    page = client.get(url).content.decode()
    assert "<html" in page and 'id="excuse-form"' in page
    response = client.post(url, {"reason": "Ill"})
    assert (response.status_code, response.url) == (
        302,
        reverse("cohort_health_page", args=[cohort.slug]),
    )


def test_admin_removes_a_member_from_the_review_queue(client, forum, facilitator):
    cohort, people = forum
    admin = factories.user_create(role="admin", totp=True)
    item = NormBreach.objects.create(
        cohort=cohort,
        member=people[0],
        kind="attendance",
        level="review",
        detail="absent from 3 of the last 6 meetings",
        opened_at=NOW,
    )
    signed_in(client, admin)
    queue = client.get(reverse("norm_review_queue")).content.decode()
    assert f"Decide on {people[0].display_name}" in queue
    url = reverse("norm_review_decide", args=[item.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<form id="decision-form"')
    response = client.post(url, {"decision": "remove", "reason": "Agreed with the chair"})
    assert (response.status_code, response.url) == (302, reverse("norm_review_queue"))
    assert Membership.objects.get(cohort=cohort, member=people[0]).status == "left"
    # Leaving the cohort closes the review item too: nothing stays open for a former member.
    assert list(NormEvent.objects.order_by("pk").values_list("action", "actor_id", "reason")) == [
        ("cleared", None, "Attendance: the member left the cohort"),
        ("removed", admin.pk, "Agreed with the chair"),
    ]
    assert NormBreach.objects.get(pk=item.pk).cleared_at == NOW
    assert "Nothing to decide." in client.get(reverse("norm_review_queue")).content.decode()


@pytest.mark.parametrize("count", [1, 24])
def test_my_standing_shows_only_my_numbers(client, forum, count, django_assert_num_queries):
    cohort, people = forum
    held(cohort, count, people)
    alice = people[0]
    signed_in(client, alice)
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(19):
        response = client.get(reverse("my_standing"))
    html = response.content.decode()
    attended = [
        100.0 if s in ("present", "late") else 0.0
        for s in Attendance.objects.filter(member=alice)
        .order_by("meeting__starts_at")
        .values_list("status", flat=True)
        if s != "excused"
    ]
    assert plotted(html, "Your attendance and RSVPs", "Attended") == attended
    assert "Bob" not in html and "Cleo" not in html


@pytest.mark.parametrize("count", [1, 25])
def test_review_queue_lists_every_open_item_in_constant_queries(
    client, facilitator, count, django_assert_num_queries
):
    admin = factories.user_create(role="admin", totp=True)
    names = []
    for i in range(count):
        cohort = factories.cohort_create(name=f"Circle {i:02}", facilitators=[facilitator])
        person = factories.pool_member_create(first=f"Member{i:02}", last="Review")
        names.append(person.display_name)
        NormBreach.objects.create(
            cohort=cohort,
            member=person,
            kind="attendance",
            level="review",
            detail="absent from 3 of the last 6 meetings",
            opened_at=NOW - timedelta(days=count - i),
        )
    client.force_login(admin)
    with django_assert_num_queries(5):
        html = client.get(reverse("norm_review_queue")).content.decode()
    assert [name for name in names if f"Decide on {name}" in html] == names
    assert html.count("Decide on ") == count
    assert f"1–{count} of {count}" in html
    # htmx asks for the list alone.
    fragment = client.get(reverse("norm_review_queue"), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="review-items">') and "<h1>" not in text
    assert text.count("Decide on ") == count


def test_review_queue_pages_by_fifty(client, facilitator):
    admin = factories.user_create(role="admin", totp=True)
    cohort = factories.cohort_create(name="Circle", facilitators=[facilitator])
    for i in range(51):
        person = factories.pool_member_create(first=f"Member{i:02}", last="Review")
        NormBreach.objects.create(
            cohort=cohort,
            member=person,
            kind="attendance",
            level="review",
            detail="absent from 3 of the last 6 meetings",
            opened_at=NOW - timedelta(days=60 - i),
        )
    client.force_login(admin)
    first = client.get(reverse("norm_review_queue")).content.decode()
    second = client.get(reverse("norm_review_queue") + "?page=2").content.decode()
    assert (first.count("Decide on "), second.count("Decide on ")) == (50, 1)
    assert "1–50 of 51" in first and "51–51 of 51" in second
    assert "Next page" in first and "Previous page" in second
