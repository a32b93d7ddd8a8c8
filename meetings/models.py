import uuid
import zoneinfo
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.db.models.functions import Cast
from django.utils import timezone

from core.timezones import validate_time_zone
from core.versioned import VersionedQuerySet
from groups.models import Cohort


def aware(local: datetime, zone_name: str) -> datetime:
    """A wall-clock time in a zone, as an aware datetime. A time that a spring-forward gap
    skips resolves like the clock does (02:30 becomes 03:30); one that a fall-back repeats is
    its first occurrence, as RFC 5545 reads it."""
    return local.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))


def span(local: datetime, zone_name: str, minutes: int) -> tuple[datetime, datetime]:
    """Start and end instants (UTC) of a meeting that starts at a wall-clock time and lasts
    `minutes` of elapsed time. Adding to an aware local datetime would be wall-clock
    arithmetic, an hour off when the clocks change during the meeting."""
    start = aware(local, zone_name).astimezone(UTC)
    return start, start + timedelta(minutes=minutes)


class Series(models.Model):
    """A recurring meeting: wall-clock start + IANA zone + RFC 5545 rule, expanded locally."""

    version_cohorts = ("cohort",)

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(max_length=120)
    rrule = models.CharField("recurrence rule", max_length=300)
    first_date = models.DateField()
    start_time = models.TimeField("local start time")
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)]
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField("video link", blank=True)
    # Its meetings' running order; none: the cohort's chosen template (CohortTemplate).
    template = models.ForeignKey(
        "MeetingTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="series",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "first_date"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.title} ({self.cohort})"


class Meeting(models.Model):
    """One occurrence (of a series, or one-off). Its own wall-clock time survives DST."""

    version_cohorts = ("cohort",)

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    # Which occurrence of the series this is (its original local date), like RECURRENCE-ID.
    original_date = models.DateField(null=True, blank=True)
    # Changed on its own ("this occurrence only"): series edits leave it alone.
    detached = models.BooleanField(default=False)
    title = models.CharField(max_length=120)
    # Wall-clock date and time in time_zone: what stays put across daylight-saving changes.
    local_date = models.DateField("date")
    local_time = models.TimeField("start time")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)]
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField("video link", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.CharField(max_length=80, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "original_date"], name="meeting_occurrence_once"
            ),
        ]
        # A cohort's meetings in time order: next and past meetings, the health line.
        indexes = [models.Index(fields=["cohort", "starts_at"], name="meeting_cohort_starts")]

    def __str__(self) -> str:
        return f"{self.title} on {self.local_date:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self.uid:
            self.uid = f"{uuid.uuid4()}@peernet"
        self.starts_at, self.ends_at = span(self.start_local, self.time_zone, self.duration_minutes)
        super().save(*args, **kwargs)

    @property
    def start_local(self) -> datetime:
        return datetime.combine(self.local_date, self.local_time)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Rsvp(models.Model):
    version_cohorts = ("meeting__cohort",)
    version_people = ("member",)

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        MAYBE = "maybe", "Maybe"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    answer = models.CharField(max_length=5, choices=Answer.choices)
    note = models.CharField(max_length=200, blank=True)
    # When the member first answered: changing the answer later does not make it late.
    answered_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        # No default ordering: one row per member and meeting, read in bulk.
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="rsvp_one_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.answer}"


# A topic raised more often than this has made its point; the bound keeps scores in range.
MAX_TIMES_RAISED = 100
PRESENTATION_TEXT_MAX = 2000


class Wants(models.TextChoices):
    """What a presenter asks of the group."""

    EXPERIENCE = "experience", "Your experience"
    IDEAS = "ideas", "Ideas"
    ACCOUNTABILITY = "accountability", "Accountability"
    LISTENING = "listening", "Just listening"


