"""Importing the settings reads the environment and nothing else: it creates no folder."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import peernet.settings as s; "
    "print(s.VAR_DIR, s.PEERNET_MAX_ACTIVE_COHORTS, s.CELERY_BROKER_URL, sep='|')"
)


def _import_settings(var_dir: Path, **extra) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "EMAIL_URL", "PEERNET_", "CELERY_", "REDIS_URL", "DATABASE_URL")
        )
    }
    env.update(DJANGO_DEBUG="true", PEERNET_VAR_DIR=str(var_dir), **extra)
    return subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_importing_settings_creates_no_folder(tmp_path):
    var_dir = tmp_path / "not-yet"
    result = _import_settings(var_dir, DATABASE_URL="postgres://peernet@db.invalid:5432/peernet")
    assert (result.returncode, result.stdout.strip()) == (
        0,
        f"{var_dir}|1|filesystem://localhost/",
    ), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_sqlite_in_a_missing_folder_is_refused_saying_what_to_do(tmp_path):
    var_dir = tmp_path / "not-yet"
    result = _import_settings(var_dir)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: The SQLite database goes in "
        f"{var_dir}, which does not exist. Create it (mkdir -p {var_dir}), set PEERNET_VAR_DIR "
        "to a folder that exists, or set DATABASE_URL."
    )
    assert list(tmp_path.iterdir()) == []


def test_max_active_cohorts_comes_from_the_environment(tmp_path):
    result = _import_settings(tmp_path, PEERNET_MAX_ACTIVE_COHORTS="3")
    assert (result.returncode, result.stdout.strip()) == (
        0,
        f"{tmp_path}|3|filesystem://localhost/",
    ), result.stderr


def test_max_active_cohorts_must_be_a_whole_number_from_one(tmp_path):
    for value in ("0", "two", "-1"):
        result = _import_settings(tmp_path, PEERNET_MAX_ACTIVE_COHORTS=value)
        assert result.stderr.strip().splitlines()[-1] == (
            "django.core.exceptions.ImproperlyConfigured: PEERNET_MAX_ACTIVE_COHORTS must be a "
            f"whole number of cohorts, 1 or more, not {value!r}."
        )


def test_the_embedded_broker_makes_its_folders_when_celery_reads_its_configuration(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "EMAIL_URL", "PEERNET_", "CELERY_", "REDIS_URL", "DATABASE_URL")
        )
    }
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_SETTINGS_MODULE="peernet.settings",
        PEERNET_VAR_DIR=str(tmp_path),
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
    )
    result = subprocess.run(
        [sys.executable, "-c", "from peernet.celery import app; print(app.conf.broker_url)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "filesystem://localhost/"), (
        result.stderr
    )
    assert sorted(p.name for p in (tmp_path / "broker").iterdir()) == [
        "control",
        "out",
        "processed",
    ]
