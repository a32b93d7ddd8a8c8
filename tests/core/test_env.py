"""Reading settings from the environment (core/env.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, mailer_from_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtp://user:p%40ss@mail.example.com:2525",
            {
                "BACKEND": SMTP,
                "OPTIONS": {
                    "host": "mail.example.com",
                    "port": 2525,
                    "username": "user",
                    "password": "p@ss",
                    "use_tls": False,
                    "use_ssl": False,
                    "timeout": 20,
                },
            },
        ),
        (
            "smtp+tls://u:p@mail.example.com:587",
            {
                "BACKEND": SMTP,
                "OPTIONS": {
                    "host": "mail.example.com",
                    "port": 587,
                    "username": "u",
                    "password": "p",
                    "use_tls": True,
                    "use_ssl": False,
                    "timeout": 20,
                },
            },
        ),
        (
            "smtp+ssl://mail.example.com?timeout=5",
            {
                "BACKEND": SMTP,
                "OPTIONS": {
                    "host": "mail.example.com",
                    "port": 465,
                    "username": "",
                    "password": "",
                    "use_tls": False,
                    "use_ssl": True,
                    "timeout": 5,
                },
            },
        ),
    ],
)
def test_mailer_from_url_parses_each_scheme(url, expected):
    assert mailer_from_url(url) == expected


def test_mailer_from_url_rejects_unknown_scheme():
    with pytest.raises(ImproperlyConfigured) as error:
        mailer_from_url("carrier-pigeon://loft")
    assert str(error.value) == (
        "EMAIL_URL scheme 'carrier-pigeon' is not supported; use smtp://, smtp+tls://, "
        "smtp+ssl://, file:/// or console://."
    )


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True
