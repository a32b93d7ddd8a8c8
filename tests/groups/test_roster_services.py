import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from groups import services
from groups.models import Cohort, Membership, RosterEvent
from members import services as member_services
from members.models import Role
from tests import factories


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True, first="Ann", last="Admin")


@pytest.fixture
def facilitator(db):
    return factories.user_create(role=Role.FACILITATOR, totp=True, first="Fay", last="Cilitator")


@pytest.fixture
def cohort(facilitator):
    cohort = factories.cohort_create(name="Harbor Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(
        min_size=2, max_size=3, industry_mode=Cohort.IndustryMode.UNRESTRICTED
    )
    cohort.refresh_from_db()
    cohort.themes.set(factories.challenges(2))
    return cohort


def test_add_records_event_and_shared_challenges(cohort, facilitator):
    candidate = factories.pool_member_create(first="Cara", last="Candidate")
    check = services.membership_check(cohort=cohort, member=candidate)
    assert check.shared_challenges == [c.name for c in factories.challenges(2)]
    assert (check.problems, check.conflicts) == ([], {})
    services.membership_add(cohort=cohort, member=candidate, actor=facilitator)
    event = RosterEvent.objects.get(action="added")
    assert (event.member, event.actor, event.cohort) == (candidate, facilitator, cohort)


def test_add_refuses_when_full(cohort, facilitator):
    for _ in range(3):
        services.membership_add(
            cohort=cohort, member=factories.pool_member_create(), actor=facilitator
        )
    extra = factories.pool_member_create()
    with pytest.raises(services.RosterError) as error:
        services.membership_add(cohort=cohort, member=extra, actor=facilitator)
    assert error.value.messages == ["Harbor Circle is full (3 members)."]


def test_add_refuses_conflict_for_facilitator(cohort, facilitator):
    seated = factories.pool_member_create(first="Sam", last="Seated", company="Acme Inc")
    services.membership_add(cohort=cohort, member=seated, actor=facilitator)
    rival = factories.pool_member_create(first="Rex", last="Rival", company="Rival Co")
    member_services.conflicts_replace(
        profile=rival.profile,
        declarations=[{"relationship": "competitor", "company_name": "ACME, Inc."}],
    )
    with pytest.raises(services.RosterError) as error:
        services.membership_add(cohort=cohort, member=rival, actor=facilitator)
    assert error.value.messages == [
        "This member has a conflict of interest with the roster:",
        "Rex Rival declared ACME, Inc. as a competitor; Sam Seated works at Acme Inc",
    ]
    assert not Membership.objects.filter(member=rival).exists()


def test_admin_overrides_conflict_only_with_reason(cohort, facilitator, admin):
    seated = factories.pool_member_create(first="Sam", last="Seated")
    services.membership_add(cohort=cohort, member=seated, actor=facilitator)
    rival = factories.pool_member_create(first="Rex", last="Rival")
    member_services.conflicts_replace(
        profile=rival.profile,
        declarations=[{"relationship": "family", "person_email": seated.email}],
    )
    with pytest.raises(services.RosterError) as error:
        services.membership_add(cohort=cohort, member=rival, actor=admin)
    assert error.value.message_dict == {
        "override_reason": [
            "Say why these people may sit together despite the conflict; the reason is recorded."
        ]
    }
    services.membership_add(
        cohort=cohort, member=rival, actor=admin, override_reason="Cousins, both agreed in writing"
    )
    event = RosterEvent.objects.get(member=rival)
    assert (event.action, event.reason) == ("added_override", "Cousins, both agreed in writing")


