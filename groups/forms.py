from django import forms

from core.forms import CityField, FilterForm
from core.timezones import TimeZoneField
from groups.models import Cohort
from groups.selectors import REGIONS
from members.choices import Industry, MeetingFormat
from members.models import Challenge, Role, User


class CohortForm(forms.ModelForm):
    home_time_zone = TimeZoneField(label="Home time zone")
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
    home_city = CityField(
        label="Home city",
        required=False,
        help_text="Where an in-person or hybrid cohort meets; empty for a virtual cohort.",
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
            "home_city",
            "max_distance_km",
            "status",
            "industry_mode",
            "facilitators",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, can_appoint: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_appoint:
            del self.fields["facilitators"]
        if self.instance.pk:
            self.initial.setdefault("home_city", self.instance.home_geoname_id)
        self.fields["max_distance_km"].required = False

    def clean_max_distance_km(self):
        # Empty keeps the cohort's distance (80 km for a new cohort).
        value = self.cleaned_data.get("max_distance_km")
        return self.instance.max_distance_km if value is None else value

    def clean(self):
        data = super().clean()
        low, high = data.get("min_size"), data.get("max_size")
        if low is not None and high is not None and low > high:
            self.add_error("max_size", "The maximum must be at least the minimum size.")
        return data

    def _post_clean(self):
        # Services validate and save; the form only checks input.
        pass


class CohortFilterForm(FilterForm):
    results_id = "cohort-results"
    submit_label = "Filter"

    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Cohort.Status.choices])
    q = forms.CharField(required=False, label="Search", max_length=100)


class PoolFilterForm(FilterForm):
    results_id = "pool-results"
    submit_label = "Search the pool"

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


class FormationForm(forms.Form):
    """Pool filters and engine parameters for one formation run."""

    region = forms.ChoiceField(
        required=False,
        label="Pool: time zone region",
        choices=[("", "Any region"), *REGIONS.items()],
    )
    industry = forms.ChoiceField(
        required=False, label="Pool: industry", choices=[("", "Any industry"), *Industry.choices]
    )
    meeting_format = forms.ChoiceField(
        required=False,
        label="Pool: preferred format",
        choices=[("", "Any format"), *MeetingFormat.choices],
    )
    min_size = forms.IntegerField(label="Smallest cohort", min_value=2, max_value=30, initial=6)
    max_size = forms.IntegerField(label="Largest cohort", min_value=2, max_value=30, initial=12)
    n_groups = forms.IntegerField(
        label="Number of cohorts (empty: choose automatically)",
        required=False,
        min_value=1,
        max_value=500,
    )
    industry_mode = forms.ChoiceField(
        choices=Cohort.IndustryMode.choices, initial=Cohort.IndustryMode.NO_OVERLAP
    )
    max_tz_spread = forms.FloatField(
        label="Largest time-zone spread in a cohort, hours (empty: no limit)",
        required=False,
        min_value=0,
        max_value=24,
        initial=3,
    )
    max_km = forms.IntegerField(
        label="In-person cohorts: largest distance from their home city, km",
        min_value=1,
        max_value=20_000,
        initial=80,
        help_text="With the number of cohorts left empty, each metro with enough members who "
        "meet in person gets its in-person cohorts; the others meet online.",
    )
    meeting_minutes = forms.IntegerField(
        label="Meeting length, minutes",
        min_value=30,
        max_value=600,
        initial=180,
        help_text="Every cohort needs a weekday window this long within all its members' hours.",
    )
    weight_challenge = forms.FloatField(
        label="Weight: shared challenges", min_value=0, max_value=10, initial=1.0
    )
    weight_company_size = forms.FloatField(
        label="Weight: similar company size", min_value=0, max_value=10, initial=0.5
    )
    weight_stage = forms.FloatField(
        label="Weight: similar company stage", min_value=0, max_value=10, initial=0.5
    )
    weight_industry = forms.FloatField(
        label="Penalty: shared industry (no-overlap mode)", min_value=0, max_value=10, initial=1.0
    )
    seconds = forms.IntegerField(
        label="Time for the engine, seconds", min_value=1, max_value=300, initial=10
    )
    name_prefix = forms.CharField(label="Name new cohorts", max_length=60, initial="New cohort")
    home_time_zone = TimeZoneField(label="Home time zone of new cohorts", initial="UTC")

    def clean(self):
        data = super().clean()
        low, high = data.get("min_size"), data.get("max_size")
        if low is not None and high is not None and low > high:
            self.add_error("max_size", "The largest cohort must be at least the smallest.")
        return data

    def params(self) -> dict:
        d = self.cleaned_data
        return {
            "min_size": d["min_size"],
            "max_size": d["max_size"],
            "n_groups": d["n_groups"],
            "industry_mode": d["industry_mode"],
            "max_tz_spread": d["max_tz_spread"],
            "max_km": d["max_km"],
            "meeting_minutes": d["meeting_minutes"],
            "weights": {
                "challenge": d["weight_challenge"],
                "company_size": d["weight_company_size"],
                "stage": d["weight_stage"],
                "industry_overlap_penalty": d["weight_industry"],
            },
            "seconds": d["seconds"],
            "name_prefix": d["name_prefix"],
            "home_time_zone": d["home_time_zone"],
            "pool": self.pool_filters(),
        }

    WEIGHT_FIELDS = {
        "challenge": "weight_challenge",
        "company_size": "weight_company_size",
        "stage": "weight_stage",
        "industry_overlap_penalty": "weight_industry",
    }

    @classmethod
    def default_params(cls) -> dict:
        """The fields' own initial values, as run parameters (before the pool adjusts them)."""
        initial = {name: field.initial for name, field in cls.base_fields.items()}
        params = {
            name: initial[name]
            for name in (
                "min_size",
                "max_size",
                "n_groups",
                "industry_mode",
                "max_tz_spread",
                "max_km",
                "meeting_minutes",
            )
        }
        params["industry_mode"] = str(params["industry_mode"])
        params["max_tz_spread"] = float(params["max_tz_spread"])
        params["weights"] = {key: initial[name] for key, name in cls.WEIGHT_FIELDS.items()}
        return params

    @classmethod
    def initial_from(cls, params: dict) -> dict:
        """Initial values that show these run parameters (e.g. a failed run's, to try again)."""
        initial = {
            name: params[name]
            for name in cls.base_fields
            if name in params and not name.startswith("weight_")
        }
        for key, name in cls.WEIGHT_FIELDS.items():
            if key in params.get("weights", {}):
                initial[name] = params["weights"][key]
        initial.update(params.get("pool", {}))
        spread = initial.get("max_tz_spread")
        if isinstance(spread, float) and spread.is_integer():
            initial["max_tz_spread"] = int(spread)  # shown as "10", not "10.0"
        return initial

    def pool_filters(self) -> dict:
        return {
            k: self.cleaned_data[k]
            for k in ("region", "industry", "meeting_format")
            if self.cleaned_data.get(k)
        }


class MoveForm(forms.Form):
    member = forms.IntegerField(min_value=0)
    to_cohort = forms.IntegerField(min_value=0)
