"""Two-factor authentication: which sessions completed it, and what adding or removing an
authenticator does to the others."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from members.models import Role
from tests import factories


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, email, secret=None):
    """Through the real login form; with `secret`, the authenticator-app step too."""
    response = client.post(
        reverse("account_login"), {"login": email, "password": factories.PASSWORD}
    )
    if secret:
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == "/"
    return response


def totp_set_up(client) -> str:
    # allauth asks for the password again before an authenticator changes.
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    return secret


def dashboard(client) -> str:
    response = client.get("/")
    if response.status_code == 302:
        return f"302 {response['Location']}"
    return response.templates[0].name


# Transactional: allauth acts on commit of its own transaction, as in production, so the
# session that set up the authenticator is updated before its response is saved.
def test_totp_set_up_in_one_session_ends_the_others(transactional_db):
    facilitator = factories.user_create(role=Role.FACILITATOR, email="new.fac@example.com")
    laptop, phone = Client(), Client()
    sign_in(laptop, "new.fac@example.com")
    sign_in(phone, "new.fac@example.com")
    assert dashboard(phone) == f"302 {reverse('mfa_activate_totp')}"

    totp_set_up(laptop)

    # The session that set up the authenticator proved it holds it: it is fully signed in.
    assert dashboard(laptop) == "peernet/dashboard_facilitator.html"
    # The password-only session is gone: it must sign in again, this time with a code.
    assert dashboard(phone) == "peernet/landing.html"
    assert "_auth_user_id" not in phone.session
    assert list(
        UserSession.objects.filter(user=facilitator).values_list("session_key", flat=True)
    ) == [laptop.session.session_key]


def test_totp_removed_in_one_session_ends_the_others(transactional_db):
    member = factories.user_create(role=Role.MEMBER, email="careful@example.com")
    secret = factories.totp_enable(member)
    laptop, phone = Client(), Client()
    sign_in(laptop, "careful@example.com", secret)
    with time_step():
        sign_in(phone, "careful@example.com", secret)

    laptop.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    response = laptop.post(reverse("mfa_deactivate_totp"))
    assert response["Location"] == reverse("mfa_index")
    assert Authenticator.objects.filter(user=member).count() == 0

    assert dashboard(laptop) == "peernet/dashboard_member.html"
    assert dashboard(phone) == "peernet/landing.html"
    assert "_auth_user_id" not in phone.session


class time_step:
    """Move the clock one TOTP period on, so the next code differs from the last one used
    (allauth refuses a code used twice)."""

    def __enter__(self):
        import time_machine

        self._travel = time_machine.travel(time.time() + 30, tick=True)
        self._travel.start()

    def __exit__(self, *exc):
        self._travel.stop()
