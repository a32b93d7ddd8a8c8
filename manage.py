#!/usr/bin/env python
import os
import sys

# Importing these reads no settings yet: django.conf.settings loads the module on first use.
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")
    # Development mode only when DJANGO_DEBUG says so (scripts/run.sh and scripts/test.sh do):
    # a checkout that quietly fell back to a public secret key could sign sessions and print
    # two-factor codes for whatever database it points at. Settings that cannot be loaded are
    # a message to the person at the terminal, not a traceback.
    try:
        settings.SECRET_KEY  # noqa: B018  (loads the settings module)
    except ImproperlyConfigured as error:
        sys.exit(f"manage.py: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
