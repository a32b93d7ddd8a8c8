from django.db.models import Q, QuerySet

from groups.models import Cohort, Membership
from members.permissions import is_admin


def cohorts_visible_to(user) -> QuerySet[Cohort]:
    """Admins see every cohort; facilitators those they run; members their own."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_admin(user):
        return Cohort.objects.all()
    member_of = Membership.objects.filter(member=user, status=Membership.Status.ACTIVE)
    return Cohort.objects.filter(
        Q(pk__in=member_of.values("cohort")) | Q(pk__in=user.facilitated_cohorts.values("pk"))
    )


def cohorts_facilitated_by(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(facilitators=user)


def cohort_of_member(user) -> Cohort | None:
    membership = (
        Membership.objects.filter(member=user, status=Membership.Status.ACTIVE)
        .select_related("cohort")
        .first()
    )
    return membership.cohort if membership else None
