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
from meetings import norm_services
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, NormBreach
from meetings.views import overview as overview_views
from members import services as member_services
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
            f"Attendance at the only meeting of the last year: {shown}."
            if len(figures) == 1
            else f"Attendance at the last {len(figures)} meetings, oldest first: {shown}."
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
    # The results were rendered once: session, user, MFA check, for the page and for htmx.
    with django_assert_num_queries(3):
        again = client.get(reverse("cohorts_overview")).content.decode()
    assert again.count('class="spark"') == min(count, 25)
    with django_assert_num_queries(3):
        fragment = client.get(reverse("cohorts_overview"), headers={"HX-Request": "true"})
    assert fragment.content.decode().strip() in again
    # Another filter is rendered afresh from the cached figures: the page's cohorts, their
    # facilitators, sparklines.
    with django_assert_num_queries(6):
        html = client.get(reverse("cohorts_overview"), {"format": "in_person"}).content.decode()
    assert html.count('class="spark"') == min(count, 25)


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


# The results region is cached (meetings.views.overview._overview_results) -----------------


def row_of(html: str, name: str) -> str | None:
    """The table row of the cohort ``name``, as one line of text."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        if text.startswith(f"{name} "):
            return text
    return None


def test_overview_follows_every_change_its_page_shows(
    client, admin, django_capture_on_commit_callbacks
):
    """Each write, through the services the app uses, shows on the next load of the page."""
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    gil = factories.user_create(role=Role.FACILITATOR, first="Gil", last="Grey")
    cohort = forum("Circle", facilitator=chair, seats=2, min_size=2)
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode=Cohort.IndustryMode.UNRESTRICTED)
    Membership.objects.filter(cohort=cohort).update(joined_at=NOW - timedelta(days=365))
    meetings_with(cohort, [["present", "present"]])
    first, second = [s.member for s in Membership.objects.filter(cohort=cohort).order_by("pk")]
    client.force_login(admin)

    def circle(name="Harbour Circle") -> str | None:
        return row_of(client.get(reverse("cohorts_overview")).content.decode(), name)

    def evaluated(write):
        """The write, and the norms evaluation it asks for once it commits."""
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    # Only the norms this test looks at: nobody here answers RSVPs.
    evaluated(lambda: norm_services.policy_save(cohort=cohort, actor=admin, rsvp_late_limit=99))
    one = "Attendance at the only meeting of the last year: 100%."
    assert circle("Circle") == f"Circle Low 100% {one} 2 (2–12) Active In person Fay Chair"

    member_services.profile_update(
        profile=member_services.profile_get_or_create(user=chair),
        user_fields={"first_name": "Faye"},
    )
    assert circle("Circle") == f"Circle Low 100% {one} 2 (2–12) Active In person Faye Chair"
    group_services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[chair, gil])
    assert circle("Circle").endswith("In person Faye Chair , Gil Grey")
    group_services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[gil])
    assert circle("Circle").endswith("In person Gil Grey")

    group_services.cohort_update(
        cohort=cohort,
        actor=admin,
        name="Harbour Circle",
        status=Cohort.Status.PAUSED,
        format="virtual",
    )
    assert circle("Circle") is None
    assert circle() == f"Harbour Circle Low 100% {one} 2 (2–12) Paused Virtual Gil Grey"

    newcomer = factories.pool_member_create(first="Nia", last="New")
    group_services.membership_add(cohort=cohort, member=newcomer, actor=admin)
    assert circle() == f"Harbour Circle Low 100% {one} 3 (2–12) Paused Virtual Gil Grey"

    start = NOW - timedelta(days=2)
    held = meeting_services.meeting_create(
        cohort=cohort,
        actor=gil,
        title="Forum",
        local_date=start.date(),
        local_time=start.time(),
        duration_minutes=120,
        time_zone="UTC",
    )
    assert circle() == f"Harbour Circle Low 100% {one} 3 (2–12) Paused Virtual Gil Grey"
    evaluated(
        lambda: meeting_services.attendance_record(
            meeting=held, actor=gil, statuses={first.pk: "present", second.pk: "absent"}
        )
    )
    two = "Attendance at the last 2 meetings, oldest first: 100%, 50%."
    assert circle() == (
        f"Harbour Circle Medium attendance 75% 75% {two} 3 (2–12) Paused Virtual Gil Grey"
    )

    # The absence breaks the norms once they are stricter: a warning, then a review item.
    evaluated(lambda: norm_services.policy_save(cohort=cohort, actor=admin, warn_absences=1))
    assert circle() == (
        f"Harbour Circle Medium 1 warning, attendance 75% 75% {two} 3 (2–12) Paused Virtual "
        "Gil Grey"
    )
    evaluated(lambda: norm_services.policy_save(cohort=cohort, actor=admin, review_absences=1))
    assert circle() == (
        f"Harbour Circle High 1 review item, 1 warning, attendance 75% 75% {two} 3 (2–12) "
        "Paused Virtual Gil Grey"
    )
    review = NormBreach.objects.get(cohort=cohort, level=NormBreach.Level.REVIEW)
    norm_services.review_decide(breach=review, actor=admin, decision="keep", reason="Was ill")
    assert circle() == (
        f"Harbour Circle Medium 1 warning, attendance 75% 75% {two} 3 (2–12) Paused Virtual "
        "Gil Grey"
    )
    evaluated(
        lambda: norm_services.policy_save(
            cohort=cohort, actor=admin, warn_absences=3, review_absences=3
        )
    )
    assert circle() == (
        f"Harbour Circle Medium attendance 75% 75% {two} 3 (2–12) Paused Virtual Gil Grey"
    )

    meeting_services.meeting_cancel(meeting=held, actor=gil)  # an update(), no signal
    assert circle() == f"Harbour Circle Low 100% {one} 3 (2–12) Paused Virtual Gil Grey"
    seat = Membership.objects.get(cohort=cohort, member=newcomer)
    group_services.membership_remove(membership=seat, actor=admin, reason="Moved abroad")
    assert circle() == f"Harbour Circle Low 100% {one} 2 (2–12) Paused Virtual Gil Grey"

    group_services.cohort_create(actor=admin, name="Alder Circle", min_size=2)
    assert circle("Alder Circle") == (
        "Alder Circle Medium 0 of at least 2 members none recorded "
        "No attendance recorded in the last year. 0 (2–12) Forming In person none"
    )
    Cohort.objects.get(pk=cohort.pk).delete()
    assert circle() is None
    assert circle("Alder Circle") is not None


def results_of(html: str) -> str:
    start = html.index('<div id="overview-results">')
    return html[start : html.index("</nav>", start)]


def test_overview_results_are_one_copy_for_every_admin(
    client, admin, five, django_assert_num_queries
):
    other = factories.user_create(role=Role.ADMIN, totp=True, first="Otto", last="Other")
    client.force_login(admin)
    first = client.get(reverse("cohorts_overview")).content.decode()
    client.force_login(other)
    with django_assert_num_queries(3):  # session, user, MFA check
        second = client.get(reverse("cohorts_overview")).content.decode()
    assert results_of(second) == results_of(first)
    # Nothing of the viewer is in the shared copy (the CSRF token is in the page around it).
    assert "csrf" not in results_of(first).lower() and "csrf" in first.lower()
    assert "Ada" not in results_of(first) and "Otto" not in results_of(second)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Charlie", "Alpha", "Bravo", "Delta", "Echo"]),
        ({"risk": "high"}, ["Charlie", "Alpha"]),
        ({"format": "virtual"}, ["Charlie", "Delta"]),
        ({"facilitator": "chairbravo"}, ["Bravo"]),
        ({"q": "ech"}, ["Echo"]),
        ({"risk": "high", "q": "alp"}, ["Alpha"]),
    ],
)
def test_overview_caches_each_filter_apart_and_htmx_agrees(client, admin, five, query, expected):
    client.force_login(admin)
    # Every other filter first, each into the cache.
    for other in ({}, {"risk": "high"}, {"format": "virtual"}, {"q": "ech"}):
        client.get(reverse("cohorts_overview"), other)
    page = client.get(reverse("cohorts_overview"), query).content.decode()
    fragment = client.get(reverse("cohorts_overview"), query, headers={"HX-Request": "true"})
    assert names_in(page) == expected
    assert names_in(fragment.content.decode()) == expected
    assert fragment.content.decode().strip() in page
    csv_query = "?" + "&amp;".join(f"{k}={v}" for k, v in query.items()) if query else ""
    assert f'href="/health/cohorts.csv{csv_query}"' in page


def test_overview_caches_each_page_apart_and_htmx_agrees(client, admin):
    chair = factories.user_create(role=Role.FACILITATOR, first="Fay", last="Chair")
    for i in range(26):
        forum(f"Circle {i:02}", facilitator=chair, seats=0)
    client.force_login(admin)
    pages = {}
    for number in (1, 2, 1, 2):
        page = client.get(reverse("cohorts_overview"), {"page": number}).content.decode()
        fragment = client.get(
            reverse("cohorts_overview"), {"page": number}, headers={"HX-Request": "true"}
        ).content.decode()
        assert fragment.strip() in page
        pages.setdefault(number, results_of(page))
        assert results_of(page) == pages[number]
    assert re.findall(r">(Circle \d\d)</a>", pages[2]) == ["Circle 25"]
    assert "1–25 of 26" in pages[1] and "26–26 of 26" in pages[2]


def test_overview_moves_on_with_the_hour(client, admin):
    """The attendance (180 days) and the sparklines (a year) look back from the hour."""
    cohort = forum("Circle", seats=2)
    Membership.objects.filter(cohort=cohort).update(joined_at=NOW - timedelta(days=400))
    meetings_with(cohort, [["present", "absent"]])
    oldest = Meeting.objects.get(cohort=cohort)
    start = NOW - timedelta(days=365) + timedelta(minutes=30)
    Meeting.objects.filter(pk=oldest.pk).update(starts_at=start, local_date=start.date())
    meetings_with(cohort, [["present", "present"]])
    client.force_login(admin)

    def circle() -> str | None:
        return row_of(client.get(reverse("cohorts_overview")).content.decode(), "Circle")

    chair = "ChairCircle Person"
    assert circle() == (
        "Circle Low 100% Attendance at the last 2 meetings, oldest first: 50%, 100%. "
        f"2 (2–12) Active In person {chair}"
    )
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert circle() == (
            "Circle Low 100% Attendance at the only meeting of the last year: 100%. "
            f"2 (2–12) Active In person {chair}"
        )


def test_overview_never_serves_results_of_another_template(
    client, admin, five, monkeypatch, django_assert_num_queries
):
    client.force_login(admin)
    client.get(reverse("cohorts_overview"))
    # As after a deploy that changed the template: the results are rendered afresh.
    monkeypatch.setattr(overview_views, "template_shape", lambda *names: "another")
    with django_assert_num_queries(6):  # and the page's cohorts, facilitators, sparklines
        html = client.get(reverse("cohorts_overview")).content.decode()
    assert names_in(html) == ["Charlie", "Alpha", "Bravo", "Delta", "Echo"]
