"""Every write in the members app: profiles, applications and their review."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.tokens import token_hash, token_new
from core.versions import POOL, version_bump
from members import eligibility, notification_kinds, renewal_services
from members.companies import company_keys
from members.conflicts import conflicts_between
from members.models import (
    Application,
    ApplicationEvent,
    CompanyChangeRequest,
    ConfidentialityAgreement,
    ConflictDeclaration,
    EligibilityPolicy,
    InternalNote,
    Profile,
    RankedChallenge,
    Reference,
    Role,
    Score,
    User,
)
from members.permissions import can_edit_own_profile, can_review_applications, is_admin
from members.photos import photo_clean
from members.selectors import application_missing, referee_names

S = Application.Status
REFERENCE_LINK_DAYS = 14

# Which status may follow which. Anything else is refused with a clear message.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {
        S.UNDER_REVIEW,
        S.INFO_REQUESTED,
        S.APPROVED,
        S.WAITLISTED,
        S.DECLINED,
        S.WITHDRAWN,
    },
    S.UNDER_REVIEW: {S.INFO_REQUESTED, S.APPROVED, S.WAITLISTED, S.DECLINED, S.WITHDRAWN},
    S.INFO_REQUESTED: {S.SUBMITTED, S.DECLINED, S.WITHDRAWN},
    S.WAITLISTED: {S.UNDER_REVIEW, S.APPROVED, S.DECLINED, S.WITHDRAWN},
    S.APPROVED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
# The applicant moves their own application only to these; reviewers do the rest.
APPLICANT_MOVES = {S.SUBMITTED, S.WITHDRAWN}
VERB = {
    S.SUBMITTED: "submitted",
    S.UNDER_REVIEW: "put under review",
    S.INFO_REQUESTED: "sent back for more information",
    S.WAITLISTED: "waitlisted",
    S.APPROVED: "approved",
    S.DECLINED: "declined",
    S.WITHDRAWN: "withdrawn",
}
DECISIONS = {
    "approve": S.APPROVED,
    "waitlist": S.WAITLISTED,
    "decline": S.DECLINED,
    "request_info": S.INFO_REQUESTED,
}


class TransitionError(ValidationError):
    pass


def _link(name: str, *args) -> str:
    return settings.BASE_URL + reverse(name, args=args)


def _require_reviewer(actor: User) -> None:
    if not can_review_applications(actor):
        raise PermissionDenied("Only the membership team reviews applications.")


def _last_transition(application) -> ApplicationEvent:
    return application.events.filter(kind=ApplicationEvent.Kind.TRANSITION).latest("pk")


def _event(application, kind, actor, *, from_status="", to_status="", reason="", message=""):
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        message=message,
    )


# Profiles -------------------------------------------------------------------------------


def profile_get_or_create(*, user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(*, profile: Profile, user_fields: dict | None = None, **fields) -> Profile:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.company_keys = company_keys(profile.company, profile.company_website)
        profile.save()
        if user_fields:
            user = profile.user
            for name, value in user_fields.items():
                setattr(user, name, value)
            user.save(update_fields=[*user_fields])
    return profile


def city_fields(city) -> dict:
    """A profile's fields for a city of core.cities (None: no city)."""
    if city is None:
        return {"city": "", "city_geoname_id": None, "latitude": None, "longitude": None}
    return {
        "city": city.name,
        "country": city.country,
        "city_geoname_id": city.geoname_id,
        "latitude": city.latitude,
        "longitude": city.longitude,
    }


def challenges_rank(*, profile: Profile, challenges: list) -> None:
    """Replace the ranked challenges with `challenges`, first = rank 1."""
    with transaction.atomic():
        RankedChallenge.objects.filter(profile=profile).delete()
        RankedChallenge.objects.bulk_create(
            RankedChallenge(profile=profile, challenge=c, rank=i)
            for i, c in enumerate(challenges, start=1)
        )
        # bulk_create sends no signals (groups/signals.py)
        version_bump(POOL)


def conflicts_replace(*, profile: Profile, declarations: list[dict]) -> None:
    with transaction.atomic():
        ConflictDeclaration.objects.filter(profile=profile).delete()
        emails = {d["person_email"].lower() for d in declarations if d.get("person_email")}
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        ConflictDeclaration.objects.bulk_create(
            ConflictDeclaration(
                profile=profile,
                relationship=d["relationship"],
                company_name=d.get("company_name", ""),
                company_domain=d.get("company_domain", ""),
                company_keys=company_keys(d.get("company_name", ""), d.get("company_domain", "")),
                person_name=d.get("person_name", ""),
                person_email=(d.get("person_email") or "").lower(),
                other_user=users.get((d.get("person_email") or "").lower()),
                note=d.get("note", ""),
            )
            for d in declarations
        )
        version_bump(POOL)


