"""What the group norms send through the notification ledger: a warning to the member and the
cohort's facilitators when a norm starts to be broken, and a review item to the admins. One
row per recipient per breach (subject ``norm:<breach id>``), so each episode notifies once.
Links only: the email names neither the member, nor the norm, nor the numbers."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from core.models import Notification
from core.notifications.dispatch import notify
from core.notifications.registry import Kind, Prepared, kind_register
from meetings.models import NormBreach
from members.models import Role, User

NORM_WARNING = "norm_warning"
NORM_REVIEW = "norm_review"


def breach_notify(*, breach: NormBreach) -> None:
    """In the caller's transaction, sent once it commits."""
    subject = f"norm:{breach.pk}"
    scope = f"cohort:{breach.cohort_id}"
    if breach.level == NormBreach.Level.REVIEW:
        admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
        notify(
            kind=NORM_REVIEW,
            subject=subject,
            scope=scope,
            recipients=[(admin, admin.email) for admin in admins],
            context={"link": settings.BASE_URL + reverse("norm_review_queue")},
        )
        return
    member = breach.member
    notify(
        kind=NORM_WARNING,
        subject=subject,
        scope=scope,
        recipients=[(member, member.email)],
        context={"link": settings.BASE_URL + reverse("my_standing"), "for_member": True},
    )
    facilitators = breach.cohort.facilitators.order_by("pk")
    notify(
        kind=NORM_WARNING,
        subject=subject,
        scope=scope,
        recipients=[(person, person.email) for person in facilitators],
        context={
            "link": settings.BASE_URL + reverse("cohort_health_page", args=[breach.cohort.slug]),
            "for_member": False,
        },
    )


def _prepare(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    ids = {int(row.subject.split(":")[1]) for row in rows}
    still_open = set(
        NormBreach.objects.filter(pk__in=ids, cleared_at__isnull=True).values_list("pk", flat=True)
    )
    return {
        row.pk: Prepared(context=dict(row.context))
        if int(row.subject.split(":")[1]) in still_open
        else "the norm was kept again before the email went out"
        for row in rows
    }


def register() -> None:
    for name, label in [(NORM_WARNING, "Forum norm warning"), (NORM_REVIEW, "Forum norm review")]:
        kind_register(
            Kind(
                name=name,
                label=label,
                template=name,
                prepare=_prepare,
                unsubscribable=False,
                description="When a forum norm (attendance, RSVPs, commitments) needs attention.",
            )
        )
