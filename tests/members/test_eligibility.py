import html
import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.choices import Industry, RevenueBand
from members.eligibility import (
    DEFAULT_RULES,
    Facts,
    describe_rules,
    evaluate,
    facts_from_profile,
    rules_with_country_codes,
    rules_with_country_names,
    validate_rules,
)
from members.models import EligibilityPolicy, Profile, Role, User
from tests import factories


def one_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {"groups": [{"label": "Only", "any": [rule]}]}


def rule_result(rule: dict[str, Any], facts: Facts) -> dict[str, Any]:
    return evaluate(one_rule(rule), facts)["groups"][0]["rules"][0]


CEO_20_PEOPLE = Facts(
    title="Co-Founder & CEO",
    employees=20,
    payroll_usd=2_500_000,
    revenue_usd=13_000_000,
    revenue_band=RevenueBand.FROM_13M,
)


@pytest.mark.parametrize(
    ("facts", "groups_passed"),
    [
        (Facts(title="CEO", employees=120, revenue_usd=13_000_000), [True, True, True, True]),
        (CEO_20_PEOPLE, [True, True, True, True]),
        (Facts(title="C.E.O.", employees=50, revenue_usd=250_000_000), [True, True, True, True]),
        (Facts(title="Managing-Director", employees=60, revenue_usd=20_000_000), [True] * 4),
        (Facts(title="Owner/Operator", employees=60, revenue_usd=20_000_000), [True] * 4),
        (Facts(title="Vice President, Sales", employees=500), [True, False, True, False]),
        (Facts(title="Deputy CEO", employees=500), [True, False, True, False]),
        (Facts(title="Product Owner", employees=500), [True, False, True, False]),
        (Facts(title="Ownership Analyst"), [False, True, False, False]),
        (Facts(title="Chief Technology Officer"), [False, True, False, False]),
        (Facts(title="CEO", employees=49, revenue_usd=13_000_000), [True, True, False, True]),
        (Facts(title="CEO", employees=14, payroll_usd=9_000_000), [True, True, False, False]),
        (Facts(title="CEO", employees=15, payroll_usd=1_999_999), [True, True, False, False]),
        (Facts(title="CEO", payroll_usd=2_000_000), [True, True, False, False]),
        (Facts(title="CEO", employees=15, payroll_usd=2_000_000), [True, True, True, False]),
        (Facts(title="CEO", revenue_usd=5_000_000), [True, True, False, False]),
        (Facts(), [False, False, False, False]),
    ],
)
def test_evaluate_default_rules_groups(facts: Facts, groups_passed: list[bool]) -> None:
    result = evaluate(DEFAULT_RULES, facts)

    assert [group["passed"] for group in result["groups"]] == groups_passed
    assert result["passed"] is all(groups_passed)


def test_evaluate_default_rules_exact_breakdown_when_payroll_carries_size() -> None:
    assert evaluate(DEFAULT_RULES, CEO_20_PEOPLE) == {
        "passed": True,
        "groups": [
            {
                "label": "Chief executive title",
                "passed": True,
                "rules": [
                    {
                        "text": "Title contains CEO, chief executive, president, founder, "
                        "managing director or owner",
                        "passed": True,
                        "actual": "Co-Founder & CEO",
                    }
                ],
            },
            {
                "label": "Not a deputy or assistant title",
                "passed": True,
                "rules": [
                    {
                        "text": "Title does not contain vice president, deputy, assistant "
                        "or product owner",
                        "passed": True,
                        "actual": "Co-Founder & CEO",
                    }
                ],
            },
            {
                "label": "Company size",
                "passed": True,
                "rules": [
                    {"text": "Employees at least 50", "passed": False, "actual": "20"},
                    {
                        "text": "Annual payroll at least $2,000,000 and employees at least 15",
                        "passed": True,
                        "actual": "Annual payroll $2,500,000; employees 20",
                    },
                ],
            },
            {
                "label": "Revenue",
                "passed": True,
                "rules": [
                    {
                        "text": "Annual revenue at least $13,000,000",
                        "passed": True,
                        "actual": "$13M – $50M",
                    }
                ],
            },
        ],
    }


