import re

import pytest
from django import forms
from django.template import Context, Template

from meetings.forms import CommitmentForm, PostTopicForm, TopicForm
from tests import factories


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _lean(form) -> str:
    return Template("{% load lean_forms %}{% lean_form form %}").render(Context({"form": form}))


class _Everything(forms.Form):
    required_css_class = "required"
    error_css_class = "error"

    name = forms.CharField(label="Your name", max_length=20, help_text="As <b>printed</b>.")
    email = forms.EmailField(required=False, label="Email?")
    site = forms.URLField(required=False, label_suffix=" →")
    count = forms.IntegerField(min_value=1, max_value=9, initial=3, disabled=True)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    kind = forms.ChoiceField(choices=[("a", "A & B"), ("c", "C")], initial="c")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "id": "own-id"}))
    agree = forms.BooleanField(required=False)  # a checkbox: Django renders it
    colours = forms.MultipleChoiceField(choices=[("r", "Red")], required=False)

    def clean(self):
        raise forms.ValidationError("Something is <wrong>.")


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": "", "email": "nope", "notes": "<hi>\nthere", "kind": "x", "day": "soon"},
        {"name": "Ann", "site": "http://a.example", "kind": "a", "day": "2026-01-02"},
    ],
)
def test_lean_form_is_exactly_django_rendering(data):
    form = _Everything(data)
    if data is not None:
        form.is_valid()
    assert _squash(_lean(form)) == _squash(form.render())


@pytest.mark.django_db
def test_lean_form_matches_the_app_forms_bound_and_unbound():
    owner = factories.pool_member_create(first="Ann", last="Archer")
    bad_topic = {"title": "", "details": "x" * 5, "kind": "update", "importance": "11"}
    for form in [
        TopicForm(),
        TopicForm(bad_topic),
        PostTopicForm(owner=owner),
        PostTopicForm({"minutes": "0"}, owner=owner),
        CommitmentForm(members=[owner]),
        CommitmentForm({"owner": str(owner.pk), "text": "", "due_date": "x"}, members=[owner]),
    ]:
        form.is_valid() if form.is_bound else None
        assert _squash(_lean(form)) == _squash(form.render()), type(form).__name__


def test_lean_form_leaves_forms_with_hidden_fields_to_django():
    class WithHidden(forms.Form):
        step = forms.CharField(widget=forms.HiddenInput, initial="2")
        name = forms.CharField()

    form = WithHidden()
    assert _lean(form) == form.render()
