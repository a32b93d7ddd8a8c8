"""What a member stopped (the preferences page) and the signed one-click unsubscribe links."""

import hashlib
import hmac
import json
from collections.abc import Iterable

from django.core import signing
from django.db import transaction
from django.utils.encoding import force_bytes

from core.models import NotificationOptOut
from core.notifications.registry import KINDS, unsubscribable_kinds

# Unchanged since the ledger lived in peernet/notifications.py: links in sent emails carry it.
UNSUBSCRIBE_SALT = "peernet.notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    # No timestamp: an unsubscribe link keeps working as long as the email exists.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([user_id, kind])


class UnsubscribeTokens:
    """unsubscribe_token() for the many members of one batch: the same tokens, with the key
    derived once (Django's Signer derives it from SECRET_KEY again for every signature, which
    cost more than composing the rest of an email's headers). Checked against the Signer when
    made: should Django ever sign differently, every token comes from the Signer."""

    def __init__(self):
        signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
        # django.utils.crypto.salted_hmac: the key is the hash of the salt and the secret.
        key = hashlib.sha256(force_bytes(f"{signer.salt}signer") + force_bytes(signer.key))
        self._mac = hmac.new(key.digest(), digestmod=hashlib.sha256)
        self._fast = self._sign(0, "") == unsubscribe_token(user_id=0, kind="")

    def _sign(self, user_id: int, kind: str) -> str:
        value = signing.b64_encode(
            json.dumps([user_id, kind], separators=(",", ":")).encode("latin-1")
        )
        mac = self._mac.copy()
        mac.update(value)
        return f"{value.decode()}:{signing.b64_encode(mac.digest()).decode()}"

    def __call__(self, *, user_id: int, kind: str) -> str:
        if self._fast:
            return self._sign(user_id, kind)
        return unsubscribe_token(user_id=user_id, kind=kind)


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
