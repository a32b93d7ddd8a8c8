"""Annual renewal on the notification ledger, link only:

- the prompts to the member, 60, 30 and 7 days before the renewal date: one row per renewal
  and distance (subject ``renewal:<id>:<days>``), so each is sent once however often the daily
  job runs; a prompt whose renewal was answered before it went out is skipped;
- answers that fail the eligibility rules, to the admins: once per renewal;
- a member's new company that conflicts with a cohort-mate, to the admins: once per flag.

They are about the member's own membership, so no preference turns them off."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications.dispatch import notifications_create, notify
from core.notifications.registry import Kind, Prepared, kind_register
from members.models import Renewal, Role, User

RENEWAL_PROMPT = "renewal_prompt"
RENEWAL_REVIEW = "renewal_review"
COMPANY_CONFLICT = "company_conflict"


def _admins():
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")


def renewal_prompts(*, prompts: list[tuple[Renewal, int]], now: datetime | None = None) -> None:
    """Rows for the daily job's prompts, sent by the next dispatch tick; rows that exist are
    left as they are."""
    now = now or timezone.now()
    link = settings.BASE_URL + reverse("renewal")
    notifications_create(
        Notification(
            kind=RENEWAL_PROMPT,
            subject=f"renewal:{renewal.pk}:{days}",
            scope=f"member:{renewal.user_id}",
            recipient=renewal.user.email,
            user=renewal.user,
            context={"link": link, "days": days, "due_on": renewal.due_on.isoformat()},
            due_at=now,
        )
        for renewal, days in prompts
    )


def renewal_review(*, renewal: Renewal) -> None:
    notify(
        kind=RENEWAL_REVIEW,
        subject=f"renewal:{renewal.pk}:review",
        scope=f"member:{renewal.user_id}",
        recipients=[(admin, admin.email) for admin in _admins()],
        context={"link": settings.BASE_URL + reverse("renewal_detail", args=[renewal.pk])},
    )


def company_conflict(*, flag) -> None:
    notify(
        kind=COMPANY_CONFLICT,
        subject=f"company_flag:{flag.pk}",
        scope=f"member:{flag.user_id}",
        recipients=[(admin, admin.email) for admin in _admins()],
        context={"link": settings.BASE_URL + reverse("company_flags")},
    )


def _prepare_prompt(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    ids = {int(row.subject.split(":")[1]) for row in rows}
    waiting = set(
        Renewal.objects.filter(pk__in=ids, status=Renewal.Status.OPEN).values_list("pk", flat=True)
    )
    return {
        row.pk: Prepared(context=dict(row.context))
        if int(row.subject.split(":")[1]) in waiting
        else "the member answered before the email went out"
        for row in rows
    }


def _prepare_plain(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    return {row.pk: Prepared(context=dict(row.context)) for row in rows}


def register() -> None:
    for name, label, prepare in [
        (RENEWAL_PROMPT, "Membership renewal", _prepare_prompt),
        (RENEWAL_REVIEW, "Renewal needs a decision", _prepare_plain),
        (COMPANY_CONFLICT, "Company change conflict", _prepare_plain),
    ]:
        kind_register(
            Kind(name=name, label=label, template=name, prepare=prepare, unsubscribable=False)
        )
