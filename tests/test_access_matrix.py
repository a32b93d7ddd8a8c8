"""Every URL pattern × every role, with the outcome each must get.

A new route without a row here fails `test_access_matrix_covers_every_route`. Outcomes are
"200", "404", "403", "405", or "302 <location prefix>". Rows build their path from the `world`
fixture, which holds two cohorts and a person in every role; objects that could leak are
created before they are requested.
"""

import importlib
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from meetings import services as meeting_services
from members import services
from tests import factories
from tests.access import (  # noqa: F401  (the vocabulary rows are written in)
    ADMIN_LOGIN,
    HOME,
    LOGIN,
    REAUTH,
    STAFF,
    Row,
    by_mfa,
    everyone,
    nobody_but,
    signed_in,
    url,
)
from tests.conftest import ROLES, World


def submitted_application(world: World):
    """Another applicant's submitted application: the thing that must not leak."""
    if not hasattr(world, "submitted"):
        world.submitted = factories.application_complete(
            email="other.applicant@example.com", submit=True
        )
    return world.submitted


def reference_link(world: World) -> str:
    reference = submitted_application(world).references.first()
    token = services.reference_send(reference=reference, actor=world.admin)
    return reverse("reference_respond", args=[token])


def review(name: str, *extra):
    return lambda world: reverse(name, args=[submitted_application(world).pk, *extra])


def resend_path(world: World) -> str:
    application = submitted_application(world)
    return reverse(
        "review_reference_resend", args=[application.pk, application.references.last().pk]
    )


def pool_member(world: World):
    """An approved member waiting for a cohort."""
    if not hasattr(world, "waiting"):
        world.waiting = factories.pool_member_create(email="waiting@example.com")
    return world.waiting


def cohort_a(name: str, extra=None):
    def build(world: World) -> str:
        args = [world.cohort_a.slug]
        if extra == "pool":
            args.append(pool_member(world).pk)
        elif extra == "membership":
            args.append(world.cohort_a.memberships.get(member=world.member_a).pk)
        return reverse(name, args=args)

    return build


def manage_a(outcome: str = "200") -> dict[str, str]:
    """Cohort A's facilitator and admins act; A's member may look but not act (403);
    everyone else learns nothing (404)."""
    return {**signed_in("404"), "member_a": "403", "facilitator_a": outcome, "admin": outcome}


def meeting_a(world: World):
    """A coming meeting of cohort A with member A's topic on the agenda and a commitment."""
    if not hasattr(world, "meeting"):
        world.meeting = meeting_services.meeting_create(
            cohort=world.cohort_a,
            actor=world.facilitator_a,
            title="Forum",
            local_date=date.today() + timedelta(days=10),
            local_time=time(9, 0),
            duration_minutes=120,
            time_zone="Europe/London",
        )
        topic = meeting_services.topic_save(
            owner=world.member_a,
            title="Pricing",
            kind="issue",
            importance=5,
            urgency=5,
            estimated_minutes=20,
        )
        world.item = meeting_services.topic_post(
            topic=topic, meeting=world.meeting, actor=world.member_a, minutes=20
        )
        world.spare_topic = meeting_services.topic_save(
            owner=world.member_a,
            title="Spare",
            kind="update",
            importance=1,
            urgency=1,
            estimated_minutes=5,
        )
        world.commitment = meeting_services.commitment_create(
            meeting=world.meeting,
            actor=world.facilitator_a,
            owner=world.member_a,
            text="Call the bank",
        )
        world.feed_token = meeting_services.feed_regenerate(user=world.member_a)
    return world.meeting


def meeting_url(name: str, what: str = ""):
    def build(world: World) -> str:
        meeting = meeting_a(world)
        args = {
            "": [meeting.pk],
            "item": [meeting.pk, world.item.pk],
            "commitment": [world.commitment.pk],
            "topic": [world.item.topic.pk],
            "spare": [world.spare_topic.pk],
            "feed": [world.feed_token],
        }[what]
        return reverse(name, args=args)

    return build


