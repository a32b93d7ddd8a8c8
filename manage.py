#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")
    # A checkout with neither a secret key nor DJANGO_DEBUG is a developer's: its management
    # commands run in development mode. Deployments set DJANGO_SECRET_KEY, and the WSGI app
    # (which never passes through here) still refuses to start without one.
    if "DJANGO_SECRET_KEY" not in os.environ:
        os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