def test_evaluate_default_rules_exact_breakdown_when_nothing_provided() -> None:
    result = evaluate(DEFAULT_RULES, Facts())

    assert result["passed"] is False
    assert [(rule["passed"], rule["actual"]) for g in result["groups"] for rule in g["rules"]] == [
        (False, "not provided"),
        (False, "not provided"),
        (False, "not provided"),
        (False, "Annual payroll not provided; employees not provided"),
        (False, "not provided"),
    ]


def test_evaluate_result_is_json_serialisable() -> None:
    result = evaluate(DEFAULT_RULES, CEO_20_PEOPLE)
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    ("rule", "facts", "expected"),
    [
        (
            {"fact": "employees", "op": "gte", "value": 50},
            Facts(employees=50),
            {"text": "Employees at least 50", "passed": True, "actual": "50"},
        ),
        (
            {"fact": "employees", "op": "gte", "value": 1000},
            Facts(employees=999),
            {"text": "Employees at least 1,000", "passed": False, "actual": "999"},
        ),
        (
            {"fact": "employees", "op": "lte", "value": 500},
            Facts(employees=500),
            {"text": "Employees at most 500", "passed": True, "actual": "500"},
        ),
        (
            {"fact": "employees", "op": "gte", "value": 0},
            Facts(employees=0),
            {"text": "Employees at least 0", "passed": True, "actual": "0"},
        ),
        (
            {"fact": "payroll_usd", "op": "lte", "value": 1_500_000.5},
            Facts(payroll_usd=1_500_001),
            {
                "text": "Annual payroll at most $1,500,000.50",
                "passed": False,
                "actual": "$1,500,001",
            },
        ),
        (
            {"fact": "revenue_usd", "op": "gte", "value": 1_000_000},
            Facts(revenue_usd=0, revenue_band=RevenueBand.UNDER_1M),
            {"text": "Annual revenue at least $1,000,000", "passed": False, "actual": "Under $1M"},
        ),
        (
            {"fact": "revenue_usd", "op": "gte", "value": 1_000_000},
            Facts(revenue_usd=1_000_000),
            {"text": "Annual revenue at least $1,000,000", "passed": True, "actual": "$1,000,000"},
        ),
        (
            {"fact": "years_in_role", "op": "gte", "value": 2.5},
            Facts(years_in_role=3),
            {"text": "Years in role at least 2.5", "passed": True, "actual": "3"},
        ),
        (
            {"fact": "years_in_role", "op": "lte", "value": 10},
            Facts(),
            {"text": "Years in role at most 10", "passed": False, "actual": "not provided"},
        ),
        (
            {"fact": "title", "op": "contains_any", "value": ["managing director"]},
            Facts(title="Managing-Director, EMEA"),
            {
                "text": "Title contains managing director",
                "passed": True,
                "actual": "Managing-Director, EMEA",
            },
        ),
        (
            {"fact": "title", "op": "contains_any", "value": ["CEO", "founder"]},
            Facts(title="Founders' Associate"),
            {
                "text": "Title contains CEO or founder",
                "passed": False,
                "actual": "Founders' Associate",
            },
        ),
        (
            {"fact": "title", "op": "contains_any", "value": ["Président"]},
            Facts(title="PRESIDENT"),
            {"text": "Title contains Président", "passed": True, "actual": "PRESIDENT"},
        ),
        (
            {"fact": "title", "op": "contains_none", "value": ["interim"]},
            Facts(title="Interim CEO"),
            {"text": "Title does not contain interim", "passed": False, "actual": "Interim CEO"},
        ),
        (
            {"fact": "title", "op": "contains_none", "value": ["interim"]},
            Facts(title="   "),
            {"text": "Title does not contain interim", "passed": False, "actual": "not provided"},
        ),
        (
            {"fact": "industry", "op": "in", "value": ["31-33", "44-45"]},
            Facts(industry=Industry.MANUFACTURING),
            {
                "text": "Industry is one of Manufacturing, Retail trade",
                "passed": True,
                "actual": "Manufacturing",
            },
        ),
        (
            {"fact": "industry", "op": "not_in", "value": ["52"]},
            Facts(industry=Industry.FINANCE),
            {
                "text": "Industry is not one of Finance and insurance",
                "passed": False,
                "actual": "Finance and insurance",
            },
        ),
        (
            {"fact": "industry", "op": "not_in", "value": ["52"]},
            Facts(),
            {
                "text": "Industry is not one of Finance and insurance",
                "passed": False,
                "actual": "not provided",
            },
        ),
        (
            {"fact": "country", "op": "in", "value": ["CI", "GB"]},
            Facts(country="CI"),
            {
                "text": "Country is one of Côte d'Ivoire, United Kingdom",
                "passed": True,
                "actual": "Côte d'Ivoire",
            },
        ),
        (
            {"fact": "country", "op": "in", "value": ["CI", "GB"]},
            Facts(country="US"),
            {
                "text": "Country is one of Côte d'Ivoire, United Kingdom",
                "passed": False,
                "actual": "United States of America",
            },
        ),
        (
            {"fact": "country", "op": "not_in", "value": ["US"]},
            Facts(country="CA"),
            {
                "text": "Country is not one of United States of America",
                "passed": True,
                "actual": "Canada",
            },
        ),
        (
            {"fact": "country", "op": "not_in", "value": ["US"]},
            Facts(country="US"),
            {
                "text": "Country is not one of United States of America",
                "passed": False,
                "actual": "United States of America",
            },
        ),
        (
            {"fact": "country", "op": "not_in", "value": ["US"]},
            Facts(),
            {
                "text": "Country is not one of United States of America",
                "passed": False,
                "actual": "not provided",
            },
        ),
        (
            {
                "all": [
                    {"fact": "industry", "op": "in", "value": ["51"]},
                    {"fact": "years_in_role", "op": "gte", "value": 2},
                ]
            },
            Facts(industry=Industry.INFORMATION),
            {
                "text": "Industry is one of Information and years in role at least 2",
                "passed": False,
                "actual": "Industry Information; years in role not provided",
            },
        ),
    ],
)
def test_evaluate_rule_each_op(rule: dict[str, Any], facts: Facts, expected: dict) -> None:
    validate_rules(one_rule(rule))
    assert rule_result(rule, facts) == expected