def cohort_a_url(name: str):
    return lambda world: reverse(name, args=[world.cohort_a.slug])


SEE_A = {**signed_in("404"), "member_a": "200", "facilitator_a": "200", "admin": "200"}
TO_MEETING = "302 /meetings/"


def act_a(member: str, manager: str) -> dict[str, str]:
    return {**signed_in("404"), "member_a": member, "facilitator_a": manager, "admin": manager}


MATRIX: dict[str, list[Row]] = {
    "home": [Row(url("home"), everyone("200"))],
    "healthz": [Row(url("healthz"), everyone("200"))],
    # allauth: entrance pages are for visitors; signed-in people are sent home.
    "account_login": [Row(url("account_login"), signed_in(HOME, anonymous="200"))],
    "account_signup": [Row(url("account_signup"), signed_in(HOME, anonymous="200"))],
    "account_logout": [Row(url("account_logout"), signed_in("200", anonymous=HOME))],
    "account_inactive": [Row(url("account_inactive"), everyone("200"))],
    "account_reauthenticate": [Row(url("account_reauthenticate"), signed_in("200"))],
    "account_email": [Row(url("account_email"), signed_in("200"))],
    "account_email_verification_sent": [
        Row(url("account_email_verification_sent"), everyone("200"))
    ],
    "account_confirm_email": [
        Row(url("account_confirm_email", key="not-a-real-key"), everyone("200"))
    ],
    "account_change_password": [Row(url("account_change_password"), signed_in("200"))],
    "account_set_password": [
        Row(url("account_set_password"), signed_in("302 /accounts/password/change/"))
    ],
    "account_reset_password": [Row(url("account_reset_password"), everyone("200"))],
    "account_reset_password_done": [Row(url("account_reset_password_done"), everyone("200"))],
    "account_reset_password_from_key": [
        Row(url("account_reset_password_from_key", uidb36="0", key="bad-key"), everyone("200"))
    ],
    "account_reset_password_from_key_done": [
        Row(url("account_reset_password_from_key_done"), everyone("200"))
    ],
    "account_confirm_login_code": [
        Row(url("account_confirm_login_code"), signed_in(HOME, anonymous="302 /accounts/login/"))
    ],
    "mfa_index": [Row(url("mfa_index"), signed_in("200"))],
    "mfa_authenticate": [
        Row(url("mfa_authenticate"), signed_in(HOME, anonymous="302 /accounts/login/"))
    ],
    # Changing second factors asks for the password again (the test logins are not recent).
    "mfa_reauthenticate": [Row(url("mfa_reauthenticate"), by_mfa(REAUTH, "200"))],
    "mfa_activate_totp": [Row(url("mfa_activate_totp"), signed_in(REAUTH))],
    "mfa_deactivate_totp": [Row(url("mfa_deactivate_totp"), by_mfa("404", REAUTH))],
    "mfa_view_recovery_codes": [Row(url("mfa_view_recovery_codes"), signed_in("404"))],
    "mfa_generate_recovery_codes": [Row(url("mfa_generate_recovery_codes"), signed_in(REAUTH))],
    "mfa_download_recovery_codes": [Row(url("mfa_download_recovery_codes"), signed_in("404"))],
    "usersessions_list": [Row(url("usersessions_list"), signed_in("200"))],
    # Applying: only the applicant has an application; members who never applied see 404.
    "application_overview": [Row(url("application_overview"), nobody_but("applicant", "200"))],
    "application_section": [
        Row(url("application_section", section=key), nobody_but("applicant", "200"))
        for key in ["about", "company", "challenges", "conflicts", "references", "agreement"]
    ],
    "application_submit": [
        Row(url("application_submit"), nobody_but("applicant", "302 /application/"), method="post"),
        Row(url("application_submit"), signed_in("405")),
    ],
    # A referee needs no account; the link itself is the credential.
    "reference_respond": [
        Row(reference_link, everyone("200")),
        Row(url("reference_respond", token="not-a-token"), everyone("404")),
    ],
    "review_queue": [Row(url("review_queue"), nobody_but("admin", "200"))],
    "review_policy": [Row(url("review_policy"), nobody_but("admin", "200"))],
    "review_detail": [Row(review("review_detail"), nobody_but("admin", "200"))],
    # Empty posts: reviewers get the form back with errors; nobody else learns it exists.
    "review_score": [Row(review("review_score"), nobody_but("admin", "200"), method="post")],
    "review_note": [Row(review("review_note"), nobody_but("admin", "200"), method="post")],
    "review_decide": [Row(review("review_decide"), nobody_but("admin", "200"), method="post")],
    "review_waive": [Row(review("review_waive"), nobody_but("admin", "200"), method="post")],
    "review_reference_resend": [
        Row(resend_path, nobody_but("admin", "302 /review/"), method="post")
    ],
    # Cohorts: a member is sent to their own cohort; other cohorts are 404.
    "cohort_list": [
        Row(
            url("cohort_list"),
            {
                **signed_in("404"),
                "member_a": "302 /cohorts/",
                "member_b": "302 /cohorts/",
                "facilitator_a": "200",
                "facilitator_b": "200",
                "admin": "200",
            },
        )
    ],
    "cohort_create": [Row(url("cohort_create"), nobody_but("admin", "200"))],
    "cohort_detail": [
        Row(
            cohort_a("cohort_detail"),
            {**signed_in("404"), "member_a": "200", "facilitator_a": "200", "admin": "200"},
        )
    ],
    "cohort_edit": [Row(cohort_a("cohort_edit"), manage_a())],
    "cohort_add": [Row(cohort_a("cohort_add"), manage_a())],
    "cohort_add_member": [Row(cohort_a("cohort_add_member", "pool"), manage_a())],
    "membership_remove": [Row(cohort_a("membership_remove", "membership"), manage_a())],
    "pool": [Row(url("pool"), nobody_but("admin", "200"))],
    # Meetings of cohort A: its members read and answer, its facilitators and admins run it.
    "cohort_meetings": [Row(cohort_a_url("cohort_meetings"), SEE_A)],
    "series_create": [Row(cohort_a_url("series_create"), manage_a())],
    "meeting_create": [Row(cohort_a_url("meeting_create"), manage_a())],
    "presenters": [Row(cohort_a_url("presenters"), manage_a())],
    "meeting_detail": [Row(meeting_url("meeting_detail"), SEE_A)],
    "meeting_ics": [Row(meeting_url("meeting_ics"), SEE_A)],
    "meeting_rsvp": [
        Row(
            meeting_url("meeting_rsvp"),
            act_a(TO_MEETING, TO_MEETING),
            method="post",
            data={"answer": "yes"},
        )
    ],
    "meeting_edit": [Row(meeting_url("meeting_edit"), manage_a())],
    "meeting_post_topic": [
        Row(meeting_url("meeting_post_topic"), act_a("200", "200"), method="post")
    ],
    "agenda_vote": [
        Row(meeting_url("agenda_vote", "item"), act_a(TO_MEETING, "403"), method="post")
    ],
    "agenda_move": [
        Row(
            meeting_url("agenda_move", "item"),
            act_a("403", TO_MEETING),
            method="post",
            data={"direction": "up"},
        )
    ],
    "agenda_item_update": [
        Row(
            meeting_url("agenda_item_update", "item"),
            act_a("403", TO_MEETING),
            method="post",
            data={"minutes": "25", "state": "scheduled"},
        )
    ],
    "agenda_outcome": [
        Row(
            meeting_url("agenda_outcome", "item"),
            act_a(TO_MEETING, TO_MEETING),
            method="post",
            data={"notes": "ok"},
        )
    ],
    "agenda_publish": [Row(meeting_url("agenda_publish"), act_a("403", TO_MEETING), method="post")],
    "commitment_add": [Row(meeting_url("commitment_add"), act_a("403", "200"), method="post")],
    "my_commitments": [Row(url("my_commitments"), signed_in("200"))],
    "commitment_done": [
        Row(meeting_url("commitment_done", "commitment"), act_a("302 /", "302 /"), method="post")
    ],
    # The parking lot belongs to cohort members; a topic to its owner alone.
    "topic_list": [
        Row(url("topic_list"), {**signed_in("404"), "member_a": "200", "member_b": "200"})
    ],
    "topic_edit": [Row(meeting_url("topic_edit", "topic"), nobody_but("member_a", "200"))],
    "topic_delete": [
        Row(
            meeting_url("topic_delete", "spare"),
            nobody_but("member_a", "302 /topics/"),
            method="post",
        )
    ],
    "calendar_settings": [Row(url("calendar_settings"), signed_in("200"))],
    # The feed's token is its credential (calendar apps cannot sign in).
    "calendar_feed": [
        Row(meeting_url("calendar_feed", "feed"), everyone("200")),
        Row(url("calendar_feed", token="no-such-token"), everyone("404")),
    ],
    "meeting_cancel": [Row(meeting_url("meeting_cancel"), act_a("403", TO_MEETING), method="post")],
    # Last: withdrawing ends the applicant's draft for the rows after it.
    "application_withdraw": [
        Row(
            url("application_withdraw"), nobody_but("applicant", "302 /application/"), method="post"
        ),
    ],
    # Django's admin makes a route per registered model; the admin rows request the index and
    # each model's list. Only the admin role may enter.
    "admin:*": [
        # Its index sends visitors to the admin login, which hands over to allauth's.
        Row(url("admin:index"), {**signed_in(ADMIN_LOGIN, anonymous=ADMIN_LOGIN), "admin": "200"}),
    ]
    + [
        Row(url(name), {**signed_in(ADMIN_LOGIN), "admin": "200"})
        for name in [
            "admin:members_user_changelist",
            "admin:groups_cohort_changelist",
            "admin:members_challenge_changelist",
            "admin:members_profile_changelist",
            "admin:members_confidentialityagreement_changelist",
            "admin:account_emailaddress_changelist",
            "admin:mfa_authenticator_changelist",
            "admin:usersessions_usersession_changelist",
        ]
    ],
}


