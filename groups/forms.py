import zoneinfo

from django import forms

from groups.models import Cohort
from groups.selectors import REGIONS
from members.choices import Industry, MeetingFormat
from members.models import Challenge, Role, User

ZONES = [(z, z) for z in sorted(zoneinfo.available_timezones())]


class CohortForm(forms.ModelForm):
    home_time_zone = forms.ChoiceField(
        label="Home time zone",
        choices=ZONES,
        error_messages={"invalid_choice": "Choose a time zone from the list, e.g. Europe/London."},
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Challenge.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The shared challenges of this cohort.",
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.FACILITATOR).order_by("last_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Cohort
        fields = [
            "name",
            "description",
            "themes",
            "min_size",
            "max_size",
            "format",
            "home_time_zone",
            "location",
            "status",
            "industry_mode",
            "facilitators",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, can_appoint: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_appoint:
            del self.fields["facilitators"]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_size"), data.get("max_size")
        if low is not None and high is not None and low > high:
            self.add_error("max_size", "The maximum must be at least the minimum size.")
        return data

    def _post_clean(self):
        # Services validate and save; the form only checks input.
        pass


class CohortFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Cohort.Status.choices])
    q = forms.CharField(required=False, label="Search", max_length=100)


class PoolFilterForm(forms.Form):
    q = forms.CharField(
        required=False, label="Search", max_length=100, help_text="Name, email or company"
    )
    challenge = forms.ModelChoiceField(
        queryset=Challenge.objects.filter(is_active=True),
        required=False,
        empty_label="Any challenge",
    )
    region = forms.ChoiceField(
        required=False, label="Time zone region", choices=[("", "Any region"), *REGIONS.items()]
    )
    industry = forms.ChoiceField(required=False, choices=[("", "Any industry"), *Industry.choices])
    meeting_format = forms.ChoiceField(
        required=False,
        label="Preferred format",
        choices=[("", "Any format"), *MeetingFormat.choices],
    )


class AddMemberForm(forms.Form):
    override_reason = forms.CharField(
        label="Reason to seat them despite the conflict",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Admins only. Recorded in the roster history.",
    )


class RemoveMemberForm(forms.Form):
    reason = forms.CharField(
        label="Why is this member leaving?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