# A member's own profile ---------------------------------------------------------------------

# What a member changes on their own; the company goes through company_change_request.
PROFILE_SELF_FIELDS = (
    "preferred_name",
    "title",
    "bio",
    "phone",
    "linkedin_url",
    "city",
    "country",
    "city_geoname_id",
    "latitude",
    "longitude",
    "meeting_hours_start",
    "meeting_hours_end",
    "share_email",
    "share_phone",
    "share_linkedin",
)
USER_SELF_FIELDS = ("first_name", "last_name", "time_zone")


def profile_self_update(*, user: User, **fields) -> Profile:
    """The member's own edit of their profile (members.forms.ProfileForm's fields)."""
    if not can_edit_own_profile(user):
        raise PermissionDenied
    unknown = set(fields) - set(PROFILE_SELF_FIELDS) - set(USER_SELF_FIELDS)
    if unknown:
        raise ValueError(f"Not editable by the member: {sorted(unknown)}")
    profile = profile_get_or_create(user=user)
    return profile_update(
        profile=profile,
        user_fields={k: v for k, v in fields.items() if k in USER_SELF_FIELDS},
        **{k: v for k, v in fields.items() if k in PROFILE_SELF_FIELDS},
    )


def photo_set(*, user: User, upload) -> Profile:
    """Store the member's photo as photos.photo_clean makes it; the old file goes once the
    new one is saved. Refused uploads raise ValidationError and store nothing."""
    if not can_edit_own_profile(user):
        raise PermissionDenied
    clean = photo_clean(upload)
    profile = profile_get_or_create(user=user)
    old = profile.photo.name
    with transaction.atomic():
        profile.photo.save(clean.name, clean, save=False)
        profile.save(update_fields=["photo", "updated_at"])
    if old:
        transaction.on_commit(lambda: profile.photo.storage.delete(old))
    return profile


def photo_remove(*, user: User) -> Profile:
    profile = profile_get_or_create(user=user)
    old = profile.photo.name
    if old:
        profile.photo = ""
        profile.save(update_fields=["photo", "updated_at"])
        transaction.on_commit(lambda: profile.photo.storage.delete(old))
    return profile


def agreement_reread(*, user: User) -> Profile:
    profile = profile_get_or_create(user=user)
    profile.agreement_reread_at = timezone.now()
    profile.save(update_fields=["agreement_reread_at", "updated_at"])
    return profile


def _company_conflicts(user: User, company: str, keys: list[str]) -> list[str]:
    """The conflict check of members.conflicts for the new company, against every member:
    who the member would conflict with if they worked there."""
    others = User.objects.filter(role=Role.MEMBER).exclude(pk=user.pk).values_list("pk", flat=True)
    found = conflicts_between(user.pk, list(others), company=(company, keys))
    return [reason.detail for other in sorted(found) for reason in found[other]]


def company_change_request(*, user: User, company: str, company_website: str = ""):
    """A member's new company waits for an admin, with the conflicts it would bring. A second
    request replaces the one still waiting."""
    if not can_edit_own_profile(user):
        raise PermissionDenied
    keys = company_keys(company, company_website)
    conflicts = _company_conflicts(user, company, keys)
    with transaction.atomic():
        change, _ = CompanyChangeRequest.objects.select_for_update().update_or_create(
            user=user,
            status=CompanyChangeRequest.Status.PENDING,
            defaults={
                "company": company,
                "company_website": company_website,
                "conflicts": conflicts,
            },
        )
    return change


def company_change_decide(*, change, actor: User, approve: bool):
    """An admin approves (the profile's company changes) or declines a waiting request. The
    conflict check runs again: memberships may have changed since the request."""
    if not is_admin(actor):
        raise PermissionDenied
    if change.status != CompanyChangeRequest.Status.PENDING:
        raise ValidationError("This request was already decided.")
    keys = company_keys(change.company, change.company_website)
    with transaction.atomic():
        change.conflicts = _company_conflicts(change.user, change.company, keys)
        change.status = (
            CompanyChangeRequest.Status.APPROVED
            if approve
            else CompanyChangeRequest.Status.DECLINED
        )
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.save()
        if approve:
            profile_update(
                profile=profile_get_or_create(user=change.user),
                company=change.company,
                company_website=change.company_website,
            )
    return change


# Applications ---------------------------------------------------------------------------


def application_get_or_create(*, applicant: User) -> Application:
    profile_get_or_create(user=applicant)
    application, _ = Application.objects.get_or_create(applicant=applicant)
    return application