@pytest.mark.parametrize(
    ("mode", "seated_industry", "candidate_industry", "problem"),
    [
        (
            "no_overlap",
            "54",
            "54",
            "Harbor Circle keeps industries apart and already has a member "
            "in Professional, scientific, and technical services.",
        ),
        ("no_overlap", "54", "62", None),
        (
            "single",
            "54",
            "62",
            "Harbor Circle is a single-industry cohort; Cara Candidate is in "
            "Health care and social assistance.",
        ),
        ("single", "54", "54", None),
        ("unrestricted", "54", "54", None),
    ],
)
def test_industry_mode_is_respected(
    cohort, facilitator, mode, seated_industry, candidate_industry, problem
):
    Cohort.objects.filter(pk=cohort.pk).update(industry_mode=mode)
    cohort.refresh_from_db()
    services.membership_add(
        cohort=cohort,
        member=factories.pool_member_create(industry=seated_industry),
        actor=facilitator,
    )
    candidate = factories.pool_member_create(
        first="Cara", last="Candidate", industry=candidate_industry
    )
    check = services.membership_check(cohort=cohort, member=candidate)
    assert check.problems == ([problem] if problem else [])


def test_member_is_in_at_most_one_active_cohort(cohort, facilitator, admin):
    other = factories.cohort_create(name="Second Circle", facilitators=[facilitator])
    person = factories.pool_member_create(first="Una", last="Once")
    services.membership_add(cohort=cohort, member=person, actor=facilitator)
    with pytest.raises(services.RosterError) as error:
        services.membership_add(cohort=other, member=person, actor=admin)
    assert error.value.messages == [
        "Una Once is already in Harbor Circle; a member belongs to at most 1 active cohort."
    ]


def test_applicants_cannot_be_added(cohort, facilitator):
    applicant = factories.user_create(role=Role.APPLICANT, first="Al", last="Applicant")
    with pytest.raises(services.RosterError) as error:
        services.membership_add(cohort=cohort, member=applicant, actor=facilitator)
    assert error.value.messages == ["Al Applicant is not an approved member."]


def test_other_facilitators_and_members_cannot_change_roster(cohort):
    stranger = factories.user_create(role=Role.FACILITATOR, totp=True)
    candidate = factories.pool_member_create()
    with pytest.raises(PermissionDenied):
        services.membership_add(cohort=cohort, member=candidate, actor=stranger)
    with pytest.raises(PermissionDenied):
        services.membership_add(cohort=cohort, member=candidate, actor=candidate)


def test_remove_needs_reason_and_is_audited(cohort, facilitator):
    person = factories.pool_member_create()
    membership = services.membership_add(cohort=cohort, member=person, actor=facilitator)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, actor=facilitator, reason=" ")
    services.membership_remove(membership=membership, actor=facilitator, reason="Sold company")
    membership.refresh_from_db()
    assert (membership.status, membership.reason) == ("left", "Sold company")
    assert membership.left_at is not None
    assert RosterEvent.objects.filter(action="removed", reason="Sold company").count() == 1
    # Having left, they are back in the pool and can join again.
    services.membership_add(cohort=cohort, member=person, actor=facilitator)


def test_update_refuses_max_below_current_size(cohort, facilitator):
    for _ in range(3):
        services.membership_add(
            cohort=cohort, member=factories.pool_member_create(), actor=facilitator
        )
    with pytest.raises(ValidationError) as error:
        services.cohort_update(cohort=cohort, actor=facilitator, max_size=2, min_size=2)
    assert error.value.message_dict == {
        "max_size": ["The cohort has 3 members; the maximum cannot be lower."]
    }


def test_only_admins_appoint_facilitators(cohort, facilitator, admin):
    other = factories.user_create(role=Role.FACILITATOR, totp=True, first="Otto")
    with pytest.raises(PermissionDenied):
        services.cohort_facilitators_set(cohort=cohort, actor=facilitator, facilitators=[other])
    services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[other])
    assert list(cohort.facilitators.all()) == [other]
    member = factories.user_create(role=Role.MEMBER)
    with pytest.raises(ValidationError):
        services.cohort_facilitators_set(cohort=cohort, actor=admin, facilitators=[member])


def test_create_gives_unique_slug_never_new(admin):
    first = services.cohort_create(actor=admin, name="New", home_time_zone="Europe/London")
    second = services.cohort_create(actor=admin, name="New", home_time_zone="Europe/London")
    assert (first.slug, second.slug) == ("new-2", "new-3")
