import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from groups.selectors import pool
from members import selectors, services
from members.models import Application, ApplicationEvent, Role
from tests import factories

S = Application.Status


@pytest.fixture
def reviewer(db):
    return factories.user_create(role=Role.ADMIN, email="reviewer@example.com", totp=True)


def test_submit_refuses_incomplete_application_and_says_what_is_missing(db):
    applicant = factories.user_create(first="", last="")
    application = services.application_get_or_create(applicant=applicant)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, actor=applicant)
    assert error.value.messages == [
        "Complete these sections before you submit:",
        "About you: add your name, job title, city and country.",
        "Your company: fill in company name, industry, employees, revenue, years in role and "
        "preferred format.",
        "Challenges: rank at least three challenges.",
        "Conflicts of interest: declare your conflicts, or confirm you have none.",
        "References: name two referees.",
        "Motivation and agreement: say why you want to join and accept the confidentiality "
        "agreement.",
    ]
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_submit_evaluates_eligibility_sends_references_and_receipt(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = factories.application_complete(email="ceo@example.com", submit=True)
    assert application.status == S.SUBMITTED
    assert application.eligible is True
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ceo@example.com",
        f"riley.{application.applicant_id}@example.org",
        f"sam.{application.applicant_id}@example.org",
    ]
    assert all(r.sent_at and r.token_hash for r in application.references.all())


def test_submit_marks_ineligible_applicant(db):
    application = factories.application_complete(title="Head of Sales", submit=True)
    assert application.eligible is False
    assert application.eligibility_label == "Not eligible"


@pytest.mark.parametrize(
    ("decision", "status", "role"),
    [
        ("approve", S.APPROVED, Role.MEMBER),
        ("waitlist", S.WAITLISTED, Role.APPLICANT),
        ("decline", S.DECLINED, Role.APPLICANT),
    ],
)
def test_decide_moves_status_role_and_emails(
    reviewer, django_capture_on_commit_callbacks, decision, status, role
):
    application = factories.application_complete(submit=True)
    factories.references_answer(application)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decide(
            application=application, decision=decision, actor=reviewer, reason="Panel vote"
        )
    application.refresh_from_db()
    application.applicant.refresh_from_db()
    assert (application.status, application.applicant.role) == (status, role)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([application.applicant.email], "[PeerNet] There is news about your application")
    ]
    event = application.events.filter(kind=ApplicationEvent.Kind.TRANSITION).last()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        reviewer,
        S.SUBMITTED,
        status,
        "Panel vote",
    )


def test_approval_places_member_in_unassigned_pool(reviewer):
    application = factories.application_complete(submit=True)
    factories.references_answer(application)
    with time_machine.travel("2026-11-20 10:00Z", tick=False):
        services.application_decide(application=application, decision="approve", actor=reviewer)
    profile = application.applicant.profile
    profile.refresh_from_db()
    assert profile.approved_at.isoformat() == "2026-11-20T10:00:00+00:00"
    assert list(pool()) == [application.applicant]


@pytest.mark.parametrize(
    ("start", "decision", "message"),
    [
        (S.APPROVED, "decline", "This application is approved; it cannot be declined."),
        (S.DECLINED, "approve", "This application is declined; it cannot be approved."),
        (S.WITHDRAWN, "waitlist", "This application is withdrawn; it cannot be waitlisted."),
    ],
)
def test_illegal_transitions_are_refused_with_clear_message(reviewer, start, decision, message):
    application = factories.application_complete(submit=True)
    Application.objects.filter(pk=application.pk).update(status=start)
    application.refresh_from_db()
    with pytest.raises(services.TransitionError) as error:
        services.application_decide(application=application, decision=decision, actor=reviewer)
    assert error.value.messages == [message]


def test_draft_cannot_be_decided(reviewer):
    application = factories.application_complete()
    with pytest.raises(services.TransitionError) as error:
        services.application_decide(application=application, decision="approve", actor=reviewer)
    assert error.value.messages == ["This application is draft; it cannot be approved."]


def test_request_info_then_resubmit_round_trip(reviewer):
    application = factories.application_complete(submit=True)
    with pytest.raises(ValidationError):
        services.application_decide(
            application=application, decision="request_info", actor=reviewer, message="   "
        )
    services.application_decide(
        application=application,
        decision="request_info",
        actor=reviewer,
        message="Please add your payroll.",
    )
    application.refresh_from_db()
    assert application.status == S.INFO_REQUESTED and application.is_editable
    services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    titles = [e.title for e in selectors.application_timeline(application)]
    assert titles == [
        "Application started",
        "Application submitted",
        "More information requested",
        "Application resubmitted",
    ]


def test_only_reviewers_decide_score_or_note(db):
    application = factories.application_complete(submit=True)
    member = factories.user_create(role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.application_decide(application=application, decision="approve", actor=member)
    with pytest.raises(PermissionDenied):
        services.application_score(
            application=application, reviewer=member, fit=5, contribution=5, commitment=5
        )
    with pytest.raises(PermissionDenied):
        services.application_note_add(application=application, author=member, text="x")


def test_applicant_withdraws_and_others_cannot(db):
    application = factories.application_complete(submit=True)
    other = factories.user_create()
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=application, actor=other)
    services.application_withdraw(
        application=application, actor=application.applicant, reason="Timing"
    )
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


