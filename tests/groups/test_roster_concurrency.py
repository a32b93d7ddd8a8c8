"""Parallel adds never push a cohort past its maximum size (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection, connections

from groups import services
from groups.models import Cohort, Membership
from members.models import Role
from tests import factories


def test_parallel_adds_never_exceed_max_size(transactional_db, live_server):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; CI runs this test there (DATABASE_URL).")
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True)
    cohort = factories.cohort_create(name="Tight Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(min_size=2, max_size=3, industry_mode="unrestricted")
    candidates = [factories.pool_member_create() for _ in range(10)]
    start = threading.Barrier(len(candidates))
    outcomes: list[str] = []

    def add(person):
        try:
            start.wait()
            services.membership_add(
                cohort=Cohort.objects.get(pk=cohort.pk), member=person, actor=facilitator
            )
            outcomes.append("added")
        except services.RosterError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(p,)) for p in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["Tight Circle is full (3 members)."] * 7 + ["added"] * 3
    assert Membership.objects.active().filter(cohort=cohort).count() == 3


def test_parallel_adds_of_one_member_to_two_cohorts_keep_one(transactional_db, live_server):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; CI runs this test there (DATABASE_URL).")
    admin = factories.user_create(role=Role.ADMIN, totp=True)
    cohorts = [factories.cohort_create(name=f"Circle {i}") for i in range(4)]
    person = factories.pool_member_create()
    start = threading.Barrier(len(cohorts))
    outcomes: list[str] = []

    def add(cohort):
        try:
            start.wait()
            services.membership_add(cohort=cohort, member=person, actor=admin)
            outcomes.append("added")
        except services.RosterError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(c,)) for c in cohorts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["added", "refused", "refused", "refused"]
    assert Membership.objects.active().filter(member=person).count() == 1
