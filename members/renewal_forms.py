"""Input of annual renewal: the member's answers, the admins' decisions and dates."""

from django import forms

from core.forms import FilterForm
from core.widgets import DateInput
from members.forms import EligibilityFactsForm
from members.renewal_selectors import FILTER_LABELS


class RenewalForm(EligibilityFactsForm):
    """The eligibility facts again, pre-filled with what is stored, and the agreement."""

    field_order = ["title"]

    title = forms.CharField(
        label="Job title", max_length=120, help_text="For example: Chief Executive Officer."
    )
    agreement = forms.BooleanField(
        label="I have read the confidentiality agreement above and sign it again.",
        error_messages={"required": "Tick the box to sign the agreement; renewal needs it."},
    )

    FACTS = ["title", "industry", "employees", "payroll_usd", "revenue_band", "years_in_role"]

    def facts(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FACTS}


class RenewalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve: renewed for a year"),
            ("waive", "Waive the rules: renewed for a year"),
            ("lapse", "Let the membership lapse"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to waive or to let lapse; the member never sees it.",
    )


class RenewalDateForm(forms.Form):
    due_on = forms.DateField(
        label="Renewal date",
        widget=DateInput,
        help_text="Prompts go out 60, 30 and 7 days before it.",
    )


class RenewalQueueFilterForm(FilterForm):
    results_id = "renewal-results"

    view = forms.ChoiceField(label="Show", required=False, choices=list(FILTER_LABELS.items()))
    q = forms.CharField(label="Search by name, email or company", required=False, max_length=100)