class Topic(models.Model):
    """A challenge in a member's parking lot. Private to its owner until posted."""

    version_cohorts = ("owner__memberships__cohort",)
    version_people = ("owner",)

    class Kind(models.TextChoices):
        ISSUE = "issue", "Issue"
        OPPORTUNITY = "opportunity", "Opportunity"
        UPDATE = "update", "Update"
        CELEBRATION = "celebration", "Celebration"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topics"
    )
    title = models.CharField(max_length=160)
    details = models.TextField(blank=True, max_length=4000)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ISSUE)
    importance = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    urgency = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    times_raised = models.PositiveSmallIntegerField(
        default=1,
        validators=[
            MinValueValidator(1),
            MaxValueValidator(
                MAX_TIMES_RAISED,
                f"Enter how often the topic came up, from 1 to {MAX_TIMES_RAISED}.",
            ),
        ],
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    # The presentation: what the cohort reads once the topic is posted to one of its meetings
    # (the details above stay the owner's own notes).
    statement = models.CharField("the issue in one sentence", max_length=200, blank=True)
    background = models.TextField(blank=True, max_length=PRESENTATION_TEXT_MAX)
    tried = models.TextField("what I have tried", blank=True, max_length=PRESENTATION_TEXT_MAX)
    wants = models.CharField(
        "what I want from the group", max_length=14, choices=Wants.choices, blank=True
    )
    decision_by = models.DateField("decision deadline", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["owner", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=10)
                & Q(urgency__gte=1, urgency__lte=10)
                & Q(times_raised__gte=1, times_raised__lte=MAX_TIMES_RAISED)
                & Q(estimated_minutes__gte=1, estimated_minutes__lte=240),
                name="topic_scores_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.importance * self.urgency * self.times_raised


# In a wide type: the columns are smallint, and PostgreSQL multiplies smallints as smallint.
SCORE = ExpressionWrapper(
    Cast("importance", models.BigIntegerField())
    * Cast("urgency", models.BigIntegerField())
    * Cast("times_raised", models.BigIntegerField()),
    output_field=models.BigIntegerField(),
)


OUTCOME_NOTES_MAX = 4000


class AgendaItem(models.Model):
    """A topic posted to a meeting, ordered and time-boxed by the facilitator."""

    version_cohorts = ("meeting__cohort",)
    version_people = ("presenter", "topic__owner")

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SCHEDULED = "scheduled", "Scheduled"
        DISCUSSED = "discussed", "Discussed"
        PARKED = "parked", "Parked"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="agenda_items")
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    position = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    # The presenter's and facilitators' eyes only.
    outcome_notes = models.TextField(blank=True, max_length=OUTCOME_NOTES_MAX)
    posted_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "posted_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic} at {self.meeting}"


class Vote(models.Model):
    version_cohorts = ("item__meeting__cohort",)
    version_people = ("voter",)

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.voter_id} on {self.item_id}"


class Attendance(models.Model):
    version_cohorts = ("meeting__cohort",)
    version_people = ("member",)

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.status}"


class Commitment(models.Model):
    """Made in a meeting; comes back at the next one until done."""

    version_cohorts = ("meeting__cohort",)
    version_people = ("owner",)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="commitments")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.CharField(max_length=300)
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "created_at"]

    def __str__(self) -> str:
        return self.text


class CalendarFeed(models.Model):
    """One private, revocable feed per person. Only a hash of its token is stored."""

    version_people = ("user",)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class NotificationSchedule(models.Model):
    """A cohort's own notification offsets, in hours before a meeting starts. Empty fields
    follow the global defaults (settings.NOTIFICATION_OFFSETS_HOURS); 0 switches that kind
    off for the cohort."""

    version_cohorts = ("cohort",)

    cohort = models.OneToOneField(
        Cohort, on_delete=models.CASCADE, related_name="notification_schedule"
    )
    agenda_prompt_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60 * 24)]
    )
    rsvp_nudge_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60 * 24)]
    )
    reminder_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(60 * 24)]
    )

    objects = VersionedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Notification schedule of {self.cohort}"

    def offset_hours(self, kind: str) -> int | None:
        return getattr(self, f"{kind}_hours", None)


# Meeting templates and the live runner ----------------------------------------------------

# A segment may last from one minute to a whole day's meeting.
SEGMENT_MINUTES_MAX = 24 * 60


class SegmentKind(models.TextChoices):
    OPENING = "opening", "Opening"
    UPDATES = "updates", "Member updates"
    PARKING_LOT = "parking_lot", "Parking lot"
    PRESENTATION = "presentation", "Presentation"
    SPEAKER = "speaker", "Speaker"
    COMMITMENTS_REVIEW = "commitments_review", "Commitments review"
    EVALUATION = "evaluation", "Evaluation"
    BREAK = "break", "Break"
    CUSTOM = "custom", "Custom"


