"""The members app's emails on the notification ledger: application received, reference
request, decision.

They are transactional: each answers something the person did (applied, was named as a
referee, is waiting for a decision), so they carry no unsubscribe link and no preference
turns them off. A referee has no account and gets one request per application.
"""

from datetime import datetime

from core.models import Notification
from core.notifications.dispatch import notify
from core.notifications.registry import Kind, Prepared, kind_register
from members.models import Reference

APPLICATION_RECEIVED = "application_received"
REFERENCE_REQUEST = "reference_request"
APPLICATION_DECISION = "application_decision"


def application_received(*, application, event, resubmitted: bool, link: str) -> None:
    notify(
        kind=APPLICATION_RECEIVED,
        subject=f"application:{application.pk}:event:{event.pk}",
        scope=f"application:{application.pk}",
        recipients=[(application.applicant, application.applicant.email)],
        context={"resubmitted": resubmitted, "link": link},
    )


def application_decision(*, application, event, link: str) -> None:
    notify(
        kind=APPLICATION_DECISION,
        subject=f"application:{application.pk}:event:{event.pk}",
        scope=f"application:{application.pk}",
        recipients=[(application.applicant, application.applicant.email)],
        context={"link": link},
    )


def reference_request(*, reference: Reference, link: str) -> None:
    """One row per link issued: a resend is a new request; an older pending one is skipped."""
    notify(
        kind=REFERENCE_REQUEST,
        subject=f"reference:{reference.pk}:{reference.token_hash[:16]}",
        scope=f"application:{reference.application_id}",
        recipients=[(None, reference.email)],
        context={
            "referee_name": reference.name,
            "applicant_name": reference.application.applicant.display_name,
            "link": link,
            "expires_at": reference.expires_at.isoformat(),
        },
    )


def _prepare_plain(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    return {row.pk: Prepared(context=dict(row.context)) for row in rows}


def _prepare_reference(rows: list[Notification], now: datetime) -> dict[int, Prepared | str]:
    ids = {int(row.subject.split(":")[1]) for row in rows}
    references = {r.pk: r for r in Reference.objects.filter(pk__in=ids)}
    result: dict[int, Prepared | str] = {}
    for row in rows:
        _, pk, token_prefix = row.subject.split(":")
        reference = references.get(int(pk))
        if reference is None:
            result[row.pk] = "the reference no longer exists"
        elif reference.answered_at:
            result[row.pk] = "the referee had already answered"
        elif reference.token_hash[:16] != token_prefix:
            result[row.pk] = "superseded by a newer link"
        else:
            context = dict(row.context)
            context["expires_at"] = datetime.fromisoformat(context["expires_at"])
            result[row.pk] = Prepared(context=context)
    return result


def register() -> None:
    for name, label, prepare in [
        (APPLICATION_RECEIVED, "Application received", _prepare_plain),
        (REFERENCE_REQUEST, "Reference request", _prepare_reference),
        (APPLICATION_DECISION, "Application decision", _prepare_plain),
    ]:
        kind_register(
            Kind(name=name, label=label, template=name, prepare=prepare, unsubscribable=False)
        )