def test_scores_from_several_reviewers_average_and_start_review(reviewer):
    second = factories.user_create(role=Role.ADMIN, totp=True)
    application = factories.application_complete(submit=True)
    services.application_score(
        application=application,
        reviewer=reviewer,
        fit=5,
        contribution=4,
        commitment=3,
        comment="Strong",
    )
    services.application_score(
        application=application, reviewer=second, fit=3, contribution=3, commitment=3
    )
    # A reviewer changing their mind replaces their score, not adds one.
    services.application_score(
        application=application, reviewer=second, fit=2, contribution=2, commitment=2
    )
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert sorted(s.total for s in application.scores.all()) == [2.0, 4.0]
    row = selectors.review_queue(reviewer).get(pk=application.pk)
    assert row.average_score == pytest.approx(3.0)


def test_waiver_records_reason_and_requires_one(reviewer):
    application = factories.application_complete(title="VP Sales", submit=True)
    with pytest.raises(ValidationError):
        services.application_waive(application=application, actor=reviewer, reason=" ")
    services.application_waive(
        application=application, actor=reviewer, reason="Runs the business day to day"
    )
    application.refresh_from_db()
    assert application.eligibility_label == "Waived"
    assert application.events.filter(kind="waiver").get().reason == "Runs the business day to day"


def test_reference_link_is_single_use_and_expires(db):
    application = factories.application_complete(submit=True)
    reference = application.references.first()
    token = services.reference_send(reference=reference, actor=application.applicant)
    found, problem = selectors.reference_by_token(token)
    assert (found, problem) == (reference, "")
    services.reference_answer(
        reference=found, years_known=8, recommendation="strong", comments="Thoughtful and candid."
    )
    assert selectors.reference_by_token(token) == (
        None,
        "This link is not valid. It may have been used already or replaced by a newer one.",
    )
    other = application.references.last()
    token = services.reference_send(reference=other, actor=application.applicant)
    with time_machine.travel(other.expires_at.timestamp() + 1):
        assert selectors.reference_by_token(token) == (
            None,
            "This link has expired. Ask the membership team to send you a new one.",
        )


def test_reference_resend_invalidates_old_link(reviewer):
    application = factories.application_complete(submit=True)
    reference = application.references.first()
    old = services.reference_send(reference=reference, actor=reviewer)
    new = services.reference_resend(reference=reference, actor=reviewer)
    assert selectors.reference_by_token(old)[0] is None
    assert selectors.reference_by_token(new)[0] == reference


def test_timeline_never_shows_notes_scores_reasons_or_reviewers(reviewer):
    application = factories.application_complete(submit=True)
    services.application_note_add(application=application, author=reviewer, text="SECRET-NOTE")
    services.application_score(
        application=application,
        reviewer=reviewer,
        fit=1,
        contribution=1,
        commitment=1,
        comment="SECRET-SCORE",
    )
    services.application_decide(
        application=application,
        decision="decline",
        actor=reviewer,
        reason="SECRET-REASON",
        message="Thank you for applying.",
    )
    text = " ".join(f"{e.title} {e.text}" for e in selectors.application_timeline(application))
    for secret in [
        "SECRET-NOTE",
        "SECRET-SCORE",
        "SECRET-REASON",
        reviewer.display_name,
        reviewer.email,
    ]:
        assert secret not in text
    assert text.endswith(
        "Not approved We are not able to offer you a place this time. Thank you for applying."
    )


def test_policy_update_reevaluates_open_applications(reviewer):
    application = factories.application_complete(title="VP Sales", submit=True)
    assert application.eligible is False
    services.policy_update(
        rules={
            "groups": [{"label": "Size", "any": [{"fact": "employees", "op": "gte", "value": 10}]}]
        },
        actor=reviewer,
        note="Open to all leaders",
    )
    application.refresh_from_db()
    assert application.eligible is True


def test_approving_with_references_outstanding_needs_confirmation_and_reason(reviewer):
    application = factories.application_complete(submit=True)
    factories.references_answer(application, positions=[2])
    for confirmed, why in [(False, ""), (True, "  "), (False, "Known to the board")]:
        with pytest.raises(ValidationError) as error:
            services.application_decide(
                application=application,
                decision="approve",
                actor=reviewer,
                outstanding_confirmed=confirmed,
                outstanding_reason=why,
            )
        assert error.value.messages == [
            "Riley Ref has not answered yet: to approve now, confirm that you go ahead "
            "without waiting and say why."
        ]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert not application.events.filter(to_status=S.APPROVED).exists()

    services.application_decide(
        application=application,
        decision="approve",
        actor=reviewer,
        outstanding_confirmed=True,
        outstanding_reason="Riley chairs the board; we spoke by phone.",
    )
    application.refresh_from_db()
    event = application.events.filter(kind=ApplicationEvent.Kind.TRANSITION).last()
    assert (application.status, event.to_status, event.actor, event.reason) == (
        S.APPROVED,
        S.APPROVED,
        reviewer,
        "Approved before Riley Ref answered: Riley chairs the board; we spoke by phone.",
    )


def test_outstanding_references_do_not_hold_up_other_decisions(reviewer):
    application = factories.application_complete(submit=True)
    services.application_decide(application=application, decision="waitlist", actor=reviewer)
    services.application_decide(application=application, decision="decline", actor=reviewer)
    application.refresh_from_db()
    assert application.status == S.DECLINED


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (
            "",
            "Welcome to PeerNet. We will place you in a cohort of peers and send you your "
            "meeting schedule.",
        ),
        (
            "Welcome to PeerNet, Jordan!",
            "Welcome to PeerNet, Jordan! We will place you in a cohort of peers and send you "
            "your meeting schedule.",
        ),
    ],
)
def test_approval_timeline_greets_once(reviewer, message, text):
    application = factories.application_complete(submit=True)
    factories.references_answer(application)
    services.application_decide(
        application=application, decision="approve", actor=reviewer, message=message
    )
    last = selectors.application_timeline(application)[-1]
    assert (last.title, last.text) == ("Approved", text)