class MeetingTemplate(models.Model):
    """The organisation's library of meeting protocols; admins edit it."""

    version_org = True

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateSegment(models.Model):
    version_org = True

    template = models.ForeignKey(MeetingTemplate, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=SegmentKind.choices)
    title = models.CharField(max_length=120)
    planned_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SEGMENT_MINUTES_MAX)]
    )
    guidance = models.TextField(blank=True, max_length=2000)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="templatesegment_position_once"
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=1, planned_minutes__lte=SEGMENT_MINUTES_MAX),
                name="templatesegment_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class CohortTemplate(models.Model):
    """A cohort's chosen template (its facilitators choose): meetings whose series names no
    template of its own, and one-off meetings, follow it. Kept here, not on the cohort, because
    the groups app knows nothing of meetings."""

    version_cohorts = ("cohort",)

    cohort = models.OneToOneField(
        Cohort, on_delete=models.CASCADE, primary_key=True, related_name="meeting_template"
    )
    template = models.ForeignKey(MeetingTemplate, on_delete=models.CASCADE, related_name="+")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.cohort}: {self.template}"


class MeetingRun(models.Model):
    """The live state of one meeting. ``version`` grows on every change anyone's page shows,
    so a poll that already has it costs one indexed read."""

    version_cohorts = ("meeting__cohort",)

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, primary_key=True, related_name="run"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    current_segment = models.ForeignKey(
        "MeetingSegment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # A member the facilitators let drive the clock (advance, extend, skip, end).
    timekeeper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VersionedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False),
                name="meetingrun_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Run of {self.meeting_id}"

    @property
    def is_started(self) -> bool:
        return self.started_at is not None

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    @property
    def is_live(self) -> bool:
        return self.started_at is not None and self.ended_at is None


class MeetingSegment(models.Model):
    """One step of a meeting's running order: built from its template and published agenda,
    adjusted by the facilitator, then timed by the runner (instants in UTC)."""

    version_cohorts = ("meeting__cohort",)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=SegmentKind.choices)
    title = models.CharField(max_length=160)
    planned_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SEGMENT_MINUTES_MAX)]
    )
    # Added while running (+5 minutes at a time); the countdown runs over planned + extra.
    extra_minutes = models.PositiveIntegerField(default=0)
    guidance = models.TextField(blank=True, max_length=2000)
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="segments"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    skipped = models.BooleanField(default=False)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="meetingsegment_position_once"
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gte=1, planned_minutes__lte=SEGMENT_MINUTES_MAX),
                name="meetingsegment_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def allowed_minutes(self) -> int:
        return self.planned_minutes + self.extra_minutes

    @property
    def actual_seconds(self) -> int | None:
        """Elapsed time between its start and end instants, once it has both."""
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())

    @property
    def actual_minutes(self) -> int | None:
        seconds = self.actual_seconds
        return None if seconds is None else round(seconds / 60)


# The forum protocol around a meeting ------------------------------------------------------

HEADLINE_MAX = 140
NOTE_TEXT_MAX = 8000
EVALUATION_COMMENT_MAX = 2000
MAX_HEADLINES = 3
# A rating at or below this marks a member as low in the updates summary.
LOW_RATING = 4


def _rating(verbose_name: str):
    return models.PositiveSmallIntegerField(
        verbose_name, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )


class MemberUpdate(models.Model):
    """A member's update before a meeting: three ratings, a few headlines, and whether they
    need time. Read by that meeting's cohort-mates and facilitators only."""

    version_cohorts = ("meeting__cohort",)
    version_people = ("member",)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="updates")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    work = _rating("work (1–10)")
    family = _rating("family (1–10)")
    personal = _rating("personal (1–10)")
    headlines = models.JSONField(default=list, blank=True)
    needs_time = models.BooleanField("I need time today", default=False)
    time_topic = models.CharField("what about (optional)", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="update_one_per_member"),
            models.CheckConstraint(
                condition=Q(work__gte=1, work__lte=10)
                & Q(family__gte=1, family__lte=10)
                & Q(personal__gte=1, personal__lte=10),
                name="update_ratings_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Update of {self.member_id} for {self.meeting_id}"

    @property
    def lowest(self) -> int:
        return min(self.work, self.family, self.personal)

    @property
    def is_low(self) -> bool:
        return self.lowest <= LOW_RATING


class FacilitatorNote(models.Model):
    """The facilitators' private notes on one meeting: never shown to members, never sent."""

    version_cohorts = ("meeting__cohort",)

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="facilitator_note"
    )
    text = models.TextField(blank=True, max_length=NOTE_TEXT_MAX)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Facilitator note on {self.meeting_id}"


