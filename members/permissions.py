"""Pure predicates about what a person may do."""

from allauth.mfa.models import Authenticator

from members.models import Role


def role_of(user) -> str:
    if not user.is_authenticated:
        return "visitor"
    if user.is_superuser:
        return Role.ADMIN
    return user.role


def is_admin(user) -> bool:
    return user.is_authenticated and role_of(user) == Role.ADMIN


def is_facilitator(user) -> bool:
    return user.is_authenticated and role_of(user) == Role.FACILITATOR


def requires_mfa(user) -> bool:
    """Admins and facilitators see confidential data of many people."""
    return user.is_authenticated and (
        user.is_staff or role_of(user) in {Role.ADMIN, Role.FACILITATOR}
    )


def mfa_missing(user) -> bool:
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def can_edit_own_profile(user) -> bool:
    """Members, facilitators and admins keep a profile their cohorts see; an applicant's
    profile is their application."""
    return user.is_authenticated and role_of(user) != Role.APPLICANT


def can_renew(user) -> bool:
    """Members renew their network membership every year; staff do not."""
    return user.is_authenticated and role_of(user) == Role.MEMBER


def can_review_applications(user) -> bool:
    return is_admin(user)


def can_apply(user) -> bool:
    """Applicants apply; members keep read access to the application that admitted them."""
    return user.is_authenticated and role_of(user) in {Role.APPLICANT, Role.MEMBER}