def references_replace(*, application: Application, references: list[dict]) -> None:
    """Store the referees; one whose email changed gets a new, not-yet-sent request."""
    with transaction.atomic():
        existing = {r.position: r for r in application.references.all()}
        for position, data in enumerate(references, start=1):
            ref = existing.pop(position, None)
            if ref is None:
                Reference.objects.create(application=application, position=position, **data)
                continue
            if ref.email != data["email"]:
                ref.token_hash, ref.sent_at, ref.expires_at = "", None, None
                ref.answered_at, ref.years_known, ref.recommendation, ref.comments = (
                    None,
                    None,
                    "",
                    "",
                )
            ref.name, ref.email, ref.relationship = (
                data["name"],
                data["email"],
                data["relationship"],
            )
            ref.save()
        for ref in existing.values():
            ref.delete()


def application_agreement_save(
    *, application: Application, motivation: str, agreement: ConfidentialityAgreement
) -> None:
    application.motivation = motivation
    if application.agreement_id != agreement.pk:
        application.agreement = agreement
        application.agreement_accepted_at = timezone.now()
    application.save(
        update_fields=["motivation", "agreement", "agreement_accepted_at", "updated_at"]
    )


def application_conflicts_reviewed(*, application: Application) -> None:
    application.conflicts_reviewed = True
    application.save(update_fields=["conflicts_reviewed", "updated_at"])


