from django.test import Client
from django.urls import reverse

from members.models import Role
from tests import factories
from tests.members.test_mfa import sign_in
from tests.totp import totp_code


def test_staff_without_mfa_cannot_reach_admin_tools(client, db):
    admin = factories.user_create(role=Role.ADMIN)
    client.force_login(admin)
    for path in ["/", "/admin/", "/admin/members/user/"]:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, reverse("mfa_activate_totp"))
    # The account area stays open, so TOTP can be set up.
    assert client.get(reverse("account_email")).status_code == 200


def test_facilitator_without_mfa_is_sent_to_set_up_totp(client, db):
    facilitator = factories.user_create(role=Role.FACILITATOR)
    client.force_login(facilitator)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0] == (reverse("mfa_activate_totp"), 302)
    assert [str(m) for m in response.context["messages"]] == [
        "Your role gives access to confidential member data. "
        "Set up an authenticator app to continue."
    ]


def test_staff_with_mfa_reaches_admin_tools(client, db):
    admin = factories.user_create(role=Role.ADMIN, totp=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_mfa_requirement_on_htmx_request_redirects_whole_page(client, db):
    admin = factories.user_create(role=Role.ADMIN)
    client.force_login(admin)
    response = client.get("/", headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, reverse("mfa_activate_totp"))


def test_members_do_not_need_mfa(client, db):
    member = factories.user_create(role=Role.MEMBER)
    client.force_login(member)
    assert client.get("/").status_code == 200


def test_password_only_session_stays_restricted_after_totp_is_added_elsewhere(db):
    """A session that signed in with the password alone, before the account had an
    authenticator, never becomes privileged by one added later (by another session, an admin
    or the demo seeding): it must enter a code first."""

    facilitator = factories.user_create(role=Role.FACILITATOR, email="late.fac@example.com")
    client = Client()
    sign_in(client, "late.fac@example.com")
    secret = factories.totp_enable(facilitator)

    reauthenticate = f"{reverse('mfa_reauthenticate')}?next=/"
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, reauthenticate)
    response = client.get("/admin/members/user/")
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=/admin/members/user/"
    response = client.get("/", headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, reauthenticate)
    # Nor may it swap the authenticator for one of its own, though the password re-opens
    # the account area for other sessions.
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert (
        response["Location"]
        == f"{reverse('mfa_reauthenticate')}?next=/accounts/2fa/totp/deactivate/"
    )
    assert factories.totp_enabled(facilitator)

    response = client.post(reauthenticate, {"code": totp_code(secret)})
    assert response["Location"] == "/"
    assert client.get("/").templates[0].name == "peernet/dashboard_facilitator.html"
