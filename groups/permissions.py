"""Pure predicates about cohorts. `cohort.facilitator_ids` may be prefetched by selectors."""

from members.permissions import is_admin, is_facilitator


def facilitates(user, cohort) -> bool:
    ids = getattr(cohort, "facilitator_ids", None)
    if ids is None:
        ids = set(cohort.facilitators.values_list("pk", flat=True))
    return user.is_authenticated and user.pk in ids


def can_manage_cohort(user, cohort) -> bool:
    """Roster, settings and schedule: the cohort's facilitators and admins."""
    return is_admin(user) or (is_facilitator(user) and facilitates(user, cohort))


def can_create_cohort(user) -> bool:
    return is_admin(user)


def can_appoint_facilitators(user) -> bool:
    return is_admin(user)


def can_override_conflict(user) -> bool:
    """Only the membership team may seat people with a declared conflict, with a reason."""
    return is_admin(user)


def can_see_pool(user) -> bool:
    return is_admin(user) or is_facilitator(user)
