"""Every admin list answers a page load (the page and the fragments it loads on its own) with
the same number of requests and queries at 1 and at 50 cohorts: aggregates are computed for
the page in one query, never per row."""

from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification
from groups.models import Membership
from meetings import services as meeting_services
from members import services as member_services
from members.models import Role
from tests import factories


class _LoadTriggers(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "load" in (attributes.get("hx-trigger") or "") and attributes.get("hx-get"):
            self.urls.append(attributes["hx-get"])


def _page_load(client, url: str) -> tuple[int, int, str]:
    """Requests and queries of one page load as a browser makes it, and the page's HTML."""
    requests, queries, queue, headers, page = 0, 0, [url], {}, None
    while queue:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(queue.pop(0), headers=headers)
        assert response.status_code == 200
        requests, queries = requests + 1, queries + len(captured)
        html = response.content.decode()
        page = page if page is not None else html
        parser = _LoadTriggers()
        parser.feed(html)
        queue.extend(parser.urls)
        headers = {"HX-Request": "true"}
    return requests, queries, page


def _organisation(n: int, admin) -> None:
    """``n`` cohorts of one member with a meeting each, ``n`` waiting members, ``n``
    applications and ``n`` notifications."""
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for i in range(n):
        cohort = factories.cohort_create(name=f"Circle {i:02d}")
        Membership.objects.create(cohort=cohort, member=factories.pool_member_create())
        meeting_services.meeting_create(
            cohort=cohort,
            actor=admin,
            title="Forum",
            local_date=date.today() + timedelta(days=3 + i),
            local_time=time(8, 0),
            duration_minutes=60,
            time_zone="Europe/Paris",
        )
        factories.pool_member_create()
        application = factories.application_complete(email=f"app{i}@example.com", submit=True)
        member_services.application_score(
            application=application, reviewer=admin, fit=3, contribution=4, commitment=5
        )
    Notification.objects.bulk_create(
        Notification(
            kind="reminder",
            subject=f"meeting:{i}",
            scope=f"meeting:{i}",
            recipient=f"person{i}@example.com",
            due_at=start + timedelta(hours=i),
        )
        for i in range(n)
    )


# (URL name, requests, queries) of one page load, the same at 1 and at 50 cohorts.
LISTS = [
    # the page (session, user, MFA, count, cohorts, facilitators, themes) and the one health
    # fragment for the whole page (session, user, MFA, cohorts, next meetings, attendance)
    ("cohort_list", 2, 13),
    # session, user, MFA, challenge choices, pool count, pool page, pool challenges
    ("pool", 1, 7),
    ("review_queue", 1, 6),
    # session, user, MFA, the failed count, the page of rows
    ("notification_log", 1, 5),
]


@pytest.mark.parametrize(("name", "requests", "queries"), LISTS)
@pytest.mark.parametrize("n", [1, 50])
def test_admin_list_page_load_is_the_same_at_any_size(client, db, n, name, requests, queries):
    admin = factories.user_create(role=Role.ADMIN, totp=True)
    _organisation(n, admin)
    client.force_login(admin)
    client.get("/")  # settle the session before counting
    made, ran, html = _page_load(client, reverse(name))
    assert (made, ran) == (requests, queries)
    assert html.count("Circle ") == (n if name == "cohort_list" else 0) * 2
