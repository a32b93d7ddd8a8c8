"""One filter form for the list pages (core.forms.FilterForm and
templates/components/filter_form.html): the review queue, the cohort list and the pool."""

import re

import pytest
from django import forms
from django.urls import reverse

from core.forms import FilterForm
from members.models import Role
from tests import factories


class Search(FilterForm):
    results_id = "search-results"
    q = forms.CharField(required=False, max_length=5)
    size = forms.IntegerField(required=False)


def test_filters_are_the_given_values_only():
    assert Search({"q": "ada", "size": ""}).filters() == {"q": "ada"}


def test_an_invalid_value_filters_nothing():
    assert Search({"q": "too long", "size": "3"}).filters() == {}


def test_an_empty_query_string_is_an_unbound_form_without_errors():
    form = Search({})
    assert (form.is_bound, form.filters(), form.errors) == (False, {}, {})


def filter_form(html: str) -> tuple[dict[str, str], str]:
    [tag] = re.findall(r'<form method="get"\s+class="card filters"[^>]*>', html)
    attributes = dict(re.findall(r'(hx-[a-z-]+)="([^"]*)"', tag))
    [button] = re.findall(
        r'<form method="get"\s+class="card filters".*?<button type="submit">([^<]*)</button>',
        html,
        re.S,
    )
    return attributes, button


@pytest.mark.parametrize(
    ("name", "results", "button"),
    [
        ("review_queue", "#queue-results", "Apply filters"),
        ("cohort_list", "#cohort-results", "Filter"),
        ("pool", "#pool-results", "Search the pool"),
    ],
)
def test_each_list_page_has_the_same_filter_form(client, db, name, results, button):
    client.force_login(factories.user_create(role=Role.ADMIN, totp=True))
    url = reverse(name)
    html = client.get(url).content.decode()
    assert filter_form(html) == (
        {
            "hx-get": url,
            "hx-target": results,
            "hx-swap": "outerHTML",
            "hx-trigger": "submit, input changed delay:400ms from:#id_q, change from:select",
            "hx-push-url": "true",
        },
        button,
    )
