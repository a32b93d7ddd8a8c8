"""Annual renewal, the members app's part: renewal dates, the renewal of each date, its
prompts, the member's answers, the admins' decisions and the lapse after the grace period.

What a lapse does to cohort seats belongs to the groups app (groups/renewal_services.py), which
also runs the daily job: this app cannot see cohorts.

Days are UTC calendar days: a renewal date is a day, not a moment, and the daily job compares
it with today's UTC date."""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.versions import POOL, version_bump
from members import eligibility, renewal_notifications
from members.models import EligibilityPolicy, Profile, Renewal, Role, User
from members.permissions import is_admin
from members.selectors import current_agreement

R = Renewal.Status

# What the member re-confirms: the facts the eligibility rules read that a member may change
# here (a new company goes through a company change request; country and city are on the
# profile page).
RENEWAL_FACTS = ["title", "employees", "payroll_usd", "revenue_band", "years_in_role", "industry"]


def today_utc(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: the last day of February
        return day.replace(year=day.year + 1, day=28)


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Only the membership team decides renewals.")


# Dates ----------------------------------------------------------------------------------


def renewal_date_set(*, user: User, due_on: date, actor: User) -> Profile:
    """An admin moves a member's renewal date; a renewal still open moves with it (its prompts
    follow the new date; those already sent are not sent again)."""
    _require_admin(actor)
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=user)
        if profile.approved_at is None:
            raise ValidationError("Only approved members have a renewal date.")
        profile.renewal_due_on = due_on
        profile.save(update_fields=["renewal_due_on", "updated_at"])
        open_renewal = Renewal.objects.filter(user=user, status__in=Renewal.OPEN_STATUSES).first()
        if open_renewal is not None and open_renewal.due_on != due_on:
            if Renewal.objects.filter(user=user, due_on=due_on).exists():
                raise ValidationError(
                    {"due_on": "This member already had a renewal on that date; choose another."}
                )
            open_renewal.due_on = due_on
            open_renewal.save(update_fields=["due_on"])
    return profile


# The daily job's steps --------------------------------------------------------------------


def renewals_open(*, today: date) -> int:
    """A renewal for every member whose date is at most the first prompt's distance away and
    has none for that date yet. A second run finds the rows and adds nothing."""
    horizon = today + timedelta(days=max(settings.PEERNET_RENEWAL_PROMPT_DAYS))
    due = (
        Profile.objects.filter(
            user__role=Role.MEMBER,
            user__is_active=True,
            approved_at__isnull=False,
            lapsed_at__isnull=True,
            renewal_due_on__lte=horizon,
        )
        .filter(
            ~Exists(
                Renewal.objects.filter(
                    user_id=OuterRef("user_id"), due_on=OuterRef("renewal_due_on")
                )
            )
        )
        .values_list("user_id", "renewal_due_on")
    )
    rows = [Renewal(user_id=user_id, due_on=due_on) for user_id, due_on in due]
    # A member still holding an older open renewal (a date moved twice) keeps that one.
    created = Renewal.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(created)


def renewals_prompt(*, today: date, now: datetime | None = None) -> int:
    """The prompt each open renewal is due now: the nearest of 60, 30 and 7 days that has been
    reached. Each (renewal, distance) is one ledger row, so a second run sends nothing again;
    after a pause only the nearest distance is sent, never the earlier ones all at once."""
    distances = sorted(settings.PEERNET_RENEWAL_PROMPT_DAYS)
    waiting = Renewal.objects.filter(
        status=R.OPEN, due_on__gte=today, due_on__lte=today + timedelta(days=distances[-1])
    ).select_related("user")
    prompts = []
    for renewal in waiting:
        days_left = (renewal.due_on - today).days
        distance = next(d for d in distances if days_left <= d)
        prompts.append((renewal, distance))
    renewal_notifications.renewal_prompts(prompts=prompts, now=now)
    return len(prompts)


def renewals_lapse(*, today: date) -> int:
    """Renewals the member never answered lapse the day after the grace period ends. Answered
    ones wait for an admin's decision."""
    last_due = today - timedelta(days=settings.PEERNET_RENEWAL_GRACE_DAYS + 1)
    return Renewal.objects.filter(status=R.OPEN, due_on__lte=last_due).update(
        status=R.LAPSED,
        decided_at=timezone.now(),
        reason="Not renewed by the end of the grace period.",
    )


