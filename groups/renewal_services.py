"""Annual renewal, the groups app's part: a lapsed member's cohort seats end when the grace
period does, and a member's new company is checked against their cohort-mates. The members
app keeps the renewals themselves (members/renewal_services.py) and cannot see cohorts, so
the daily job runs from here.

A seat that ends keeps its row (status "left", the reason), with a roster event; meetings,
topics and attendance are not touched: the cohort's history stays as it was."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.notifications.dispatch import notify
from groups.models import Membership, RosterEvent
from groups.notification_kinds import MEMBER_LAPSED
from members import renewal_notifications, renewal_services
from members.conflicts import conflicts_between
from members.models import CompanyChangeRequest, CompanyConflictFlag, Profile, Renewal

LAPSE_REASON = "Membership lapsed: not renewed by the end of the grace period."


def renewals_daily(*, now: datetime | None = None) -> dict[str, int]:
    """Everything renewal does once a day, each step harmless to run twice."""
    now = now or timezone.now()
    today = renewal_services.today_utc(now)
    opened = renewal_services.renewals_open(today=today)
    prompted = renewal_services.renewals_prompt(today=today, now=now)
    lapsed = renewal_services.renewals_lapse(today=today)
    ended = 0
    for renewal in renewal_services.renewals_to_end_access(today=today):
        ended += memberships_end_for_lapse(renewal=renewal, now=now)
    flagged = sum(
        company_change_recheck(change_id=pk)
        for pk in CompanyChangeRequest.objects.filter(
            status=CompanyChangeRequest.Status.APPROVED, cohort_checked_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return {
        "opened": opened,
        "prompted": prompted,
        "lapsed": lapsed,
        "seats_ended": ended,
        "flagged": flagged,
    }


def memberships_end_for_lapse(*, renewal: Renewal, now: datetime) -> int:
    """End the lapsed member's active seats, tell each cohort's facilitators, and record that
    access ended; a second run finds nothing to do."""
    with transaction.atomic():
        locked = Renewal.objects.select_for_update().get(pk=renewal.pk)
        if locked.status != Renewal.Status.LAPSED or locked.access_ended_at is not None:
            return 0
        seats = list(
            Membership.objects.active()
            .select_for_update(of=("self",))
            .filter(member_id=locked.user_id)
            .select_related("cohort")
        )
        for seat in seats:
            seat.status = Membership.Status.LEFT
            seat.left_at = now
            seat.reason = LAPSE_REASON
            seat.save(update_fields=["status", "left_at", "reason"])
            RosterEvent.objects.create(
                cohort=seat.cohort,
                member_id=locked.user_id,
                actor=None,
                action=RosterEvent.Action.REMOVED,
                reason=LAPSE_REASON,
            )
            facilitators = list(seat.cohort.facilitators.order_by("pk"))
            if facilitators:
                notify(
                    kind=MEMBER_LAPSED,
                    subject=f"membership:{seat.pk}:lapsed",
                    scope=f"cohort:{seat.cohort_id}",
                    recipients=[(person, person.email) for person in facilitators],
                    context={
                        "link": settings.BASE_URL
                        + reverse("cohort_detail", args=[seat.cohort.slug])
                    },
                )
        renewal_services.renewal_access_ended(renewal=locked, now=now)
    return len(seats)


def _cohort_mates(user_id: int) -> list[int]:
    cohorts = Membership.objects.active().filter(member_id=user_id).values("cohort_id")
    return list(
        Membership.objects.active()
        .filter(cohort_id__in=cohorts)
        .exclude(member_id=user_id)
        .values_list("member_id", flat=True)
        .distinct()
    )


def company_change_recheck(*, change_id: int) -> int:
    """An approved company change, checked against the member's cohort-mates only: a conflict
    is flagged to the admins once per member and company (the flag's unique key), so a second
    identical change, or a second run, flags nothing. Returns the number of new flags."""
    with transaction.atomic():
        change = (
            CompanyChangeRequest.objects.select_for_update()
            .filter(
                pk=change_id,
                status=CompanyChangeRequest.Status.APPROVED,
                cohort_checked_at__isnull=True,
            )
            .first()
        )
        if change is None:
            return 0
        change.cohort_checked_at = timezone.now()
        change.save(update_fields=["cohort_checked_at"])
        profile = Profile.objects.get(user_id=change.user_id)
        found = conflicts_between(change.user_id, _cohort_mates(change.user_id))
        if not found:
            return 0
        details = [reason.detail for other in sorted(found) for reason in found[other]]
        key = " ".join(profile.company_keys) or profile.company.casefold()
        flag, created = CompanyConflictFlag.objects.get_or_create(
            user_id=change.user_id,
            company_key=key,
            defaults={"company": profile.company, "conflicts": details},
        )
        if created:
            renewal_notifications.company_conflict(flag=flag)
    return int(created)


def company_change_approved(sender, instance: CompanyChangeRequest, **kwargs) -> None:
    """Check an approved change once its transaction commits (the daily job catches any
    missed)."""
    if instance.status == CompanyChangeRequest.Status.APPROVED and not instance.cohort_checked_at:
        pk = instance.pk
        transaction.on_commit(lambda: company_change_recheck(change_id=pk))
