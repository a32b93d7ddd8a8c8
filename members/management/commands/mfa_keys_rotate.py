from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.mfa import authenticators_encrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every two-factor secret with the first key in PEERNET_MFA_KEYS (and "
        "encrypt any still stored in clear). Run after putting a new key first; then the old "
        "keys may be removed. README, 'Two-factor secrets'."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--clear-only",
            action="store_true",
            help="Only encrypt secrets stored in clear; leave encrypted ones as they are.",
        )

    def handle(self, *args, clear_only=False, **options):
        try:
            with transaction.atomic():
                changed = authenticators_encrypt(Authenticator.objects.all(), rotate=not clear_only)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        verb = "encrypted" if clear_only else "re-encrypted with the first key"
        self.stdout.write(f"{changed} authenticator(s) {verb}.")
