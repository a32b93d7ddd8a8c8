"""docker-compose.yml is what a trial installation runs: nothing in it may listen on every
interface without a login, apart from the web app itself."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def published_ports() -> dict[str, list[str]]:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    return {
        name: service.get("ports", []) for name, service in services.items() if "ports" in service
    }


def test_compose_publishes_the_mail_catcher_on_localhost_only_and_smtp_not_at_all():
    assert published_ports() == {
        "mailpit": ["127.0.0.1:8025:8025"],
        "web": ["8000:8000"],
    }


def compose_command() -> list[str] | None:
    """docker-compose (v1), or the `docker compose` plugin, whichever is installed."""
    for command in (["docker-compose"], ["docker", "compose"]):
        if (
            shutil.which(command[0])
            and subprocess.run([*command, "version"], capture_output=True, timeout=60).returncode
            == 0
        ):
            return command
    return None


def test_compose_file_is_valid():
    command = compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("Docker Compose is not installed; .ci/run installs docker-compose.")
        pytest.skip("Docker Compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(
        [*command, "-f", str(COMPOSE), "config", "-q"],
        env={
            "DJANGO_SECRET_KEY": "only-for-validation",
            "PEERNET_MFA_KEYS": "only-for-validation",
            "PATH": "/usr/bin:/usr/local/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