def test_evaluate_groups_are_all_and_rules_are_any() -> None:
    rules = {
        "groups": [
            {
                "label": "Size",
                "any": [
                    {"fact": "employees", "op": "gte", "value": 100},
                    {"fact": "payroll_usd", "op": "gte", "value": 1_000_000},
                ],
            },
            {"label": "Tenure", "any": [{"fact": "years_in_role", "op": "gte", "value": 2}]},
        ]
    }

    passing = evaluate(rules, Facts(employees=10, payroll_usd=1_000_000, years_in_role=2))
    failing = evaluate(rules, Facts(employees=100, years_in_role=1))

    assert (passing["passed"], [g["passed"] for g in passing["groups"]]) == (True, [True, True])
    assert (failing["passed"], [g["passed"] for g in failing["groups"]]) == (False, [True, False])


def test_describe_rules_default_one_line_per_group() -> None:
    assert describe_rules(DEFAULT_RULES) == [
        "Chief executive title: title contains CEO, chief executive, president, founder, "
        "managing director or owner",
        "Not a deputy or assistant title: title does not contain vice president, deputy, "
        "assistant or product owner",
        "Company size: employees at least 50; "
        "or annual payroll at least $2,000,000 and employees at least 15",
        "Revenue: annual revenue at least $13,000,000",
    ]


def test_validate_rules_default_rules_are_valid() -> None:
    assert validate_rules(DEFAULT_RULES) is None


