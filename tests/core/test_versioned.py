"""Every way a row is written changes the versions of its cohorts and people (core.versioned)."""

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.utils import timezone

from core import versioned
from core.versions import (
    APPLICATIONS,
    ORG,
    cached_with_version,
    cohort_version,
    person_version,
    versions_bump,
    versions_of,
)
from groups.models import Cohort, Membership
from meetings import services
from meetings.models import AgendaItem, Meeting, NormPolicy, Rsvp, Vote
from members import services as member_services
from members.models import Application, Role
from tests import factories

pytestmark = pytest.mark.django_db


class Tokens:
    """Which of some versions changed since the last look."""

    def __init__(self, *names):
        self.names = list(names)
        self.seen = versions_of(self.names)

    def changed(self) -> set[str]:
        now = versions_of(self.names)
        moved = {name for name, a, b in zip(self.names, self.seen, now, strict=True) if a != b}
        self.seen = now
        return moved


@pytest.fixture
def world():
    facilitator = factories.user_create(role=Role.FACILITATOR)
    alice = factories.user_create(role=Role.MEMBER, first="Alice")
    bob = factories.user_create(role=Role.MEMBER, first="Bob")
    stranger = factories.user_create(role=Role.MEMBER, first="Sam")
    ours = factories.cohort_create(facilitators=[facilitator], members=[alice, bob])
    theirs = factories.cohort_create(members=[stranger])
    meeting = services.meeting_create(
        cohort=ours,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=8),
        local_time=time(8, 0),
        duration_minutes=60,
        time_zone="UTC",
    )
    tokens = Tokens(
        cohort_version(ours.pk),
        cohort_version(theirs.pk),
        person_version(alice.pk),
        person_version(bob.pk),
        person_version(stranger.pk),
        person_version(facilitator.pk),
        ORG,
    )
    return SimpleNamespace(
        ours=ours,
        theirs=theirs,
        meeting=meeting,
        alice=alice,
        bob=bob,
        stranger=stranger,
        facilitator=facilitator,
        tokens=tokens,
    )


def test_every_model_of_the_project_is_versioned_or_named_as_not_shown():
    for label in versioned.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            if name in versioned.UNVERSIONED:
                assert not versioned.is_versioned(model), name
                continue
            assert versioned.is_versioned(model), f"{name}: say where its cohorts and people are"
            queryset = model._default_manager.all()
            assert isinstance(queryset, versioned.VersionedQuerySet), name
            assert isinstance(model._base_manager.all(), versioned.VersionedQuerySet) or (
                model._base_manager.__class__.__name__ == "Manager"
            ), name


def test_a_saved_row_changes_its_cohort_and_person_only(world):
    w = world
    Rsvp.objects.create(meeting=w.meeting, member=w.alice, answer="yes")
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.alice.pk)}
    rsvp = Rsvp.objects.get(meeting=w.meeting, member=w.alice)
    rsvp.answer = "no"
    rsvp.save()
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.alice.pk)}
    rsvp.delete()
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.alice.pk)}


def test_bulk_writes_change_the_versions_of_every_row_they_touch(world):
    w = world
    Rsvp.objects.bulk_create(
        [
            Rsvp(meeting=w.meeting, member=w.alice, answer="yes"),
            Rsvp(meeting=w.meeting, member=w.bob, answer="no"),
        ]
    )
    assert w.tokens.changed() == {
        cohort_version(w.ours.pk),
        person_version(w.alice.pk),
        person_version(w.bob.pk),
    }
    Rsvp.objects.filter(member=w.bob).update(answer="maybe")
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.bob.pk)}
    rows = list(Rsvp.objects.filter(member=w.alice))
    rows[0].answer = "maybe"
    Rsvp.objects.bulk_update(rows, ["answer"])
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.alice.pk)}
    Rsvp.objects.filter(member=w.alice).delete()
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.alice.pk)}
    # An update that matches nothing changes nothing.
    Rsvp.objects.filter(member=w.stranger).update(answer="yes")
    assert w.tokens.changed() == set()


