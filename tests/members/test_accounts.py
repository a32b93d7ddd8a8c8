import os
import re
import statistics
import subprocess
import sys
import time

import pytest
import yaml
from allauth.account.models import EmailAddress
from django.conf import global_settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from members.models import Role, User
from tests import factories
from tests.peernet.test_compose import COMPOSE

PASSWORD = "a-long-unusual-passphrase-42"


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


@pytest.mark.django_db
def test_signup_sends_verification_email_through_worker(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "New.Person@Example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_email_verification_sent"),
    )
    user = User.objects.get()
    assert (user.email, user.role) == ("new.person@example.com", Role.APPLICANT)
    assert [m.to for m in mail.outbox] == [["new.person@example.com"]]
    assert mail.outbox[0].subject == "[PeerNet] Please Confirm Your Email Address"
    assert "/accounts/confirm-email/" in mail.outbox[0].body


@pytest.mark.django_db
def test_unverified_account_cannot_sign_in(client, django_capture_on_commit_callbacks):
    factories.user_create(email="pending@example.com", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"),
            {"login": "pending@example.com", "password": factories.PASSWORD},
        )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["pending@example.com"]]


@pytest.mark.django_db
def test_verification_link_confirms_and_signs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "verify@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    confirm = link_in(mail.outbox[0])
    assert client.get(confirm).status_code == 200
    response = client.post(confirm)
    assert response["Location"] == "/"
    assert EmailAddress.objects.get(email="verify@example.com").verified is True
    assert client.get("/").templates[0].name == "peernet/dashboard_applicant.html"


@pytest.mark.django_db
def test_password_reset_email_is_sent(client, django_capture_on_commit_callbacks):
    factories.user_create(email="forgot@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["forgot@example.com"], "[PeerNet] Password Reset Email")
    ]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_repeated_failed_logins_are_rate_limited(client):
    factories.user_create(email="target@example.com")
    login = reverse("account_login")
    for _ in range(5):
        response = client.post(login, {"login": "target@example.com", "password": "wrong-guess"})
        assert response.context["form"].non_field_errors() == [
            "The email address and/or password you specified are not correct."
        ]
    # Even the right password is refused until the window passes.
    response = client.post(login, {"login": "target@example.com", "password": factories.PASSWORD})
    assert response.context["form"].non_field_errors() == [
        "Too many failed login attempts. Try again later."
    ]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_flood_from_one_address_gets_429_page(client):
    statuses = []
    for i in range(21):
        statuses.append(client.post(reverse("account_signup"), {"email": f"x{i}@bad"}).status_code)
    assert statuses == [200] * 20 + [429]
    page = client.post(reverse("account_signup"), {"email": "again@bad"})
    assert "Too many attempts" in page.content.decode()


