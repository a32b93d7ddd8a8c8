"""Two-factor authentication beyond what allauth does on its own.

MFA is a property of a session, not of an account: an account may have an authenticator app
while one of its sessions signed in with the password alone (it signed in before the app was
added, or the app was added by an admin or the demo seeding). allauth records each step a
session completed (`get_authentication_records`); a session counts as two-factor once it has
an "mfa" record — from signing in with a code, re-authenticating with one, or setting up the
authenticator itself, which proves the person holds it.
"""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.usersessions.models import UserSession


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
    from allauth.mfa import signals

    signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="members.mfa.added")
    signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="members.mfa.removed"
    )
