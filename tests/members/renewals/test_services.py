"""Renewal services one by one: dates, opening, prompts after a pause, answers checked by the
admission rules, decisions, lapsing, and company changes checked against cohort-mates only."""

from datetime import UTC, date, datetime
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import Notification
from groups import renewal_services as group_renewals
from groups.services import membership_check
from members import renewal_services, services
from members.models import (
    CompanyConflictFlag,
    ConfidentialityAgreement,
    Profile,
    Renewal,
)
from tests import factories
from tests.members.renewals.conftest import APPROVED, DUE, answer, member_approved


def opened(user, today=date(2026, 11, 11)) -> Renewal:
    renewal_services.renewals_open(today=today)
    return Renewal.objects.get(user=user)


def prompt_subjects() -> list[str]:
    return sorted(
        Notification.objects.filter(kind="renewal_prompt").values_list("subject", flat=True)
    )


def test_year_after_keeps_the_day_and_moves_29_february_to_the_28th():
    assert renewal_services.year_after(date(2026, 1, 10)) == date(2027, 1, 10)
    assert renewal_services.year_after(date(2028, 2, 29)) == date(2029, 2, 28)


def test_application_approval_sets_the_renewal_date_a_year_on(db, admin):
    application = factories.application_complete(submit=True)
    with time_machine.travel(datetime(2026, 3, 4, 23, 30, tzinfo=UTC), tick=False):
        services.application_decide(
            application=application,
            decision="approve",
            actor=admin,
            outstanding_confirmed=True,
            outstanding_reason="Known to the board",
        )
    assert Profile.objects.get(user=application.applicant).renewal_due_on == date(2027, 3, 4)


def test_migration_gives_existing_members_a_date_a_year_after_approval(db):
    member = member_approved("Ola", "Oslo Oil", approved=datetime(2024, 2, 29, 9, tzinfo=UTC))
    applicant = factories.user_create()
    Profile.objects.filter(user=member).update(renewal_due_on=None)
    Profile.objects.get_or_create(user=applicant)
    import_module("members.migrations.0012_renewals").renewal_dates_set(apps, None)
    assert dict(
        Profile.objects.filter(user__in=[member, applicant]).values_list(
            "user_id", "renewal_due_on"
        )
    ) == {member.pk: date(2025, 2, 28), applicant.pk: None}


def test_renewals_open_sixty_days_ahead_once(people):
    assert renewal_services.renewals_open(today=date(2026, 11, 10)) == 0
    assert renewal_services.renewals_open(today=date(2026, 11, 11)) == 4
    assert renewal_services.renewals_open(today=date(2026, 11, 12)) == 0
    assert set(Renewal.objects.values_list("due_on", "status")) == {(DUE, "open")}


def test_after_a_pause_only_the_nearest_prompt_is_sent(people):
    alice = people["Alice"]
    renewal = opened(alice)
    # The job was down from 60 days to 20 days before: one prompt, the 30-day one.
    renewal_services.renewals_prompt(today=date(2026, 12, 21))
    renewal_services.renewals_prompt(today=date(2026, 12, 21))
    assert [s for s in prompt_subjects() if s.startswith(f"renewal:{renewal.pk}:")] == [
        f"renewal:{renewal.pk}:30"
    ]


def test_an_eligible_answer_waits_for_approval_and_the_agreement_is_signed(people):
    bob = people["Bob"]
    renewal = opened(bob)
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False):
        renewal = answer(renewal, title="Founder and CEO", employees=140)
    profile = Profile.objects.get(user=bob)
    agreement = ConfidentialityAgreement.objects.first()
    assert (renewal.status, renewal.eligible, renewal.agreement_id) == (
        "submitted",
        True,
        agreement.pk,
    )
    assert renewal.agreement_signed_at == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert (profile.title, profile.employees) == ("Founder and CEO", 140)
    assert not Notification.objects.filter(kind="renewal_review").exists()


