"""Whatever arrives in a POST, an application section answers with a page, never a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Role
from tests import factories

SECTION_FIELDS = {
    "about": [
        "first_name",
        "last_name",
        "title",
        "city",
        "city_search",
        "time_zone",
        "meeting_hours_start",
        "meeting_hours_end",
        "linkedin_url",
        "bio",
    ],
    "company": [
        "company",
        "company_website",
        "industry",
        "employees",
        "payroll_usd",
        "revenue_band",
        "years_in_role",
        "preferred_format",
    ],
    "challenges": ["rank_1", "rank_2", "rank_3", "rank_4", "rank_5"],
    "references": [
        "ref1_name",
        "ref1_email",
        "ref1_relationship",
        "ref2_name",
        "ref2_email",
        "ref2_relationship",
    ],
    "agreement": ["motivation", "accept"],
    "conflicts": [
        "conflicts-TOTAL_FORMS",
        "conflicts-INITIAL_FORMS",
        "conflicts-0-relationship",
        "conflicts-0-company_name",
        "conflicts-0-person_email",
        "confirm",
    ],
}

junk = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e9",
            "NaN",
            "Europe/London",
            "13m-50m",
            "42",
            "on",
            "http://",
            "a@b",
            "x" * 5000,
            "\x00",
            "<script>",
            "1000000000000000000",
        ]
    ),
)


@pytest.fixture(scope="module")
def applicant(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        user = factories.user_create(role=Role.APPLICANT, email="fuzz@example.com")
        yield user
        user.delete()


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(section=st.sampled_from(sorted(SECTION_FIELDS)), data=st.data())
def test_application_sections_never_fail_on_any_input(applicant, section, data):
    fields = SECTION_FIELDS[section]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True))
    payload = {name: data.draw(junk) for name in chosen}
    client = Client()
    client.force_login(applicant)
    response = client.post(f"/application/{section}/", payload)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        context = response.context
        form = context.get("form") or context.get("formset")
        assert form is not None and not (form.is_valid() and context.get("confirm_form") is None)
