"""Time zones: the one list people choose from and the one check of a stored name.

People choose from the zones of the ten world regions, grouped by region (optgroups), with
readable labels ("Argentina / Buenos Aires"); static/js/app.js adds a search box to every such
list and, where the form asks for it, preselects the browser's own zone. Older alias names
("US/Eastern", "GB") are not offered but stay valid where they are stored."""

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError

# IANA names, read once: available_timezones() walks the zone database on every call.
TIME_ZONES: frozenset[str] = frozenset(zoneinfo.available_timezones())
CHOICES: list[tuple[str, str]] = [(zone, zone) for zone in sorted(TIME_ZONES)]

REGIONS = [
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


def zone_label(name: str) -> str:
    """ "America/Argentina/Buenos_Aires" -> "Argentina / Buenos Aires" (the region is the
    group's label)."""
    return " / ".join(part.replace("_", " ") for part in name.split("/")[1:]) or name


def _grouped() -> list[tuple[str, list[tuple[str, str]]]]:
    groups = [("Coordinated Universal Time", [("UTC", "UTC")])]
    for region in REGIONS:
        zones = sorted(
            (zone for zone in TIME_ZONES if zone.split("/")[0] == region),
            key=lambda zone: zone_label(zone).casefold(),
        )
        groups.append((region, [(zone, zone_label(zone)) for zone in zones]))
    return groups


GROUPED_CHOICES = _grouped()


def validate_time_zone(value: str) -> None:
    if value not in TIME_ZONES:
        raise ValidationError(
            "%(value)s is not a time zone we know. Use an IANA name such as Europe/London.",
            params={"value": value},
        )


class TimeZoneField(forms.ChoiceField):
    """A choice of time zone, grouped by region and searchable; a name outside the zone database
    is refused with an example of one that is in it (Europe/London unless ``example`` suits the
    form better). ``guess=True`` lets the browser preselect its own zone when the field shows
    the default (UTC)."""

    def __init__(self, *, example: str = "Europe/London", guess: bool = False, **kwargs) -> None:
        kwargs.setdefault("label", "Time zone")
        super().__init__(choices=GROUPED_CHOICES, **kwargs)
        self.widget.attrs["data-tz"] = "guess" if guess else "search"
        self.error_messages["invalid_choice"] = f"Choose a time zone from the list, e.g. {example}."

    def valid_value(self, value) -> bool:
        # Alias names are not offered, but one already stored stays valid.
        return str(value) in TIME_ZONES
