"""Time zones: the one list people choose from and the one check of a stored name."""

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError

# IANA names, read once: available_timezones() walks the zone database on every call.
TIME_ZONES: frozenset[str] = frozenset(zoneinfo.available_timezones())
CHOICES: list[tuple[str, str]] = [(zone, zone) for zone in sorted(TIME_ZONES)]


def validate_time_zone(value: str) -> None:
    if value not in TIME_ZONES:
        raise ValidationError(
            "%(value)s is not a time zone we know. Use an IANA name such as Europe/London.",
            params={"value": value},
        )


class TimeZoneField(forms.ChoiceField):
    """A choice of every time zone; a name outside the list is refused with an example of one
    that is in it (Europe/London unless ``example`` suits the form better)."""

    def __init__(self, *, example: str = "Europe/London", **kwargs) -> None:
        kwargs.setdefault("label", "Time zone")
        super().__init__(choices=CHOICES, **kwargs)
        self.error_messages["invalid_choice"] = f"Choose a time zone from the list, e.g. {example}."