@pytest.mark.parametrize(
    ("rules", "messages"),
    [
        ([], ['The rules must be a JSON object like {"groups": [...]}.']),
        ("groups", ['The rules must be a JSON object like {"groups": [...]}.']),
        ({}, ['"groups" must be a non-empty list of groups.']),
        ({"groups": []}, ['"groups" must be a non-empty list of groups.']),
        (
            {"groups": {"label": "Size"}, "version": 2},
            [
                'Unknown key "version"; the rules have only "groups".',
                '"groups" must be a non-empty list of groups.',
            ],
        ),
        (
            {"groups": ["Size"]},
            ['Group 1 must be an object like {"label": "Company size", "any": [...]}.'],
        ),
        (
            {"groups": [{"label": " ", "any": [], "rules": []}]},
            [
                'Group 1: unknown key "rules"; a group has "label" and "any".',
                'Group 1: "label" must be a non-empty text, e.g. "Company size".',
                'Group 1: "any" must be a non-empty list of rules.',
            ],
        ),
        (
            {
                "groups": [
                    {
                        "label": "Title",
                        "any": [{"fact": "title", "op": "contains_any", "value": ["CEO"]}],
                    },
                    {"label": "Size", "any": [{"fact": "employees", "op": "in", "value": "50"}]},
                ]
            },
            [
                'Group 2, rule 1: "op" must be one of gte, lte for fact "employees".',
                'Group 2, rule 1: "value" must be a number of 0 or more for fact "employees", '
                "e.g. 50.",
            ],
        ),
        (
            one_rule({"fact": "revenue", "op": "gte", "value": 1}),
            [
                'Group 1, rule 1: "fact" must be one of title, employees, payroll_usd, '
                "revenue_usd, years_in_role, industry, country."
            ],
        ),
        (
            one_rule({"fact": "revenue_usd", "op": "gte", "value": "13,000,000"}),
            [
                'Group 1, rule 1: "value" must be a number of 0 or more for fact "revenue_usd", '
                "in US dollars without commas, e.g. 13000000."
            ],
        ),
        (
            one_rule({"fact": "years_in_role", "op": "gte", "value": -1}),
            [
                'Group 1, rule 1: "value" must be a number of 0 or more for fact '
                '"years_in_role", e.g. 3.'
            ],
        ),
        (
            one_rule({"fact": "employees", "op": "gte", "value": True}),
            [
                'Group 1, rule 1: "value" must be a number of 0 or more for fact "employees", '
                "e.g. 50."
            ],
        ),
        (
            one_rule({"fact": "title", "op": "contains", "value": ["CEO", "", 3]}),
            [
                'Group 1, rule 1: "op" must be one of contains_any, contains_none for fact '
                '"title".',
                'Group 1, rule 1: "value" must be a non-empty list of words or phrases for fact '
                '"title", e.g. ["CEO", "founder"].',
            ],
        ),
        (
            one_rule({"fact": "industry", "op": "in", "value": ["31-33", "99", "Retail"]}),
            [
                'Group 1, rule 1: "99" is not an industry code; use one of 11, 21, 22, 23, '
                "31-33, 42, 44-45, 48-49, 51, 52, 53, 54, 55, 56, 61, 62, 71, 72, 81, 92.",
                'Group 1, rule 1: "Retail" is not an industry code; use one of 11, 21, 22, 23, '
                "31-33, 42, 44-45, 48-49, 51, 52, 53, 54, 55, 56, 61, 62, 71, 72, 81, 92.",
            ],
        ),
        (
            one_rule({"fact": "industry", "op": "in", "value": "31-33"}),
            [
                'Group 1, rule 1: "value" must be a non-empty list of industry codes for fact '
                '"industry", e.g. ["31-33", "44-45"].'
            ],
        ),
        (
            one_rule({"fact": "country", "op": "not_in", "value": [], "values": ["US"]}),
            [
                'Group 1, rule 1: unknown key "values"; a rule has "fact", "op" and "value".',
                'Group 1, rule 1: "value" must be a non-empty list of country names for fact '
                '"country", e.g. ["United States"].',
            ],
        ),
        (
            one_rule({"fact": "country", "op": "in", "value": ["US", "Atlantis", "us", 1]}),
            [
                'Group 1, rule 1: "value" must be a non-empty list of country names for fact '
                '"country", e.g. ["United States"].'
            ],
        ),
        (
            one_rule({"fact": "country", "op": "in", "value": ["US", "Atlantis", "us"]}),
            [
                'Group 1, rule 1: "Atlantis" is not a country we know; use its name as the '
                'application form lists it, e.g. "United States of America", or its two-letter '
                'code, e.g. "US".',
                'Group 1, rule 1: "us" is not a country we know; use its name as the '
                'application form lists it, e.g. "United States of America", or its two-letter '
                'code, e.g. "US".',
            ],
        ),
        (
            one_rule(["employees", "gte", 50]),
            [
                "Group 1, rule 1 must be an object like "
                '{"fact": "employees", "op": "gte", "value": 50}.'
            ],
        ),
        (
            one_rule({"all": []}),
            ['Group 1, rule 1: "all" must be a non-empty list of rules.'],
        ),
        (
            one_rule(
                {
                    "all": [
                        {"fact": "employees", "op": "gte", "value": 15},
                        {"all": [{"fact": "employees", "op": "gte", "value": 1}]},
                        {"fact": "payroll_usd", "op": "more", "value": 1},
                    ],
                    "label": "Payroll",
                }
            ),
            [
                'Group 1, rule 1: unknown key "label"; a combined rule has only "all".',
                'Group 1, rule 1, part 2: "all" cannot be used inside "all"; list its rules '
                "directly.",
                'Group 1, rule 1, part 3: "op" must be one of gte, lte for fact "payroll_usd".',
            ],
        ),
    ],
)
def test_validate_rules_bad_input_messages(rules: object, messages: list[str]) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_rules(rules)
    assert raised.value.messages == messages


