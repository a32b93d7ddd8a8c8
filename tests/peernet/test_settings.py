import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _clean_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL"))}
    env.update(PEERNET_VAR_DIR=str(tmp_path), **extra)
    return env


def test_check_deploy_with_production_variables_reports_no_issues(tmp_path):
    env = _clean_env(
        tmp_path,
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-0123456789",
        DJANGO_ALLOWED_HOSTS="peernet.example.com",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
        DATABASE_URL=f"sqlite:///{tmp_path}/prod.sqlite3",
        PEERNET_MFA_KEYS="2q5a0cD8lRk3o1oV0p6Q0Jf3QeVq1y4Jx7n8W2b9m0E=",
    )
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    ), result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import peernet.wsgi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=_clean_env(tmp_path, EMAIL_URL="console://"),
        timeout=120,
    )
    assert result.returncode == 1
    assert "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development)." in result.stderr


def test_manage_py_without_secret_key_or_debug_refuses_with_a_clear_message(tmp_path):
    for command in (["demo_totp", "admin@example.com"], ["runserver"], ["migrate"]):
        result = _manage(*command, env=_clean_env(tmp_path))
        assert (result.returncode, result.stdout, result.stderr) == (
            1,
            "",
            "manage.py: Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).\n",
        ), command


def test_manage_py_checks_migrations_in_a_bare_checkout(tmp_path):
    """No secret key, no DJANGO_DEBUG, no var folder: code-only commands still run."""
    env = _clean_env(tmp_path)
    env["PEERNET_VAR_DIR"] = str(tmp_path / "not-created")
    env.pop("DATABASE_URL", None)
    result = _manage("makemigrations", "--check", "--dry-run", env=env)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (
        0,
        "No changes detected",
        "",
    )


def test_manage_py_runs_in_development_mode_only_when_debug_says_so(tmp_path):
    result = _manage(
        "makemigrations",
        "--check",
        "--dry-run",
        env=_clean_env(
            tmp_path, DJANGO_DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/dev.sqlite3"
        ),
    )
    assert (result.returncode, result.stdout.strip()) == (0, "No changes detected"), result.stderr
