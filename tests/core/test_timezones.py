"""One list of time zones and one check of a stored name, used by every form and model."""

import pytest
from django.core.exceptions import ValidationError

from core.timezones import CHOICES, GROUPED_CHOICES, TimeZoneField, validate_time_zone, zone_label
from groups.forms import CohortForm, FormationForm
from groups.models import Cohort
from meetings.forms import MeetingForm, SeriesForm
from meetings.models import Meeting, Series
from members.forms import AboutForm
from members.models import User


def test_validate_time_zone_accepts_an_iana_name():
    validate_time_zone("America/Argentina/Buenos_Aires")


def test_validate_time_zone_refuses_an_unknown_name_saying_what_to_use():
    with pytest.raises(ValidationError) as refused:
        validate_time_zone("Mars/Olympus_Mons")
    assert refused.value.messages == [
        "Mars/Olympus_Mons is not a time zone we know. Use an IANA name such as Europe/London."
    ]


def test_choices_are_every_zone_sorted_once():
    names = [value for value, _label in CHOICES]
    assert names == sorted(set(names))
    assert {"UTC", "Europe/London", "Asia/Kolkata", "America/New_York"} <= set(names)
    assert all(value == label for value, label in CHOICES)


@pytest.mark.parametrize(
    ("form", "name"),
    [
        (AboutForm, "time_zone"),
        (CohortForm, "home_time_zone"),
        (FormationForm, "home_time_zone"),
        (SeriesForm, "time_zone"),
        (MeetingForm, "time_zone"),
    ],
)
def test_every_form_offers_the_one_list(form, name):
    field = form.base_fields[name]
    assert isinstance(field, TimeZoneField)
    assert field.choices == GROUPED_CHOICES


def test_grouped_choices_are_regions_with_readable_labels():
    groups = dict(GROUPED_CHOICES)
    assert list(groups) == [
        "Coordinated Universal Time",
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    ]
    assert groups["Coordinated Universal Time"] == [("UTC", "UTC")]
    assert ("America/Argentina/Buenos_Aires", "Argentina / Buenos Aires") in groups["America"]
    assert groups["Europe"][:3] == [
        ("Europe/Amsterdam", "Amsterdam"),
        ("Europe/Andorra", "Andorra"),
        ("Europe/Astrakhan", "Astrakhan"),
    ]
    offered = [zone for _, zones in GROUPED_CHOICES for zone, _ in zones]
    assert len(offered) == len(set(offered))
    assert "US/Eastern" not in offered
    assert zone_label("Asia/Kolkata") == "Kolkata"


def test_an_alias_already_stored_stays_valid():
    assert TimeZoneField().clean("US/Eastern") == "US/Eastern"


def test_the_widget_asks_for_search_or_a_browser_guess():
    assert TimeZoneField().widget.attrs["data-tz"] == "search"
    assert TimeZoneField(guess=True).widget.attrs["data-tz"] == "guess"


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (User, "time_zone"),
        (Cohort, "home_time_zone"),
        (Series, "time_zone"),
        (Meeting, "time_zone"),
    ],
)
def test_every_model_checks_with_the_one_validator(model, name):
    assert validate_time_zone in model._meta.get_field(name).validators


def test_formation_form_unknown_zone_says_how_to_fix_it():
    form = FormationForm(data={"home_time_zone": "Mars/Olympus_Mons"})
    assert form.errors["home_time_zone"] == [
        "Choose a time zone from the list, e.g. Europe/London."
    ]


def test_meeting_form_unknown_zone_gives_its_own_example():
    form = MeetingForm(data={"time_zone": "Mars/Olympus_Mons"})
    assert form.errors["time_zone"] == ["Choose a time zone from the list, e.g. America/New_York."]
