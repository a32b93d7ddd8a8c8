import re

import pytest
from playwright.sync_api import expect

from core import cities
from core.models import Notification
from groups import services as group_services
from groups.models import Cohort, Membership
from members import services as member_services
from members.models import Role
from tests import factories
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser


def test_admin_places_a_newly_approved_member_and_the_facilitator_is_told(open_page):
    admin = factories.user_create(role=Role.ADMIN, email="boss@example.com", first="Ada")
    secret = factories.totp_enable(admin)
    facilitator = factories.user_create(
        role=Role.FACILITATOR, email="fac@example.com", first="Fiona", last="Chair"
    )
    cohort = factories.cohort_create(name="Thames Circle", facilitators=[facilitator])
    Cohort.objects.filter(pk=cohort.pk).update(
        industry_mode="unrestricted",
        **group_services.home_city_fields(cities.get(factories.LONDON)),
    )
    Membership.objects.create(cohort=cohort, member=factories.pool_member_create(last="Seated"))
    application = factories.application_complete(submit=True)
    factories.references_answer(application)
    newcomer = application.applicant
    member_services.profile_update(
        profile=newcomer.profile,
        **member_services.city_fields(cities.get(factories.READING)),
        preferred_format="in_person",
    )
    member_services.application_decide(application=application, decision="approve", actor=admin)

    page = open_page()
    sign_in(page, "boss@example.com", secret=secret)
    page.goto("/pool/")
    page.get_by_role("link", name=f"Suggest cohorts for {newcomer.display_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Place {newcomer.display_name}")
    suggestion = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile("Thames Circle"))
    )
    expect(suggestion).to_contain_text("Meets 59 km from London.")
    suggestion.get_by_role("button", name=f"Place {newcomer.display_name} in Thames Circle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thames Circle")
    expect(page.get_by_text(f"{newcomer.display_name} joined Thames Circle.")).to_be_visible()

    assert Membership.objects.active().get(member=newcomer).cohort == cohort
    assert list(
        Notification.objects.filter(kind="member_placed").values_list("recipient", flat=True)
    ) == ["fac@example.com"]
