"""Pure predicates about meetings. Seeing a meeting is decided by the selectors."""

from groups.permissions import can_manage_cohort


def can_manage_meeting(user, meeting) -> bool:
    """Schedule, agenda, attendance and commitments: the cohort's facilitators and admins."""
    return can_manage_cohort(user, meeting.cohort)


def is_cohort_member(user, meeting, member_ids: set[int]) -> bool:
    return user.pk in member_ids


def can_read_outcome(user, item, manage: bool) -> bool:
    """A presenter's outcome notes belong to the presenter (and the facilitators)."""
    return manage or item.presenter_id == user.pk
