"""Countries as codes: reading typed text, the application form's select, the review page."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from members.countries import ALIASES, country_code, country_name
from members.models import Profile, Role
from tests import factories


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("United States of America", "US"),
        ("united states", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("U.S.", "US"),
        ("US", "US"),
        ("us", "US"),
        (" the USA. ", "US"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("GBR", "GB"),
        ("Holland", "NL"),
        ("The Netherlands", "NL"),
        ("Deutschland", "DE"),
        ("GERMANY", "DE"),
        ("Côte d'Ivoire", "CI"),
        ("cote d’ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Korea (the Republic of)", "KR"),
        ("South Korea", "KR"),
        ("Trinidad & Tobago", "TT"),
        ("St. Lucia", "LC"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Czech Republic", "CZ"),
        ("Viet Nam", "VN"),
        ('"Canada"', "CA"),
        ("(Canada).", "CA"),
        ("Korea", ""),
        ("Atlantis", ""),
        ("London, UK", ""),
        ("", ""),
        ("   ", ""),
    ],
)
def test_country_code_reads_names_aliases_and_codes(text: str, code: str) -> None:
    assert country_code(text) == code


def test_country_code_reads_every_country_by_its_name_and_codes() -> None:
    with translation.override("en"):
        for code, name in countries:
            assert (
                country_code(name),
                country_code(code),
                country_code(countries.alpha3(code)),
            ) == (
                code,
                code,
                code,
            )


def test_country_aliases_name_real_countries() -> None:
    assert {code for code in ALIASES.values() if code not in countries} == set()


def test_country_name_of_unknown_code_is_the_code() -> None:
    assert [country_name(code) for code in ["GB", "ci", "XX", "Atlantis"]] == [
        "United Kingdom",
        "Côte d'Ivoire",
        "XX",
        "Atlantis",
    ]


# --- The application form ---------------------------------------------------------------


@pytest.fixture
def applicant(db):
    return factories.user_create(role=Role.APPLICANT, email="apply@example.com", first="", last="")


def test_about_form_takes_the_country_from_the_city_and_refuses_free_text(
    client, applicant
) -> None:
    """The country is the chosen city's (an ISO code, what eligibility rules compare); a city
    typed as free text is not one."""
    client.force_login(applicant)
    url = reverse("application_section", args=["about"])
    data = {
        "first_name": "Ada",
        "last_name": "Okafor",
        "title": "CEO",
        "city": "Lagos",
        "time_zone": "Africa/Lagos",
        "meeting_hours_start": "07:00",
        "meeting_hours_end": "19:00",
    }

    refused = client.post(url, data)
    accepted = client.post(url, {**data, "city": str(factories.LAGOS)})

    assert refused.context["form"].errors == {
        "city": ["Choose a city from the list; type its first letters to find it."]
    }
    assert accepted["Location"] == reverse("application_section", args=["company"])
    assert Profile.objects.get(user=applicant).country.code == "NG"


# --- The review page --------------------------------------------------------------------


@pytest.fixture
def reviewer_client(client, db):
    client.force_login(factories.user_create(role=Role.ADMIN, totp=True))
    return client


def _location(html: str) -> str:
    block = re.search(r"<dt>Location</dt>\s*<dd>(.*?)</dd>", html, flags=re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()


def test_review_page_shows_the_country_name(reviewer_client) -> None:
    application = factories.application_complete(submit=True)

    html = reviewer_client.get(reverse("review_detail", args=[application.pk])).content.decode()

    assert _location(html) == "Boston, United States of America (UTC)"


def test_review_page_shows_text_the_migration_could_not_map_with_a_prompt(reviewer_client) -> None:
    application = factories.application_complete(submit=True)
    Profile.objects.filter(user=application.applicant).update(
        country="", country_unmapped="Atlantis"
    )

    html = reviewer_client.get(reverse("review_detail", args=[application.pk])).content.decode()

    assert _location(html) == (
        "Boston, country not chosen (UTC) Typed as “Atlantis” when the country was free text, "
        "which matched no country: ask the applicant to choose their country, or choose it on "
        "the profile in the admin."
    )
