"""The groups app's emails on the notification ledger, link only:

- the welcome when a member is placed in a cohort: it names no cohort and no person; the
  dashboard it leads to has the member's first steps. One per member and cohort, whichever way
  they were placed (by hand, by a formation run), however often the placement is retried;
- a member placed from the pool in your cohort, to its facilitators: the link leads to the
  roster; no name in the email. It is about their own cohort's roster, so no preference turns
  it off.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from core.models import Notification
from core.notifications.dispatch import notify
from core.notifications.registry import Kind, Prepared, kind_register

WELCOME = "cohort_welcome"
MEMBER_PLACED = "member_placed"
# A member who did not renew left the cohort (groups/renewal_services.py sends it).
MEMBER_LAPSED = "member_lapsed"


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


def member_placed(*, membership) -> None:
    cohort = membership.cohort
    facilitators = list(cohort.facilitators.all())
    if not facilitators:
        return
    notify(
        kind=MEMBER_PLACED,
        subject=f"membership:{membership.pk}",
        scope=f"cohort:{cohort.pk}",
        recipients=[(f, f.email) for f in facilitators],
        context={"link": settings.BASE_URL + reverse("cohort_detail", args=[cohort.slug])},
    )


def _prepare(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    return {row.pk: Prepared(context=dict(row.context)) for row in rows}


def register() -> None:
    for name, label in [
        (WELCOME, "Welcome to your cohort"),
        (MEMBER_PLACED, "New member in your cohort"),
        (MEMBER_LAPSED, "A member left your cohort"),
    ]:
        kind_register(
            Kind(name=name, label=label, template=name, prepare=_prepare, unsubscribable=False)
        )