class Evaluation(models.Model):
    """An attendee's evaluation of a meeting that has ended. The facilitators read each one;
    the cohort sees the average and the count."""

    version_cohorts = ("meeting__cohort",)
    version_people = ("member",)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = _rating("rating (1–10)")
    most_valuable = models.ForeignKey(
        MeetingSegment,
        verbose_name="most valuable segment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(blank=True, max_length=EVALUATION_COMMENT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="evaluation_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=10), name="evaluation_rating_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.meeting_id} by {self.member_id}"


# Group norms ------------------------------------------------------------------------------


class NormPolicy(models.Model):
    """A cohort's norms. The row without a cohort holds the organisation's defaults; a cohort
    without a row of its own follows it (and the field defaults below when there is none)."""

    version_cohorts = ("cohort",)
    version_org_without_cohort = True

    cohort = models.OneToOneField(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="norm_policy"
    )
    window_meetings = models.PositiveSmallIntegerField(
        "meetings looked at", default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # Absent from more than 2 of the last 6: a warning to the member and the facilitators.
    warn_absences = models.PositiveSmallIntegerField(
        "absences that warn", default=3, validators=[MinValueValidator(1)]
    )
    # ... and a review item for the admins.
    review_absences = models.PositiveSmallIntegerField(
        "absences that open a review", default=3, validators=[MinValueValidator(1)]
    )
    # An answer later than this before the start (or none) is a late RSVP.
    rsvp_hours = models.PositiveIntegerField(
        "RSVP due, hours before", default=72, validators=[MaxValueValidator(60 * 24)]
    )
    rsvp_late_limit = models.PositiveSmallIntegerField(
        "late RSVPs that warn", default=3, validators=[MinValueValidator(1)]
    )
    # Commitments done by their due date, as a share of those due in the last year.
    follow_through_percent = models.PositiveSmallIntegerField(
        "follow-through below which to warn (%)",
        default=50,
        validators=[MaxValueValidator(100)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "norm policies"

    def __str__(self) -> str:
        return f"Norms of {self.cohort}" if self.cohort_id else "Organisation norms"


class NormBreach(models.Model):
    """One episode of a member breaking a norm of their cohort: open while it lasts, cleared
    when it no longer holds. At most one open per member, cohort, norm and level, so each
    episode notifies once however often the norms are evaluated. A review item is a breach of
    level "review"; the admins decide it."""

    version_cohorts = ("cohort",)
    version_people = ("member",)

    class Kind(models.TextChoices):
        ATTENDANCE = "attendance", "Attendance"
        RSVP = "rsvp", "Late RSVPs"
        FOLLOW_THROUGH = "follow_through", "Commitment follow-through"

    class Level(models.TextChoices):
        WARNING = "warning", "Warning"
        REVIEW = "review", "Review"

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep in the cohort"
        REMOVE = "remove", "Remove from the cohort"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="norm_breaches")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    level = models.CharField(max_length=8, choices=Level.choices)
    # What was counted when it opened: "3 of the last 6 meetings".
    detail = models.CharField(max_length=200)
    opened_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "member", "kind", "level"],
                condition=Q(cleared_at__isnull=True),
                name="normbreach_one_open",
            ),
        ]
        indexes = [models.Index(fields=["level", "decided_at"], name="normbreach_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level} of {self.member_id} in {self.cohort_id}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class NormEvent(models.Model):
    """The audit of the norms: every warning, review item, excused absence, clearing and
    decision, with who (none: the scheduler), when and why."""

    version_cohorts = ("cohort",)
    version_people = ("member",)

    class Action(models.TextChoices):
        WARNED = "warned", "Warned"
        REVIEW_OPENED = "review_opened", "Review opened"
        CLEARED = "cleared", "Cleared"
        EXCUSED = "excused", "Absence excused"
        KEPT = "kept", "Kept in the cohort"
        REMOVED = "removed", "Removed from the cohort"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="norm_events")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    breach = models.ForeignKey(
        NormBreach, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=14, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["cohort", "member"], name="normevent_member")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.member_id} in {self.cohort_id}"
