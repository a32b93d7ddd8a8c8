"""The admins' overview of every cohort, riskiest first: the order and its reasons, the
sparklines against SQL, filters, pages, the CSV export, constant queries in one request."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from groups import services as group_services
from groups.models import Cohort, Membership
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, NormBreach
from members.models import Role
from tests import factories

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True, first="Ada", last="Admin")


def forum(name: str, *, seats=2, min_size=2, fmt="in_person", facilitator=None) -> Cohort:
    chair = facilitator or factories.user_create(
        role=Role.FACILITATOR, first=f"Chair{name}", last="Person"
    )
    cohort = factories.cohort_create(name=name, facilitators=[chair])
    Cohort.objects.filter(pk=cohort.pk).update(min_size=min_size, format=fmt)
    for i in range(seats):
        person = factories.pool_member_create(first=f"{name}{i}", last="Member")
        Membership.objects.create(cohort=cohort, member=person)
    cohort.refresh_from_db()
    return cohort


def meetings_with(cohort: Cohort, statuses_per_meeting: list[list[str]]) -> None:
    """One held meeting a month before NOW per list of statuses, oldest first."""
    people = [
        m.member
        for m in Membership.objects.filter(cohort=cohort).select_related("member").order_by("pk")
    ]
    n = len(statuses_per_meeting)
    for i, statuses in enumerate(statuses_per_meeting):
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
        for person, status in zip(people, statuses, strict=False):
            Attendance.objects.create(meeting=meeting, member=person, status=status)


def breach(cohort: Cohort, level: str) -> None:
    NormBreach.objects.create(
        cohort=cohort,
        member=Membership.objects.filter(cohort=cohort).first().member,
        kind="attendance",
        level=level,
        detail="absent from 3 of the last 6 meetings",
        opened_at=NOW,
    )


@pytest.fixture
def five(db):
    """High: Charlie (attendance 50%), Alpha (a review item, no attendance). Medium: Bravo
    (75%, the excused absence left out), Delta (one member of at least three). Low: Echo."""
    alpha = forum("Alpha")
    breach(alpha, "review")
    bravo = forum("Bravo", seats=4)
    # 2 of 3 (the excused absence counts neither way), then 3 of 4: 5 of 7, 71%.
    meetings_with(
        bravo, [["present", "late", "absent", "excused"], ["present", "present", "late", "absent"]]
    )
    charlie = forum("Charlie", fmt="virtual")
    meetings_with(charlie, [["present", "absent"], ["absent", "present"]])
    delta = forum("Delta", seats=1, min_size=3, fmt="virtual")
    echo = forum("Echo")
    meetings_with(echo, [["present", "present"]])
    breach(echo, "warning")
    NormBreach.objects.filter(cohort=echo).update(cleared_at=NOW)
    return {"alpha": alpha, "bravo": bravo, "charlie": charlie, "delta": delta, "echo": echo}


def names_in(html: str) -> list[str]:
    return [
        name
        for _, name in sorted(
            (html.index(f">{n}</a>"), n)
            for n in ("Alpha", "Bravo", "Charlie", "Delta", "Echo")
            if f">{n}</a>" in html
        )
    ]


def sql_attendance(cohort: Cohort) -> list[float]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT round(100.0 * count(*) FILTER (WHERE a.status IN ('present', 'late'))
                         / count(*) FILTER (WHERE a.status <> 'excused'), 1)
            FROM meetings_meeting m JOIN meetings_attendance a ON a.meeting_id = m.id
            WHERE m.cohort_id = %s AND m.starts_at <= %s
            GROUP BY m.id, m.starts_at ORDER BY m.starts_at, m.id
            """,
            [cohort.pk, NOW],
        )
        return [float(v) for (v,) in cursor.fetchall()]


