"""Members approved on 10 January 2026 (renewal date 10 January 2027) in one cohort run by Fay
Chair, an admin to decide renewals, and helpers to answer a renewal."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from groups.models import Membership
from members import renewal_services, selectors
from members.models import Profile, Renewal, Role
from tests import factories

APPROVED = datetime(2026, 1, 10, 15, 0, tzinfo=UTC)
DUE = date(2027, 1, 10)


@pytest.fixture
def admin(db):
    return factories.user_create(
        role=Role.ADMIN, email="admin@example.com", first="Ada", last="Admin", totp=True
    )


@pytest.fixture
def facilitator(db):
    return factories.user_create(
        role=Role.FACILITATOR, email="fay@example.com", first="Fay", last="Chair", totp=True
    )


def member_approved(first: str, company: str, *, approved=APPROVED):
    """A member approved at ``approved`` whose renewal date is a year later."""
    with time_machine.travel(approved, tick=False):
        user = factories.pool_member_create(
            first=first, last="Member", email=f"{first.lower()}@example.com", company=company
        )
    Profile.objects.filter(user=user).update(
        renewal_due_on=renewal_services.year_after(approved.date())
    )
    return user


@pytest.fixture
def people(db, facilitator):
    """{first name: member}: Alice, Bob and Cleo in the Forum cohort; Dora in another one."""
    forum = factories.cohort_create(name="Forum", facilitators=[facilitator])
    elsewhere = factories.cohort_create(name="Elsewhere")
    people = {
        "Alice": member_approved("Alice", "Alpha Works"),
        "Bob": member_approved("Bob", "Bravo Tools"),
        "Cleo": member_approved("Cleo", "Initech"),
        "Dora": member_approved("Dora", "Hooli"),
    }
    for name in ("Alice", "Bob", "Cleo"):
        Membership.objects.create(cohort=forum, member=people[name])
    Membership.objects.create(cohort=elsewhere, member=people["Dora"])
    people["forum"] = forum
    return people


FACTS = {
    "title": "Chief Executive Officer",
    "industry": "54",
    "employees": 100,
    "payroll_usd": None,
    "revenue_band": "13m-50m",
    "years_in_role": 5,
}


def answer(renewal: Renewal, **changes) -> Renewal:
    return renewal_services.renewal_submit(
        renewal=renewal,
        user=renewal.user,
        agreement_id=selectors.current_agreement().pk,
        **{**FACTS, **changes},
    )
