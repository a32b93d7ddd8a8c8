"""Two-factor authentication beyond what allauth does on its own.

MFA is a property of a session, not of an account: an account may have an authenticator app
while one of its sessions signed in with the password alone (it signed in before the app was
added, or the app was added by an admin or the demo seeding). allauth records each step a
session completed (`get_authentication_records`); a session counts as two-factor once it has
an "mfa" record — from signing in with a code, re-authenticating with one, or setting up the
authenticator itself, which proves the person holds it.

The secrets behind authenticators (TOTP secrets, recovery-code seeds) are encrypted at rest
with the Fernet keys in settings.PEERNET_MFA_KEYS: the first encrypts, every one decrypts.
"""

import re
from functools import cache

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals
from allauth.usersessions.models import UserSession
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def session_completed_mfa(request) -> bool:
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


def session_record_mfa(request, *, user, authenticator) -> None:
    """Note in this session that `user` proved they hold `authenticator`."""
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def sessions_end_others(request, *, user) -> int:
    """Sign `user` out everywhere but in this request's session; returns how many ended.

    Every sign-in through allauth is tracked as a UserSession, so this reaches them all; a
    session that escaped tracking still cannot act without the two-factor step
    (MfaRequiredMiddleware)."""
    current = request.session.session_key
    others = UserSession.objects.filter(user_id=user.pk).exclude(session_key=current)
    ended = 0
    for session in others:
        session.end()
        ended += 1
    return ended


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    # Setting up an authenticator app takes a code from it: this session passed the second
    # factor. Recovery codes are generated, not proven, so they record nothing.
    if authenticator.type != authenticator.Type.RECOVERY_CODES:
        session_record_mfa(request, user=user, authenticator=authenticator)
    sessions_end_others(request, user=user)


def on_authenticator_removed(sender, request, user, **kwargs) -> None:
    sessions_end_others(request, user=user)


def register() -> None:
    signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="members.mfa.added")
    signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="members.mfa.removed"
    )


# Secrets at rest.


@cache
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def keyring() -> MultiFernet:
    return _keyring(tuple(settings.PEERNET_MFA_KEYS))


def secret_encrypt(text: str) -> str:
    return keyring().encrypt(text.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return keyring().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted with any key in PEERNET_MFA_KEYS: a key "
            "still in use was removed, or secrets stored in clear were never encrypted "
            "(manage.py mfa_keys_rotate --clear-only)."
        ) from None


# How each secret in an Authenticator's data looks when stored in clear (allauth's formats):
# a base32 TOTP secret, a hex recovery-code seed, recovery codes carried over from elsewhere.
CLEAR_FORMATS = {
    "secret": re.compile(r"[A-Z2-7]+=*"),
    "seed": re.compile(r"[0-9a-f]+"),
    "migrated_codes": re.compile(r"[0-9]+"),
}


def _encrypted_under_first_key(value: str, *, rotate: bool, pattern) -> str | None:
    """The value to store instead of `value`, or None to keep it."""
    ring = keyring()
    try:
        ring.decrypt(value.encode())
    except InvalidToken:
        if pattern.fullmatch(value):
            return secret_encrypt(value)
        raise ImproperlyConfigured(
            "A two-factor secret is neither in clear nor encrypted with a key in "
            "PEERNET_MFA_KEYS; put back the key it was encrypted with and run this again."
        ) from None
    return ring.rotate(value.encode()).decode() if rotate else None


def _authenticators_rewrite(authenticators, rewrite) -> int:
    """Apply `rewrite(value, clear_pattern)` to every secret of every authenticator and save
    those that changed. Returns how many changed."""
    changed = 0
    for authenticator in authenticators.order_by("pk").iterator():
        data, dirty = authenticator.data, False
        for field, pattern in CLEAR_FORMATS.items():
            value = data.get(field)
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            new = [rewrite(v, pattern) for v in values]
            if new != values:
                data[field] = new if isinstance(value, list) else new[0]
                dirty = True
        if dirty:
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed


def authenticators_encrypt(authenticators, *, rotate: bool) -> int:
    """Encrypt every secret still stored in clear; with `rotate`, also re-encrypt every
    encrypted one under the first key. Returns how many authenticators changed. Takes the
    queryset so that a migration can pass its historical model."""

    def rewrite(value, pattern):
        encrypted = _encrypted_under_first_key(value, rotate=rotate, pattern=pattern)
        return value if encrypted is None else encrypted

    return _authenticators_rewrite(authenticators, rewrite)


def authenticators_decrypt(authenticators) -> int:
    """Store every secret in clear again: only for going back to a release that cannot read
    encrypted ones (the migration's reverse)."""
    return _authenticators_rewrite(
        authenticators,
        lambda value, pattern: value if pattern.fullmatch(value) else secret_decrypt(value),
    )
