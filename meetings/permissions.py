"""Pure predicates about meetings. Seeing a meeting is decided by the selectors."""

from groups.permissions import can_manage_cohort


def can_manage_meeting(user, meeting) -> bool:
    """Schedule, agenda, attendance and commitments: the cohort's facilitators and admins."""
    return can_manage_cohort(user, meeting.cohort)


def can_read_facilitator_notes(user, meeting) -> bool:
    """Private facilitator notes: the cohort's facilitators and admins, never members."""
    return can_manage_cohort(user, meeting.cohort)


def can_read_evaluations(user, meeting) -> bool:
    """Individual evaluations: the cohort's facilitators and admins; the cohort sees averages."""
    return can_manage_cohort(user, meeting.cohort)


def can_drive_runner(user, meeting, run) -> bool:
    """Start, advance, extend, skip and end the live runner: the cohort's facilitators and
    admins, and the member they made timekeeper of this meeting."""
    return can_manage_meeting(user, meeting) or (
        run is not None and run.timekeeper_id is not None and run.timekeeper_id == user.pk
    )
