#!/usr/bin/env python
import os
import sys

# Importing these reads no settings yet: django.conf.settings loads the module on first use.
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line

# Commands that only look at the code: they sign nothing, send nothing and read nobody's data,
# so a bare checkout (no DJANGO_SECRET_KEY, no DJANGO_DEBUG) may run them, in development mode
# against an empty in-memory database. `makemigrations --check` in a fresh clone is the case.
CODE_ONLY_COMMANDS = {"makemigrations", "check", "help", "version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    bare = not os.environ.get("DJANGO_SECRET_KEY") and not os.environ.get("DJANGO_DEBUG")
    if bare and command in CODE_ONLY_COMMANDS and "--deploy" not in sys.argv:
        os.environ["DJANGO_DEBUG"] = "true"
        os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    # Everything else is in development mode only when DJANGO_DEBUG says so (scripts/run.sh and
    # scripts/test.sh do): a checkout that quietly fell back to a public secret key could sign
    # sessions and print two-factor codes for whatever database it points at. Settings that
    # cannot be loaded are a message to the person at the terminal, not a traceback.
    try:
        settings.SECRET_KEY  # noqa: B018  (loads the settings module)
    except ImproperlyConfigured as error:
        sys.exit(f"manage.py: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
