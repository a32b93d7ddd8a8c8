"""The design system's pieces: icon and avatar tags, the styleguide, toasts from htmx."""

import json

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from core.middleware import HtmxMessagesMiddleware
from core.templatetags.ui import initials
from members.models import Role
from peernet.styleguide_views import ICONS
from tests import factories


def render(text: str, **context) -> str:
    return Template("{% load ui %}" + text).render(Context(context))


def test_icon_decorative_is_hidden_from_screen_readers():
    assert render('{% icon "menu" %}') == (
        '<svg class="icon" aria-hidden="true" focusable="false">'
        '<use href="/static/icons/sprite.svg#menu"></use></svg>'
    )


def test_icon_with_label_is_named():
    assert render('{% icon "bell" label="Notifications" %}') == (
        '<svg class="icon" role="img" aria-label="Notifications">'
        '<use href="/static/icons/sprite.svg#bell"></use></svg>'
    )


def test_every_icon_the_styleguide_lists_is_in_the_sprite():
    sprite = (settings.BASE_DIR / "static" / "icons" / "sprite.svg").read_text()
    names = " ".join(ICONS).split()
    assert [n for n in names if f'<symbol id="{n}"' not in sprite] == []
    assert sprite.count("<symbol ") == len(names)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ada King", "AK"), ("Ada Mary King", "AK"), ("ada", "A"), ("", "?"), ("a@b.com", "AB")],
)
def test_initials_of_names(name, expected):
    assert initials(name) == expected


def test_avatar_without_photo_shows_initials_on_a_stable_tone():
    html = render('{% avatar "Ada King" %}')
    assert html == render('{% avatar "Ada King" %}')
    assert html.startswith('<span class="avatar')
    assert html.endswith('aria-hidden="true">AK</span>')


def test_avatar_with_photo_is_a_decorative_image():
    assert render('{% avatar "Ada King" "/p/1.jpg" size="large" %}') == (
        '<img class="avatar avatar-large" src="/p/1.jpg" alt="" width="96" height="96" '
        'loading="lazy">'
    )


@pytest.mark.django_db
def test_styleguide_renders_every_component_for_admins(client):
    admin = factories.user_create(role=Role.ADMIN, totp=True)
    client.force_login(admin)
    response = client.get("/styleguide/")
    html = response.content.decode()
    assert response.status_code == 200
    headings = [
        "Colour",
        "Type and spacing",
        "Buttons",
        "Icons",
        "Avatars",
        "Cards and badges",
        "Tables that become lists on phones",
        "Empty states",
        "Alerts and toasts",
        "Forms",
    ]
    for heading in headings:
        assert f'">{heading}</h2>' in html, heading
    assert html.count("<symbol") == 0  # icons come from the sprite file, not inline copies
    assert 'aria-label="Move “Pricing” down"' in html


@pytest.mark.django_db
def test_styleguide_toast_demo_answers_with_the_trigger(client):
    admin = factories.user_create(role=Role.ADMIN, totp=True)
    client.force_login(admin)
    response = client.get("/styleguide/?level=error", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"]) == {
        "peernet:toast": [{"level": "error", "text": "That did not work. Try again."}]
    }


def _request(htmx: bool):
    headers = {"HX-Request": "true"} if htmx else {}
    request = RequestFactory().post("/", headers=headers)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _through_middleware(request, response):
    def view(req):
        messages.success(req, "RSVP saved.")
        return response

    return HtmxMessagesMiddleware(view)(request)


def test_htmx_response_carries_messages_as_toasts():
    response = HttpResponse("fragment")
    response["HX-Trigger"] = '{"rsvp-changed": {"id": 3}}'
    request = _request(htmx=True)
    answer = _through_middleware(request, response)
    assert json.loads(answer["HX-Trigger"]) == {
        "rsvp-changed": {"id": 3},
        "peernet:toast": [{"level": "success", "text": "RSVP saved."}],
    }
    # Read, so MessageMiddleware stores nothing for the next page.
    assert request._messages.used is True


def test_htmx_bare_event_names_are_kept_beside_toasts():
    response = HttpResponse("fragment")
    response["HX-Trigger"] = "agenda-changed"
    answer = _through_middleware(_request(htmx=True), response)
    assert json.loads(answer["HX-Trigger"]) == {
        "agenda-changed": None,
        "peernet:toast": [{"level": "success", "text": "RSVP saved."}],
    }


@pytest.mark.parametrize(
    ("htmx", "status", "header"),
    [(False, 200, None), (True, 302, None), (True, 204, "HX-Redirect")],
)
def test_messages_wait_for_the_next_page(htmx, status, header):
    response = HttpResponse(status=status)
    if header:
        response[header] = "/"
    request = _request(htmx=htmx)
    answer = _through_middleware(request, response)
    assert "HX-Trigger" not in answer
    assert request._messages.used is False
