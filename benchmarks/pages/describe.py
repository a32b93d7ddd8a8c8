"""Prints, as JSON, the people the page benchmark signs in as and the pages it visits.
Imported by run.py in a process set up with the benchmark database (importing it runs it)."""

import json

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.utils import timezone

from groups.models import Cohort, Membership
from meetings import runner, runner_selectors
from meetings import services as meeting_services
from meetings.models import Meeting, MeetingRun
from members.models import User

EMAILS = {
    "admin": "admin@example.com",
    "facilitator": "facilitator1@example.com",
    "member": "member01@example.com",
    "applicant": "applicant1@example.com",
}


def _secret(user: User) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def _next_meeting(cohort: Cohort) -> Meeting:
    return (
        Meeting.objects.filter(cohort=cohort, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )


people = {}
for role, email in EMAILS.items():
    user = User.objects.get(email=email)
    people[role] = {"email": email, "totp": _secret(user)}

member = User.objects.get(email=EMAILS["member"])
member_cohort = Cohort.objects.get(Membership.active_q("memberships"), memberships__member=member)
facilitator = User.objects.get(email=EMAILS["facilitator"])
cohort = Cohort.objects.filter(facilitators=facilitator).order_by("pk").first()
feed_token = meeting_services.feed_regenerate(user=member)
# The live runner of the member's next meeting: every participant polls its state about once a
# second, sending the version they show; almost every poll finds it unchanged (204).
runner_meeting = _next_meeting(member_cohort)
runner.running_order_ensure(meeting=runner_meeting)
runner_version = MeetingRun.objects.get(meeting=runner_meeting).version
runner_token = runner_selectors.poll_token(member.pk, runner_meeting.pk)
# Pages that answer something other than 200 when all is well.
STATUS = {"runner poll unchanged": 204}

pages = [
    ("member", "member dashboard", "dashboard", "/"),
    ("member", "topic backlog", "list", "/topics/"),
    ("member", "member meeting page", "detail", f"/meetings/{_next_meeting(member_cohort).pk}/"),
    ("member", "commitments", "list", "/commitments/"),
    ("member", "calendar settings", "detail", "/calendar/"),
    ("member", "runner page", "detail", f"/meetings/{runner_meeting.pk}/run/"),
    ("member", "runner fragment", "fragment", f"/meetings/{runner_meeting.pk}/run/state/"),
    (
        "member",
        "runner poll unchanged",
        "fragment",
        f"/meetings/{runner_meeting.pk}/run/state/?t={runner_token}&v={runner_version}",
    ),
    ("anonymous", "calendar feed", "feed", f"/calendar/feed/{feed_token}.ics"),
    ("facilitator", "facilitator dashboard", "dashboard", "/"),
    ("facilitator", "cohort page", "detail", f"/cohorts/{cohort.slug}/"),
    ("facilitator", "cohort meetings", "list", f"/cohorts/{cohort.slug}/meetings/"),
    ("facilitator", "facilitator meeting page", "detail", f"/meetings/{_next_meeting(cohort).pk}/"),
    ("facilitator", "presenters", "list", f"/cohorts/{cohort.slug}/presenters/"),
    ("admin", "admin dashboard", "dashboard", "/"),
    ("admin", "admin cohort list", "list", "/cohorts/"),
    ("admin", "pool", "list", "/pool/"),
    ("admin", "notification log", "list", "/notifications/"),
    ("admin", "review queue", "list", "/review/"),
    ("admin", "cohorts by risk", "list", "/health/"),
    ("admin", "formation start", "detail", "/formation/"),
    ("applicant", "applicant dashboard", "dashboard", "/"),
    ("applicant", "application", "detail", "/application/"),
]
print(
    json.dumps(
        {
            "people": people,
            "pages": [
                {
                    "role": role,
                    "name": name,
                    "kind": kind,
                    "path": path,
                    "status": STATUS.get(name, 200),
                }
                for role, name, kind, path in pages
            ],
        }
    )
)
