"""Group norms: evaluating a cohort's attendance, RSVP and follow-through norms, excusing an
absence and deciding a review item. Every write, and its audit row, is here.

Evaluation runs after attendance is recorded (on commit) and daily from the scheduler. It
opens a breach when a norm starts to be broken and clears it when it no longer is; the partial
unique constraint keeps one open breach per member, cohort, norm and level, so running it any
number of times notifies each episode once.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.versions import HEALTH, version_bump
from groups import services as group_services
from groups.models import Membership
from groups.permissions import can_manage_cohort
from meetings import norm_notifications, norm_selectors
from meetings.models import Attendance, Meeting, NormBreach, NormEvent, NormPolicy
from members.permissions import is_admin

Kind = NormBreach.Kind
Level = NormBreach.Level
Action = NormEvent.Action


def norms_evaluate(*, cohort_ids=None, now: datetime | None = None) -> int:
    """Evaluate the norms of these cohorts (all active ones when None); returns how many
    breaches opened. A fixed number of queries for the reading, whatever the cohorts."""
    now = now or timezone.now()
    facts = norm_selectors.norm_facts(cohort_ids=cohort_ids, now=now)
    opened = 0
    for (cohort_id, member_id), standing in facts.standings.items():
        policy = facts.policies[cohort_id]
        wanted = {
            (Kind.ATTENDANCE, Level.WARNING): standing.absences >= policy.warn_absences,
            (Kind.ATTENDANCE, Level.REVIEW): standing.absences >= policy.review_absences,
            (Kind.RSVP, Level.WARNING): standing.late_rsvps >= policy.rsvp_late_limit,
            (Kind.FOLLOW_THROUGH, Level.WARNING): standing.follow_through_low(policy),
        }
        for (kind, level), breached in wanted.items():
            current = facts.open_breaches.get((cohort_id, member_id, kind, level))
            if breached and current is None:
                if _breach_open(
                    cohort_id=cohort_id,
                    member_id=member_id,
                    kind=kind,
                    level=level,
                    detail=standing.detail(kind, policy),
                    now=now,
                ):
                    opened += 1
            elif not breached and current is not None:
                _breach_clear(breach=current, now=now)
    # A member who left keeps no open breach (the removal closes it; this catches any missed).
    for (cohort_id, member_id, _, _), breach in facts.open_breaches.items():
        if (cohort_id, member_id) not in facts.standings:
            _breach_clear(breach=breach, now=now, reason="the member left the cohort")
    return opened


def breaches_close_for_departed(*, cohort_id: int, member_id: int) -> None:
    """A member left the cohort: their open breaches there are closed, and audited."""
    now = timezone.now()
    for breach in NormBreach.objects.filter(
        cohort_id=cohort_id, member_id=member_id, cleared_at__isnull=True
    ):
        _breach_clear(breach=breach, now=now, reason="the member left the cohort")


def _breach_open(*, cohort_id, member_id, kind, level, detail: str, now: datetime) -> bool:
    try:
        with transaction.atomic():
            breach = NormBreach.objects.create(
                cohort_id=cohort_id,
                member_id=member_id,
                kind=kind,
                level=level,
                detail=detail,
                opened_at=now,
            )
            NormEvent.objects.create(
                cohort_id=cohort_id,
                member_id=member_id,
                breach=breach,
                action=Action.REVIEW_OPENED if level == Level.REVIEW else Action.WARNED,
                reason=f"{breach.get_kind_display()}: {detail}",
                created_at=now,
            )
            norm_notifications.breach_notify(breach=breach)
    except IntegrityError:
        # Another evaluation opened this episode first: it notified.
        return False
    return True


def _breach_clear(
    *, breach: NormBreach, now: datetime, reason: str = "the norm is kept again"
) -> None:
    with transaction.atomic():
        updated = NormBreach.objects.filter(pk=breach.pk, cleared_at__isnull=True).update(
            cleared_at=now
        )
        version_bump(HEALTH)
        if updated:
            NormEvent.objects.create(
                cohort_id=breach.cohort_id,
                member_id=breach.member_id,
                breach=breach,
                action=Action.CLEARED,
                reason=f"{breach.get_kind_display()}: {reason}",
                created_at=now,
            )


def norms_evaluate_soon(*, cohort_id: int) -> None:
    """From a service's transaction: evaluate the cohort once it has committed."""
    from meetings import tasks  # noqa: PLC0415 (tasks import the services)

    transaction.on_commit(lambda: tasks.norms_evaluate_cohort.delay(cohort_id))


def absence_excuse(*, meeting: Meeting, member, actor, reason: str) -> Attendance:
    """A facilitator excuses a recorded absence, with a reason: it no longer counts."""
    if not can_manage_cohort(actor, meeting.cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins excuse absences.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the absence is excused; it is recorded."})
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
        )
        if attendance is None or attendance.status != Attendance.Status.ABSENT:
            raise ValidationError("Only a recorded absence can be excused.")
        attendance.status = Attendance.Status.EXCUSED
        attendance.recorded_by = actor
        attendance.save(update_fields=["status", "recorded_by", "recorded_at"])
        NormEvent.objects.create(
            cohort=meeting.cohort,
            member=member,
            meeting=meeting,
            action=Action.EXCUSED,
            actor=actor,
            reason=reason,
        )
        norms_evaluate_soon(cohort_id=meeting.cohort_id)
    return attendance


def review_decide(*, breach: NormBreach, actor, decision: str, reason: str) -> NormBreach:
    """An admin keeps the member or removes them from the cohort, with a reason."""
    if not is_admin(actor):
        raise PermissionDenied("Only admins decide review items.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why; the decision is recorded."})
    if decision not in NormBreach.Decision.values:
        raise ValidationError({"decision": "Choose keep or remove."})
    with transaction.atomic():
        locked = NormBreach.objects.select_for_update().get(pk=breach.pk)
        if locked.level != Level.REVIEW:
            raise ValidationError("Only review items are decided.")
        if locked.decision:
            raise ValidationError("This review item has already been decided.")
        now = timezone.now()
        locked.decision = decision
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_reason = reason
        locked.save(update_fields=["decision", "decided_by", "decided_at", "decision_reason"])
        if decision == NormBreach.Decision.REMOVE:
            membership = Membership.objects.active().filter(
                cohort_id=locked.cohort_id, member_id=locked.member_id
            )
            for seat in membership:
                group_services.membership_remove(
                    membership=seat, actor=actor, reason=f"Norms review: {reason}"
                )
        NormEvent.objects.create(
            cohort_id=locked.cohort_id,
            member_id=locked.member_id,
            breach=locked,
            action=Action.REMOVED if decision == NormBreach.Decision.REMOVE else Action.KEPT,
            actor=actor,
            reason=reason,
            created_at=now,
        )
    return locked


def policy_save(*, cohort, actor, **fields) -> NormPolicy:
    """A cohort's own norms (its facilitators and admins), or the organisation's defaults
    (cohort None: admins only). The cohort's norms are evaluated again once saved."""
    if cohort is None and not is_admin(actor):
        raise PermissionDenied("Only admins change the organisation's norms.")
    if cohort is not None and not can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins change its norms.")
    with transaction.atomic():
        policy = NormPolicy.objects.select_for_update().filter(cohort=cohort).order_by(
            "pk"
        ).first() or NormPolicy(cohort=cohort)
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.updated_by = actor
        policy.save()
        if cohort is not None:
            norms_evaluate_soon(cohort_id=cohort.pk)
    return policy
