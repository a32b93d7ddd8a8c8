from io import StringIO

from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.core.management import call_command

from groups.models import Cohort, Membership
from groups.services import membership_check
from meetings.models import Meeting, Series
from members import demo
from members.models import Application, CompanyChangeRequest, Role, User
from members.services import company_change_decide


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    roles = {role: User.objects.filter(role=role).count() for role in Role.values}
    return roles, Cohort.objects.count(), Membership.objects.active().count()


def test_seed_demo_creates_organisation_and_is_idempotent(db):
    seed("--password", "demo-password-1")
    first = counts()
    assert first == (
        {"applicant": 7, "member": 45, "facilitator": 2, "admin": 1},
        5,
        30,
    )
    states = sorted(Application.objects.values_list("status", flat=True))
    assert states == sorted(demo.APPLICANT_STATES)
    seed("--password", "demo-password-2")
    assert counts() == first
    assert sorted(Application.objects.values_list("status", flat=True)) == states
    user = authenticate(email="member01@example.com", password="demo-password-2")
    assert user is not None and user.email == "member01@example.com"


def test_seed_demo_prints_logins_and_given_password(db):
    output = seed("--password", "demo-password-1")
    assert "admin@example.com" in output
    assert "facilitator1@example.com" in output
    assert "applicant1@example.com" in output
    assert "Password for every account: demo-password-1" in output


def test_seed_demo_generates_password_when_none_given(db):
    output = seed()
    password = output.split("Password for every account: ")[1].split()[0]
    assert len(password) >= 12
    assert authenticate(email="admin@example.com", password=password) is not None


def test_seed_demo_staff_have_authenticator_apps(db):
    seed("--password", "demo-password-1")
    with_totp = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list(
            "user__email", flat=True
        )
    )
    assert with_totp == {
        "admin@example.com",
        "facilitator1@example.com",
        "facilitator2@example.com",
    }


def test_seed_demo_applications_have_reviews_and_pool(db):
    seed("--password", "demo-password-1")
    reviewed = Application.objects.get(status="under_review")
    assert (reviewed.scores.count(), reviewed.notes.count()) == (1, 1)
    assert reviewed.references.filter(answered_at__isnull=False).count() == 1
    approved = Application.objects.get(status="approved")
    assert approved.applicant.role == Role.MEMBER
    assert approved.applicant.profile.approved_at is not None


def test_seed_demo_has_every_cohort_status_and_a_refused_conflict(db):
    seed("--password", "demo-password-1")
    assert sorted(Cohort.objects.values_list("status", flat=True)) == [
        "active",
        "active",
        "closed",
        "forming",
        "paused",
    ]
    check = membership_check(
        cohort=Cohort.objects.get(slug="atlantic-founders"),
        member=User.objects.get(email="pool01@example.com"),
    )
    assert check.problems == []
    assert len(check.conflict_details) == 1
    assert "as a competitor" in check.conflict_details[0]


def test_seed_demo_meetings_have_updates_presentations_and_evaluations(db):
    from meetings.models import Evaluation, MemberUpdate, Topic  # noqa: PLC0415

    seed("--password", "demo-password-1")
    cohorts = Cohort.objects.filter(series__isnull=False).distinct().count()
    # Per cohort with meetings: half of the ten members wrote their update for the next one.
    assert MemberUpdate.objects.count() == 5 * cohorts
    assert MemberUpdate.objects.filter(needs_time=True).count() == cohorts
    assert Topic.objects.exclude(statement="").count() == 7 * cohorts
    assert Evaluation.objects.values("meeting").distinct().count() == cohorts


def test_seeding_again_leaves_a_cohort_made_in_the_demo_without_demo_meetings(db):
    """`make run` seeds on every start: a cohort someone created in the running demo, with a
    facilitator and no meetings yet, gets no demo series, topics or attendance."""
    seed("--password", "demo-password-1")
    series_before = Series.objects.count()
    facilitator = User.objects.get(email="facilitator1@example.com")
    mine = Cohort.objects.create(name="Our own circle", slug="our-own-circle")
    mine.facilitators.set([facilitator])
    seed("--password", "demo-password-1")
    assert Series.objects.count() == series_before
    assert not Meeting.objects.filter(cohort=mine).exists()


def test_seed_demo_leaves_one_company_change_waiting_and_a_decided_one_decided(db):
    seed("--password", "demo-password-1")
    change = CompanyChangeRequest.objects.get()
    assert (change.user.email, change.company, change.status) == (
        "member02@example.com",
        "Northwind Partners",
        CompanyChangeRequest.Status.PENDING,
    )
    admin = User.objects.get(email="admin@example.com")
    company_change_decide(change=change, actor=admin, approve=False)
    seed("--password", "demo-password-1")
    assert list(CompanyChangeRequest.objects.values_list("status", flat=True)) == [
        CompanyChangeRequest.Status.DECLINED
    ]
