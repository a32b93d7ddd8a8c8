"""Admission rules: their format, their validation and their evaluation against a profile.

An organisation keeps its rules as JSON in ``EligibilityPolicy.rules``::

    {"groups": [
        {"label": "Company size", "any": [
            {"fact": "employees", "op": "gte", "value": 50},
            {"all": [
                {"fact": "payroll_usd", "op": "gte", "value": 2000000},
                {"fact": "employees", "op": "gte", "value": 15}
            ]}
        ]},
        {"label": "Revenue", "any": [{"fact": "revenue_usd", "op": "gte", "value": 13000000}]}
    ]}

Every group must pass; a group passes when any one of its rules does; an ``{"all": [...]}`` rule
passes when all of its parts do (one level deep, which is enough for "payroll over $2M with at
least 15 employees" and keeps the editor readable). A fact the applicant left empty fails every
rule about it: eligibility is never assumed, and an admin can still grant a waiver.

Countries are ISO 3166-1 alpha-2 codes in the rules as on profiles (``["US", "GB"]``), so
"USA" and "United States" are one country. Admins read and type names in the policy editor:
``rules_with_country_names`` and ``rules_with_country_codes`` translate its JSON both ways.

The evaluation is a plain, JSON-ready breakdown, rule by rule, because reviewers must see why
someone passed or failed, not only the verdict.
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django_countries import countries

from members.choices import REVENUE_BAND_FLOOR, Industry, RevenueBand
from members.countries import country_code, country_name

if TYPE_CHECKING:
    from members.models import Profile

__all__ = [
    "DEFAULT_RULES",
    "FACTS",
    "FactSpec",
    "Facts",
    "describe_rules",
    "evaluate",
    "facts_from_profile",
    "money_format",
    "rules_with_country_codes",
    "rules_with_country_names",
    "validate_rules",
]

NOT_PROVIDED = "not provided"


@dataclass(frozen=True)
class FactSpec:
    label: str  # how reviewers read the fact: "Annual revenue"
    ops: tuple[str, ...]
    kind: str  # "phrases", "count", "years", "money", "industry" or "country"


FACTS: dict[str, FactSpec] = {
    "title": FactSpec("Title", ("contains_any", "contains_none"), "phrases"),
    "employees": FactSpec("Employees", ("gte", "lte"), "count"),
    "payroll_usd": FactSpec("Annual payroll", ("gte", "lte"), "money"),
    "revenue_usd": FactSpec("Annual revenue", ("gte", "lte"), "money"),
    "years_in_role": FactSpec("Years in role", ("gte", "lte"), "years"),
    "industry": FactSpec("Industry", ("in", "not_in"), "industry"),
    "country": FactSpec("Country", ("in", "not_in"), "country"),
}

# What "value" must be for each kind of fact, as the editor tells an admin.
_VALUE_NEEDED = {
    "phrases": 'a non-empty list of words or phrases for fact "{fact}", e.g. ["CEO", "founder"]',
    "count": 'a number of 0 or more for fact "{fact}", e.g. 50',
    "years": 'a number of 0 or more for fact "{fact}", e.g. 3',
    "money": (
        'a number of 0 or more for fact "{fact}", in US dollars without commas, e.g. 13000000'
    ),
    "industry": 'a non-empty list of industry codes for fact "{fact}", e.g. ["31-33", "44-45"]',
    "country": 'a non-empty list of country names for fact "{fact}", e.g. ["United States"]',
}

# YPO's published bar. Two nuances it cannot express are left to reviewers: "payroll over $2M"
# is read as "at least $2,000,000", and YPO's revenue "equivalents" (assets, enterprise value)
# are facts PeerNet does not collect. Titles are matched as words, so "Vice President" and
# "Product Owner" would pass the first group; the second one keeps them out.
DEFAULT_RULES: dict[str, Any] = {
    "groups": [
        {
            "label": "Chief executive title",
            "any": [
                {
                    "fact": "title",
                    "op": "contains_any",
                    "value": [
                        "CEO",
                        "chief executive",
                        "president",
                        "founder",
                        "managing director",
                        "owner",
                    ],
                }
            ],
        },
        {
            "label": "Not a deputy or assistant title",
            "any": [
                {
                    "fact": "title",
                    "op": "contains_none",
                    "value": ["vice president", "deputy", "assistant", "product owner"],
                }
            ],
        },
        {
            "label": "Company size",
            "any": [
                {"fact": "employees", "op": "gte", "value": 50},
                {
                    "all": [
                        {"fact": "payroll_usd", "op": "gte", "value": 2_000_000},
                        {"fact": "employees", "op": "gte", "value": 15},
                    ]
                },
            ],
        },
        {
            "label": "Revenue",
            "any": [{"fact": "revenue_usd", "op": "gte", "value": 13_000_000}],
        },
    ]
}


@dataclass(frozen=True)
class Facts:
    """What the rules are evaluated against; empty text and None mean "not provided"."""

    title: str = ""
    employees: int | None = None
    payroll_usd: int | None = None
    revenue_usd: int | None = None
    years_in_role: int | None = None
    industry: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 code, e.g. "US"
    # Only for display: a reviewer should see "$13M – $50M", not the band's floor.
    revenue_band: str = ""


def facts_from_profile(profile: Profile) -> Facts:
    band = profile.revenue_band
    return Facts(
        title=profile.title,
        employees=profile.employees,
        payroll_usd=profile.payroll_usd,
        revenue_usd=REVENUE_BAND_FLOOR.get(band) if band else None,
        years_in_role=profile.years_in_role,
        industry=profile.industry,
        country=profile.country.code,
        revenue_band=band,
    )


# --- Validation ---------------------------------------------------------------------------


def validate_rules(rules: object) -> None:
    """Raise ValidationError listing every problem, each saying where it is and how to fix it."""
    errors: list[str] = []
    if not isinstance(rules, dict):
        raise ValidationError(['The rules must be a JSON object like {"groups": [...]}.'])
    for key in sorted(set(rules) - {"groups"}):
        errors.append(f'Unknown key "{key}"; the rules have only "groups".')
    groups = rules.get("groups")
    if not isinstance(groups, list) or not groups:
        errors.append('"groups" must be a non-empty list of groups.')
        groups = []
    for g, group in enumerate(groups, start=1):
        errors.extend(_group_errors(group, f"Group {g}"))
    if errors:
        raise ValidationError(errors)


def _group_errors(group: object, where: str) -> list[str]:
    if not isinstance(group, dict):
        example = '{"label": "Company size", "any": [...]}'
        return [f"{where} must be an object like {example}."]
    errors = [
        f'{where}: unknown key "{key}"; a group has "label" and "any".'
        for key in sorted(set(group) - {"label", "any"})
    ]
    label = group.get("label")
    if not isinstance(label, str) or not label.strip():
        errors.append(f'{where}: "label" must be a non-empty text, e.g. "Company size".')
    rules = group.get("any")
    if not isinstance(rules, list) or not rules:
        errors.append(f'{where}: "any" must be a non-empty list of rules.')
        rules = []
    for r, rule in enumerate(rules, start=1):
        errors.extend(_rule_errors(rule, f"{where}, rule {r}", combined_allowed=True))
    return errors


def _rule_errors(rule: object, where: str, *, combined_allowed: bool) -> list[str]:
    if not isinstance(rule, dict):
        return [
            f'{where} must be an object like {{"fact": "employees", "op": "gte", "value": 50}}.'
        ]
    if "all" in rule:
        if not combined_allowed:
            return [f'{where}: "all" cannot be used inside "all"; list its rules directly.']
        errors = [
            f'{where}: unknown key "{key}"; a combined rule has only "all".'
            for key in sorted(set(rule) - {"all"})
        ]
        parts = rule["all"]
        if not isinstance(parts, list) or not parts:
            return [*errors, f'{where}: "all" must be a non-empty list of rules.']
        for p, part in enumerate(parts, start=1):
            errors.extend(_rule_errors(part, f"{where}, part {p}", combined_allowed=False))
        return errors

    errors = [
        f'{where}: unknown key "{key}"; a rule has "fact", "op" and "value".'
        for key in sorted(set(rule) - {"fact", "op", "value"})
    ]
    fact = rule.get("fact")
    spec = FACTS.get(fact) if isinstance(fact, str) else None
    if spec is None:
        return [*errors, f'{where}: "fact" must be one of {", ".join(FACTS)}.']
    if rule.get("op") not in spec.ops:
        errors.append(f'{where}: "op" must be one of {", ".join(spec.ops)} for fact "{fact}".')
    value = rule.get("value")
    if not _value_ok(spec.kind, value):
        needed = _VALUE_NEEDED[spec.kind].format(fact=fact)
        errors.append(f'{where}: "value" must be {needed}.')
    elif spec.kind == "industry":
        errors.extend(
            f'{where}: "{code}" is not an industry code; use one of {", ".join(Industry.values)}.'
            for code in value
            if code not in Industry.values
        )
    elif spec.kind == "country":
        errors.extend(
            f'{where}: "{name}" is not a country we know; use its name as the application form '
            'lists it, e.g. "United States of America", or its two-letter code, e.g. "US".'
            for name in value
            if name not in countries
        )
    return errors


def _value_ok(kind: str, value: object) -> bool:
    if kind in {"count", "years", "money"}:
        return (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
            and value >= 0
        )
    if not isinstance(value, list) or not value:
        return False
    if kind in {"industry", "country"}:
        return all(isinstance(item, str) for item in value)
    return all(isinstance(item, str) and _normal(item) for item in value)


# --- Evaluation ---------------------------------------------------------------------------


def evaluate(rules: dict[str, Any], facts: Facts) -> dict[str, Any]:
    """The verdict and its breakdown, rule by rule; ``rules`` must pass validate_rules."""
    groups = []
    for group in rules["groups"]:
        results = [_rule_result(rule, facts) for rule in group["any"]]
        groups.append(
            {
                "label": group["label"],
                "passed": any(result["passed"] for result in results),
                "rules": results,
            }
        )
    return {"passed": all(group["passed"] for group in groups), "groups": groups}


def describe_rules(rules: dict[str, Any]) -> list[str]:
    """One line per group, e.g. "Revenue: annual revenue at least $13,000,000"."""
    return [
        f"{group['label']}: " + "; or ".join(_lower_first(_text(rule)) for rule in group["any"])
        for group in rules["groups"]
    ]


def _rule_result(rule: dict[str, Any], facts: Facts) -> dict[str, Any]:
    if "all" in rule:
        parts = [_rule_result(part, facts) for part in rule["all"]]
        # "Annual payroll $2,500,000; employees 20": each actual needs its fact's name here.
        labels = [FACTS[part["fact"]].label for part in rule["all"]]
        actual = "; ".join(
            f"{label if i == 0 else label.lower()} {result['actual']}"
            for i, (label, result) in enumerate(zip(labels, parts, strict=True))
        )
        return {
            "text": _text(rule),
            "passed": all(result["passed"] for result in parts),
            "actual": actual,
        }
    value = getattr(facts, rule["fact"])
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"text": _text(rule), "passed": False, "actual": NOT_PROVIDED}
    return {
        "text": _text(rule),
        "passed": _passes(rule["op"], rule["fact"], rule["value"], value),
        "actual": _actual(rule["fact"], facts),
    }


def _passes(op: str, fact: str, expected: Any, actual: Any) -> bool:
    if op == "gte":
        return actual >= expected
    if op == "lte":
        return actual <= expected
    if op in {"contains_any", "contains_none"}:
        # Whole words and phrases only, so "owner" does not match "Ownership Analyst".
        title = f" {_normal(actual)} "
        found = any(f" {_normal(phrase)} " in title for phrase in expected)
        return found if op == "contains_any" else not found
    member = str(actual) in {str(item) for item in expected}
    return member if op == "in" else not member


def _actual(fact: str, facts: Facts) -> str:
    value = getattr(facts, fact)
    if fact == "revenue_usd" and facts.revenue_band in RevenueBand.values:
        return RevenueBand(facts.revenue_band).label
    if fact == "industry":
        return Industry(value).label if value in Industry.values else value
    if fact == "country":
        return country_name(value)
    kind = FACTS[fact].kind
    if kind == "money":
        return money_format(value)
    if kind in {"count", "years"}:
        return _number(value)
    return value


def _text(rule: dict[str, Any]) -> str:
    if "all" in rule:
        return " and ".join(
            text if i == 0 else _lower_first(text)
            for i, text in enumerate(_text(part) for part in rule["all"])
        )
    fact, op, value = rule["fact"], rule["op"], rule["value"]
    spec = FACTS[fact]
    if op == "contains_any":
        return f"{spec.label} contains {_or_list(value)}"
    if op == "contains_none":
        return f"{spec.label} does not contain {_or_list(value)}"
    if op in {"gte", "lte"}:
        bound = money_format(value) if spec.kind == "money" else _number(value)
        return f"{spec.label} {'at least' if op == 'gte' else 'at most'} {bound}"
    if fact == "industry":
        names = [Industry(code).label for code in value]
    elif fact == "country":
        names = [country_name(code) for code in value]
    else:
        names = value
    return f"{spec.label} is {'' if op == 'in' else 'not '}one of {', '.join(names)}"


# --- Country names in the editor ------------------------------------------------------


def rules_with_country_codes(rules: Any) -> Any:
    """A copy of ``rules`` with each country value that names a country as its code.

    "USA", "united states" and "US" all become "US"; a value that names no country stays as
    typed, for validate_rules to report. Anything malformed is left for validate_rules too.
    """
    return _country_values_mapped(rules, lambda text: country_code(text) or text)


def rules_with_country_names(rules: Any) -> Any:
    """A copy of ``rules`` with country codes as names ("US" -> "United States of America")."""
    return _country_values_mapped(rules, country_name)


def _country_values_mapped(rules: Any, read: Callable[[str], str]) -> Any:
    if not isinstance(rules, dict) or not isinstance(rules.get("groups"), list):
        return rules
    rules = copy.deepcopy(rules)
    for group in rules["groups"]:
        if not isinstance(group, dict) or not isinstance(group.get("any"), list):
            continue
        for rule in group["any"]:
            parts = rule.get("all") if isinstance(rule, dict) else None
            for part in parts if isinstance(parts, list) else [rule]:
                if not isinstance(part, dict) or part.get("fact") != "country":
                    continue
                value = part.get("value")
                if not isinstance(value, list):
                    continue
                mapped = [read(item) if isinstance(item, str) else item for item in value]
                if all(isinstance(item, str) for item in mapped):
                    # "USA" and "United States" in one list are one country, listed once.
                    mapped = list(dict.fromkeys(mapped))
                part["value"] = mapped
    return rules


def _normal(text: str) -> str:
    """Casefolded words without accents or punctuation; dots vanish so "C.E.O." is "ceo"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = re.sub(r"[.'’]", "", plain)
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def money_format(value: float) -> str:
    """US dollars as people read them: "$9,500,000", "$1,250.50"."""
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
