"""Input for the forum protocol: member updates, presentations, evaluations, facilitator
notes. Bounds are declared so that browsers know them too; the services check again."""

from django import forms
from django.utils import timezone

from core.widgets import DateInput
from meetings.forms import NUL_IN_NOTES, NotesField, SeriesForm
from meetings.models import (
    EVALUATION_COMMENT_MAX,
    HEADLINE_MAX,
    MAX_HEADLINES,
    NOTE_TEXT_MAX,
    PRESENTATION_TEXT_MAX,
    MeetingTemplate,
    Topic,
    Wants,
)

RATING_ERRORS = {
    "required": "Rate from 1 (very low) to 10 (excellent).",
    "invalid": "Rate from 1 (very low) to 10 (excellent).",
    "min_value": "Rate from 1 (very low) to 10 (excellent).",
    "max_value": "Rate from 1 (very low) to 10 (excellent).",
}


def rating_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=10, error_messages=RATING_ERRORS)


class MemberUpdateForm(forms.Form):
    work = rating_field("Work (1–10)")
    family = rating_field("Family (1–10)")
    personal = rating_field("Personal (1–10)")
    headlines = NotesField(
        label=f"Headlines (up to {MAX_HEADLINES}, one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Each up to {HEADLINE_MAX} characters. Only your cohort reads them.",
        error_messages={"null_characters_not_allowed": NUL_IN_NOTES},
    )
    needs_time = forms.BooleanField(label="I need time today", required=False)
    time_topic = forms.CharField(label="What about (optional)", required=False, max_length=200)

    def clean_headlines(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["headlines"].split("\n")]
        lines = [line for line in lines if line]
        if len(lines) > MAX_HEADLINES:
            raise forms.ValidationError(
                f"Give at most {MAX_HEADLINES} headlines (you gave {len(lines)}): keep the "
                "ones that matter most."
            )
        for line in lines:
            if len(line) > HEADLINE_MAX:
                raise forms.ValidationError(
                    f"Keep each headline to {HEADLINE_MAX} characters (one has {len(line)})."
                )
        return lines

    @staticmethod
    def initial_from(update) -> dict:
        if update is None:
            return {}
        return {
            "work": update.work,
            "family": update.family,
            "personal": update.personal,
            "headlines": "\n".join(update.headlines),
            "needs_time": update.needs_time,
            "time_topic": update.time_topic,
        }


class PresentationForm(forms.ModelForm):
    background = NotesField(
        required=False,
        max_length=PRESENTATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"null_characters_not_allowed": NUL_IN_NOTES},
    )
    tried = NotesField(
        label="What I have tried",
        required=False,
        max_length=PRESENTATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"null_characters_not_allowed": NUL_IN_NOTES},
    )
    wants = forms.ChoiceField(
        label="What I want from the group",
        choices=[("", "Not said yet"), *Wants.choices],
        required=False,
    )

    class Meta:
        model = Topic
        fields = ["statement", "background", "tried", "wants", "decision_by"]
        labels = {"statement": "The issue in one sentence", "decision_by": "Decision deadline"}
        widgets = {"decision_by": DateInput}
        help_texts = {
            "statement": "Your cohort reads the presentation once you post the topic to a meeting.",
            "decision_by": "Optional: the date by which you must decide.",
        }

    def clean_decision_by(self):
        value = self.cleaned_data.get("decision_by")
        if value and value != self.instance.decision_by and value < timezone.localdate():
            raise forms.ValidationError(
                "The decision deadline has passed: choose today or a later date."
            )
        return value


class EvaluationForm(forms.Form):
    rating = rating_field("How valuable was this meeting? (1–10)")
    most_valuable = forms.ModelChoiceField(
        label="The most valuable segment",
        queryset=None,
        required=False,
        empty_label="Choose a segment (optional)",
    )
    comment = NotesField(
        label="Comment (optional; only the facilitators read it)",
        required=False,
        max_length=EVALUATION_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"null_characters_not_allowed": NUL_IN_NOTES},
    )

    def __init__(self, *args, segments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if segments is None:
            del self.fields["most_valuable"]
        else:
            self.fields["most_valuable"].queryset = segments


class FacilitatorNoteForm(forms.Form):
    text = NotesField(
        label="Facilitator notes (only the cohort's facilitators see them)",
        required=False,
        max_length=NOTE_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"null_characters_not_allowed": NUL_IN_NOTES},
    )


class SeriesChangeForm(SeriesForm):
    """A new rule, start time, length or template for a meeting and the ones after it. The
    presets read the first date under the new rule ("the second Wednesday" from a second
    Wednesday)."""

    template = forms.ModelChoiceField(
        queryset=MeetingTemplate.objects.order_by("name"),
        required=False,
        empty_label="The cohort's chosen template",
        label="Template",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "time_zone", "location", "video_url", "until", "count"):
            del self.fields[name]
        self.fields["first_date"].label = "First meeting under the new rule"
        self.fields["repeats"].label = "Repeats"
