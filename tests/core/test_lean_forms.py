import re

import pytest
from django import forms
from django.template import Context, Template

from groups.forms import CohortFilterForm, FormationForm, PoolFilterForm
from meetings.forms import CommitmentForm, PostTopicForm, TopicForm
from members.forms import QueueFilterForm
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
    zone = forms.ChoiceField(
        choices=[("", "None"), ("Group <1>", [("x", "X & Y"), ("z", "Z")])], required=False
    )
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
        {"name": "Ann", "site": "http://a.example", "kind": "a", "day": "2026-01-02", "zone": "z"},
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


@pytest.mark.django_db
def test_lean_forms_match_the_filter_forms_and_the_formation_form():
    """The list pages' filters (field by field) and the formation wizard (whole form)."""
    challenge = factories.challenges(1)[0]
    field_group = Template("{% load lean_forms %}{% lean_field_group field %}")
    for form in [
        PoolFilterForm(),
        PoolFilterForm({"q": "<Ann>", "challenge": str(challenge.pk), "region": "Europe"}),
        CohortFilterForm({"status": "nope"}),
        QueueFilterForm({"q": "x"}),
    ]:
        form.is_valid()
        for bf in form:
            lean = field_group.render(Context({"field": bf}))
            assert _squash(lean) == _squash(bf.as_field_group()), (type(form).__name__, bf.name)
    for form in [FormationForm(), FormationForm({"min_size": "x", "max_tz_spread": "-1"})]:
        form.is_valid() if form.is_bound else None
        assert _squash(_lean(form)) == _squash(form.render())


def test_lean_form_leaves_forms_with_hidden_fields_to_django():
    class WithHidden(forms.Form):
        step = forms.CharField(widget=forms.HiddenInput, initial="2")
        name = forms.CharField()

    form = WithHidden()
    assert _lean(form) == form.render()
