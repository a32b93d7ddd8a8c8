"""What a member stopped (the preferences page) and the signed one-click unsubscribe links."""

from collections.abc import Iterable

from django.core import signing
from django.db import transaction

from core.models import NotificationOptOut
from core.notifications.registry import KINDS, unsubscribable_kinds

# Unchanged since the ledger lived in peernet/notifications.py: links in sent emails carry it.
UNSUBSCRIBE_SALT = "peernet.notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    # No timestamp: an unsubscribe link keeps working as long as the email exists.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user_id, kind])


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or kind not in KINDS or not KINDS[kind].unsubscribable:
        return None
    return user_id, kind


# Preferences ------------------------------------------------------------------------------


def preferences_set(*, user, receive: Iterable[str]) -> None:
    """Receive exactly the unsubscribable kinds in `receive`; stop the others."""
    wanted = set(receive)
    names = {kind.name for kind in unsubscribable_kinds()}
    with transaction.atomic():
        NotificationOptOut.objects.filter(user=user, kind__in=wanted).delete()
        NotificationOptOut.objects.bulk_create(
            [NotificationOptOut(user=user, kind=name) for name in sorted(names - wanted)],
            ignore_conflicts=True,
        )


def unsubscribe(*, user_id: int, kind: str) -> None:
    """Stop exactly this kind for this member (one-click unsubscribe)."""
    NotificationOptOut.objects.bulk_create(
        [NotificationOptOut(user_id=user_id, kind=kind)], ignore_conflicts=True
    )


def stopped_kinds(user) -> set[str]:
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
