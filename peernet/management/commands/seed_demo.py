import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core import cities
from core.models import DemoAccount
from core.versions import POOL, version_bump
from groups import services as group_services
from groups.models import Cohort, Membership
from meetings.demo import seed_meetings
from members import demo, selectors, services
from members.models import (
    Application,
    Challenge,
    CompanyChangeRequest,
    Profile,
    Role,
    User,
)


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
            seed_meetings()
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
        DemoAccount.objects.update_or_create(user=user)
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
            cohort = self._cohort(name, slug, zone, status, c)
            cohort.facilitators.set([facilitators[c % len(facilitators)]])
            for m in range(demo.MEMBERS_PER_COHORT):
                first, last = demo.FIRST[index], demo.LAST[index]
                member = self._person(
                    f"member{index + 1:02d}@example.com", first, last, Role.MEMBER, zone, password
                )
                self._profile(member, index, zone, place=m)
                Membership.objects.active().get_or_create(cohort=cohort, member=member)
                if m == 0:
                    logins.append((f"Member of {name}", member.email))
                index += 1
        for c, (name, slug, zone, status) in enumerate(demo.EMPTY_COHORTS):
            self._cohort(name, slug, zone, status, c + len(demo.COHORTS)).facilitators.set(
                [facilitators[c % len(facilitators)]]
            )
        for p in range(demo.POOL_SIZE):
            first, last = demo.FIRST[index], demo.LAST[index]
            zone = demo.POOL_ZONES[p % len(demo.POOL_ZONES)]
            person = self._person(
                f"pool{p + 1:02d}@example.com", first, last, Role.MEMBER, zone, password
            )
            self._profile(person, index, zone, preferred_format=demo.POOL_FORMATS[p % 2], place=p)
            if p == 0:
                logins.append(("Member waiting for a cohort", person.email))
                # A declared competitor of a seated member: the roster refuses this add.
                seated = User.objects.get(email="member01@example.com")
                services.conflicts_replace(
                    profile=person.profile,
                    declarations=[
                        {
                            "relationship": "competitor",
                            "company_name": seated.profile.company,
                            "note": "We bid for the same contracts.",
                        }
                    ],
                )
            index += 1
        # A seated member has moved to a new company, waiting for an admin to decide
        # (/renewals/company-changes/); once decided, later starts leave it decided.
        mover = User.objects.get(email="member02@example.com")
        if not CompanyChangeRequest.objects.filter(user=mover).exists():
            services.company_change_request(
                user=mover, company="Northwind Partners", company_website="https://northwind.test"
            )
        for a, state in enumerate(demo.APPLICANT_STATES):
            first, last = demo.FIRST[index], demo.LAST[index]
            role = Role.MEMBER if state == "approved" else Role.APPLICANT
            person = self._person(
                f"applicant{a + 1}@example.com", first, last, role, "Europe/Paris", password
            )
            self._application(person, index, state, admin)
            if a == 0:
                logins.append(("Applicant (draft)", person.email))
            index += 1
        return logins

    def _cohort(self, name, slug, zone, status, c):
        cohort, _ = Cohort.objects.update_or_create(
            slug=slug,
            defaults={
                **group_services.home_city_fields(cities.get(demo.METRO_CITIES[zone][0])),
                "name": name,
                "status": status,
                "home_time_zone": zone,
                "min_size": 6,
                "max_size": 12,
                "format": demo.FORMATS[c % 3],
                "location": zone.split("/")[-1].replace("_", " "),
                "description": "A confidential group of chief executives meeting monthly.",
                "industry_mode": "unrestricted" if c == 1 else "no_overlap",
            },
        )
        challenges = list(Challenge.objects.order_by("position"))
        cohort.themes.set([challenges[(c + k * 5) % len(challenges)] for k in range(3)])
        return cohort

    def _profile(self, user, i, zone, *, preferred_format=None, place=0):
        profile = services.profile_get_or_create(user=user)
        words = demo.COMPANY_WORDS
        metro = demo.METRO_CITIES.get(zone, demo.METRO_CITIES["Europe/Paris"])
        company = f"{words[i % len(words)]} {['Labs', 'Group', 'Foods', 'Systems'][i % 4]}"
        services.profile_update(
            profile=profile,
            title=demo.TITLES[i % len(demo.TITLES)],
            company=company,
            company_website=f"https://{company.lower().replace(' ', '')}.test",
            industry=demo.INDUSTRIES[i % len(demo.INDUSTRIES)],
            employees=40 + (i * 37) % 900,
            revenue_band=demo.REVENUE[i % len(demo.REVENUE)],
            years_in_role=2 + i % 15,
            **services.city_fields(cities.get(metro[place % len(metro)])),
            preferred_format=preferred_format or demo.FORMATS[i % 3],
            bio="Builds companies that last.",
        )
        challenges = list(Challenge.objects.order_by("position"))
        picks = [challenges[(i + k * 5) % len(challenges)] for k in range(3)]
        services.challenges_rank(profile=profile, challenges=picks)
        if user.role == Role.MEMBER and profile.approved_at is None:
            Profile.objects.filter(pk=profile.pk).update(approved_at=timezone.now())
            version_bump(POOL)
        return profile

    def _application(self, person, i, state, admin):
        """Build an application and walk it to `state` through the real services."""
        if Application.objects.filter(applicant=person).exists():
            return
        application = services.application_get_or_create(applicant=person)
        self._profile(person, i, "Europe/Paris")
        services.application_conflicts_reviewed(application=application)
        services.references_replace(
            application=application,
            references=[
                {
                    "name": "Dana Referee",
                    "email": f"referee{i}a@example.org",
                    "relationship": "Board chair for five years",
                },
                {
                    "name": "Lee Referee",
                    "email": f"referee{i}b@example.org",
                    "relationship": "Co-investor",
                },
            ],
        )
        services.application_agreement_save(
            application=application,
            motivation="I want a small group of peers to test decisions with, every month.",
            agreement=selectors.current_agreement(),
        )
        if state == "draft":
            return
        services.application_submit(application=application, actor=person)
        first = application.references.order_by("position").first()
        if state != "submitted":
            services.reference_answer(
                reference=first,
                years_known=7,
                recommendation="strong",
                comments="Candid, prepared and generous with peers.",
            )
            services.application_score(
                application=application,
                reviewer=admin,
                fit=4,
                contribution=4,
                commitment=5,
                comment="Good fit.",
            )
            services.application_note_add(
                application=application,
                author=admin,
                text="Spoke with the first referee; very positive.",
            )
        if state == "approved":
            # Approving before every referee answered takes a recorded reason; the demo waits.
            services.reference_answer(
                reference=application.references.order_by("position").last(),
                years_known=12,
                recommendation="yes",
                comments="A steady, thoughtful leader.",
            )
        decisions = {
            "info_requested": ("request_info", "Please add your annual payroll."),
            "waitlisted": ("waitlist", ""),
            "approved": ("approve", ""),
            "declined": ("decline", "Thank you for your interest."),
        }
        if state in decisions:
            decision, message = decisions[state]
            services.application_decide(
                application=application,
                decision=decision,
                actor=admin,
                reason="Demo decision",
                message=message,
            )
        if state == "withdrawn":
            services.application_withdraw(
                application=application, actor=person, reason="Timing is not right."
            )

    def _print_logins(self, logins, password):
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data ready. Sign in with any of these:"))
        width = max(len(label) for label, _ in logins)
        for label, email in logins:
            out.write(f"  {label.ljust(width)}  {email}")
        out.write(f"  Password for every account: {password}")
        out.write(
            "  Admins and facilitators use two-factor authentication: after the password, "
            "enter the code printed by\n"
            "    DJANGO_DEBUG=true .venv/bin/python manage.py demo_totp EMAIL\n"
            "  (or add the secret it prints to an authenticator app)."
        )
