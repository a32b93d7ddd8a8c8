import time
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import CommandError, call_command

from tests import factories


def demo_totp(email: str) -> str:
    out = StringIO()
    call_command("demo_totp", email, stdout=out)
    return out.getvalue()


def current_code(email: str) -> tuple[str, str]:
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30)), secret


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--password", "demo-password-1", "--quiet-logins")


def test_demo_totp_prints_the_code_of_a_seeded_demo_account(seeded, settings):
    settings.DEBUG = True
    with time_machine.travel("2026-03-10 12:00:05Z", tick=False):
        output = demo_totp("Facilitator1@example.com")
        code, secret = current_code("facilitator1@example.com")
    assert output == f"Code: {code}  (secret for an authenticator app: {secret})\n"


def test_demo_totp_refuses_without_debug_even_on_a_seeded_database(seeded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as error:
        demo_totp("admin@example.com")
    assert str(error.value) == "demo_totp only runs with DJANGO_DEBUG=true."


def test_demo_totp_refuses_an_account_the_demo_seeding_did_not_create(seeded, settings):
    settings.DEBUG = True
    factories.user_create(role="admin", email="real.admin@example.org", totp=True)
    with pytest.raises(CommandError) as error:
        demo_totp("real.admin@example.org")
    assert str(error.value) == (
        "real.admin@example.org was not created by seed_demo; demo_totp only prints the codes "
        "of demo accounts."
    )


def test_demo_totp_refuses_on_a_database_that_was_never_seeded(db, settings):
    settings.DEBUG = True
    factories.user_create(role="admin", email="admin@example.com", totp=True)
    with pytest.raises(CommandError) as error:
        demo_totp("admin@example.com")
    assert str(error.value) == (
        "admin@example.com was not created by seed_demo; demo_totp only prints the codes "
        "of demo accounts."
    )