def test_overview_lists_cohorts_riskiest_first_with_why(client, admin, five):
    client.force_login(admin)
    html = client.get(reverse("cohorts_overview")).content.decode()
    assert names_in(html) == ["Charlie", "Alpha", "Bravo", "Delta", "Echo"]
    assert 'hx-trigger="load"' not in html and "style=" not in html
    flat = " ".join(html.split())
    for text in (
        '<span class="badge badge-risk-high">High</span> attendance 50% </td>',
        '<span class="badge badge-risk-high">High</span> 1 review item </td>',
        '<span class="badge badge-risk-medium">Medium</span> attendance 71% </td>',
        '<span class="badge badge-risk-medium">Medium</span> 1 of at least 3 members </td>',
        '<span class="badge badge-risk-low">Low</span> </td>',
    ):
        assert text in flat, text
    assert [flat.count(f'<td data-label="Attendance"> {p} </td>') for p in ("50%", "71%")] == [
        1,
        1,
    ]
    assert "1–5 of 5" in html


def test_overview_sparklines_plot_the_attendance_sql_computes(client, admin, five):
    client.force_login(admin)
    html = client.get(reverse("cohorts_overview")).content.decode()
    for key in ("bravo", "charlie", "echo"):
        cohort = five[key]
        start = html.index(f'aria-labelledby="spark-{cohort.slug}"')
        svg = ET.fromstring(html[html.rindex("<svg", 0, start) : html.index("</svg>", start) + 6])
        figures = sql_attendance(cohort)
        shown = ", ".join(f"{v:g}%" for v in figures)
        assert svg.find(f"{SVG}title").text == (
            f"Attendance at the last {len(figures)} meetings, oldest first: {shown}."
        )
        assert len(svg.find(f"{SVG}polyline").get("points").split()) == len(figures)
    assert "No attendance recorded in the last year." in html  # Alpha and Delta


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"risk": "high"}, ["Charlie", "Alpha"]),
        ({"risk": "medium"}, ["Bravo", "Delta"]),
        ({"risk": "low"}, ["Echo"]),
        ({"format": "virtual"}, ["Charlie", "Delta"]),
        ({"facilitator": "chairbravo"}, ["Bravo"]),
        ({"status": "paused"}, []),
        ({"q": "ech"}, ["Echo"]),
    ],
)
def test_overview_filters(client, admin, five, query, expected):
    client.force_login(admin)
    html = client.get(reverse("cohorts_overview"), query).content.decode()
    assert names_in(html) == expected
    if not expected:
        assert "No cohort matches these filters." in html