def test_an_update_that_moves_a_row_changes_both_sides(world):
    w = world
    Membership.objects.filter(member=w.alice).update(cohort=w.theirs)
    assert w.tokens.changed() == {
        cohort_version(w.ours.pk),
        cohort_version(w.theirs.pk),
        person_version(w.alice.pk),
    }


def test_a_cascade_changes_the_versions_of_what_it_deletes(world):
    w = world
    topic = services.topic_save(
        owner=w.bob, title="Pricing", kind="issue", importance=6, urgency=5, estimated_minutes=20
    )
    item = AgendaItem.objects.create(meeting=w.meeting, topic=topic, presenter=w.bob, minutes=20)
    Vote.objects.create(item=item, voter=w.alice)
    w.tokens.changed()
    Meeting.objects.filter(pk=w.meeting.pk).delete()
    # The w.meeting, the agenda item (w.bob presents), the vote (w.alice voted).
    assert w.tokens.changed() == {
        cohort_version(w.ours.pk),
        person_version(w.alice.pk),
        person_version(w.bob.pk),
    }


def test_facilitators_added_removed_and_cleared_change_cohort_and_person(world):
    w = world
    other = factories.user_create(role=Role.FACILITATOR)
    w.tokens.names.append(person_version(other.pk))
    w.tokens.seen = versions_of(w.tokens.names)
    w.theirs.facilitators.add(other)
    assert w.tokens.changed() == {cohort_version(w.theirs.pk), person_version(other.pk)}
    other.facilitated_cohorts.remove(w.theirs)
    assert w.tokens.changed() == {cohort_version(w.theirs.pk), person_version(other.pk)}
    w.ours.facilitators.clear()
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.facilitator.pk)}


def test_a_user_renamed_changes_their_cohorts_and_a_sign_in_changes_nothing(world):
    w = world
    w.alice.last_login = timezone.now()
    w.alice.save(update_fields=["last_login"])
    assert w.tokens.changed() == set()
    w.alice.first_name = "Alicia"
    w.alice.save()
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.alice.pk)}
    w.facilitator.last_name = "Renamed"
    w.facilitator.save(update_fields=["last_name"])
    assert w.tokens.changed() == {cohort_version(w.ours.pk), person_version(w.facilitator.pk)}


def test_organisation_rows_change_the_organisation_version(world):
    w = world
    NormPolicy.objects.update_or_create(cohort=None, defaults={"window_meetings": 5})
    assert w.tokens.changed() == {ORG}
    NormPolicy.objects.create(cohort=w.theirs, window_meetings=4)
    assert w.tokens.changed() == {cohort_version(w.theirs.pk)}
    NormPolicy.objects.filter(cohort=None).update(window_meetings=6)
    assert w.tokens.changed() == {ORG}
    Cohort.objects.filter(pk=w.theirs.pk).update(name="Renamed")
    assert w.tokens.changed() == {cohort_version(w.theirs.pk)}


def test_applications_written_any_way_change_the_applications_version(world):
    """The admins' queue counts are kept under APPLICATIONS: a submission, a status moved in
    bulk and an application deleted with its applicant all change it."""
    w = world
    application = factories.application_complete()
    w.tokens.names.append(APPLICATIONS)
    w.tokens.seen = versions_of(w.tokens.names)
    member_services.application_submit(application=application, actor=application.applicant)
    assert APPLICATIONS in w.tokens.changed()
    Application.objects.filter(pk=application.pk).update(status=Application.Status.UNDER_REVIEW)
    assert APPLICATIONS in w.tokens.changed()
    application.applicant.delete()
    assert APPLICATIONS in w.tokens.changed()


def test_a_value_cached_with_its_version_is_computed_once_per_version(world):
    computed = []

    def compute():
        computed.append(1)
        return [len(computed)]

    name = person_version(world.alice.pk)
    assert cached_with_version(name, "cohorts", compute, shape="ids") == [1]
    assert cached_with_version(name, "cohorts", compute, shape="ids") == [1]
    versions_bump([name])
    assert cached_with_version(name, "cohorts", compute, shape="ids") == [2]
    assert cached_with_version(name, "cohorts", compute, shape="ids") == [2]
    assert cached_with_version(person_version(world.bob.pk), "cohorts", compute, shape="ids") == [3]