@pytest.mark.django_db
def test_facts_from_profile_reads_every_fact() -> None:
    user = User.objects.create(email="ada@example.com", password="!")
    profile = Profile.objects.create(
        user=user,
        title="Founder",
        company="Analytical Engines",
        industry=Industry.MANUFACTURING,
        employees=42,
        payroll_usd=3_000_000,
        revenue_band=RevenueBand.FROM_13M,
        years_in_role=7,
        country="GB",
    )

    assert facts_from_profile(profile) == Facts(
        title="Founder",
        employees=42,
        payroll_usd=3_000_000,
        revenue_usd=13_000_000,
        years_in_role=7,
        industry="31-33",
        country="GB",
        revenue_band="13m-50m",
    )


@pytest.mark.django_db
def test_facts_from_profile_empty_profile_provides_nothing() -> None:
    profile = Profile.objects.create(user=User.objects.create(email="bo@example.com", password="!"))

    facts = facts_from_profile(profile)

    assert facts == Facts()
    assert evaluate(DEFAULT_RULES, facts)["passed"] is False


@pytest.mark.django_db
def test_facts_from_profile_lowest_band_is_zero_revenue_not_missing() -> None:
    profile = Profile.objects.create(
        user=User.objects.create(email="cy@example.com", password="!"),
        revenue_band=RevenueBand.UNDER_1M,
    )

    assert facts_from_profile(profile).revenue_usd == 0


# --- Countries: codes in the rules, names for people --------------------------------------

WHERE_TYPED = {
    "groups": [
        {
            "label": "Where",
            "any": [
                {"fact": "country", "op": "in", "value": ["United States", "USA", "Atlantis"]},
                {"fact": "industry", "op": "in", "value": ["USA"]},
                {
                    "all": [
                        {"fact": "country", "op": "not_in", "value": ["uk", "GB", 7]},
                        {"fact": "employees", "op": "gte", "value": 5},
                    ]
                },
                {"fact": "country", "op": "in", "value": "USA"},
                "USA",
            ],
        },
        "not a group",
    ]
}