def test_an_ineligible_answer_goes_to_the_admins_once(people, admin):
    bob = people["Bob"]
    renewal = opened(bob)
    renewal = answer(renewal, employees=8)
    renewal = answer(renewal, employees=9)  # answered again while undecided
    assert (renewal.status, renewal.eligible) == ("needs_decision", False)
    size = next(g for g in renewal.eligibility["groups"] if g["label"] == "Company size")
    assert size["passed"] is False
    assert list(
        Notification.objects.filter(kind="renewal_review").values_list("recipient", "subject")
    ) == [("admin@example.com", f"renewal:{renewal.pk}:review")]
    with pytest.raises(ValidationError, match="waive the rules or let the membership lapse"):
        renewal_services.renewal_decide(renewal=renewal, actor=admin, decision="approve")
    with pytest.raises(ValidationError, match="Say why you waive the rules"):
        renewal_services.renewal_decide(renewal=renewal, actor=admin, decision="waive")
    renewal = renewal_services.renewal_decide(
        renewal=renewal, actor=admin, decision="waive", reason="Seasonal dip in headcount"
    )
    assert (renewal.status, renewal.waived, renewal.reason) == (
        "renewed",
        True,
        "Seasonal dip in headcount",
    )
    assert Profile.objects.get(user=bob).renewal_due_on == date(2028, 1, 10)


def test_an_old_agreement_version_is_refused(people):
    renewal = opened(people["Bob"])
    old = ConfidentialityAgreement.objects.first()
    ConfidentialityAgreement.objects.create(version="2027", text="New text")
    with pytest.raises(ValidationError, match="The agreement has changed"):
        renewal_services.renewal_submit(
            renewal=renewal, user=people["Bob"], agreement_id=old.pk, title="CEO"
        )


def test_only_the_member_answers_and_only_admins_decide(people, facilitator):
    renewal = opened(people["Bob"])
    with pytest.raises(PermissionDenied):
        renewal_services.renewal_submit(
            renewal=renewal,
            user=people["Alice"],
            agreement_id=ConfidentialityAgreement.objects.first().pk,
        )
    with pytest.raises(PermissionDenied):
        renewal_services.renewal_decide(renewal=renewal, actor=facilitator, decision="lapse")


def test_letting_lapse_ends_seats_only_after_the_grace_period(people, admin):
    alice = people["Alice"]
    renewal = opened(alice)
    renewal_services.renewal_decide(
        renewal=renewal, actor=admin, decision="lapse", reason="Left the company"
    )
    with time_machine.travel(datetime(2027, 2, 9, 6, tzinfo=UTC), tick=False):
        assert group_renewals.renewals_daily()["seats_ended"] == 0
    with time_machine.travel(datetime(2027, 2, 10, 6, tzinfo=UTC), tick=False):
        # Alice's seat, and those of the three who never answered.
        assert group_renewals.renewals_daily()["seats_ended"] == 4
        assert group_renewals.renewals_daily()["seats_ended"] == 0
    assert alice.memberships.get().status == "left"
    check = membership_check(cohort=people["forum"], member=alice)
    assert check.problems == ["Alice Member's membership lapsed; they are not a member any more."]
    renewal.refresh_from_db()
    assert (renewal.reason, renewal.decided_by) == ("Left the company", admin)


def test_moving_the_date_moves_the_open_renewal(people, admin):
    bob = people["Bob"]
    renewal = opened(bob)
    renewal_services.renewal_date_set(user=bob, due_on=date(2027, 3, 1), actor=admin)
    renewal.refresh_from_db()
    assert (renewal.due_on, Profile.objects.get(user=bob).renewal_due_on) == (
        date(2027, 3, 1),
        date(2027, 3, 1),
    )


def test_a_company_shared_with_someone_outside_the_cohort_is_not_flagged(
    people, admin, django_capture_on_commit_callbacks
):
    # Dora works at Hooli in another cohort: no conflict with Bob's cohort-mates.
    bob = people["Bob"]
    with django_capture_on_commit_callbacks(execute=True):
        change = services.company_change_request(user=bob, company="Hooli")
        services.company_change_decide(change=change, actor=admin, approve=True)
    change.refresh_from_db()
    assert change.cohort_checked_at is not None
    assert list(CompanyConflictFlag.objects.all()) == []
    assert group_renewals.renewals_daily()["flagged"] == 0


def test_a_conflicting_change_is_flagged_once_across_changes(
    people, admin, django_capture_on_commit_callbacks
):
    bob = people["Bob"]
    for company in ["Initech", "Bravo Tools", "Initech"]:
        with django_capture_on_commit_callbacks(execute=True):
            change = services.company_change_request(user=bob, company=company)
            services.company_change_decide(change=change, actor=admin, approve=True)
    assert list(CompanyConflictFlag.objects.values_list("user_id", "company")) == [
        (bob.pk, "Initech")
    ]
    assert Notification.objects.filter(kind="company_conflict").count() == 1


def test_approved_at_conftest_fixture_is_a_year_before_due():
    assert renewal_services.year_after(APPROVED.date()) == DUE
