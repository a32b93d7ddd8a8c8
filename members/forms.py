"""Input validation only: every error says how to fix the input."""

import datetime
import json
from copy import deepcopy
from urllib.parse import urlsplit

from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from core.forms import CityField, FilterForm
from core.timezones import TimeZoneField
from core.widgets import TimeInput
from members import eligibility, selectors
from members.choices import Industry, MeetingFormat, Relationship, RevenueBand
from members.models import Application, Challenge, Reference, Score


class AboutForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    title = forms.CharField(
        label="Job title",
        max_length=120,
        help_text="For example: Chief Executive Officer, Founder.",
    )
    # The country follows from the city (its ISO code is what eligibility rules compare).
    city = CityField(
        label="City",
        help_text="Where you live and would meet in person; the country follows from it.",
    )
    time_zone = TimeZoneField(help_text="Meeting times and reminders use this zone.", guess=True)
    meeting_hours_start = forms.TimeField(
        label="On weekdays I can meet from",
        initial=datetime.time(7, 0),
        widget=TimeInput,
        help_text="Your local time; cohorts meet in a window all their members can make.",
    )
    meeting_hours_end = forms.TimeField(
        label="On weekdays I can meet until", initial=datetime.time(19, 0), widget=TimeInput
    )
    linkedin_url = forms.URLField(
        label="LinkedIn profile",
        required=False,
        assume_scheme="https",
        help_text="Optional. A full address, e.g. https://www.linkedin.com/in/you",
    )
    bio = forms.CharField(
        label="Short bio", required=False, max_length=1500, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("meeting_hours_start"), data.get("meeting_hours_end")
        if start is not None and end is not None and start >= end:
            self.add_error("meeting_hours_end", "The end of your hours must come after the start.")
        return data


PHONE = RegexValidator(
    r"^\+?[0-9 ()./-]{6,30}$",
    "Enter a phone number with digits, spaces and + ( ) - only, e.g. +44 20 7946 0000.",
)


class ProfileForm(forms.Form):
    """What a member edits on their own profile page (the company is a request to admins)."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    preferred_name = forms.CharField(
        label="Preferred name",
        max_length=80,
        required=False,
        help_text="Optional. What your cohort calls you, if not your first name.",
    )
    title = forms.CharField(label="Job title", max_length=120, required=False)
    bio = forms.CharField(
        label="Short bio",
        required=False,
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences for your cohort: your company, your story, what you bring.",
    )
    photo = forms.FileField(
        label="Photo",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="Optional. A JPEG, PNG or WebP picture up to 5 MB; only your cohort sees it.",
    )
    photo_remove = forms.BooleanField(label="Remove my photo", required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False, validators=[PHONE])
    linkedin_url = forms.URLField(
        label="LinkedIn profile",
        required=False,
        assume_scheme="https",
        help_text="Optional. A full address, e.g. https://www.linkedin.com/in/you",
    )
    # The same city list as the application: its coordinates are what cohort formation and
    # placement compare, so a free-text name would leave them stale.
    city = CityField(
        label="City",
        required=False,
        help_text="Where you live and would meet in person; the country follows from it.",
    )
    time_zone = TimeZoneField(help_text="Meeting times and reminders use this zone.", guess=True)
    meeting_hours_start = forms.TimeField(
        label="On weekdays I can meet from",
        widget=TimeInput,
        help_text="Your local time; cohorts meet in a window all their members can make.",
    )
    meeting_hours_end = forms.TimeField(label="On weekdays I can meet until", widget=TimeInput)
    share_email = forms.BooleanField(label="Share my email address with my cohort", required=False)
    share_phone = forms.BooleanField(label="Share my phone number with my cohort", required=False)
    share_linkedin = forms.BooleanField(
        label="Share my LinkedIn profile with my cohort", required=False
    )

    def clean_linkedin_url(self):
        url = self.cleaned_data["linkedin_url"]
        host = urlsplit(url).hostname or ""
        if url and host != "linkedin.com" and not host.endswith(".linkedin.com"):
            raise ValidationError(
                "Enter the address of your LinkedIn profile, e.g. https://www.linkedin.com/in/you"
            )
        return url

    def clean(self):
        data = super().clean()
        start, end = data.get("meeting_hours_start"), data.get("meeting_hours_end")
        if start is not None and end is not None and start >= end:
            self.add_error("meeting_hours_end", "The end of your hours must come after the start.")
        if data.get("share_phone") and not data.get("phone"):
            self.add_error("phone", "Enter your phone number to share it, or untick sharing it.")
        if data.get("share_linkedin") and not data.get("linkedin_url"):
            self.add_error(
                "linkedin_url", "Enter your LinkedIn profile to share it, or untick sharing it."
            )
        return data


class CompanyChangeForm(forms.Form):
    company = forms.CharField(
        label="New company name",
        max_length=160,
        error_messages={"required": "Enter the name of your new company."},
    )
    company_website = forms.URLField(
        label="New company website",
        required=False,
        assume_scheme="https",
        help_text="Optional. It helps us recognise the company, e.g. https://example.com",
    )


class EligibilityFactsForm(forms.Form):
    """The company facts the eligibility rules read: asked at admission and again at renewal."""

    industry = forms.ChoiceField(choices=[("", "Choose an industry"), *Industry.choices])
    employees = forms.IntegerField(label="Number of employees", min_value=0, max_value=10_000_000)
    payroll_usd = forms.IntegerField(
        label="Annual payroll (USD)",
        required=False,
        min_value=0,
        max_value=10**13,
        help_text="Optional. Whole dollars.",
    )
    revenue_band = forms.ChoiceField(
        label="Annual revenue", choices=[("", "Choose a range"), *RevenueBand.choices]
    )
    years_in_role = forms.IntegerField(label="Years in this role", min_value=0, max_value=70)


class CompanyForm(EligibilityFactsForm):
    field_order = ["company", "company_website"]

    company = forms.CharField(label="Company name", max_length=160)
    company_website = forms.URLField(
        label="Company website",
        required=False,
        assume_scheme="https",
        help_text="For example: https://www.example.com",
    )
    preferred_format = forms.ChoiceField(
        label="Preferred meeting format", choices=[("", "Choose a format"), *MeetingFormat.choices]
    )


class ChallengesForm(forms.Form):
    """Rank 3 to 5 challenges from the shared taxonomy."""

    ORDINALS = ["First", "Second", "Third", "Fourth", "Fifth"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = Challenge.objects.filter(is_active=True)
        for i, ordinal in enumerate(self.ORDINALS, start=1):
            self.fields[f"rank_{i}"] = forms.ModelChoiceField(
                queryset=choices,
                required=i <= 3,
                label=f"{ordinal} challenge" + ("" if i <= 3 else " (optional)"),
                empty_label="Choose a challenge",
                error_messages={"required": f"Choose your {ordinal.lower()} challenge."},
            )

    def clean(self):
        data = super().clean()
        picked = [data.get(f"rank_{i}") for i in range(1, 6)]
        seen = set()
        for i, challenge in enumerate(picked, start=1):
            if challenge is None:
                continue
            if challenge.pk in seen:
                self.add_error(f"rank_{i}", "You chose this challenge already; pick another one.")
            seen.add(challenge.pk)
        if picked[3] is None and picked[4] is not None:
            self.add_error("rank_4", "Fill the fourth challenge before the fifth.")
        return data

    def ranked(self) -> list:
        return [
            self.cleaned_data[f"rank_{i}"]
            for i in range(1, 6)
            if self.cleaned_data.get(f"rank_{i}")
        ]


class ConflictForm(forms.Form):
    relationship = forms.ChoiceField(choices=[("", "Choose a relationship"), *Relationship.choices])
    company_name = forms.CharField(label="Company name", required=False, max_length=160)
    company_domain = forms.CharField(
        label="Company website or domain",
        required=False,
        max_length=200,
        help_text="For example: example.com",
    )
    person_name = forms.CharField(label="Person's name", required=False, max_length=160)
    person_email = forms.EmailField(label="Person's email", required=False)
    note = forms.CharField(required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if not (data.get("company_name") or data.get("company_domain") or data.get("person_email")):
            raise ValidationError(
                "Name the company (or its website), or give the person's email address."
            )
        return data


class BaseConflictFormSet(forms.BaseFormSet):
    def declarations(self) -> list[dict]:
        # Every kept row, changed or not: the service replaces the whole list, so a row saved
        # before and left as it was must be in it. Untouched empty rows have no cleaned_data.
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


ConflictFormSet = forms.formset_factory(
    ConflictForm,
    formset=BaseConflictFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class ConflictsConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="This list is complete: I have declared every competitor, customer, supplier, "
        "investor, family member and business partner who may be a member.",
        error_messages={"required": "Confirm that your list is complete (it may be empty)."},
    )


class ReferenceForm(forms.Form):
    name = forms.CharField(label="Referee's name", max_length=160)
    email = forms.EmailField(label="Referee's email")
    relationship = forms.CharField(
        label="How they know you",
        max_length=160,
        help_text="For example: board member for 6 years.",
    )


class ReferencesForm(forms.Form):
    """Two referees; neither may be the applicant, nor the same person twice."""

    def __init__(self, *args, applicant_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant_email = applicant_email.lower()
        for i in (1, 2):
            for name, field in ReferenceForm.base_fields.items():
                copy = deepcopy(field)
                copy.label = f"{field.label} (referee {i})"
                self.fields[f"ref{i}_{name}"] = copy

    def clean(self):
        data = super().clean()
        emails = [(data.get(f"ref{i}_email") or "").lower() for i in (1, 2)]
        for i, email in enumerate(emails, start=1):
            if email and email == self.applicant_email:
                self.add_error(f"ref{i}_email", "A referee must be someone other than you.")
        if emails[0] and emails[0] == emails[1]:
            self.add_error("ref2_email", "Your two referees need different email addresses.")
        return data

    def references(self) -> list[dict]:
        return [
            {key: self.cleaned_data[f"ref{i}_{key}"] for key in ("name", "email", "relationship")}
            for i in (1, 2)
        ]


class AgreementForm(forms.Form):
    motivation = forms.CharField(
        label="Why do you want to join a peer group?",
        max_length=3000,
        min_length=40,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"min_length": "Tell us a little more: at least 40 characters."},
    )
    accept = forms.BooleanField(
        label="I accept the confidentiality agreement above.",
        error_messages={"required": "You need to accept the confidentiality agreement to apply."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferenceAnswerForm(forms.Form):
    years_known = forms.IntegerField(
        label="How many years have you known the applicant?", min_value=0, max_value=80
    )
    recommendation = forms.ChoiceField(
        label="Your recommendation",
        choices=[("", "Choose one"), *Reference.Recommendation.choices],
    )
    comments = forms.CharField(
        label="What should we know about them as a peer?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReviewPageForm:
    """The review page holds several forms, two of them with a "reason": each form names its
    fields' ids after itself (decision_reason, waiver_reason) so no id appears twice."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


# Starts on "Choose 1–5": a preselected 1 would be saved as a real score by a reviewer who
# skipped the field.
RUBRIC = [("", "Choose 1–5"), *[(i, str(i)) for i in range(1, 6)]]


def _rubric_field(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=RUBRIC,
        coerce=int,
        empty_value=None,
        label=f"{name} (1–5)",
        error_messages={
            "required": f"Choose a {name.lower()} score from 1 (weak) to 5 (strong).",
        },
    )


class ScoreForm(ReviewPageForm, forms.ModelForm):
    id_prefix = "score"
    fit = _rubric_field("Fit")
    contribution = _rubric_field("Contribution")
    commitment = _rubric_field("Commitment")

    class Meta:
        model = Score
        fields = ["fit", "contribution", "commitment", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2})}


