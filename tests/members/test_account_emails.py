"""Every email allauth sends carries PeerNet's name: the greeting, the sign-off, the subject.

The flows a visitor can start are run for real; every other kind (notifications of password
and two-factor changes, login codes, …) is rendered through the adapter with the context
allauth gives it, so a kind added by an allauth upgrade is covered too."""

from pathlib import Path

import allauth
import pytest
from django.core import mail
from django.urls import reverse

from members.adapters import AccountAdapter
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-unusual-passphrase-42"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
KINDS = sorted(
    str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
    for folder in ("account/email", "mfa/email")
    for path in (ALLAUTH_TEMPLATES / folder).glob("*_message.txt")
    if not path.name.startswith("base_")
)


def assert_branded(message, to: str) -> None:
    lines = message.body.splitlines()
    assert message.to == [to]
    assert message.subject.startswith("[PeerNet] ")
    assert lines[0] == "Hello from PeerNet,"
    assert lines[-2:] == ["Thank you for using PeerNet.", "http://127.0.0.1:8000"]
    for broken in (" !", "from !", "using !", " on .", "email .", "\n.\n"):
        assert broken not in message.body


def sign_up(client, capture, email):
    with capture(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        )


def test_verification_email_names_peernet_and_the_site(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks, "new.person@example.com")
    [message] = mail.outbox
    assert_branded(message, "new.person@example.com")
    assert message.subject == "[PeerNet] Please Confirm Your Email Address"
    assert (
        "You're receiving this email because user new.person@example.com has given your email "
        "address to register an account on 127.0.0.1:8000." in message.body
    )


def test_signup_with_a_taken_address_email_names_the_address(
    client, django_capture_on_commit_callbacks
):
    factories.user_create(email="taken@example.com")
    sign_up(client, django_capture_on_commit_callbacks, "taken@example.com")
    [message] = mail.outbox
    assert_branded(message, "taken@example.com")
    assert message.subject == "[PeerNet] Account Already Exists"
    assert "\n\ntaken@example.com\n\n" in message.body


def test_password_reset_for_an_unknown_address_names_the_address(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    [message] = mail.outbox
    assert_branded(message, "nobody@example.com")
    assert message.subject == "[PeerNet] Unknown Account"
    assert "an account with email nobody@example.com. However" in message.body


def test_password_reset_email_is_branded(client, django_capture_on_commit_callbacks):
    factories.user_create(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "forgetful@example.com"})
    [message] = mail.outbox
    assert_branded(message, "forgetful@example.com")
    assert message.subject == "[PeerNet] Password Reset Email"


def test_every_allauth_email_kind_is_covered():
    assert KINDS == [
        "account/email/account_already_exists",
        "account/email/email_changed",
        "account/email/email_confirm",
        "account/email/email_confirmation",
        "account/email/email_confirmation_signup",
        "account/email/email_deleted",
        "account/email/login_code",
        "account/email/password_changed",
        "account/email/password_reset",
        "account/email/password_reset_code",
        "account/email/password_reset_key",
        "account/email/password_set",
        "account/email/unknown_account",
        "mfa/email/recovery_codes_generated",
        "mfa/email/totp_activated",
        "mfa/email/totp_deactivated",
        "mfa/email/webauthn_added",
        "mfa/email/webauthn_removed",
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_every_allauth_email_kind_is_branded(kind, db, django_capture_on_commit_callbacks):
    user = factories.user_create(email="someone@example.com")
    # What allauth's callers put in the context (send_notification_mail adds the last three).
    context = {
        "user": user,
        "activate_url": "http://127.0.0.1:8000/accounts/confirm-email/key/",
        "password_reset_url": "http://127.0.0.1:8000/accounts/password/reset/key/1-x/",
        "signup_url": "http://127.0.0.1:8000/accounts/signup/",
        "code": "ABC123",
        "from_email": "old@example.com",
        "to_email": "someone@example.com",
        "deleted_email": "old@example.com",
        "ip": "127.0.0.1",
        "user_agent": "Browser",
        "timestamp": "now",
    }
    with django_capture_on_commit_callbacks(execute=True):
        AccountAdapter().send_mail(kind, "someone@example.com", context)
    [message] = mail.outbox
    assert_branded(message, "someone@example.com")