def test_rules_with_country_codes_reads_country_values_only() -> None:
    assert rules_with_country_codes(WHERE_TYPED) == {
        "groups": [
            {
                "label": "Where",
                "any": [
                    {"fact": "country", "op": "in", "value": ["US", "Atlantis"]},
                    {"fact": "industry", "op": "in", "value": ["USA"]},
                    {
                        "all": [
                            {"fact": "country", "op": "not_in", "value": ["GB", "GB", 7]},
                            {"fact": "employees", "op": "gte", "value": 5},
                        ]
                    },
                    {"fact": "country", "op": "in", "value": "USA"},
                    "USA",
                ],
            },
            "not a group",
        ]
    }
    # A copy: what the admin typed is not changed under their feet.
    assert WHERE_TYPED["groups"][0]["any"][0]["value"] == ["United States", "USA", "Atlantis"]


@pytest.mark.parametrize("rules", [None, [], {"groups": "x"}, {"groups": [{"any": None}]}, "US"])
def test_rules_with_country_codes_leaves_malformed_rules_to_validation(rules: object) -> None:
    assert rules_with_country_codes(rules) == rules


def test_rules_with_country_names_names_codes_and_keeps_other_text() -> None:
    rules = one_rule({"fact": "country", "op": "in", "value": ["US", "CI", "Atlantis"]})

    assert rules_with_country_names(rules) == one_rule(
        {
            "fact": "country",
            "op": "in",
            "value": ["United States of America", "Côte d'Ivoire", "Atlantis"],
        }
    )
    assert rules_with_country_codes(rules_with_country_names(rules)) == rules


def test_country_typed_as_usa_meets_a_rule_written_as_united_states() -> None:
    # The rule as an admin types it in the editor, the country as the migration reads "USA".
    rules = rules_with_country_codes(
        one_rule({"fact": "country", "op": "in", "value": ["United States"]})
    )

    assert rules == one_rule({"fact": "country", "op": "in", "value": ["US"]})
    assert rule_result(rules["groups"][0]["any"][0], Facts(country="US")) == {
        "text": "Country is one of United States of America",
        "passed": True,
        "actual": "United States of America",
    }
    assert describe_rules(rules) == ["Only: country is one of United States of America"]


@pytest.fixture
def admin_client(client, db):
    client.force_login(factories.user_create(role=Role.ADMIN, totp=True))
    return client


def _editor_rules(response) -> object:
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)[1]
    return json.loads(html.unescape(text))


def test_policy_editor_shows_country_names_and_stores_codes(admin_client) -> None:
    EligibilityPolicy.objects.create(
        rules=one_rule({"fact": "country", "op": "not_in", "value": ["US", "CI"]})
    )
    url = reverse("review_policy")

    shown = _editor_rules(admin_client.get(url))
    typed = one_rule({"fact": "country", "op": "in", "value": ["USA", "Deutschland", "fr"]})
    saved = admin_client.post(url, {"rules": json.dumps(typed), "note": "Three countries"})

    assert shown == one_rule(
        {"fact": "country", "op": "not_in", "value": ["United States of America", "Côte d'Ivoire"]}
    )
    assert saved["Location"] == url
    assert EligibilityPolicy.objects.first().rules == one_rule(
        {"fact": "country", "op": "in", "value": ["US", "DE", "FR"]}
    )
    assert _editor_rules(admin_client.get(url)) == one_rule(
        {"fact": "country", "op": "in", "value": ["United States of America", "Germany", "France"]}
    )


def test_policy_editor_refuses_a_name_that_is_no_country(admin_client) -> None:
    before = EligibilityPolicy.objects.count()
    typed = one_rule({"fact": "country", "op": "in", "value": ["Canada", "Atlantis"]})

    response = admin_client.post(reverse("review_policy"), {"rules": json.dumps(typed)})

    assert response.context["form"].errors["rules"] == [
        'Group 1, rule 1: "Atlantis" is not a country we know; use its name as the application '
        'form lists it, e.g. "United States of America", or its two-letter code, e.g. "US".'
    ]
    assert EligibilityPolicy.objects.count() == before
