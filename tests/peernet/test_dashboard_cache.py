"""The admin dashboard's newest cohorts and counts by status are cached until a cohort or a
seat changes (core.versions.COHORTS): every such write shows on the next load."""

import re

import pytest
from django.urls import reverse

from groups import services
from groups.models import Cohort
from members.models import Role
from tests import factories


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    client.get("/")  # the first request of a session records it (usersessions)
    return client


def _newest(client) -> list[str]:
    html = client.get(reverse("home")).content.decode()
    section = html[html.index('id="cohorts-heading"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _figure(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return re.search(r'id="cohort-count-heading".*?<p class="figure">(\d+)</p>', html, re.S)[1]


def test_admin_dashboard_cohorts_come_from_the_cache_until_they_change(
    admin_client, admin, django_assert_num_queries
):
    cohort = factories.cohort_create(name="Harbor Circle")
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode="unrestricted")
    assert _newest(admin_client) == ["Harbor Circle Active 0"]
    # session, user, MFA check, heartbeat, failed notifications: the page is kept whole
    # (test_dashboard_page_cache.py), the background-work card read afresh
    with django_assert_num_queries(5):
        assert _newest(admin_client) == ["Harbor Circle Active 0"]
    services.membership_add(cohort=cohort, member=factories.pool_member_create(), actor=admin)
    assert _newest(admin_client) == ["Harbor Circle Active 1"]
    services.cohort_update(cohort=cohort, actor=admin, status=Cohort.Status.PAUSED)
    assert _newest(admin_client) == ["Harbor Circle Paused 1"]
    assert _figure(admin_client) == "1"
    services.cohort_create(actor=admin, name="Alder Circle")
    assert _newest(admin_client) == ["Alder Circle Forming 0", "Harbor Circle Paused 1"]
    assert _figure(admin_client) == "2"
