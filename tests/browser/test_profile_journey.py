"""A member edits their own profile on a phone: the page opens with what is stored, the city
comes from the list, and saving keeps every value (no console error, no sideways scroll)."""

import re

import pytest
from playwright.sync_api import expect

from members.models import Profile
from tests import factories
from tests.browser.pages import axe_violations, no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser


def test_member_edits_profile_on_a_phone(open_page):
    member = factories.pool_member_create(first="Ada", last="King", email="ada.king@example.com")
    page = open_page()
    sign_in(page, member.email)
    page.goto("/profile/")
    expect(page.get_by_label("First name")).to_have_value("Ada")
    expect(page.get_by_label("Last name")).to_have_value("King")
    expect(page.get_by_label("On weekdays I can meet from")).to_have_value("07:00")
    assert no_horizontal_scroll(page)
    assert axe_violations(page) == []

    page.get_by_label("Preferred name").fill("Addie")
    page.get_by_role("searchbox", name="City").fill("Toronto")
    page.get_by_role("radio", name=re.compile(r"^Toronto, Canada")).check()
    page.get_by_label("On weekdays I can meet until").fill("17:30")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.").first).to_be_visible()

    # Opened again, the page shows what was saved, and saving it unchanged keeps it.
    expect(page.get_by_label("Preferred name")).to_have_value("Addie")
    expect(page.get_by_role("radio", name=re.compile(r"^Toronto, Canada"))).to_be_checked()
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.").first).to_be_visible()
    profile = Profile.objects.get(user=member)
    assert (
        profile.preferred_name,
        profile.city,
        profile.country,
        profile.city_geoname_id,
        str(profile.meeting_hours_end),
    ) == ("Addie", "Toronto", "CA", 6167865, "17:30:00")
    assert no_horizontal_scroll(page)
