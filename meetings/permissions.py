"""Pure predicates about meetings. Seeing a meeting is decided by the selectors."""

from groups.permissions import can_manage_cohort


def can_manage_meeting(user, meeting) -> bool:
    """Schedule, agenda, attendance and commitments: the cohort's facilitators and admins."""
    return can_manage_cohort(user, meeting.cohort)