@pytest.mark.django_db
def test_signup_rejects_bad_input_with_field_errors(client):
    response = client.post(
        reverse("account_signup"), {"email": "not-an-email", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"] == ["Enter a valid email address."]
    assert User.objects.count() == 0


def test_user_time_zone_must_exist(db):
    user = factories.user_create(time_zone="Europe/London")
    user.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert error.value.message_dict["time_zone"] == [
        "Mars/Olympus_Mons is not a time zone we know. Use an IANA name such as Europe/London."
    ]


def test_admin_role_is_the_only_way_to_staff(db):
    member = factories.user_create(role=Role.MEMBER)
    assert (member.is_staff, member.is_superuser) == (False, False)
    member.role = Role.ADMIN
    member.save()
    member.refresh_from_db()
    assert (member.is_staff, member.is_superuser) == (True, True)


def _login_attempt(client, email, password, client_ip):
    """A login POST as it arrives from the reverse proxy: the connection is the proxy's, and
    the proxy appended the address it saw to X-Forwarded-For."""
    response = client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR="10.0.0.2",
        headers={"X-Forwarded-For": client_ip},
    )
    if response.status_code == 302:
        return "signed in"
    return response.context["form"].non_field_errors()


@pytest.mark.django_db
def test_login_rate_limit_behind_proxy_counts_each_client(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    factories.user_create(email="victim@example.com")
    attacker, victim = client, Client()
    wrong = ["The email address and/or password you specified are not correct."]
    limited = ["Too many failed login attempts. Try again later."]
    # Ten failures (the per-address limit), each against a different account, so only the
    # address limit can trip. A forged first hop does not give the attacker a new address.
    outcomes = [
        _login_attempt(attacker, f"guess{i}@example.com", "wrong-guess", f"1.2.3.{i}, 203.0.113.9")
        for i in range(10)
    ]
    assert outcomes == [wrong] * 10
    assert _login_attempt(attacker, "guess@example.com", "wrong-guess", "203.0.113.9") == limited
    # Behind the same proxy, another person is not locked out by the attacker.
    assert _login_attempt(victim, "victim@example.com", factories.PASSWORD, "198.51.100.7") == (
        "signed in"
    )


def test_trusted_proxy_count_comes_from_the_environment(tmp_path):
    def configured(**extra):
        env = {k: v for k, v in os.environ.items() if k != "PEERNET_TRUSTED_PROXY_COUNT"}
        env.update(extra, DJANGO_DEBUG="true", PEERNET_VAR_DIR=str(tmp_path))
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings; "
                "from allauth import app_settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, "
                "app_settings.TRUSTED_PROXY_COUNT)",
            ],
            env={**env, "DJANGO_SETTINGS_MODULE": "peernet.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip() or result.stderr.strip().splitlines()[-1]

    assert configured() == "0 0"
    assert configured(PEERNET_TRUSTED_PROXY_COUNT="2") == "2 2"
    assert configured(PEERNET_TRUSTED_PROXY_COUNT="one") == (
        "django.core.exceptions.ImproperlyConfigured: PEERNET_TRUSTED_PROXY_COUNT must be a "
        "whole number of proxies (0 when clients reach the app directly), not 'one'."
    )


def test_compose_trusts_the_one_proxy_in_front():
    environment = yaml.safe_load(COMPOSE.read_text())["x-app"]["environment"]
    assert environment["PEERNET_TRUSTED_PROXY_COUNT"] == "${PEERNET_TRUSTED_PROXY_COUNT:-1}"


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting the passwords it hashes."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def _signup(client, email, capture) -> tuple[str, float]:
    # CPU time of this process: the work done, unaffected by whatever else the machine runs.
    started = time.process_time()
    with capture(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        )
    elapsed = time.process_time() - started
    client.logout()
    return response["Location"], elapsed


@pytest.mark.django_db
def test_signup_hashes_the_password_whether_or_not_the_email_is_taken(
    client, settings, django_capture_on_commit_callbacks
):
    """Hashing is the one slow step of a sign-up: skipping it for a known address would tell
    anyone timing the form which addresses have accounts."""
    settings.PASSWORD_HASHERS = ["tests.members.test_accounts.CountingHasher"]
    factories.user_create(email="taken@example.com")
    hashed = {}
    for email in ["fresh@example.com", "taken@example.com", "Taken@Example.com"]:
        CountingHasher.calls = 0
        location, _ = _signup(client, email, django_capture_on_commit_callbacks)
        hashed[email] = (location, CountingHasher.calls)
    assert hashed == {
        "fresh@example.com": (reverse("account_email_verification_sent"), 1),
        "taken@example.com": (reverse("account_email_verification_sent"), 1),
        "Taken@Example.com": (reverse("account_email_verification_sent"), 1),
    }
    assert [m.subject for m in mail.outbox] == [
        "[PeerNet] Please Confirm Your Email Address",
        # The second notice to the same address within minutes is held back (rate limit).
        "[PeerNet] Account Already Exists",
    ]
    assert User.objects.filter(email="fresh@example.com").count() == 1


@pytest.mark.django_db
def test_signup_takes_as_long_for_a_taken_email_as_for_a_new_one(
    client, settings, django_capture_on_commit_callbacks
):
    # The production hasher: its cost is what an attacker would time.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    factories.user_create(email="taken@example.com")
    new, taken = [], []
    # Interleaved, so anything that slows one run slows both kinds alike; medians ignore the
    # odd outlier.
    for i in range(7):
        new.append(_signup(client, f"new{i}@example.com", django_capture_on_commit_callbacks)[1])
        taken.append(_signup(client, "taken@example.com", django_capture_on_commit_callbacks)[1])
    ratio = statistics.median(new) / statistics.median(taken)
    assert 0.8 < ratio < 1.25, (new, taken)
