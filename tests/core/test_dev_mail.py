"""Development mail: every message (account emails and notifications alike) written as one
.eml file, listed and decoded at /dev/mail/ — only when DEBUG is on."""

import email
import os
import subprocess
import sys
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from core.env import mailer_from_url
from tests.core.test_notifications import dispatch, forum  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-unusual-passphrase-42"
EML = "core.dev_mail.EmlBackend"


class _Table(HTMLParser):
    """The text of each body row's cells, and the links in them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._in_body = self._in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._in_cell = True
            self.rows[-1].append("")
        elif self._in_cell and tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td":
            self._in_cell = False
            self.rows[-1][-1] = " ".join(self.rows[-1][-1].split())

    def handle_data(self, data):
        if self._in_cell:
            self.rows[-1][-1] += data


def table(html: str) -> _Table:
    parser = _Table()
    parser.feed(html)
    return parser


@pytest.fixture
def mail_dir(settings, tmp_path):
    """Development as `make run` has it: DEBUG on, mail written to files."""
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": EML, "OPTIONS": {"file_path": str(tmp_path)}}}
    return tmp_path


def written(directory: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(directory.glob("*.eml"))
    ]


def test_email_url_file_scheme_writes_to_an_absolute_folder():
    assert mailer_from_url("file:///srv/peer%20net/mail") == {
        "BACKEND": EML,
        "OPTIONS": {"file_path": "/srv/peer net/mail"},
    }
    with pytest.raises(ImproperlyConfigured) as error:
        mailer_from_url("file://var/mail")
    assert str(error.value) == (
        "EMAIL_URL 'file://var/mail' needs an absolute folder: file:///path/to/mail."
    )


def test_development_writes_mail_under_var_mail_by_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL"))}
    env.update(
        DJANGO_DEBUG="true",
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
            "from django.conf import settings; print(settings.MAILERS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    expected = {"default": {"BACKEND": EML, "OPTIONS": {"file_path": str(tmp_path / "mail")}}}
    assert (result.returncode, result.stdout.strip()) == (0, repr(expected)), result.stderr


def test_account_email_is_written_as_sent_listed_and_readable_with_working_links(
    mail_dir, client, db, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel("2026-03-10 09:15:30Z", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            reverse("account_signup"),
            {"email": "new.person@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    [message] = written(mail_dir)
    assert message["To"] == "new.person@example.com"
    assert message["Subject"] == "[PeerNet] Please Confirm Your Email Address"
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Hello from PeerNet,\n")
    [link] = [word for word in body.split() if "/accounts/confirm-email/" in word]

    page = table(client.get(reverse("dev_mail_list")).content.decode())
    assert page.rows == [
        [
            "[PeerNet] Please Confirm Your Email Address",
            "new.person@example.com",
            "10 Mar 2026, 09:15:30",
        ]
    ]
    [name] = [path.stem for path in mail_dir.glob("*.eml")]
    assert page.links == [reverse("dev_mail_detail", args=[name])]

    detail = client.get(page.links[0]).content.decode()
    assertInHTML("<h1>[PeerNet] Please Confirm Your Email Address</h1>", detail)
    # Decoded, with the link whole and clickable (the raw file wraps and encodes it).
    assertInHTML(f'<a href="{link}" rel="nofollow">{link}</a>', detail)
    assert "Hello from PeerNet," in detail
    assert "Open the HTML version" not in detail


def test_notification_email_is_written_through_the_same_mailer(forum, mail_dir, client):  # noqa: F811
    dispatch("2026-03-09 09:00Z")
    page = table(client.get(reverse("dev_mail_list")).content.decode())
    # Late as it is, the day before still brings the agenda prompt and RSVP nudge too.
    assert sorted(page.rows) == [
        [subject, to, "9 Mar 2026, 09:00:00"]
        for subject in (
            "[PeerNet] Tomorrow: March forum",
            "[PeerNet] What will you bring to March forum?",
            "[PeerNet] Will you be at March forum?",
        )
        for to in ("alice@example.com", "bob@example.com")
    ]
    reminder = page.links[
        page.rows.index(
            ["[PeerNet] Tomorrow: March forum", "alice@example.com", "9 Mar 2026, 09:00:00"]
        )
    ]
    detail = client.get(reminder).content.decode()
    link = f"http://127.0.0.1:8000/meetings/{forum['meeting'].pk}/"
    assertInHTML(f'<a href="{link}" rel="nofollow">{link}</a>', detail)
    assertInHTML("<dt>Attachments</dt><dd>meeting.ics</dd>", detail)
    html = client.get(reminder, {"part": "html"})
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert f'href="{link}"' in html.content.decode()


def test_dev_mail_is_not_found_without_debug(mail_dir, settings, client):
    (mail_dir / "20260310-090000-000000-0123abcd.eml").write_bytes(
        b"To: a@example.com\nSubject: Reset\n\nhttp://x/reset/secret/\n"
    )
    settings.DEBUG = False
    for path in (
        reverse("dev_mail_list"),
        reverse("dev_mail_detail", args=["20260310-090000-000000-0123abcd"]),
    ):
        response = client.get(path)
        assert (response.status_code, b"secret" in response.content) == (404, False)


@pytest.mark.parametrize("name", ["..", "notes", "20260310-090000-000000-0123abcd.eml", "x%2F.."])
def test_dev_mail_serves_only_the_files_it_wrote(mail_dir, client, name):
    (mail_dir / "notes.eml").write_bytes(b"Subject: not ours\n\nhidden\n")
    assert client.get(reverse("dev_mail_list")).content.decode().count("not ours") == 0
    assert client.get(f"/dev/mail/{name}/").status_code == 404


def test_dev_mail_says_where_mail_goes_when_it_is_not_written_to_files(settings, client, db):
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    page = client.get(reverse("dev_mail_list")).content.decode()
    assert (
        "Mail is not written to files here: <code>EMAIL_URL</code> sends it to a mail server."
        in page
    )
