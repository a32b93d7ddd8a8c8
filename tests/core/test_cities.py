import re

from django.urls import reverse

from core import cities
from members.models import Role
from tests import factories


def labels(found) -> list[str]:
    return [c.label for c in found]


def test_search_finds_by_prefix_most_populous_first_exact_name_first():
    assert labels(cities.search("Paris", limit=3)) == [
        "Paris, France",
        "Paris, TX, United States of America",
        "Paris 15 Vaugirard, France",
    ]


def test_search_ignores_accents_and_case():
    assert labels(cities.search("zurich", limit=1)) == ["Zürich, Switzerland"]


def test_search_narrows_by_state_or_country_after_a_comma():
    assert labels(cities.search("portland, or")) == ["Portland, OR, United States of America"]
    assert labels(cities.search("london, can")) == ["London, Canada"]


def test_search_of_nothing_or_no_match_is_empty():
    assert cities.search("  ") == []
    assert cities.search("Xqzzy") == []


def test_get_by_id_and_unknown_ids():
    london = cities.get(factories.LONDON)
    assert (london.name, london.country, london.time_zone) == ("London", "GB", "Europe/London")
    assert cities.get(1) is None
    assert cities.get("not a number") is None
    assert cities.get(None) is None


def test_distance_between_london_and_reading_and_paris():
    london, reading, paris = (
        cities.get(i) for i in (factories.LONDON, factories.READING, factories.PARIS)
    )
    point = lambda c: (c.latitude, c.longitude)  # noqa: E731
    assert round(cities.distance_km(point(london), point(reading))) == 59
    assert round(cities.distance_km(point(london), point(paris))) == 344
    assert cities.distance_km(point(paris), point(paris)) == 0


def test_city_search_view_renders_radio_buttons_named_after_the_field(client, db):
    client.force_login(factories.user_create(role=Role.APPLICANT))
    response = client.get(
        reverse("city_search"), {"field": "city", "id": "id_city", "city_search": "Readi"}
    )
    html = re.sub(r"\s+", " ", response.content.decode())
    assert html.count('type="radio"') == 3
    assert 'name="city" id="id_city_2639577" value="2639577"' in html
    assert "Cities matching “Readi”" in html


def test_city_search_view_says_when_nothing_matches(client, db):
    client.force_login(factories.user_create(role=Role.APPLICANT))
    response = client.get(
        reverse("city_search"), {"field": "city", "id": "id_city", "city_search": "Xqzzy"}
    )
    assert "No city starts with “Xqzzy”" in response.content.decode()


def test_city_search_view_refuses_odd_field_names(client, db):
    client.force_login(factories.user_create(role=Role.APPLICANT))
    response = client.get(reverse("city_search"), {"field": "<b>", "id": "x", "<b>_search": "a"})
    assert response.status_code == 404
