"""Every write in the groups app. Rules live here, not only in forms."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groups import notification_kinds
from groups.models import Cohort, Membership, RosterEvent
from groups.permissions import (
    can_appoint_facilitators,
    can_create_cohort,
    can_manage_cohort,
    can_override_conflict,
)
from members.conflicts import ConflictReason, conflicts_between
from members.models import Profile, Role, User

A = RosterEvent.Action


@dataclass
class AddCheck:
    """Everything that decides whether `member` may join `cohort`, for preview and for add."""

    shared_challenges: list[str] = field(default_factory=list)
    conflicts: dict[int, list[ConflictReason]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # refusals no override lifts

    @property
    def conflict_details(self) -> list[str]:
        return [r.detail for reasons in self.conflicts.values() for r in reasons]


class RosterError(ValidationError):
    pass


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "cohort"
    slug, n = base, 2
    # "new" would shadow the create page's URL.
    while slug == "new" or Cohort.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def home_city_fields(city) -> dict:
    """A cohort's home-city fields for a city of core.cities (None: no home city)."""
    if city is None:
        return dict.fromkeys(
            ["home_city", "home_country", "home_geoname_id", "home_latitude", "home_longitude"]
        ) | {"home_city": "", "home_country": ""}
    return {
        "home_city": city.name,
        "home_country": city.country,
        "home_geoname_id": city.geoname_id,
        "home_latitude": city.latitude,
        "home_longitude": city.longitude,
    }


def cohort_create(*, actor: User, themes=(), facilitators=(), **fields) -> Cohort:
    if not can_create_cohort(actor):
        raise PermissionDenied("Only admins create cohorts.")
    with transaction.atomic():
        cohort = Cohort(slug=_unique_slug(fields["name"]), **fields)
        cohort.full_clean()
        cohort.save()
        cohort.themes.set(themes)
        _facilitators_apply(cohort, facilitators)
        RosterEvent.objects.create(cohort=cohort, actor=actor, action=A.CREATED)
    return cohort


def _facilitators_apply(cohort: Cohort, facilitators) -> None:
    wrong = [u.display_name for u in facilitators if u.role != Role.FACILITATOR]
    if wrong:
        raise ValidationError(
            {
                "facilitators": f"Only people with the facilitator role can facilitate: "
                f"{', '.join(wrong)}."
            }
        )
    cohort.facilitators.set(facilitators)


def cohort_update(
    *, cohort: Cohort, actor: User, themes=None, facilitators=None, **fields
) -> Cohort:
    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins change it.")
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        active = locked.memberships.active().count()
        if locked.max_size < active:
            raise ValidationError(
                {"max_size": f"The cohort has {active} members; the maximum cannot be lower."}
            )
        locked.save()
        if themes is not None:
            locked.themes.set(themes)
        changed = ", ".join(sorted(fields)) or "themes"
        RosterEvent.objects.create(
            cohort=locked, actor=actor, action=A.SETTINGS, reason=f"Changed {changed}"
        )
        if facilitators is not None:
            current = set(locked.facilitators.values_list("pk", flat=True))
            if current != {u.pk for u in facilitators}:
                cohort_facilitators_set(cohort=locked, actor=actor, facilitators=facilitators)
    return locked


def cohort_facilitators_set(*, cohort: Cohort, actor: User, facilitators) -> None:
    if not can_appoint_facilitators(actor):
        raise PermissionDenied("Only admins appoint facilitators.")
    with transaction.atomic():
        _facilitators_apply(cohort, facilitators)
        names = ", ".join(sorted(u.display_name for u in facilitators)) or "nobody"
        RosterEvent.objects.create(
            cohort=cohort, actor=actor, action=A.FACILITATORS, reason=f"Facilitators: {names}"
        )