def test_overview_htmx_gets_the_results_alone(client, admin, five):
    client.force_login(admin)
    response = client.get(
        reverse("cohorts_overview"), {"risk": "high"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="overview-results">')
    assert "<h1>" not in text and "<html" not in text
    assert names_in(text) == ["Charlie", "Alpha"]
    assert 'href="/health/cohorts.csv?risk=high"' in text


@pytest.mark.parametrize("count", [1, 50])
def test_overview_queries_do_not_grow(client, admin, count, django_assert_num_queries):
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    for i in range(count):
        cohort = forum(f"Circle {i:02}", facilitator=chair, seats=1, min_size=2)
        meetings_with(cohort, [["present"], ["absent"]])
    client.force_login(admin)
    # session, user, MFA check, every cohort's figures, the page's cohorts, their
    # facilitators, sparklines
    with django_assert_num_queries(7):
        html = client.get(reverse("cohorts_overview")).content.decode()
    assert html.count('class="spark"') == min(count, 25)
    assert f"1–{min(count, 25)} of {count}" in html
    # The figures come from the cache until something they are made of changes.
    with django_assert_num_queries(6):
        again = client.get(reverse("cohorts_overview")).content.decode()
    assert again.count('class="spark"') == min(count, 25)


def test_overview_last_page_and_past_the_end(client, admin, django_assert_num_queries):
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    for i in range(30):
        forum(f"Circle {i:02}", facilitator=chair, seats=0)
    client.force_login(admin)
    with django_assert_num_queries(7):
        html = client.get(reverse("cohorts_overview"), {"page": 2}).content.decode()
    assert re.findall(r">(Circle \d\d)</a>", html) == [f"Circle {i}" for i in range(25, 30)]
    assert "26–30 of 30" in html
    # A page past the end shows the last one, as every list does.
    html = client.get(reverse("cohorts_overview"), {"page": 9}).content.decode()
    assert "26–30 of 30" in html


def test_overview_pages_by_twenty_five(client, admin):
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    for i in range(26):
        forum(f"Circle {i:02}", facilitator=chair, seats=0)
    client.force_login(admin)
    first = client.get(reverse("cohorts_overview")).content.decode()
    second = client.get(reverse("cohorts_overview"), {"page": 2}).content.decode()
    assert "1–25 of 26" in first and "26–26 of 26" in second
    assert ">Circle 00</a>" in first and ">Circle 25</a>" in second
    assert ">Circle 25</a>" not in first


def test_overview_csv_streams_the_filtered_cohorts(client, admin, five):
    client.force_login(admin)
    response = client.get(reverse("cohorts_overview_csv"), {"format": "virtual"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert (
        response["Content-Disposition"] == 'attachment; filename="cohorts-by-risk-2030-01-01.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        [
            "cohort",
            "risk",
            "why",
            "attendance, last 180 days (%)",
            "open warnings",
            "open review items",
            "members",
            "minimum size",
            "maximum size",
            "status",
            "format",
            "facilitators",
        ],
        ["Charlie", "High", "attendance 50%", "50.0", "0", "0", "2", "2", "12", "Active",
         "Virtual", five["charlie"].facilitators.get().display_name],
        ["Delta", "Medium", "1 of at least 3 members", "", "0", "0", "1", "3", "12", "Active",
         "Virtual", five["delta"].facilitators.get().display_name],
    ]  # fmt: skip


def test_overview_csv_defuses_formulas(client, admin):
    forum("=HYPERLINK(1)")
    client.force_login(admin)
    response = client.get(reverse("cohorts_overview_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_a_closed_cohort_is_not_at_risk(client, admin):
    closed = forum("Done Circle", seats=0, min_size=6)
    Cohort.objects.filter(pk=closed.pk).update(status="closed")
    forum("Open Circle", seats=0, min_size=6)
    client.force_login(admin)
    flat = " ".join(client.get(reverse("cohorts_overview")).content.decode().split())
    assert flat.index(">Open Circle</a>") < flat.index(">Done Circle</a>")
    assert '<span class="badge badge-risk-medium">Medium</span> 0 of at least 6 members' in flat
    assert flat.count('<span class="badge badge-risk-low">Low</span> </td>') == 1


def test_overview_follows_every_change_its_figures_are_made_of(client, admin):
    """The figures are cached: each write through the services shows on the next load."""
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    cohort = forum("Circle", facilitator=chair, seats=2, min_size=2)
    Membership.objects.filter(cohort=cohort).update(joined_at=NOW - timedelta(days=365))
    meetings_with(cohort, [["present", "present"]])
    client.force_login(admin)

    def circle() -> list[str]:
        response = client.get(reverse("cohorts_overview_csv"))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        # risk, why, attendance, open warnings, open review items, members
        return next(row[1:7] for row in rows if row[0] == "Circle")

    assert circle() == ["Low", "", "100.0", "0", "0", "2"]
    start = NOW - timedelta(days=2)
    held = Meeting.objects.create(
        cohort=cohort,
        title="Forum",
        local_date=start.date(),
        local_time=start.time(),
        time_zone="UTC",
        duration_minutes=120,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    assert circle() == ["Low", "", "100.0", "0", "0", "2"]
    people = {m.member_id: "absent" for m in Membership.objects.filter(cohort=cohort)}
    meeting_services.attendance_record(meeting=held, actor=chair, statuses=people)
    assert circle() == ["High", "attendance 50%", "50.0", "0", "0", "2"]
    meeting_services.meeting_cancel(meeting=held, actor=chair)  # an update(), no signal
    assert circle() == ["Low", "", "100.0", "0", "0", "2"]
    seat = Membership.objects.filter(cohort=cohort).order_by("pk").first()
    group_services.membership_remove(membership=seat, actor=chair, reason="Moved abroad")
    assert circle() == ["Medium", "1 of at least 2 members", "100.0", "0", "0", "1"]
    breach(cohort, NormBreach.Level.WARNING)
    assert circle() == ["Medium", "1 warning; 1 of at least 2 members", "100.0", "1", "0", "1"]
    Cohort.objects.get(pk=cohort.pk).delete()
    response = client.get(reverse("cohorts_overview_csv"))
    assert "Circle" not in b"".join(response.streaming_content).decode()
