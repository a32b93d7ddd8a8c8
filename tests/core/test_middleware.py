"""Middleware that knows no roles (core/middleware.py): login required, htmx-aware, and the
signed-in user's own time zone. The two-factor gate is tested in tests/peernet/."""

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from peernet import views
from tests import factories


@pytest.mark.django_db
def test_login_required_on_htmx_request_becomes_hx_redirect(client):
    response = client.get(reverse("account_email"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=/accounts/email/"


@pytest.mark.django_db
def test_login_required_on_normal_request_redirects(client):
    response = client.get(reverse("account_email"))
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=/accounts/email/",
    )


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("Australia/Sydney", "Australia/Sydney"), ("America/New_York", "America/New_York")],
)
def test_user_time_zone_is_active_during_request(client, db, zone, expected):
    seen = {}
    original = views._dashboard_member

    def spy(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return original(request)

    member = factories.user_create(role=Role.MEMBER, time_zone=zone)
    client.force_login(member)
    views._dashboard_member = spy
    try:
        client.get("/")
    finally:
        views._dashboard_member = original
    assert seen["zone"] == expected
    assert timezone.get_current_timezone_name() == "UTC"
