"""The design system in a browser: the styleguide at a phone's and a laptop's width, with no
horizontal scroll and no axe-core violation; the phone menu; a toast after an htmx request."""

import re

import pytest
from playwright.sync_api import expect

from members.models import Role
from tests import factories
from tests.browser.pages import axe_violations, menu_open, nav_click, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

SIZES = [(390, 844), (1280, 800)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_styleguide_fits_and_passes_axe(open_page, width, height):
    admin = factories.user_create(role=Role.ADMIN, email="guide.admin@example.com")
    secret = factories.totp_enable(admin)
    page = open_page()
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, admin.email, secret=secret)
    page.goto("/styleguide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Styleguide")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.get_by_role("button", name="Show an error toast").click()
    toast = page.locator("#toasts .toast")
    expect(toast).to_have_text("That did not work. Try again.")
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)


def test_phone_menu_opens_and_leads_to_pages(page):
    member = factories.user_create(role=Role.MEMBER, email="menu.member@example.com")
    factories.cohort_create(name="Menu Circle", members=[member])
    sign_in(page, member.email)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Parking lot")).to_be_hidden()
    menu_open(page)
    expect(nav.get_by_role("link", name="Parking lot")).to_be_visible()
    assert no_horizontal_scroll(page)
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Parking lot")).to_be_hidden()
    nav_click(page, "Parking lot")
    expect(page).to_have_url(re.compile(r"/topics/$"))
