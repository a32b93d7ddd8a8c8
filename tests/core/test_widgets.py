import importlib
import importlib.util
from datetime import date, datetime, time

import pytest
from django import forms
from django.urls import get_resolver
from django.utils import translation

from core.widgets import DateInput, DateTimeInput, TimeInput

LOCALES = ["en-gb", "en-us", "de", "fr", "ja"]
APPS = ("core", "members", "groups", "meetings", "peernet")


class Booking(forms.Form):
    day = forms.DateField(widget=DateInput)
    at = forms.TimeField(widget=TimeInput)
    starts = forms.DateTimeField(widget=DateTimeInput)


@pytest.mark.parametrize("locale", LOCALES)
def test_widgets_render_iso_values_whatever_the_locale(locale):
    with translation.override(locale):
        html = str(
            Booking(
                initial={
                    "day": date(2027, 1, 5),
                    "at": time(8, 30),
                    "starts": datetime(2027, 1, 5, 8, 30),
                }
            )
        )
    assert '<input type="date" name="day" value="2027-01-05"' in html
    assert '<input type="time" name="at" value="08:30"' in html
    assert '<input type="datetime-local" name="starts" value="2027-01-05T08:30"' in html


@pytest.mark.parametrize("locale", LOCALES)
def test_iso_values_the_browser_sends_are_accepted_whatever_the_locale(locale):
    with translation.override(locale):
        form = Booking({"day": "2027-01-05", "at": "08:30", "starts": "2027-01-05T08:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2027, 1, 5)
    assert form.cleaned_data["at"] == time(8, 30)
    assert form.cleaned_data["starts"].replace(tzinfo=None) == datetime(2027, 1, 5, 8, 30)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_date_and_time_field_of_the_project_uses_an_iso_widget():
    assert get_resolver().url_patterns  # imports every view, and with them every form
    for app in APPS:
        if importlib.util.find_spec(f"{app}.forms"):
            importlib.import_module(f"{app}.forms")
    fields = [
        (f"{form.__module__}.{form.__name__}.{name}", field)
        for form in set(_subclasses(forms.BaseForm))
        if form.__module__.split(".")[0] in APPS
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField | forms.TimeField | forms.DateTimeField)
    ]
    assert len(fields) >= 5, fields  # the meetings forms' dates and times at least
    expected = {
        forms.DateField: ("date", date(2027, 1, 5), "2027-01-05"),
        forms.TimeField: ("time", time(8, 30), "08:30"),
        forms.DateTimeField: ("datetime-local", datetime(2027, 1, 5, 8, 30), "2027-01-05T08:30"),
    }
    with translation.override("en-gb"):
        for where, field in fields:
            kind = next(k for k in expected if isinstance(field, k))
            input_type, value, iso = expected[kind]
            rendered = (field.widget.input_type, field.widget.format_value(value))
            assert rendered == (input_type, iso), where