# Features may keep their rows beside their tests: any module tests/**/access_rows.py with a
# ROWS dict is merged here.
TESTS = Path(__file__).resolve().parent
for path in sorted(TESTS.rglob("access_rows.py")):
    name = ".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts))
    MATRIX.update(importlib.import_module(name).ROWS)


def route_keys(patterns=None, prefix="", namespace=None):
    """(key, route) for every pattern in the URLconf; admin routes share the key "admin:*"."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from route_keys(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if namespace == "admin" or route.startswith("admin/"):
                yield "admin:*", route
            elif pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def test_access_matrix_covers_every_route():
    missing = sorted({route for key, route in route_keys() if key not in MATRIX})
    assert missing == [], f"Routes without an access-matrix row: {missing}"


def test_access_matrix_has_no_stale_rows():
    keys = {key for key, _ in route_keys()}
    assert sorted(set(MATRIX) - keys) == []


def test_access_matrix_rows_name_every_role():
    incomplete = [
        key for key, rows in MATRIX.items() for row in rows if set(row.expect) != set(ROLES)
    ]
    assert incomplete == []


def outcome_of(response) -> str:
    if response.status_code in (301, 302):
        return f"302 {response['Location']}"
    return str(response.status_code)


def matches(observed: str, expected: str) -> bool:
    if expected.startswith("302 "):
        return (
            observed.startswith("302 ")
            and observed[4:].startswith(expected[4:])
            and (expected[4:] != "/" or observed[4:].split("?")[0] == "/")
        )
    return observed == expected


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix_outcomes(client, world, role):
    user = world.by_role(role)
    if user is not None:
        client.force_login(user)
    failures = []
    for key, rows in MATRIX.items():
        for row in rows:
            path = row.path(world)
            response = getattr(client, row.method)(path, row.data)
            observed = outcome_of(response)
            if not matches(observed, row.expect[role]):
                failures.append(f"{key} {path}: expected {row.expect[role]}, got {observed}")
    assert not failures, "\n".join(failures)
