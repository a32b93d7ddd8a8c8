"""Small factories: plain functions with sensible defaults, keyword-only overrides."""

import itertools

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from core import cities
from groups.models import Cohort, Membership
from members import selectors, services
from members.models import Challenge, Role, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"
# GeoNames ids of a few cities (core.cities).
LONDON, BOSTON, LAGOS, PARIS, READING, NEW_YORK, SYDNEY = (
    2643743,
    4930956,
    2332459,
    2988507,
    2639577,
    5128581,
    2147714,
)


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


def challenges(n: int = 5) -> list:
    return list(Challenge.objects.order_by("position")[:n])


def application_complete(
    *,
    applicant=None,
    email=None,
    title="Chief Executive Officer",
    employees=120,
    revenue_band="13m-50m",
    company="Northwind Traders",
    submit=False,
):
    """An applicant whose application has every section filled in (a draft unless submit)."""

    applicant = applicant or user_create(email=email, first="Jordan", last="Applicant")
    application = services.application_get_or_create(applicant=applicant)
    profile = applicant.profile
    services.profile_update(
        profile=profile,
        user_fields={
            "first_name": applicant.first_name or "Jordan",
            "last_name": applicant.last_name or "Applicant",
        },
        title=title,
        **services.city_fields(cities.get(BOSTON)),
        company=company,
        company_website=f"https://{company.lower().replace(' ', '')}.test",
        industry="42",
        employees=employees,
        revenue_band=revenue_band,
        years_in_role=6,
        preferred_format="hybrid",
    )
    services.challenges_rank(profile=profile, challenges=challenges(3))
    services.application_conflicts_reviewed(application=application)
    services.references_replace(
        application=application,
        references=[
            {
                "name": "Riley Ref",
                "email": f"riley.{applicant.pk}@example.org",
                "relationship": "Board chair",
            },
            {
                "name": "Sam Ref",
                "email": f"sam.{applicant.pk}@example.org",
                "relationship": "Co-founder",
            },
        ],
    )
    services.application_agreement_save(
        application=application,
        motivation="I want a room of peers to think with, " * 3,
        agreement=selectors.current_agreement(),
    )
    if submit:
        services.application_submit(application=application, actor=applicant)
    application.refresh_from_db()
    return application


def pool_member_create(
    *,
    email=None,
    first="Pat",
    last=None,
    industry="54",
    company=None,
    time_zone="Europe/London",
    preferred_format="hybrid",
    challenge_count=3,
    city=LONDON,
):
    """An approved member with a full profile, in no cohort yet (``city``: a GeoNames id)."""

    user = user_create(role=Role.MEMBER, email=email, first=first, last=last, time_zone=time_zone)
    profile = services.profile_get_or_create(user=user)
    company = company or f"{user.last_name} Holdings"
    services.profile_update(
        profile=profile,
        title="CEO",
        company=company,
        company_website=f"https://{company.lower().replace(' ', '')}.test",
        industry=industry,
        employees=100,
        revenue_band="13m-50m",
        years_in_role=5,
        **services.city_fields(cities.get(city)),
        preferred_format=preferred_format,
    )
    services.challenges_rank(profile=profile, challenges=challenges(challenge_count))
    profile.approved_at = timezone.now()
    profile.save(update_fields=["approved_at"])
    return user


def references_answer(application, *, positions=(1, 2)) -> None:
    """The referees at these positions answer (warmly) through their private links."""

    for reference in application.references.filter(position__in=positions):
        services.reference_answer(
            reference=reference,
            years_known=6,
            recommendation="strong",
            comments="Candid and generous with peers.",
        )
