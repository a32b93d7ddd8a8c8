"""The admins' notification log: pages by (due_at, id) with newer/older links, never a count of
the whole log."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification
from members.models import Role
from tests import factories

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


def notifications(n: int, *, state=Notification.State.SENT, to="person") -> list[Notification]:
    """``n`` notifications, newest first; every three share a due time, so pages must order
    ties by id."""
    rows = Notification.objects.bulk_create(
        Notification(
            kind="reminder",
            subject=f"meeting:{i}",
            scope=f"meeting:{i}",
            recipient=f"{to}{i}@example.com",
            state=state,
            due_at=START + timedelta(hours=i // 3),
        )
        for i in range(n)
    )
    return sorted(rows, key=lambda r: (r.due_at, r.pk), reverse=True)


def signed_in(client, user):
    client.force_login(user)
    client.get("/")
    return client


def ids(response) -> list[int]:
    return [r.pk for r in response.context["page"].object_list]


def test_log_walks_older_and_newer_pages_exactly(client, admin):
    rows = notifications(250)
    url = reverse("notification_log")
    signed_in(client, admin)
    first = client.get(url)
    assert ids(first) == [r.pk for r in rows[:100]]
    assert f'href="?older={rows[99].pk}">Older</a>' in first.content.decode()
    assert "Newer</a>" not in first.content.decode()
    second = client.get(url, {"older": rows[99].pk})
    assert ids(second) == [r.pk for r in rows[100:200]]
    html = second.content.decode()
    assert f'href="?newer={rows[100].pk}">Newer</a>' in html
    assert f'href="?older={rows[199].pk}">Older</a>' in html
    last = client.get(url, {"older": rows[199].pk})
    assert ids(last) == [r.pk for r in rows[200:]]
    assert "Older</a>" not in last.content.decode()
    back = client.get(url, {"newer": rows[200].pk})
    assert ids(back) == [r.pk for r in rows[100:200]]
    assert ids(client.get(url, {"newer": rows[100].pk})) == [r.pk for r in rows[:100]]
    assert ids(client.get(url, {"older": "nonsense"})) == [r.pk for r in rows[:100]]


def test_log_pages_keep_the_state_filter(client, admin):
    failed = notifications(120, state=Notification.State.FAILED)
    notifications(30, to="other")
    signed_in(client, admin)
    first = client.get(reverse("notification_log"), {"state": "failed"})
    assert ids(first) == [r.pk for r in failed[:100]]
    assert f'href="?state=failed&amp;older={failed[99].pk}">Older</a>' in first.content.decode()
    second = client.get(reverse("notification_log"), {"state": "failed", "older": failed[99].pk})
    assert ids(second) == [r.pk for r in failed[100:]]
    assert '<a href="?state=failed">Newest</a>' in second.content.decode()


@pytest.mark.parametrize("n", [1, 150])
def test_log_query_count_is_constant_and_never_counts_the_log(
    client, admin, django_assert_num_queries, n
):
    rows = notifications(n)
    signed_in(client, admin)
    # session, user, MFA, the failed count (its index), the page of rows with their users
    with django_assert_num_queries(5), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notification_log"), {"older": rows[0].pk})
    assert ids(response) == [r.pk for r in rows[1:101]]
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and '"state" = ' in counts[0]