def renewals_to_end_access(*, today: date):
    """Lapsed renewals whose grace period is over and whose member still holds their seats."""
    last_due = today - timedelta(days=settings.PEERNET_RENEWAL_GRACE_DAYS + 1)
    return Renewal.objects.filter(
        status=R.LAPSED, access_ended_at__isnull=True, due_on__lte=last_due
    ).select_related("user")


# The member --------------------------------------------------------------------------------


def renewal_submit(*, renewal: Renewal, user: User, agreement_id: int, **facts) -> Renewal:
    """The member's answers: their facts (saved on the profile), checked by the same rules as
    an application, and the agreement in force signed again. Eligible answers wait for an
    admin's approval; ineligible ones go to the admins for a decision."""
    if renewal.user_id != user.pk:
        raise PermissionDenied
    unknown = set(facts) - set(RENEWAL_FACTS)
    if unknown:
        raise ValueError(f"Not renewal facts: {sorted(unknown)}")
    agreement = current_agreement()
    if agreement is None or agreement.pk != agreement_id:
        raise ValidationError(
            {"agreement": "The agreement has changed since you opened this page; read it again."}
        )
    now = timezone.now()
    with transaction.atomic():
        locked = Renewal.objects.select_for_update().get(pk=renewal.pk)
        if not locked.is_open:
            raise ValidationError("This renewal was already decided.")
        profile = Profile.objects.select_for_update().get(user=user)
        for name, value in facts.items():
            setattr(profile, name, value)
        profile.agreement_reread_at = now
        profile.save(update_fields=[*facts, "agreement_reread_at", "updated_at"])
        policy = EligibilityPolicy.objects.first()
        if policy is None:
            locked.eligibility, locked.eligible = None, None
        else:
            result = eligibility.evaluate(policy.rules, eligibility.facts_from_profile(profile))
            locked.eligibility = {**result, "policy_id": policy.pk}
            locked.eligible = result["passed"]
        locked.agreement = agreement
        locked.agreement_signed_at = now
        locked.submitted_at = now
        locked.status = R.NEEDS_DECISION if locked.eligible is False else R.SUBMITTED
        locked.save()
        if locked.status == R.NEEDS_DECISION:
            renewal_notifications.renewal_review(renewal=locked)
    return locked


# The admins --------------------------------------------------------------------------------

DECISIONS = ("approve", "waive", "lapse")


def renewal_decide(*, renewal: Renewal, actor: User, decision: str, reason: str = "") -> Renewal:
    """Approve eligible answers (the next date is a year after this one), waive the rules for
    answers that failed them, or let the membership lapse (cohort seats end when the grace
    period does). Waiving and lapsing take a reason, for the record."""
    _require_admin(actor)
    if decision not in DECISIONS:
        raise ValidationError(f"Unknown decision {decision!r}.")
    if decision in {"waive", "lapse"} and not reason.strip():
        verb = "waive the rules" if decision == "waive" else "let the membership lapse"
        raise ValidationError({"reason": f"Say why you {verb}; it is recorded."})
    with transaction.atomic():
        locked = Renewal.objects.select_for_update().get(pk=renewal.pk)
        if not locked.is_open:
            raise ValidationError("This renewal was already decided.")
        if decision == "approve" and locked.status != R.SUBMITTED:
            raise ValidationError(
                "Only answers that meet the rules can be approved as they are; "
                + (
                    "the member has not answered yet."
                    if locked.status == R.OPEN
                    else "these do not: waive the rules or let the membership lapse."
                )
            )
        if decision == "waive" and locked.status == R.OPEN:
            raise ValidationError("The member has not answered yet; there is nothing to waive.")
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason.strip()
        if decision == "lapse":
            locked.status = R.LAPSED
        else:
            locked.status = R.RENEWED
            locked.waived = decision == "waive"
            Profile.objects.filter(user_id=locked.user_id).update(
                renewal_due_on=year_after(locked.due_on), updated_at=locked.decided_at
            )
        locked.save()
    return locked


def renewal_access_ended(*, renewal: Renewal, now: datetime) -> None:
    """The lapse took effect: the member leaves the pool of approved members too."""
    Renewal.objects.filter(pk=renewal.pk).update(access_ended_at=now)
    Profile.objects.filter(user_id=renewal.user_id).update(lapsed_at=now, updated_at=now)
    version_bump(POOL)


def company_flag_handled(*, flag, actor: User) -> None:
    _require_admin(actor)
    type(flag).objects.filter(pk=flag.pk, handled_at__isnull=True).update(
        handled_by=actor, handled_at=timezone.now()
    )
