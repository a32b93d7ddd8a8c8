import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management.base import BaseCommand
from django.db import transaction

from groups.models import Cohort, Membership
from members import demo
from members.models import Role, User


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation and print its logins. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password for every demo account (default: generated)."
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, password=None, quiet_logins=False, **options):
        password = password or secrets.token_urlsafe(9)
        with transaction.atomic():
            logins = self._seed(password)
        if not quiet_logins:
            self._print_logins(logins, password)

    def _person(self, email, first, last, role, time_zone, password):
        user, _ = User.objects.get_or_create(email=email, defaults={"role": role})
        user.first_name, user.last_name, user.role, user.time_zone = first, last, role, time_zone
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _with_totp(self, user):
        """Staff must use MFA; demo staff get an authenticator so the demo can sign in."""
        existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if existing is None:
            TOTP.activate(user, generate_totp_secret())
        if not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.RECOVERY_CODES
        ).exists():
            RecoveryCodes.activate(user)

    def _seed(self, password):
        logins = []
        admin = self._person(
            "admin@example.com", "Morgan", "Reyes", Role.ADMIN, "Europe/London", password
        )
        self._with_totp(admin)
        logins.append(("Admin", admin.email))
        facilitators = []
        for i, (first, last, zone) in enumerate(
            [("Helen", "Marsh", "America/New_York"), ("Tomas", "Lindqvist", "Europe/London")],
            start=1,
        ):
            person = self._person(
                f"facilitator{i}@example.com", first, last, Role.FACILITATOR, zone, password
            )
            self._with_totp(person)
            facilitators.append(person)
            logins.append((f"Facilitator {i}", person.email))

        index = 0
        for c, (name, slug, zone, status) in enumerate(demo.COHORTS):
            cohort, _ = Cohort.objects.update_or_create(
                slug=slug, defaults={"name": name, "status": status}
            )
            cohort.facilitators.set([facilitators[c % len(facilitators)]])
            for m in range(demo.MEMBERS_PER_COHORT):
                first, last = demo.FIRST[index], demo.LAST[index]
                member = self._person(
                    f"member{index + 1:02d}@example.com", first, last, Role.MEMBER, zone, password
                )
                Membership.objects.get_or_create(
                    cohort=cohort, member=member, status=Membership.Status.ACTIVE
                )
                if m == 0:
                    logins.append((f"Member of {name}", member.email))
                index += 1
        for a in range(demo.APPLICANT_COUNT):
            first, last = demo.FIRST[index], demo.LAST[index]
            applicant = self._person(
                f"applicant{a + 1}@example.com",
                first,
                last,
                Role.APPLICANT,
                "Europe/Paris",
                password,
            )
            if a == 0:
                logins.append(("Applicant", applicant.email))
            index += 1
        return logins

    def _print_logins(self, logins, password):
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data ready. Sign in with any of these:"))
        width = max(len(label) for label, _ in logins)
        for label, email in logins:
            out.write(f"  {label.ljust(width)}  {email}")
        out.write(f"  Password for every account: {password}")
        out.write(
            "  Admins and facilitators use two-factor authentication: after the password, "
            "enter the code printed by\n    .venv/bin/python manage.py demo_totp EMAIL\n"
            "  (or add the secret it prints to an authenticator app)."
        )