class NoteForm(ReviewPageForm, forms.Form):
    id_prefix = "note"

    text = forms.CharField(
        label="Internal note",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the membership team sees notes.",
    )


class DecisionForm(ReviewPageForm, forms.Form):
    """With references outstanding, approving also takes a confirmation and a reason."""

    id_prefix = "decision"

    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve"),
            ("waitlist", "Waitlist"),
            ("decline", "Decline"),
            ("request_info", "Ask for more information"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Internal reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the audit log; the applicant never sees it.",
    )
    message = forms.CharField(
        label="Message to the applicant",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on their status page. Required when asking for more information. "
        "On approval it replaces our standard “Welcome to PeerNet.”",
    )

    def __init__(self, *args, outstanding=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.outstanding = list(outstanding)
        if not self.outstanding:
            return
        fields = list(self.fields.items())
        self.fields = dict(fields[:1])
        self.fields["outstanding_confirmed"] = forms.BooleanField(
            label="Go ahead without waiting for "
            + ("this reference" if len(self.outstanding) == 1 else "these references"),
            required=False,
            # The warning above the form names the referees.
            widget=forms.CheckboxInput(attrs={"aria-describedby": "outstanding-warning"}),
        )
        self.fields["outstanding_reason"] = forms.CharField(
            label="Why not wait?",
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Needed only to approve now; recorded in the audit log.",
        )
        self.fields.update(fields[1:])

    def outstanding_names(self) -> str:
        return selectors.referee_names(self.outstanding)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "request_info" and not (data.get("message") or "").strip():
            self.add_error("message", "Tell the applicant what information you need.")
        if data.get("decision") == "approve" and self.outstanding:
            names = self.outstanding_names()
            verb = "answers" if len(self.outstanding) == 1 else "answer"
            if not data.get("outstanding_confirmed"):
                self.add_error(
                    "outstanding_confirmed", f"Tick this box to approve before {names} {verb}."
                )
            if not (data.get("outstanding_reason") or "").strip():
                self.add_error("outstanding_reason", f"Say why you approve before {names} {verb}.")
        return data


class WaiverForm(ReviewPageForm, forms.Form):
    id_prefix = "waiver"

    reason = forms.CharField(
        label="Why waive the eligibility rules?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PolicyForm(forms.Form):
    rules = forms.CharField(
        label="Rules (JSON)",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="All groups must pass; within a group, any rule passes it.",
    )
    note = forms.CharField(label="What changed", required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stored rules hold country codes; admins read and type names ("US" is shown as
        # "United States of America", and clean_rules turns names back into codes).
        try:
            rules = json.loads(self.initial.get("rules", ""))
        except (TypeError, json.JSONDecodeError):
            return
        self.initial["rules"] = json.dumps(
            eligibility.rules_with_country_names(rules), indent=2, ensure_ascii=False
        )

    def clean_rules(self):
        try:
            rules = json.loads(self.cleaned_data["rules"])
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"This is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
            ) from error
        rules = eligibility.rules_with_country_codes(rules)
        eligibility.validate_rules(rules)
        return rules


class QueueFilterForm(FilterForm):
    results_id = "queue-results"

    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Open (all undecided)"),
            *[c for c in Application.Status.choices if c[0] != "draft"],
        ],
    )
    industry = forms.ChoiceField(required=False, choices=[("", "Any industry"), *Industry.choices])
    eligibility = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any"),
            ("eligible", "Eligible"),
            ("not_eligible", "Not eligible"),
            ("waived", "Waived"),
        ],
    )
    waiting = forms.ChoiceField(
        required=False,
        label="Waiting",
        choices=[
            ("", "Any time"),
            ("7", "More than 7 days"),
            ("14", "More than 14 days"),
            ("30", "More than 30 days"),
        ],
    )
    q = forms.CharField(
        required=False, label="Search", max_length=100, help_text="Name, email or company"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("waiting", "Waiting longest"),
            ("recent", "Most recent"),
            ("score", "Highest score"),
            ("name", "Name"),
            ("company", "Company"),
        ],
    )


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, answering in the same time whether or not the address is taken.

    For a taken address allauth creates nothing and emails the owner instead, so it never
    hashes the password: hashing is nearly all of a sign-up's time, and its absence would
    tell anyone timing the form which addresses have accounts. Hash it anyway (and throw the
    result away)."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
