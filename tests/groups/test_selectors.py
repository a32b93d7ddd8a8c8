"""Who holds a seat: Membership.objects.active() and the one roster selector."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth.models import AnonymousUser

from groups import selectors
from groups.models import Cohort, Membership, RosterEvent
from members.models import Role, User
from tests import factories

JAN = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _member(first, last) -> User:
    return factories.user_create(role=Role.MEMBER, first=first, last=last)


def _join(cohort, member, when) -> Membership:
    with time_machine.travel(when, tick=False):
        return Membership.objects.create(cohort=cohort, member=member)


def _leave(membership, when) -> None:
    membership.status = Membership.Status.LEFT
    membership.left_at = when
    membership.save()


def test_active_keeps_only_seats_held_now(db):
    ada, ben = _member("Ada", "Archer"), _member("Ben", "Baker")
    cohort = factories.cohort_create()
    kept = Membership.objects.create(cohort=cohort, member=ada)
    gone = Membership.objects.create(cohort=cohort, member=ben)
    _leave(gone, JAN)

    assert list(Membership.objects.active()) == [kept]
    assert list(cohort.memberships.active()) == [kept]
    assert [kept.is_active, gone.is_active] == [True, False]


def test_active_q_follows_a_relation(db):
    ada, ben = _member("Ada", "Archer"), _member("Ben", "Baker")
    seated = factories.cohort_create(name="Seated", members=[ada])
    emptied = factories.cohort_create(name="Emptied")
    _leave(Membership.objects.create(cohort=emptied, member=ben), JAN)

    assert list(Cohort.objects.filter(Membership.active_q("memberships"))) == [seated]
    assert list(User.objects.exclude(Membership.active_q("memberships")).filter(pk=ben.pk)) == [ben]


def test_roster_now_lists_active_members_by_name(db):
    zoe, ada, ben = _member("Zoe", "Zimmer"), _member("Ada", "Archer"), _member("Ben", "Baker")
    cohort = factories.cohort_create(members=[zoe, ada])
    other = factories.cohort_create(members=[ben])
    _leave(Membership.objects.create(cohort=cohort, member=ben), JAN)

    assert selectors.roster(cohort) == [ada, zoe]
    assert selectors.roster(other) == [ben]


def test_roster_at_a_moment_counts_who_was_seated_then(db):
    ada, ben, cal, dee = (
        _member("Ada", "Archer"),
        _member("Ben", "Baker"),
        _member("Cal", "Carter"),
        _member("Dee", "Dixon"),
    )
    cohort = factories.cohort_create()
    _join(cohort, ada, JAN - timedelta(days=30))  # seated then and now
    _leave(_join(cohort, ben, JAN - timedelta(days=30)), JAN + timedelta(days=1))  # left after
    _leave(_join(cohort, cal, JAN - timedelta(days=30)), JAN - timedelta(days=1))  # left before
    _join(cohort, dee, JAN + timedelta(days=1))  # joined after
    # Left before, came back before the moment: listed once.
    _leave(_join(cohort, cal, JAN - timedelta(hours=2)), JAN + timedelta(days=2))

    assert selectors.roster(cohort, at=JAN) == [ada, ben, cal]
    assert selectors.roster(cohort) == [ada, dee]


def test_cohorts_visible_to_joins_what_one_runs_and_where_one_sits(db):
    """A facilitator who also sits in another cohort sees both; a seat left and other cohorts
    are not visible; an admin sees every cohort; nobody signed in sees none."""
    person = factories.user_create(role=Role.FACILITATOR)
    runs = factories.cohort_create(name="Runs", facilitators=[person])
    sits = factories.cohort_create(name="Sits", members=[person])
    left = factories.cohort_create(name="Left")
    Membership.objects.create(cohort=left, member=person, status=Membership.Status.LEFT)
    other = factories.cohort_create(name="Other", members=[factories.pool_member_create()])
    assert list(selectors.cohorts_visible_to(person).order_by("name")) == [runs, sits]
    admin = factories.user_create(role=Role.ADMIN)
    assert list(selectors.cohorts_visible_to(admin).order_by("name")) == [left, other, runs, sits]
    assert list(selectors.cohorts_visible_to(AnonymousUser())) == []


def test_roster_events_are_newest_first_whatever_the_insertion_order(db):
    """RosterEvent has no default ordering (it only cost sorts); the selector orders itself."""
    cohort = factories.cohort_create(name="History")
    member = _member("Ana", "A")
    rows = RosterEvent.objects.bulk_create(
        RosterEvent(
            cohort=cohort, member=member, action="added", created_at=JAN + timedelta(days=d)
        )
        for d in (2, 0, 3, 1)
    )
    for row, days in zip(rows, (2, 0, 3, 1), strict=True):
        RosterEvent.objects.filter(pk=row.pk).update(created_at=JAN + timedelta(days=days))
    events = selectors.roster_events(cohort, limit=3)
    assert [e.created_at for e in events] == [JAN + timedelta(days=d) for d in (3, 2, 1)]
