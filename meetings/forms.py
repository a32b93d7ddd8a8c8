from django import forms

from core.timezones import TimeZoneField
from core.widgets import DateInput, TimeInput
from meetings import recurrence
from meetings.models import (
    MAX_TIMES_RAISED,
    OUTCOME_NOTES_MAX,
    AgendaItem,
    Attendance,
    Rsvp,
    Topic,
)
from members.models import User

NUL_IN_NOTES = (
    "The notes contain an invisible null character, shown as \ufffd (it often comes with "
    "pasted text): delete it, then save again."
)
PRESETS = [
    ("monthly_nth_weekday", "Monthly on the same weekday (e.g. first Tuesday)"),
    ("monthly_date", "Monthly on the same date"),
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("custom", "Custom rule (advanced)"),
]


class SeriesForm(forms.Form):
    title = forms.CharField(max_length=120, initial="Monthly forum")
    first_date = forms.DateField(label="First meeting", widget=DateInput)
    start_time = forms.TimeField(label="Start time (local)", widget=TimeInput)
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=15, max_value=24 * 60, initial=240
    )
    time_zone = TimeZoneField(example="America/New_York")
    repeats = forms.ChoiceField(choices=PRESETS, initial="monthly_nth_weekday")
    rrule = forms.CharField(
        label="Custom rule (RFC 5545)",
        required=False,
        max_length=250,
        help_text="Only for the custom option, e.g. FREQ=MONTHLY;BYDAY=1TU",
    )
    until = forms.DateField(label="Until (optional)", required=False, widget=DateInput)
    count = forms.IntegerField(
        label="Or number of meetings (optional)", required=False, min_value=1, max_value=200
    )
    location = forms.CharField(max_length=200, required=False)
    video_url = forms.URLField(label="Video link", required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        first, start = data.get("first_date"), data.get("start_time")
        if not (first and start and data.get("repeats")):
            return data
        until, count = data.get("until"), data.get("count")
        if until and until < first:
            self.add_error("until", "The end date must be on or after the first meeting.")
            return data
        if until and count:
            self.add_error(
                "count",
                "Give either an end date or a number of meetings, not both: clear one of them.",
            )
            return data
        custom = data["repeats"] == "custom"
        try:
            rule = data.get("rrule") or "" if custom else recurrence.preset(data["repeats"], first)
            rule = recurrence.with_end(rule, until=until, count=count)
            data["rule"] = recurrence.validate(rule, first, start)
        except recurrence.RecurrenceError as error:
            self.add_error("rrule" if custom else "repeats", str(error))
        return data


class MeetingForm(forms.Form):
    """A one-off meeting, or changing one occurrence."""

    title = forms.CharField(max_length=120)
    local_date = forms.DateField(label="Date", widget=DateInput)
    local_time = forms.TimeField(label="Start time (local)", widget=TimeInput)
    duration_minutes = forms.IntegerField(
        label="Length in minutes", min_value=15, max_value=24 * 60
    )
    time_zone = TimeZoneField(example="America/New_York")
    location = forms.CharField(max_length=200, required=False)
    video_url = forms.URLField(label="Video link", required=False, assume_scheme="https")


class MeetingEditForm(MeetingForm):
    scope = forms.ChoiceField(
        label="Apply to",
        widget=forms.RadioSelect,
        initial="this",
        choices=[
            ("this", "This meeting only"),
            (
                "following",
                "This and following meetings of the series (time, length, place; dates stay)",
            ),
        ],
    )

    def __init__(self, *args, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["time_zone"]
        if not in_series:
            del self.fields["scope"]


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=Rsvp.Answer.choices)
    note = forms.CharField(required=False, max_length=200)


class TopicForm(forms.ModelForm):
    # Declared so that the browser knows the bounds too (min/max on the inputs).
    importance = forms.IntegerField(label="Importance (1–10)", min_value=1, max_value=10)
    urgency = forms.IntegerField(label="Urgency (1–10)", min_value=1, max_value=10)
    times_raised = forms.IntegerField(
        min_value=1,
        max_value=MAX_TIMES_RAISED,
        initial=1,
        error_messages={
            key: f"Enter how often the topic came up, from 1 to {MAX_TIMES_RAISED}."
            for key in ("min_value", "max_value")
        },
    )
    estimated_minutes = forms.IntegerField(label="Minutes it needs", min_value=1, max_value=240)

    class Meta:
        model = Topic
        fields = [
            "title",
            "details",
            "kind",
            "importance",
            "urgency",
            "times_raised",
            "estimated_minutes",
        ]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}


class PostTopicForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(), label="Topic from your backlog", empty_label="Choose a topic"
    )
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=480)
    priority = forms.ChoiceField(
        choices=AgendaItem.Priority.choices, initial=AgendaItem.Priority.NORMAL
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(owner=owner)


class AgendaItemForm(forms.Form):
    minutes = forms.IntegerField(min_value=1, max_value=480)
    state = forms.ChoiceField(choices=AgendaItem.State.choices)


class NotesField(forms.CharField):
    """Counts a line break as one character, as the text box does (browsers send CR LF)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n")


class OutcomeForm(forms.Form):
    notes = NotesField(
        label="Outcome notes",
        required=False,
        max_length=OUTCOME_NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": (
                "Outcome notes can be at most %(limit_value)s characters and these have "
                "%(show_value)s: shorten them, then save again."
            ),
            "null_characters_not_allowed": NUL_IN_NOTES,
        },
    )


class AttendanceForm(forms.Form):
    """One choice per member. Pre-filled from what was recorded, else from the RSVP: yes is
    present, no is absent; after a maybe or no answer the facilitator chooses."""

    FROM_RSVP = {
        Rsvp.Answer.YES: Attendance.Status.PRESENT,
        Rsvp.Answer.NO: Attendance.Status.ABSENT,
    }

    def __init__(self, *args, members, recorded: dict, rsvps: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            answer = rsvps.get(member.pk)
            self.fields[f"member_{member.pk}"] = forms.ChoiceField(
                label=member.display_name,
                choices=[("", "Choose…"), *Attendance.Status.choices],
                initial=recorded.get(member.pk) or self.FROM_RSVP.get(answer, ""),
                help_text=f"Answered {Rsvp.Answer(answer).label.lower()}"
                if answer
                else "Did not answer",
                error_messages={
                    "required": f"Choose present, late, absent or excused for "
                    f"{member.display_name}."
                },
            )

    def statuses(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"member_{m.pk}"] for m in self.members}


class CommitmentForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, empty_label="Choose a member")
    text = forms.CharField(label="Commitment", max_length=300)
    due_date = forms.DateField(label="Due (optional)", required=False, widget=DateInput)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(pk__in=[m.pk for m in members])
