"""Reads in the groups app, scoped to the person asking."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.versions import POOL, cached
from groups.models import Cohort, Membership, RosterEvent
from members.companies import company_keys
from members.conflicts import conflicts_of_changes
from members.models import CompanyChangeRequest, Profile, RankedChallenge, Role, User
from members.permissions import is_admin

REGIONS = {
    "America": "Americas",
    "Europe": "Europe",
    "Africa": "Africa",
    "Asia": "Asia",
    "Australia": "Australia",
    "Pacific": "Pacific",
}


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """Admins see every cohort; facilitators those they run; members their own.

    The ids come from a UNION of the two small lookups (by member, by facilitator): an OR of
    two subqueries could not use them as such, so a query reaching cohorts from meetings (the
    calendar feed) scanned every meeting."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_admin(user):
        return Cohort.objects.all()
    member_of = Membership.objects.active().filter(member=user).order_by().values("cohort_id")
    runs = Cohort.facilitators.through.objects.filter(user=user).order_by().values("cohort_id")
    return Cohort.objects.filter(pk__in=member_of.union(runs))


def cohorts_facilitated_by(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(facilitators=user)


def cohort_of_member(user) -> Cohort | None:
    membership = Membership.objects.active().filter(member=user).select_related("cohort").first()
    return membership.cohort if membership else None


def _with_facilitators(qs):
    return qs.prefetch_related(
        Prefetch("facilitators", queryset=User.objects.order_by("last_name", "first_name"))
    )


def active_member_count():
    """The number of active members of each cohort, as a subquery evaluated only for the rows
    that are shown (a ``Count`` over a join would aggregate every cohort before the page is
    cut)."""
    counts = (
        Membership.objects.active()
        .filter(cohort=OuterRef("pk"))
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def cohort_list(user, *, status="", facilitator=None, q="") -> QuerySet[Cohort]:
    qs = cohorts_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if facilitator:
        qs = qs.filter(facilitators=facilitator)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(location__icontains=q))
    qs = qs.annotate(active_members=active_member_count())
    return _with_facilitators(qs).prefetch_related("themes").order_by("name", "pk")


def cohort_for(user, slug: str) -> Cohort:
    """One cohort with roster, profiles, themes and facilitators, in a fixed number of queries;
    a cohort the user may not see is a 404."""
    seats = (
        Membership.objects.active()
        .select_related("member", "member__profile")
        .prefetch_related(
            Prefetch(
                "member__profile__challenges",
                queryset=RankedChallenge.objects.select_related("challenge"),
            )
        )
        .order_by("member__last_name", "member__first_name")
    )
    cohort = get_object_or_404(
        _with_facilitators(cohorts_visible_to(user)).prefetch_related(
            "themes", Prefetch("memberships", queryset=seats, to_attr="roster")
        ),
        slug=slug,
    )
    cohort.facilitator_ids = {f.pk for f in cohort.facilitators.all()}
    return cohort


def _cohort_at_key(slug: str) -> str:
    return f"cohort-at:{slug}"  # a slug is letters, digits, - and _


def cohort_id_at(slug: str) -> int | None:
    """The id of the cohort last shown at ``slug``, without a query (None if none was), to
    key its kept pages by that cohort's version. It may be out of date (slugs are unique, but
    a cohort's slug may change): a kept page is kept only when the cohort rendered is the one
    this gave, and a cohort that leaves its slug changes its version, so a slug never leads to
    another cohort's page."""
    return cache.get(_cohort_at_key(slug))


def cohort_at_remember(cohort: Cohort) -> None:
    cache.set(_cohort_at_key(cohort.slug), cohort.pk, timeout=None)


def cohort_visible(user, slug: str) -> Cohort:
    """One cohort the user may see, without its roster; a cohort they may not see is a 404."""
    return get_object_or_404(cohorts_visible_to(user), slug=slug)


def roster(cohort: Cohort, *, at=None) -> list[User]:
    """The cohort's members by name: those in it now, or those in it at the moment ``at``
    (joined by then and not left by then, whatever they are now; someone who joined, left and
    rejoined appears once)."""
    memberships = Membership.objects.filter(cohort=cohort)
    memberships = memberships.active() if at is None else memberships.held_at(at)
    memberships = memberships.select_related("member").order_by(
        "member__last_name", "member__first_name", "member_id"
    )
    return list({m.member_id: m.member for m in memberships}.values())


def roster_events(cohort: Cohort, limit: int = 20) -> list[RosterEvent]:
    return list(
        cohort.roster_events.select_related("member", "actor").order_by("-created_at", "-id")[
            :limit
        ]
    )


def pool(*, challenge=None, region="", industry="", meeting_format="", q="") -> QuerySet[User]:
    """Approved members whose membership has not lapsed, in no active cohort, longest waiting
    first (one row per person)."""
    in_a_cohort = Membership.objects.active().filter(member=OuterRef("pk"))
    qs = (
        User.objects.filter(
            role=Role.MEMBER, profile__approved_at__isnull=False, profile__lapsed_at__isnull=True
        )
        .filter(~Exists(in_a_cohort))
        .select_related("profile")
        .prefetch_related(
            Prefetch(
                "profile__challenges", queryset=RankedChallenge.objects.select_related("challenge")
            )
        )
    )
    if challenge:
        qs = qs.filter(
            Exists(RankedChallenge.objects.filter(profile=OuterRef("profile"), challenge=challenge))
        )
    if region in REGIONS:
        qs = qs.filter(time_zone__startswith=f"{region}/")
    if industry:
        qs = qs.filter(profile__industry=industry)
    if meeting_format:
        qs = qs.filter(profile__preferred_format=meeting_format)
    if q:
        qs = qs.filter(
            Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
            | Q(profile__company__icontains=q)
        )
    # NOT EXISTS and EXISTS, not joins: no duplicate rows, so no DISTINCT over the whole pool.
    return qs.order_by("profile__approved_at", "id")


def pool_count(**filters) -> int:
    """How many people ``pool(**filters)`` lists. Counting them is an anti-join over every
    approved member (20-40 ms at 35,000), so the count is cached until the pool changes
    (``core.versions.POOL``, bumped by groups/signals.py and the bulk writes)."""
    given = sorted((name, getattr(value, "pk", value)) for name, value in filters.items())
    key = hashlib.sha256(repr(given).encode()).hexdigest()
    return cached(POOL, f"count:{key}", lambda: pool(**filters).count(), shape="int")


def roster_industries(cohort: Cohort) -> list[str]:
    return list(
        Profile.objects.filter(
            Membership.active_q("user__memberships"), user__memberships__cohort=cohort
        ).values_list("industry", flat=True)
    )


def people_visible_to(viewer) -> QuerySet[User]:
    """Whose profile (and photo) the viewer may see: themselves, the active members and the
    facilitators of every cohort they see (cohorts_visible_to), and everyone for admins."""
    if not viewer.is_authenticated:
        return User.objects.none()
    if is_admin(viewer):
        return User.objects.all()
    cohorts = cohorts_visible_to(viewer).values("pk")
    seated = Membership.objects.active().filter(cohort__in=cohorts, member=OuterRef("pk"))
    runs = Cohort.facilitators.through.objects.filter(cohort__in=cohorts, user=OuterRef("pk"))
    return User.objects.filter(Q(pk=viewer.pk) | Exists(seated) | Exists(runs))


def person_for(viewer, user_id: int) -> User:
    """One person the viewer may see, with their profile; anyone else is a 404."""
    return get_object_or_404(people_visible_to(viewer).select_related("profile"), pk=user_id)


def cohort_person(cohort: Cohort, user_id: int) -> User:
    """An active member of a cohort already fetched with cohort_for (its roster holds them
    with their profiles); anyone else is a 404."""
    for seat in cohort.roster:
        if seat.member_id == user_id:
            return seat.member
    raise Http404


@dataclass(frozen=True)
class CompanyChangeRow:
    """A waiting company change as the admins' page shows it: the request, the member's cohorts
    (names) and what the new company would bring in those cohorts (the flags' wording)."""

    change: CompanyChangeRequest
    cohorts: list[str]
    conflicts: list[str]


def company_changes_waiting(user) -> QuerySet[CompanyChangeRequest]:
    """Company changes waiting for an admin, oldest first; nothing for anyone else."""
    if not is_admin(user):
        return CompanyChangeRequest.objects.none()
    return (
        CompanyChangeRequest.objects.filter(status=CompanyChangeRequest.Status.PENDING)
        .select_related("user", "user__profile")
        .order_by("created_at", "id")
    )


def company_change_rows(changes: list[CompanyChangeRequest]) -> list[CompanyChangeRow]:
    """The rows of a page of waiting changes in three queries whatever its length: every seat in
    the requesters' cohorts, then the conflict check of members.conflicts (as
    members.services.company_change_decide runs it, with the requested company) against each
    requester's cohort-mates."""
    requesters = {change.user_id for change in changes}
    seats = (
        Membership.objects.active()
        .filter(
            cohort_id__in=Membership.objects.active()
            .filter(member_id__in=requesters)
            .values("cohort_id")
        )
        .order_by("cohort__name", "cohort_id")
        .values_list("member_id", "cohort_id", "cohort__name")
    )
    names: dict[int, str] = {}
    roster: dict[int, set[int]] = defaultdict(set)
    for member_id, cohort_id, name in seats if requesters else ():
        names[cohort_id] = name
        roster[cohort_id].add(member_id)
    cohorts_of = {pk: [cohort for cohort in names if pk in roster[cohort]] for pk in requesters}
    found = conflicts_of_changes(
        [
            (
                change.user_id,
                {mate for cohort in cohorts_of[change.user_id] for mate in roster[cohort]},
                (change.company, company_keys(change.company, change.company_website)),
            )
            for change in changes
        ]
    )
    return [
        CompanyChangeRow(
            change=change,
            cohorts=[names[cohort] for cohort in cohorts_of[change.user_id]],
            conflicts=[reason.detail for other in sorted(pairs) for reason in pairs[other]],
        )
        for change, pairs in zip(changes, found, strict=True)
    ]
