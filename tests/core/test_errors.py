"""A server error is logged under a request id, the 500 page quotes that id, and the error is
reported by email to DJANGO_ADMINS when they are set."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def failing(settings, db):
    settings.ROOT_URLCONF = "tests.core.error_urls"
    return Client(raise_request_exception=False)


def page_text(response) -> str:
    main = re.search(r"<main[^>]*>(.*)</main>", response.content.decode(), re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def error_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]


def test_server_error_page_quotes_the_incoming_request_id_that_the_log_carries(failing, caplog):
    response = failing.get("/boom/", headers={"X-Request-ID": "edge-7f3a.42"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "edge-7f3a.42"
    assert page_text(response) == (
        "500 Something went wrong on our side "
        "PeerNet could not show this page because of an error in PeerNet itself, not because "
        "of anything you did. Nothing you entered was shared. The error has been logged; "
        "please try again in a few minutes. "
        "If you contact us about it, quote this reference: edge-7f3a.42 "
        "Go to your dashboard"
    )
    [record] = error_records(caplog)
    assert (record.getMessage(), record.request_id) == (
        "Internal Server Error: /boom/",
        "edge-7f3a.42",
    )
    assert str(record.exc_info[1]) == "the database caught fire"
    # What the log file shows: the id next to the message.
    console = logging.getHandlerByName("console")
    assert "[request edge-7f3a.42] Internal Server Error: /boom/" in console.format(record)


@pytest.mark.parametrize("incoming", [None, "", "two words", "x" * 101, "id\r\nSet-Cookie: a=b"])
def test_request_id_is_made_up_when_none_or_an_unsafe_one_comes_in(failing, caplog, incoming):
    headers = {} if incoming is None else {"X-Request-ID": incoming}
    response = failing.get("/boom/", headers=headers)
    made_up = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made_up)
    assert f"quote this reference: {made_up}" in page_text(response)
    assert [r.request_id for r in error_records(caplog)] == [made_up]


def test_every_response_carries_a_request_id(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "abc"})["X-Request-ID"] == "abc"


def test_log_records_outside_a_request_carry_a_dash(caplog):
    logging.getLogger("peernet.test").warning("outside")
    assert [r.request_id for r in caplog.records] == ["-"]


def test_server_error_is_emailed_to_the_admins_with_its_request_id(failing, settings):
    settings.ADMINS = ["ops@example.com"]
    response = failing.get("/boom/", headers={"X-Request-ID": "edge-1"})
    assert "The error has been logged and reported to the administrators;" in page_text(response)
    [report] = mail.outbox
    assert report.to == ["ops@example.com"]
    assert report.subject == "[PeerNet] ERROR (EXTERNAL IP): Internal Server Error: /boom/"
    assert "[request edge-1] Internal Server Error: /boom/" in report.body
    assert "RuntimeError at /boom/\nthe database caught fire\n" in report.body


def test_a_mail_server_that_is_down_does_not_break_the_500_page(failing, settings):
    settings.ADMINS = ["ops@example.com"]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    response = failing.get("/boom/", headers={"X-Request-ID": "edge-2"})
    assert (response.status_code, "quote this reference: edge-2" in page_text(response)) == (
        500,
        True,
    )


def test_admins_come_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL"))}
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_ADMINS="ops@example.com, Dana Oncall <dana@example.com>",
        PEERNET_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/dev.sqlite3",
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.ADMINS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "['ops@example.com', 'Dana Oncall <dana@example.com>']",
    ), result.stderr
