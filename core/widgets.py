"""Form widgets shared by the apps.

The browser's own date and time pickers take and give ISO values ("2027-01-05", "08:30")
whatever the page's language, and show an empty field for anything else. Django renders a
date in the active locale's first input format ("05/01/2027" in en-GB), so these widgets
pin the ISO format; the form fields still accept ISO input under every locale.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
