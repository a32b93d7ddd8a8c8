"""Two-factor authentication: which sessions completed it, and what adding or removing an
authenticator does to the others."""

import os
import re
import subprocess
import sys
import time
from importlib import import_module
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.usersessions.models import UserSession
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from members.models import Role
from tests import factories
from tests.totp import PERIOD, totp_code


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
        self._travel = time_machine.travel(time.time() + 30, tick=True)
        self._travel.start()

    def __exit__(self, *exc):
        self._travel.stop()


# Secrets at rest.

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(user) -> dict[str, dict]:
    """What the database holds for each of the user's authenticators."""
    return dict(Authenticator.objects.filter(user=user).values_list("type", "data"))


@pytest.mark.django_db
def test_totp_secret_is_stored_encrypted_and_a_code_still_signs_in(client, settings):
    settings.PEERNET_MFA_KEYS = [OLD_KEY]
    facilitator = factories.user_create(role=Role.FACILITATOR, email="crypt@example.com")
    sign_in(client, "crypt@example.com")
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    secret = totp_set_up(client)

    data = stored(facilitator)
    assert sorted(data) == ["recovery_codes", "totp"]
    assert secret not in str(data)
    assert Fernet(OLD_KEY).decrypt(data["totp"]["secret"].encode()).decode() == secret
    seed = Fernet(OLD_KEY).decrypt(data["recovery_codes"]["seed"].encode()).decode()
    assert re.fullmatch(r"[0-9a-f]{80}", seed)

    client.logout()
    with time_step():
        sign_in(client, "crypt@example.com", secret)
    assert dashboard(client) == "peernet/dashboard_facilitator.html"


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_new_key_so_the_old_one_can_go(client, settings):
    settings.PEERNET_MFA_KEYS = [OLD_KEY]
    admin = factories.user_create(role=Role.ADMIN, email="rotate@example.com")
    secret = factories.totp_enable(admin)
    RecoveryCodes.activate(admin)
    codes = RecoveryCodes(Authenticator.objects.get(user=admin, type="recovery_codes"))
    before = codes.generate_codes()

    # Step 1: the new key first, the old one still there to read what it encrypted.
    settings.PEERNET_MFA_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()
    call_command("mfa_keys_rotate", stdout=out)
    assert out.getvalue() == "2 authenticator(s) re-encrypted with the first key.\n"
    data = stored(admin)
    assert Fernet(NEW_KEY).decrypt(data["totp"]["secret"].encode()).decode() == secret
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(data["totp"]["secret"].encode())

    # Step 2: the old key goes; everything still works.
    settings.PEERNET_MFA_KEYS = [NEW_KEY]
    sign_in(client, "rotate@example.com", secret)
    assert dashboard(client) == "peernet/dashboard_admin.html"
    codes = RecoveryCodes(Authenticator.objects.get(user=admin, type="recovery_codes"))
    assert codes.generate_codes() == before


@pytest.mark.django_db
def test_secrets_stored_in_clear_are_encrypted_by_the_migration(settings):
    settings.PEERNET_MFA_KEYS = [NEW_KEY]
    user = factories.user_create(role=Role.FACILITATOR, email="legacy@example.com")
    clear_secret, clear_seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ab" * 40
    Authenticator.objects.create(user=user, type="totp", data={"secret": clear_secret})
    Authenticator.objects.create(
        user=user, type="recovery_codes", data={"seed": clear_seed, "used_mask": 0}
    )
    migration = import_module("members.migrations.0004_encrypt_mfa_secrets")

    migration.encrypt(apps, None)
    data = stored(user)
    assert Fernet(NEW_KEY).decrypt(data["totp"]["secret"].encode()).decode() == clear_secret
    assert Fernet(NEW_KEY).decrypt(data["recovery_codes"]["seed"].encode()).decode() == clear_seed
    assert data["recovery_codes"]["used_mask"] == 0
    # Running again changes nothing; the reverse puts the clear values back.
    encrypted = stored(user)
    migration.encrypt(apps, None)
    assert stored(user) == encrypted
    migration.decrypt(apps, None)
    assert stored(user) == {
        "totp": {"secret": clear_secret},
        "recovery_codes": {"seed": clear_seed, "used_mask": 0},
    }
    out = StringIO()
    call_command("mfa_keys_rotate", "--clear-only", stdout=out)
    assert out.getvalue() == "2 authenticator(s) encrypted.\n"
    assert Fernet(NEW_KEY).decrypt(stored(user)["totp"]["secret"].encode()).decode() == (
        clear_secret
    )


@pytest.mark.django_db
def test_rotation_refuses_a_secret_under_an_unknown_key(settings):
    settings.PEERNET_MFA_KEYS = [OLD_KEY]
    user = factories.user_create(role=Role.ADMIN, email="lost@example.com")
    factories.totp_enable(user)
    settings.PEERNET_MFA_KEYS = [NEW_KEY]
    before = stored(user)
    with pytest.raises(CommandError) as error:
        call_command("mfa_keys_rotate")
    assert str(error.value) == (
        "A two-factor secret is neither in clear nor encrypted with a key in PEERNET_MFA_KEYS; "
        "put back the key it was encrypted with and run this again."
    )
    assert stored(user) == before


@pytest.mark.django_db
def test_demo_staff_get_encrypted_secrets_and_demo_totp_still_prints_their_codes(settings):
    settings.DEBUG = True  # demo_totp is a development-only command
    settings.PEERNET_MFA_KEYS = [NEW_KEY]
    call_command("seed_demo", "--quiet-logins", stdout=StringIO())
    out = StringIO()
    # The middle of a code's window, held still: the printed code and the one computed here
    # belong to the same window.
    with time_machine.travel(int(time.time()) // PERIOD * PERIOD + PERIOD / 2, tick=False):
        call_command("demo_totp", "admin@example.com", stdout=out)
        secret = re.fullmatch(
            r"Code: \d{6}  \(secret for an authenticator app: (\w+)\)\n", out.getvalue()
        )[1]
        assert out.getvalue().startswith(f"Code: {totp_code(secret)}  ")
    admin = Authenticator.objects.get(user__email="admin@example.com", type="totp")
    assert Fernet(NEW_KEY).decrypt(admin.data["secret"].encode()).decode() == secret


def _settings_in_subprocess(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PEERNET_"))}
    clean.update(
        PEERNET_VAR_DIR=str(tmp_path),
        EMAIL_URL="console://",
        DJANGO_SETTINGS_MODULE="peernet.settings",
        **env,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(len(settings.PEERNET_MFA_KEYS))",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_production_refuses_to_start_without_mfa_keys(tmp_path):
    production = {"DJANGO_SECRET_KEY": "s" * 50}
    assert _settings_in_subprocess(tmp_path, **production) == (
        "django.core.exceptions.ImproperlyConfigured: Set PEERNET_MFA_KEYS (the key that "
        "encrypts two-factor secrets), e.g. to the output of: python3 -c 'import base64, os; "
        "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
    )
    assert _settings_in_subprocess(tmp_path, PEERNET_MFA_KEYS="hunter2", **production) == (
        "django.core.exceptions.ImproperlyConfigured: Each PEERNET_MFA_KEYS entry must be 32 "
        "random bytes in URL-safe base64 (44 characters ending in '='), as the command in "
        'README, "Two-factor secrets", prints.'
    )
    keys = f"{NEW_KEY}, {OLD_KEY}"
    assert _settings_in_subprocess(tmp_path, PEERNET_MFA_KEYS=keys, **production) == "2"
    # Development derives a key of its own.
    assert _settings_in_subprocess(tmp_path, DJANGO_DEBUG="true") == "1"
