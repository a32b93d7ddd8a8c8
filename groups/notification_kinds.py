"""The groups app's email on the notification ledger: the welcome when a member is placed in
a cohort. Link only: it names no cohort and no person; the dashboard it leads to has the
member's first steps. One per member and cohort, whichever way they were placed (by hand,
by a formation run), however often the placement is retried."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from core.models import Notification
from core.notifications.dispatch import notify
from core.notifications.registry import Kind, Prepared, kind_register

WELCOME = "cohort_welcome"


def welcome(*, cohort, members) -> None:
    """Record the welcome of these members to this cohort; sent when the transaction commits."""
    members = list(members)
    if not members:
        return
    notify(
        kind=WELCOME,
        subject=f"cohort:{cohort.pk}",
        scope=f"cohort:{cohort.pk}",
        recipients=[(member, member.email) for member in members],
        context={"link": settings.BASE_URL + reverse("home")},
    )


def _prepare(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    return {row.pk: Prepared(context=dict(row.context)) for row in rows}


def register() -> None:
    kind_register(
        Kind(
            name=WELCOME,
            label="Welcome to your cohort",
            template=WELCOME,
            prepare=_prepare,
            unsubscribable=False,
        )
    )
