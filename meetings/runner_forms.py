"""Input validation for the template library, the running order and the runner's controls."""

from django import forms

from meetings.models import SEGMENT_MINUTES_MAX, MeetingTemplate, SegmentKind
from meetings.templates_lib import SegmentSpec
from members.models import User

MINUTES_ERROR = f"Enter the planned minutes as a whole number from 1 to {SEGMENT_MINUTES_MAX}."


def minutes_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1,
        max_value=SEGMENT_MINUTES_MAX,
        error_messages={
            "min_value": MINUTES_ERROR,
            "max_value": MINUTES_ERROR,
            "invalid": MINUTES_ERROR,
            "required": MINUTES_ERROR,
        },
        **kwargs,
    )


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TemplateSegmentForm(forms.Form):
    # A blank first choice: the editor's empty row for a new segment must post nothing.
    kind = forms.ChoiceField(
        choices=[("", "Choose a kind"), *SegmentKind.choices],
        error_messages={"required": "Choose a kind for the segment."},
    )
    title = forms.CharField(max_length=120)
    planned_minutes = minutes_field(label="Planned minutes")
    guidance = forms.CharField(
        label="Guidance for the facilitator",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BaseSegmentFormSet(forms.BaseFormSet):
    def specs(self) -> list[SegmentSpec]:
        """The kept segments in the order the admin gave them (blank new rows ignored)."""
        return [
            SegmentSpec(
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                planned_minutes=form.cleaned_data["planned_minutes"],
                guidance=form.cleaned_data.get("guidance", ""),
            )
            for form in self.ordered_forms
        ]


SegmentFormSet = forms.formset_factory(
    TemplateSegmentForm,
    formset=BaseSegmentFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


class CohortTemplateForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=MeetingTemplate.objects.order_by("name"),
        required=False,
        empty_label="No template (only the agenda's presentations)",
        label="Template for this cohort's meetings",
    )


class SegmentAddForm(forms.Form):
    kind = forms.ChoiceField(choices=SegmentKind.choices)
    title = forms.CharField(max_length=120)
    planned_minutes = minutes_field(label="Planned minutes")
    guidance = forms.CharField(max_length=2000, required=False)


class SegmentMinutesForm(forms.Form):
    title = forms.CharField(max_length=160)
    planned_minutes = minutes_field()


class TimekeeperForm(forms.Form):
    timekeeper = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timekeeper"].queryset = User.objects.filter(pk__in=[m.pk for m in members])


class ControlForm(forms.Form):
    ACTIONS = ["start", "advance", "extend", "skip", "end"]
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(min_value=0)
    segment = forms.IntegerField(required=False)
