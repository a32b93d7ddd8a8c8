"""Migration 0006: free-text countries become codes, on profiles and in stored policies."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from members.eligibility import evaluate, facts_from_profile
from members.models import EligibilityPolicy, Profile

BEFORE = [("members", "0004_encrypt_mfa_secrets")]

TYPED = {
    "usa@example.com": "USA",
    "dots@example.com": " U.S.A. ",
    "long@example.com": "united states of america",
    "us@example.com": "us",
    "uk@example.com": "UK",
    "gb@example.com": "Great Britain",
    "england@example.com": "England",
    "holland@example.com": "Holland",
    "de@example.com": "Deutschland",
    "iso@example.com": "Korea (the Republic of)",
    "accent@example.com": "cote d'ivoire",
    "punct@example.com": "(Canada).",
    "alpha3@example.com": "fra",
    "atlantis@example.com": "  Atlantis ",
    "korea@example.com": "Korea",
    "spaces@example.com": "   ",
    "empty@example.com": "",
}

POLICY_BEFORE = {
    "groups": [
        {
            "label": "Where",
            "any": [
                {"fact": "country", "op": "in", "value": ["United States", "USA", "Atlantis"]},
                {
                    "all": [
                        {"fact": "country", "op": "not_in", "value": ["uk", "Holland"]},
                        {"fact": "employees", "op": "gte", "value": 5},
                    ]
                },
            ],
        }
    ]
}

POLICY_AFTER = {
    "groups": [
        {
            "label": "Where",
            "any": [
                {"fact": "country", "op": "in", "value": ["US", "Atlantis"]},
                {
                    "all": [
                        {"fact": "country", "op": "not_in", "value": ["GB", "NL"]},
                        {"fact": "employees", "op": "gte", "value": 5},
                    ]
                },
            ],
        }
    ]
}


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    yield executor
    # Whatever happened, leave the schema as every other test expects it.
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(executor: MigrationExecutor, targets) -> object:
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest(executor: MigrationExecutor):
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


def test_migration_maps_typed_countries_to_codes_and_keeps_the_rest(executor) -> None:
    old = _migrate(executor, BEFORE)
    User, OldProfile = old.get_model("members", "User"), old.get_model("members", "Profile")
    for email, country in TYPED.items():
        OldProfile.objects.create(
            user=User.objects.create(email=email, password="!"), country=country
        )
    initial_rules = old.get_model("members", "EligibilityPolicy").objects.get().rules
    old.get_model("members", "EligibilityPolicy").objects.create(
        rules=POLICY_BEFORE, note="Countries"
    )

    _migrate(executor, _latest(executor))

    rows = {
        p.user.email: (p.country.code, p.country_unmapped)
        for p in Profile.objects.select_related("user")
    }
    assert rows == {
        "usa@example.com": ("US", ""),
        "dots@example.com": ("US", ""),
        "long@example.com": ("US", ""),
        "us@example.com": ("US", ""),
        "uk@example.com": ("GB", ""),
        "gb@example.com": ("GB", ""),
        "england@example.com": ("GB", ""),
        "holland@example.com": ("NL", ""),
        "de@example.com": ("DE", ""),
        "iso@example.com": ("KR", ""),
        "accent@example.com": ("CI", ""),
        "punct@example.com": ("CA", ""),
        "alpha3@example.com": ("FR", ""),
        "atlantis@example.com": ("", "Atlantis"),
        "korea@example.com": ("", "Korea"),
        "spaces@example.com": ("", ""),
        "empty@example.com": ("", ""),
    }
    assert [(p.note, p.rules) for p in EligibilityPolicy.objects.order_by("id")] == [
        ("Initial policy", initial_rules),
        ("Countries", POLICY_AFTER),
    ]
    # "USA" typed before the migration now meets the rule an admin wrote as "United States".
    usa = Profile.objects.get(user__email="usa@example.com")
    verdict = evaluate(POLICY_AFTER, facts_from_profile(usa))
    assert verdict["groups"][0]["rules"][0] == {
        "text": "Country is one of United States of America, Atlantis",
        "passed": True,
        "actual": "United States of America",
    }


def test_migration_backwards_turns_codes_into_names_and_restores_unmapped_text(executor) -> None:
    new = _migrate(executor, _latest(executor))
    User, NewProfile = new.get_model("members", "User"), new.get_model("members", "Profile")
    for email, country, unmapped in [
        ("us@example.com", "US", ""),
        ("ci@example.com", "CI", ""),
        ("atlantis@example.com", "", "Atlantis"),
        ("chosen@example.com", "GB", "Old Blighty"),
        ("empty@example.com", "", ""),
    ]:
        NewProfile.objects.create(
            user=User.objects.create(email=email, password="!"),
            country=country,
            country_unmapped=unmapped,
        )
    new.get_model("members", "EligibilityPolicy").objects.create(
        rules=POLICY_AFTER, note="Countries"
    )

    old = _migrate(executor, BEFORE)

    rows = {
        p.user.email: p.country
        for p in old.get_model("members", "Profile").objects.select_related("user")
    }
    assert rows == {
        "us@example.com": "United States of America",
        "ci@example.com": "Côte d'Ivoire",
        "atlantis@example.com": "Atlantis",
        "chosen@example.com": "United Kingdom",
        "empty@example.com": "",
    }
    policy = old.get_model("members", "EligibilityPolicy").objects.get(note="Countries")
    assert policy.rules["groups"][0]["any"] == [
        {
            "fact": "country",
            "op": "in",
            "value": ["United States of America", "Atlantis"],
        },
        {
            "all": [
                {"fact": "country", "op": "not_in", "value": ["United Kingdom", "Netherlands"]},
                {"fact": "employees", "op": "gte", "value": 5},
            ]
        },
    ]

    # And forwards again: the names written backwards read as the same codes.
    _migrate(executor, _latest(executor))
    assert sorted(Profile.objects.values_list("country", "country_unmapped")) == [
        ("", ""),
        ("", "Atlantis"),
        ("CI", ""),
        ("GB", ""),
        ("US", ""),
    ]
    assert EligibilityPolicy.objects.get(note="Countries").rules == POLICY_AFTER
