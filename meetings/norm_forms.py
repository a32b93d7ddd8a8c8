from django import forms

from meetings.models import NormBreach


class ExcuseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the absence excused?",
        max_length=500,
        error_messages={"required": "Say why the absence is excused; it is recorded."},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=NormBreach.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose keep or remove."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why; the decision is recorded."},
    )
