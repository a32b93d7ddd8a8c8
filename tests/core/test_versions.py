"""Cached reads (core.versions): a value is read again only for the same versions of every kind
of data it was computed from, and for the same shape."""

import pytest
from django.test import override_settings

from core.versions import COHORTS, HEALTH, POOL, cached, template_shape, version_bump


@pytest.fixture(autouse=True)
def _db(db):
    """Bumping a version waits for the transaction's commit."""


def counting():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute


def test_cached_computes_once_until_a_version_changes():
    compute = counting()
    assert [cached(POOL, "k", compute, shape="int") for _ in range(2)] == [1, 1]
    version_bump(POOL)
    assert cached(POOL, "k", compute, shape="int") == 2
    version_bump(COHORTS)  # another kind of data
    assert cached(POOL, "k", compute, shape="int") == 2


def test_cached_of_several_kinds_follows_each():
    compute = counting()
    assert cached((COHORTS, HEALTH), "k", compute, shape="int") == 1
    version_bump(HEALTH)
    assert cached((COHORTS, HEALTH), "k", compute, shape="int") == 2
    version_bump(COHORTS)
    assert cached((COHORTS, HEALTH), "k", compute, shape="int") == 3
    version_bump(POOL)
    assert cached((COHORTS, HEALTH), "k", compute, shape="int") == 3
    # The same key under one of the names is another value.
    assert cached(COHORTS, "k", compute, shape="int") == 4


def test_cached_never_reads_a_value_of_another_shape():
    compute = counting()
    assert cached(POOL, "k", compute, shape="list-1") == 1
    assert cached(POOL, "k", compute, shape="list-2") == 2
    assert cached(POOL, "k", compute, shape="list-1") == 1


def _templates(source: str) -> list[dict]:
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", source)]},
        }
    ]


def test_template_shape_changes_with_any_template_it_names():
    with override_settings(TEMPLATES=_templates({"a.html": "A", "b.html": "B"})):
        before = template_shape("a.html", "b.html")
        assert template_shape("a.html", "b.html") == before
        assert template_shape("a.html") != before
    with override_settings(TEMPLATES=_templates({"a.html": "A", "b.html": "B!"})):
        assert template_shape("a.html", "b.html") != before
    with override_settings(TEMPLATES=_templates({"a.html": "A!", "b.html": "B"})):
        assert template_shape("a.html", "b.html") != before
