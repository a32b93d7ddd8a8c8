from django import forms

from core.forms import FilterForm
from groups.models import Cohort
from meetings.models import NormBreach, NormPolicy
from meetings.overview_selectors import Risk
from members.choices import MeetingFormat


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


class PolicyForm(forms.ModelForm):
    class Meta:
        model = NormPolicy
        fields = [
            "window_meetings",
            "warn_absences",
            "review_absences",
            "rsvp_hours",
            "rsvp_late_limit",
            "follow_through_percent",
        ]

    def clean(self):
        data = super().clean()
        window = data.get("window_meetings")
        for name in ("warn_absences", "review_absences"):
            if window and data.get(name) and data[name] > window:
                self.add_error(
                    name, f"Enter at most {window}: only the last {window} meetings are counted."
                )
        return data


class OverviewFilterForm(FilterForm):
    """The admins' overview of every cohort (meetings.views.overview)."""

    results_id = "overview-results"
    submit_label = "Filter"

    q = forms.CharField(required=False, label="Cohort name", max_length=100)
    risk = forms.ChoiceField(required=False, choices=[("", "Any risk"), *Risk.CHOICES])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Cohort.Status.choices])
    format = forms.ChoiceField(required=False, choices=[("", "Any format"), *MeetingFormat.choices])
    facilitator = forms.CharField(
        required=False, label="Facilitator", max_length=100, help_text="Name or email"
    )
