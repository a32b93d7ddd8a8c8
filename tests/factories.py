"""Small factories: plain functions with sensible defaults, keyword-only overrides."""

import itertools

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from groups.models import Cohort, Membership
from members.models import Role, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def user_create(
    *,
    role=Role.APPLICANT,
    email=None,
    first="Pat",
    last=None,
    time_zone="UTC",
    verified=True,
    totp=False,
    password=PASSWORD,
) -> User:
    n = next(_seq)
    email = email or f"{role}{n}@example.com"
    user = User.objects.create_user(
        email=email,
        password=password,
        role=role,
        first_name=first,
        last_name=last or f"Person{n}",
        time_zone=time_zone,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    if totp:
        totp_enable(user)
    return user


def totp_enable(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_enabled(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def cohort_create(*, name=None, facilitators=(), members=(), status=Cohort.Status.ACTIVE) -> Cohort:
    n = next(_seq)
    cohort = Cohort.objects.create(name=name or f"Cohort {n}", slug=f"cohort-{n}", status=status)
    cohort.facilitators.set(facilitators)
    for member in members:
        Membership.objects.create(cohort=cohort, member=member)
    return cohort