def membership_check(
    *,
    cohort: Cohort,
    member: User,
    roster_ids: list[int] | None = None,
    roster_industries: list[str] | None = None,
) -> AddCheck:
    """What adding `member` would mean: shared challenges, conflicts, hard refusals."""
    check = AddCheck()
    profile = Profile.objects.filter(user=member).first()
    if roster_ids is None:
        roster_ids = list(cohort.memberships.active().values_list("member_id", flat=True))
    if member.role != Role.MEMBER or profile is None or profile.approved_at is None:
        check.problems.append(f"{member.display_name} is not an approved member.")
    elif profile.lapsed_at is not None:
        check.problems.append(
            f"{member.display_name}'s membership lapsed; they are not a member any more."
        )
    if member.pk in roster_ids:
        check.problems.append(f"{member.display_name} is already in {cohort.name}.")
    allowed = settings.PEERNET_MAX_ACTIVE_COHORTS
    elsewhere = (
        Membership.objects.active()
        .filter(member=member)
        .exclude(cohort=cohort)
        .select_related("cohort")
    )
    if len(elsewhere) >= allowed:
        check.problems.append(
            f"{member.display_name} is already in {elsewhere[0].cohort.name}; a member belongs "
            f"to at most {allowed} active cohort{'s' if allowed > 1 else ''}."
        )
    if len(roster_ids) >= cohort.max_size:
        check.problems.append(f"{cohort.name} is full ({cohort.max_size} members).")
    if profile is not None:
        themes = {t.pk: t.name for t in cohort.themes.all()}
        check.shared_challenges = [
            themes[r.challenge_id] for r in profile.challenges.all() if r.challenge_id in themes
        ]
        if roster_industries is None:
            roster_industries = list(
                Profile.objects.filter(user_id__in=roster_ids).values_list("industry", flat=True)
            )
        industries = {i for i in roster_industries if i}
        mode = cohort.industry_mode
        label = profile.get_industry_display() or "no industry"
        if mode == Cohort.IndustryMode.NO_OVERLAP and profile.industry in industries:
            check.problems.append(
                f"{cohort.name} keeps industries apart and already has a member in {label}."
            )
        if mode == Cohort.IndustryMode.SINGLE and industries and profile.industry not in industries:
            check.problems.append(
                f"{cohort.name} is a single-industry cohort; {member.display_name} is in {label}."
            )
    check.conflicts = conflicts_between(member.pk, roster_ids)
    return check


def membership_add(
    *, cohort: Cohort, member: User, actor: User, override_reason: str = ""
) -> Membership:
    """Add a member. The cohort row is locked so concurrent adds cannot exceed max_size."""
    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins change its roster.")
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        # Lock the person too: two cohorts adding the same member at once must not both win.
        User.objects.select_for_update().filter(pk=member.pk).first()
        check = membership_check(cohort=locked, member=member)
        if check.problems:
            raise RosterError(check.problems)
        if check.conflicts:
            if not can_override_conflict(actor):
                raise RosterError(
                    [
                        "This member has a conflict of interest with the roster:",
                        *check.conflict_details,
                    ]
                )
            if not override_reason.strip():
                raise RosterError(
                    {
                        "override_reason": "Say why these people may sit together despite the "
                        "conflict; the reason is recorded."
                    }
                )
        membership = Membership.objects.create(cohort=locked, member=member)
        notification_kinds.welcome(cohort=locked, members=[member])
        RosterEvent.objects.create(
            cohort=locked,
            member=member,
            actor=actor,
            action=A.ADDED_OVERRIDE if check.conflicts else A.ADDED,
            reason=override_reason if check.conflicts else "",
        )
    return membership


def membership_remove(*, membership: Membership, actor: User, reason: str) -> Membership:
    if not can_manage_cohort(actor, membership.cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins change its roster.")
    if not reason.strip():
        raise RosterError({"reason": "Say why the member leaves; it is recorded."})
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            raise RosterError("This member has already left the cohort.")
        locked.status = Membership.Status.LEFT
        locked.left_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "left_at", "reason"])
        RosterEvent.objects.create(
            cohort=locked.cohort, member=locked.member, actor=actor, action=A.REMOVED, reason=reason
        )
    return locked