def application_transition(
    *,
    application: Application,
    to_status: str,
    actor: User | None,
    reason: str = "",
    message: str = "",
) -> Application:
    """The state machine. Locks the row so two reviewers cannot decide at once."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        current = locked.status
        if to_status not in TRANSITIONS[current]:
            raise TransitionError(
                f"This application is {S(current).label.lower()}; "
                f"it cannot be {VERB.get(to_status, to_status)}."
            )
        now = timezone.now()
        locked.status = to_status
        if to_status == S.SUBMITTED:
            locked.submitted_at = locked.submitted_at or now
        if to_status in {S.APPROVED, S.DECLINED, S.WAITLISTED}:
            locked.decided_at = now
        locked.save()
        _event(
            locked,
            ApplicationEvent.Kind.TRANSITION,
            actor,
            from_status=current,
            to_status=to_status,
            reason=reason,
            message=message,
        )
    application.refresh_from_db()
    return application


def application_submit(*, application: Application, actor: User) -> Application:
    if application.applicant_id != actor.pk:
        raise PermissionDenied("Only the applicant submits their application.")
    missing = application_missing(application)
    if missing:
        raise ValidationError(
            ["Complete these sections before you submit:"] + [m for _, m in missing]
        )
    resubmitted = application.status == S.INFO_REQUESTED
    application_transition(application=application, to_status=S.SUBMITTED, actor=actor)
    application_evaluate(application=application)
    for reference in application.references.filter(sent_at__isnull=True):
        reference_send(reference=reference, actor=actor)
    notification_kinds.application_received(
        application=application,
        event=_last_transition(application),
        resubmitted=resubmitted,
        link=_link("application_overview"),
    )
    return application


def application_withdraw(*, application: Application, actor: User, reason: str = "") -> None:
    if application.applicant_id != actor.pk:
        raise PermissionDenied("Only the applicant withdraws their application.")
    application_transition(
        application=application, to_status=S.WITHDRAWN, actor=actor, reason=reason
    )


def application_decide(
    *,
    application: Application,
    decision: str,
    actor: User,
    reason: str = "",
    message: str = "",
    outstanding_confirmed: bool = False,
    outstanding_reason: str = "",
) -> Application:
    """Approving while a referee has not answered takes `outstanding_confirmed` and an
    `outstanding_reason`; both go into the decision's audit event with the referees' names."""
    _require_reviewer(actor)
    if decision not in DECISIONS:
        raise ValidationError(f"Unknown decision {decision!r}.")
    to_status = DECISIONS[decision]
    if to_status == S.INFO_REQUESTED and not message.strip():
        raise ValidationError(
            {"message": "Tell the applicant what information you need; they will see this text."}
        )
    # An illegal move is refused by the state machine below, with its own message.
    if to_status == S.APPROVED and to_status in TRANSITIONS[application.status]:
        outstanding = list(application.references.filter(answered_at__isnull=True))
        if outstanding:
            names = referee_names(outstanding)
            verb = "has" if len(outstanding) == 1 else "have"
            if not (outstanding_confirmed and outstanding_reason.strip()):
                raise ValidationError(
                    f"{names} {verb} not answered yet: to approve now, confirm that you go "
                    "ahead without waiting and say why."
                )
            reason = "\n".join(
                part
                for part in [
                    reason.strip(),
                    f"Approved before {names} answered: {outstanding_reason.strip()}",
                ]
                if part
            )
    with transaction.atomic():
        application_transition(
            application=application,
            to_status=to_status,
            actor=actor,
            reason=reason,
            message=message,
        )
        if to_status == S.APPROVED:
            applicant = application.applicant
            applicant.role = Role.MEMBER
            applicant.save(update_fields=["role", "is_staff", "is_superuser"])
            approved_at = timezone.now()
            Profile.objects.filter(user=applicant).update(
                approved_at=approved_at,
                renewal_due_on=renewal_services.year_after(renewal_services.today_utc(approved_at)),
            )
            version_bump(POOL)
        notification_kinds.application_decision(
            application=application,
            event=_last_transition(application),
            link=_link("application_overview"),
        )
    return application


def application_review_start(*, application: Application, actor: User) -> None:
    _require_reviewer(actor)
    if application.status == S.SUBMITTED:
        application_transition(application=application, to_status=S.UNDER_REVIEW, actor=actor)


def application_score(
    *,
    application: Application,
    reviewer: User,
    fit: int,
    contribution: int,
    commitment: int,
    comment: str = "",
) -> Score:
    _require_reviewer(reviewer)
    if application.status in {S.DRAFT, S.WITHDRAWN}:
        raise ValidationError("Only submitted applications can be scored.")
    with transaction.atomic():
        score, _ = Score.objects.update_or_create(
            application=application,
            reviewer=reviewer,
            defaults={
                "fit": fit,
                "contribution": contribution,
                "commitment": commitment,
                "comment": comment,
            },
        )
        _event(
            application,
            ApplicationEvent.Kind.SCORED,
            reviewer,
            reason=f"fit {fit}, contribution {contribution}, commitment {commitment}",
        )
        application_review_start(application=application, actor=reviewer)
    return score


def application_note_add(*, application: Application, author: User, text: str) -> InternalNote:
    _require_reviewer(author)
    with transaction.atomic():
        note = InternalNote.objects.create(application=application, author=author, text=text)
        _event(application, ApplicationEvent.Kind.NOTE, author)
    return note


def application_evaluate(*, application: Application) -> Application:
    policy = EligibilityPolicy.objects.first()
    if policy is None:
        return application
    profile = profile_get_or_create(user=application.applicant)
    result = eligibility.evaluate(policy.rules, eligibility.facts_from_profile(profile))
    application.eligibility = {**result, "policy_id": policy.pk}
    application.eligible = result["passed"]
    application.save(update_fields=["eligibility", "eligible", "updated_at"])
    return application


def application_waive(*, application: Application, actor: User, reason: str) -> Application:
    _require_reviewer(actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the rules are waived for this applicant."})
    with transaction.atomic():
        application.waiver_reason = reason
        application.waived_by = actor
        application.waived_at = timezone.now()
        application.save(update_fields=["waiver_reason", "waived_by", "waived_at", "updated_at"])
        _event(application, ApplicationEvent.Kind.WAIVER, actor, reason=reason)
    return application


def policy_update(*, rules: dict, actor: User, note: str = "") -> EligibilityPolicy:
    _require_reviewer(actor)
    eligibility.validate_rules(rules)
    with transaction.atomic():
        policy = EligibilityPolicy.objects.create(rules=rules, note=note, created_by=actor)
        open_statuses = [S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED, S.WAITLISTED]
        for application in Application.objects.filter(status__in=open_statuses).select_related(
            "applicant"
        ):
            application_evaluate(application=application)
    return policy


# References -----------------------------------------------------------------------------


def reference_send(*, reference: Reference, actor: User) -> str:
    """Issue a fresh private link (any earlier link stops working) and email it."""
    if reference.answered_at:
        raise ValidationError("This referee has already answered.")
    token = token_new(32)
    now = timezone.now()
    with transaction.atomic():
        reference.token_hash = token_hash(token)
        reference.sent_at = now
        reference.expires_at = now + timedelta(days=REFERENCE_LINK_DAYS)
        reference.save(update_fields=["token_hash", "sent_at", "expires_at"])
        _event(
            reference.application,
            ApplicationEvent.Kind.REFERENCE_SENT,
            actor,
            reason=f"Reference request sent to referee {reference.position}",
        )
        notification_kinds.reference_request(
            reference=reference, link=_link("reference_respond", token)
        )
    return token


def reference_resend(*, reference: Reference, actor: User) -> str:
    _require_reviewer(actor)
    return reference_send(reference=reference, actor=actor)


def reference_answer(
    *, reference: Reference, years_known: int, recommendation: str, comments: str
) -> Reference:
    with transaction.atomic():
        locked = Reference.objects.select_for_update().get(pk=reference.pk)
        if locked.answered_at:
            raise ValidationError("This reference link has already been used.")
        locked.years_known = years_known
        locked.recommendation = recommendation
        locked.comments = comments
        locked.answered_at = timezone.now()
        locked.token_hash = ""  # single use
        locked.save()
        _event(
            locked.application,
            ApplicationEvent.Kind.REFERENCE_ANSWERED,
            None,
            reason=f"Referee {locked.position} answered",
        )
    return locked
