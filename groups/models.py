import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.timezones import validate_time_zone
from core.versioned import VersionedQuerySet
from members.choices import MeetingFormat
from members.models import Challenge


class Cohort(models.Model):
    version_cohorts = ("pk",)

    class Status(models.TextChoices):
        FORMING = "forming", "Forming"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class IndustryMode(models.TextChoices):
        NO_OVERLAP = "no_overlap", "No overlapping industries"
        SINGLE = "single", "Single industry"
        UNRESTRICTED = "unrestricted", "Unrestricted"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    themes = models.ManyToManyField(
        Challenge,
        blank=True,
        related_name="cohorts",
        help_text="The shared challenges this cohort works on.",
    )
    min_size = models.PositiveSmallIntegerField(
        "minimum size", default=6, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    max_size = models.PositiveSmallIntegerField(
        "maximum size", default=12, validators=[MinValueValidator(2), MaxValueValidator(30)]
    )
    format = models.CharField(
        max_length=10, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
    home_time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    location = models.CharField(max_length=160, blank=True)
    # The home city (chosen from core.cities) and how far from it in-person members may live;
    # the name, country and coordinates are kept here so placement never reads the city list.
    home_city = models.CharField(max_length=100, blank=True)
    home_country = models.CharField(max_length=2, blank=True)
    home_geoname_id = models.PositiveIntegerField("home city (GeoNames id)", null=True, blank=True)
    home_latitude = models.FloatField(null=True, blank=True)
    home_longitude = models.FloatField(null=True, blank=True)
    max_distance_km = models.PositiveIntegerField(
        "largest distance from the home city, km",
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(20_000)],
        help_text="In-person members live at most this far from the home city; hybrid cohorts "
        "prefer it; virtual ones ignore it.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FORMING)
    industry_mode = models.CharField(
        max_length=12, choices=IndustryMode.choices, default=IndustryMode.NO_OVERLAP
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_cohorts", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_size__lte=F("max_size")), name="cohort_size_bounds"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.home_time_zone)

    @property
    def home_point(self) -> tuple[float, float] | None:
        if self.home_latitude is None or self.home_longitude is None:
            return None
        return (self.home_latitude, self.home_longitude)


class MembershipQuerySet(VersionedQuerySet):
    def active(self) -> "MembershipQuerySet":
        """Seats held now (someone who left keeps their row, with status "left")."""
        return self.filter(Membership.active_q())

    def held_at(self, moment) -> "MembershipQuerySet":
        """Seats held at a moment: joined by then and not left by then, whatever they are now."""
        return self.filter(joined_at__lte=moment).filter(
            (Membership.active_q() & Q(left_at__isnull=True)) | Q(left_at__gt=moment)
        )


class Membership(models.Model):
    version_cohorts = ("cohort",)
    version_people = ("member",)

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LEFT = "left", "Left"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        # No default ordering: rosters are read by the thousand and sorted by name where shown.
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "member"],
                condition=models.Q(status="active"),
                name="membership_one_active_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.cohort}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @classmethod
    def active_q(cls, path: str = "") -> Q:
        """The one condition of an active membership, for a query that reaches memberships
        through ``path`` (e.g. "memberships" from a cohort or a user) or on Membership itself."""
        return Q(**{f"{path}__status" if path else "status": cls.Status.ACTIVE})


class RosterEvent(models.Model):
    """Every roster change: who, when, why."""

    version_cohorts = ("cohort",)
    version_people = ("member",)

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        ADDED_OVERRIDE = "added_override", "Added despite a conflict"
        REMOVED = "removed", "Removed"
        FACILITATORS = "facilitators", "Facilitators changed"
        CREATED = "created", "Cohort created"
        SETTINGS = "settings", "Settings changed"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="roster_events")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Named so that a change of the actor's name reaches the cohorts whose history shows it
    # (members.models.User.version_cohorts).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_actions",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        # No default ordering; roster_events() orders the cohort's history itself.
        indexes = [
            models.Index(fields=["cohort", "-created_at", "-id"], name="rosterevent_cohort_recent")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} in {self.cohort_id}"


class FormationRun(models.Model):
    """One run of the cohort formation engine over a pool, and its editable proposal."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Proposal ready"
        FAILED = "failed", "Failed"
        APPLIED = "applied", "Applied"

    class Phase(models.TextChoices):
        PREPARING = "preparing", "Preparing the pool"
        COMPILING = "compiling", "Compiling the engine (first run after a deploy)"
        SEARCHING = "searching", "Searching"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Solver parameters and the pool snapshot (user ids, in solver order).
    params = models.JSONField(default=dict)
    member_ids = models.JSONField(default=list)
    best_score = models.FloatField(null=True, blank=True)
    # While it runs: its phase, seconds since the worker took it, and seconds of search (what
    # the time limit counts).
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    elapsed = models.FloatField(default=0)
    searched = models.FloatField(default=0)
    # The proposal: a cohort index per member (same order as member_ids), editable by moves.
    assignment = models.JSONField(default=list)
    error = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Formation run {self.pk} ({self.status})"
