"""Countries: what people type ("USA", "U.K.", "Holland") read as ISO 3166-1 alpha-2 codes.

Profiles store a code (django-countries' ``CountryField``) and eligibility rules compare codes,
so "USA" and "United States of America" are the same country. This module reads text into a
code for the policy editor, where admins type country names, and turns codes back into the
names people read.

A text matches when, ignoring case, accents, punctuation, a leading "the", "&" for "and" and
"St" for "Saint", it is a country's name (the common one, the official ISO one or a former
one), its two- or three-letter code, or one of the everyday aliases below. Anything else is
not a country: an ambiguous word such as "Korea" or "Congo Republic" is not guessed at.

No Django models: this is plain text processing over django-countries' data.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from django.utils import translation
from django_countries import countries
from django_countries.data import COUNTRIES as ISO_NAMES

__all__ = ["ALIASES", "country_code", "country_name"]

# Names in everyday use that are not a country's common, official or former name.
ALIASES: dict[str, str] = {
    "America": "US",
    "United States": "US",
    "U.S.": "US",
    "U.S.A.": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Holland": "NL",
    "Nederland": "NL",
    "Deutschland": "DE",
    "Federal Republic of Germany": "DE",
    "España": "ES",
    "Italia": "IT",
    "Brasil": "BR",
    "México": "MX",
    "Österreich": "AT",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "Éire": "IE",
    "Republic of Ireland": "IE",
    "Republic of Korea": "KR",
    "People's Republic of China": "CN",
    "PRC": "CN",
    "Mainland China": "CN",
    "UAE": "AE",
    "Ivory Coast": "CI",
    "Burma": "MM",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "Vatican": "VA",
    "Macau": "MO",
    "Hong Kong SAR": "HK",
}


def country_code(text: str) -> str:
    """The alpha-2 code of the country ``text`` names ("U.S.A." -> "US"), else ""."""
    return _codes_by_key().get(_key(text or ""), "")


def country_name(code: str) -> str:
    """The name people read for a code ("GB" -> "United Kingdom"); an unknown code as given."""
    return str(countries.name(code)) or code


@functools.cache
def _codes_by_key() -> dict[str, str]:
    # Built once, in English whatever the request's language: the keys are what people typed.
    with translation.override("en"):
        names: list[tuple[str, str]] = []
        for code, name in countries:
            iso_name = str(ISO_NAMES.get(code, name))
            names += [
                (code, code),
                (code, countries.alpha3(code)),
                (code, str(name)),
                (code, iso_name),
            ]
        for code, shadowed in countries.shadowed_names.items():
            names += [(code, str(name)) for name in shadowed]
        names += [(code, alias) for alias, code in ALIASES.items()]
    return {_key(name): code for code, name in names}


def _key(text: str) -> str:
    """Casefolded words without accents or punctuation: " The U.S.A. " -> "usa"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # Dots and apostrophes join ("U.S." is "us"); "&" is the word "and".
    plain = re.sub(r"[.'’]", "", plain).replace("&", " and ")
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join("saint" if word == "st" else word for word in words)
