import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.models import DemoAccount
from members.models import User


class Command(BaseCommand):
    help = "Development only: print the current two-factor code of an account seed_demo created."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DJANGO_DEBUG=true.")
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"No account with the email address {email}.")
        # Only accounts the demo seeding made: on a real database (or a real account in a
        # seeded one) a code printed here would be a live second factor.
        if not DemoAccount.objects.filter(user=user).exists():
            raise CommandError(
                f"{email} was not created by seed_demo; demo_totp only prints the codes of "
                "demo accounts."
            )
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{email} has no authenticator app set up.")
        secret = decrypt(authenticator.data["secret"])
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        self.stdout.write(f"Code: {code}  (secret for an authenticator app: {secret})")
