"""Reads of annual renewal: a member's own renewal, and the admins' queue."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, Count, Q, QuerySet, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from members.models import CompanyChangeRequest, CompanyConflictFlag, Profile, Renewal, User
from members.permissions import is_admin

R = Renewal.Status


def _grace_start(today: date) -> date:
    """Renewals due on or after this day, and not yet due, are still in their grace period."""
    return today - timedelta(days=settings.PEERNET_RENEWAL_GRACE_DAYS)


def queue_filters(today: date) -> dict[str, Q]:
    """The queue's views, each one condition on Renewal."""
    undecided = Q(status__in=Renewal.OPEN_STATUSES)
    return {
        "due_soon": Q(status=R.OPEN, due_on__gte=today),
        "submitted": Q(status=R.SUBMITTED),
        "needs_decision": Q(status=R.NEEDS_DECISION),
        "in_grace": undecided & Q(due_on__lt=today, due_on__gte=_grace_start(today)),
        "lapsed": Q(status=R.LAPSED),
        "renewed": Q(status=R.RENEWED),
    }


FILTER_LABELS = {
    "": "Undecided",
    "due_soon": "Due soon",
    "submitted": "Submitted",
    "needs_decision": "Needs a decision",
    "in_grace": "In grace",
    "lapsed": "Lapsed",
    "renewed": "Renewed",
}


def renewal_queue(user, *, today: date, view: str = "", q: str = "") -> QuerySet[Renewal]:
    if not is_admin(user):
        return Renewal.objects.none()
    qs = Renewal.objects.select_related("user", "user__profile")
    filters = queue_filters(today)
    qs = (
        qs.filter(filters[view]) if view in filters else qs.filter(status__in=Renewal.OPEN_STATUSES)
    )
    if q:
        qs = qs.filter(
            Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(user__profile__company__icontains=q)
        )
    return qs.order_by("due_on", "id")


@dataclass(frozen=True)
class ViewCount:
    view: str
    label: str
    count: int


def renewal_counts(*, today: date) -> list[ViewCount]:
    """How many renewals each view of the queue holds, in one query."""
    filters = {"": Q(status__in=Renewal.OPEN_STATUSES), **queue_filters(today)}
    counts = Renewal.objects.aggregate(
        **{f"n_{view or 'undecided'}": Count("pk", filter=cond) for view, cond in filters.items()}
    )
    return [
        ViewCount(view, FILTER_LABELS[view], counts[f"n_{view or 'undecided'}"]) for view in filters
    ]


def renewal_for_admin(user, pk: int) -> Renewal:
    if not is_admin(user):
        raise Http404
    return get_object_or_404(
        Renewal.objects.select_related("user", "user__profile", "agreement", "decided_by"), pk=pk
    )


def renewal_of(user: User) -> Renewal | None:
    """The member's renewal that is still open, else their latest one."""
    return (
        Renewal.objects.filter(user=user)
        .select_related("agreement")
        # Open ones first, then the newest date.
        .order_by(Case(When(status__in=Renewal.OPEN_STATUSES, then=0), default=1), "-due_on")
        .first()
    )


@dataclass(frozen=True)
class RenewalStanding:
    """What a member reads about their renewal on their pages."""

    due_on: date | None
    renewal: Renewal | None
    grace_ends_on: date | None

    @property
    def can_answer(self) -> bool:
        """Once answered, the answers wait for the admins: the form is not shown again."""
        return self.renewal is not None and self.renewal.status == R.OPEN

    @property
    def lapsed(self) -> bool:
        return self.renewal is not None and self.renewal.status == R.LAPSED


def renewal_standing(user: User) -> RenewalStanding:
    profile = Profile.objects.filter(user=user).only("renewal_due_on").first()
    renewal = renewal_of(user)
    grace = (
        renewal.due_on + timedelta(days=settings.PEERNET_RENEWAL_GRACE_DAYS) if renewal else None
    )
    return RenewalStanding(
        due_on=profile.renewal_due_on if profile else None, renewal=renewal, grace_ends_on=grace
    )


def company_flags(user) -> QuerySet[CompanyConflictFlag]:
    if not is_admin(user):
        return CompanyConflictFlag.objects.none()
    return CompanyConflictFlag.objects.select_related("user", "handled_by").order_by(
        "handled_at", "-created_at", "-id"
    )


def company_changes_waiting_count() -> int:
    """How many company changes wait for an admin (the renewal queue links to them)."""
    return CompanyChangeRequest.objects.filter(status=CompanyChangeRequest.Status.PENDING).count()
