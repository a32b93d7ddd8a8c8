"""What a phone downloads: a first view of a page (HTML and every file it loads, compressed as
served) stays under 60 KB; a repeat view (static files cached for good under hashed names)
under 10 KB, the compressed HTML alone."""

import base64
import functools
import gzip
import json
import os
import re
import subprocess
import sys
from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from meetings import services
from members.models import Role
from tests import factories

FIRST_VIEW = 60 * 1024
REPEAT_VIEW = 10 * 1024
ASSET = re.compile(r'(?:src|href)="(/static/[^"#?]+)')


def served_size(response) -> int:
    assert response["Content-Encoding"] == "gzip"
    return len(response.content)


def asset_sizes(html: str) -> dict[str, int]:
    """Each file the page loads, gzip-compressed as whitenoise serves it."""
    sizes = {}
    for url in sorted(set(ASSET.findall(html))):
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        with open(path, "rb") as f:
            sizes[url] = len(gzip.compress(f.read(), compresslevel=9))
    return sizes


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "profile", "directory", "meeting"])
def test_first_view_under_60_kb_and_repeat_view_under_10_kb(client, page):
    facilitator = factories.user_create(role=Role.FACILITATOR, totp=True)
    members = [factories.user_create(role=Role.MEMBER) for _ in range(12)]
    cohort = factories.cohort_create(facilitators=[facilitator], members=members)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title="Forum",
        local_date=date.today() + timedelta(days=9),
        local_time=time(9, 0),
        duration_minutes=240,
        time_zone="Europe/London",
    )
    path = {
        "home": "/",
        "profile": "/profile/",
        "directory": f"/cohorts/{cohort.slug}/people/",
        "meeting": f"/meetings/{meeting.pk}/",
    }[page]
    client.force_login(members[0])
    response = client.get(path, headers={"accept-encoding": "gzip"})
    html_size = served_size(response)
    assets = asset_sizes(gzip.decompress(response.content).decode())
    assert "/static/css/app.css" in assets and "/static/js/app.js" in assets
    assert html_size + sum(assets.values()) <= FIRST_VIEW, (html_size, assets)
    assert html_size <= REPEAT_VIEW, html_size


PRODUCTION_CHECK = """
import django, json
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
url = staticfiles_storage.url("css/app.css")
response = Client().get(url, headers={"accept-encoding": "gzip"}, secure=True)
print(json.dumps([url, response.status_code, response["Cache-Control"],
                  response.get("Content-Encoding")]))
"""


def test_production_serves_hashed_static_files_cached_for_a_year(tmp_path):
    """In production (CompressedManifestStaticFilesStorage, whitenoise) every file has a hashed
    name served as immutable for a year, compressed: a repeat view loads none of them."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "EMAIL_URL", "PEERNET_", "REDIS_URL", "DATABASE_URL"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        PEERNET_MFA_KEYS=base64.urlsafe_b64encode(b"k" * 32).decode(),
        EMAIL_URL="console://",
        PEERNET_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="peernet.settings",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    run = functools.partial(
        subprocess.run, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    collected = run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"])
    assert collected.returncode == 0, collected.stderr
    checked = run([sys.executable, "-c", PRODUCTION_CHECK])
    assert checked.returncode == 0, checked.stderr
    url, status, cache_control, encoding = json.loads(checked.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url)
    assert (status, cache_control, encoding) == (
        200,
        "max-age=315360000, public, immutable",
        "gzip",
    )
