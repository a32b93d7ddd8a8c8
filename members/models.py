import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django_countries.fields import CountryField

# Re-exported: the migrations name the validator as members.models.validate_time_zone.
from core.timezones import validate_time_zone
from core.versioned import VersionedQuerySet
from core.versions import APPLICATIONS
from members.choices import Industry, MeetingFormat, Relationship, RevenueBand


class Role(models.TextChoices):
    """The one representation of what a person is in PeerNet (see README, Architecture)."""

    APPLICANT = "applicant", "Applicant"
    MEMBER = "member", "Member"
    FACILITATOR = "facilitator", "Facilitator"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager.from_queryset(VersionedQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("role", Role.APPLICANT)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(role=Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account. The email address is the login; there is no username."""

    version_people = ("pk",)
    # The cohorts whose pages show their name: where they hold or held a seat, which they
    # run, and whose roster history names them as who made a change.
    version_cohorts = ("memberships__cohort", "facilitated_cohorts", "roster_actions__cohort")

    username = None
    first_name = models.CharField("first name", max_length=150, blank=True)
    last_name = models.CharField("last name", max_length=150, blank=True)
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.APPLICANT)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Times are shown in this zone.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def save(self, *args, **kwargs):
        # The admin role is the one way into Django's admin site, with every permission there.
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class Challenge(models.Model):
    """A shared challenge in the taxonomy admins manage; members rank their top ones."""

    version_org = True

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What a person tells us about themselves and their company (one per user)."""

    version_people = ("user",)
    version_cohorts = ("user__memberships__cohort",)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    title = models.CharField("job title", max_length=120, blank=True)
    company = models.CharField("company name", max_length=160, blank=True)
    company_website = models.URLField("company website", blank=True)
    # Normalised company identities (from name and website), for conflict checks.
    company_keys = models.JSONField(default=list, blank=True)
    industry = models.CharField(max_length=8, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField("number of employees", null=True, blank=True)
    payroll_usd = models.PositiveBigIntegerField("annual payroll (USD)", null=True, blank=True)
    revenue_band = models.CharField(
        "annual revenue", max_length=10, choices=RevenueBand.choices, blank=True
    )
    years_in_role = models.PositiveSmallIntegerField(
        "years in this role", null=True, blank=True, validators=[MaxValueValidator(70)]
    )
    city = models.CharField(max_length=100, blank=True)
    country = CountryField(blank=True)
    # The city chosen from core.cities (GeoNames id) and its coordinates, kept here so pages
    # and the formation engine compare places without reading the city list. Null for profiles
    # written before cities were chosen from the list.
    city_geoname_id = models.PositiveIntegerField("city (GeoNames id)", null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # When, in their own time zone, on weekdays, this member can meet.
    meeting_hours_start = models.TimeField("available from", default=datetime.time(7, 0))
    meeting_hours_end = models.TimeField("available until", default=datetime.time(19, 0))
    # What was typed when the country was free text and matched no country (migration 0006):
    # kept so nothing is lost, shown to reviewers until someone chooses the country.
    country_unmapped = models.CharField("country as typed", max_length=100, blank=True)
    linkedin_url = models.URLField("LinkedIn profile", blank=True)
    bio = models.TextField("short bio", max_length=1500, blank=True)
    # What the member edits on their own profile page (members/views/profile.py).
    preferred_name = models.CharField(
        "preferred name",
        max_length=80,
        blank=True,
        help_text="What your cohort calls you, if not your first name.",
    )
    phone = models.CharField("phone", max_length=40, blank=True)
    # A re-encoded JPEG (members/photos.py) in the default storage (STORAGES["default"]),
    # served to those who may see the member through a scoped view, never by a public URL.
    photo = models.FileField(upload_to="photos/", blank=True)
    # Which contact details the member's cohort-mates and facilitators see.
    share_email = models.BooleanField("share my email address with my cohort", default=False)
    share_phone = models.BooleanField("share my phone number with my cohort", default=False)
    share_linkedin = models.BooleanField("share my LinkedIn profile with my cohort", default=False)
    # When the member last re-read the confidentiality agreement (a first-login step).
    agreement_reread_at = models.DateTimeField(null=True, blank=True)
    preferred_format = models.CharField(
        "preferred meeting format", max_length=10, choices=MeetingFormat.choices, blank=True
    )
    # Set when the application is approved: the member joins the unassigned pool then.
    approved_at = models.DateTimeField(null=True, blank=True)
    # The day the network membership comes up for renewal (a year after approval, then a year
    # after each renewal); admins may move it (members/renewals.py).
    renewal_due_on = models.DateField("renewal date", null=True, blank=True)
    # When the membership lapsed (not renewed) and the cohort seats ended: no longer in the
    # pool, and no cohort takes them until they are admitted again.
    lapsed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        # The pool lists the longest waiting first: a page reads this index, not every profile.
        indexes = [models.Index(fields=["approved_at"], name="profile_approved")]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting_hours_start__lt=F("meeting_hours_end")),
                name="profile_meeting_hours_order",
            )
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


class CompanyChangeRequest(models.Model):
    """A member's new company waits for an admin: it changes who they conflict with."""

    version_people = ("user",)

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an admin"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_requests"
    )
    company = models.CharField("company name", max_length=160)
    company_website = models.URLField("company website", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The conflict check as it stood when the request was made (and again when decided).
    conflicts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # When an approved change was checked against the member's cohort-mates (groups app).
    cohort_checked_at = models.DateTimeField(null=True, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="company_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.company}"


class RankedChallenge(models.Model):
    version_people = ("profile__user",)
    # The cohort page lists each member's challenges.
    version_cohorts = ("profile__user__memberships__cohort",)

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="challenges")
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["profile", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "rank"], name="ranked_challenge_rank"),
            models.UniqueConstraint(fields=["profile", "challenge"], name="ranked_challenge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.challenge_id}"


class ConflictDeclaration(models.Model):
    """A relationship someone declares, with a company or with another person."""

    version_people = ("profile__user", "other_user")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="conflicts")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    company_name = models.CharField(max_length=160, blank=True)
    company_domain = models.CharField("company website or domain", max_length=200, blank=True)
    company_keys = models.JSONField(default=list, blank=True)
    person_name = models.CharField(max_length=160, blank=True)
    person_email = models.EmailField(blank=True)
    # Resolved from person_email when that person has an account; never shown to the declarer.
    other_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conflicts_declared_by_others",
    )
    note = models.CharField(max_length=300, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["profile", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(company_name="", company_domain="", person_email=""),
                name="conflict_names_company_or_person",
            )
        ]

    def __str__(self) -> str:
        target = self.company_name or self.company_domain or self.person_name or self.person_email
        return f"{self.get_relationship_display()}: {target}"


class ConfidentialityAgreement(models.Model):
    """Versioned text; an application records the version accepted and when."""

    version_org = True

    version = models.CharField(max_length=20, unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"Confidentiality agreement {self.version}"


class EligibilityPolicy(models.Model):
    """The organisation's admission rules (see members/eligibility.py for the format).

    Every save creates a new row; the newest one is in force, older ones are history.
    """

    version_org = True

    rules = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "eligibility policies"

    def __str__(self) -> str:
        return f"Eligibility policy of {self.created_at:%Y-%m-%d %H:%M}"


class Application(models.Model):
    version_people = ("applicant",)
    version_also = (APPLICATIONS,)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        INFO_REQUESTED = "info_requested", "More information requested"
        WAITLISTED = "waitlisted", "Waitlisted"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    applicant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    motivation = models.TextField("why you want to join", max_length=3000, blank=True)
    # The conflicts section may rightly be empty; the applicant confirms they reviewed it.
    conflicts_reviewed = models.BooleanField(default=False)
    agreement = models.ForeignKey(
        ConfidentialityAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The latest automatic evaluation against the policy in force (members/eligibility.py).
    eligibility = models.JSONField(null=True, blank=True)
    eligible = models.BooleanField(null=True)
    waiver_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"Application of {self.applicant}"

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.INFO_REQUESTED}

    @property
    def eligibility_label(self) -> str:
        if self.waived_at:
            return "Waived"
        if self.eligible is None:
            return "Not evaluated"
        return "Eligible" if self.eligible else "Not eligible"


class Reference(models.Model):
    """A referee answers through a private, expiring, single-use link; no account needed."""

    version_people = ("application__applicant",)

    class Recommendation(models.TextChoices):
        STRONG = "strong", "Strongly recommend"
        YES = "yes", "Recommend"
        RESERVATIONS = "reservations", "Recommend with reservations"
        NO = "no", "Do not recommend"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="references"
    )
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField("referee's name", max_length=160)
    email = models.EmailField("referee's email")
    relationship = models.CharField("how they know you", max_length=160)
    # Only a hash of the link's token is stored: a database leak exposes no working link.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    years_known = models.PositiveSmallIntegerField(null=True, blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    comments = models.TextField(blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="reference_position")
        ]

    def __str__(self) -> str:
        return f"Reference {self.name} for {self.application}"


class Score(models.Model):
    version_people = ("application__applicant",)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    fit = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    contribution = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    commitment = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["application", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="score_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(
                    fit__range=(1, 5), contribution__range=(1, 5), commitment__range=(1, 5)
                ),
                name="score_rubric_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Score by {self.reviewer_id} for {self.application_id}"

    @property
    def total(self) -> float:
        return round((self.fit + self.contribution + self.commitment) / 3, 2)


class InternalNote(models.Model):
    """Reviewers only. Never shown to the applicant."""

    version_people = ("application__applicant",)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["application", "created_at"]

    def __str__(self) -> str:
        return f"Note by {self.author_id} on {self.application_id}"


class ApplicationEvent(models.Model):
    """The audit trail: every transition and decision, who, when, why."""

    version_people = ("application__applicant",)

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status change"
        REFERENCE_SENT = "reference_sent", "Reference request sent"
        REFERENCE_ANSWERED = "reference_answered", "Reference answered"
        SCORED = "scored", "Scored"
        NOTE = "note", "Internal note"
        WAIVER = "waiver", "Eligibility waived"
        ELIGIBILITY = "eligibility", "Eligibility evaluated"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    # Internal reason (reviewers see it) and the message the applicant sees (may be empty).
    reason = models.TextField(blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}→{self.to_status}"


class Renewal(models.Model):
    """One member's renewal for one renewal date: prompted, answered, decided.

    The member re-confirms the eligibility facts and re-signs the agreement in force; eligible
    answers wait for an admin's approval, ineligible ones for a decision (waive or let lapse).
    A renewal not renewed by the end of the grace period (PEERNET_RENEWAL_GRACE_DAYS after the
    date) lapses; ``access_ended_at`` records when the lapsed member's cohort seats ended."""

    version_people = ("user",)

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the member"
        SUBMITTED = "submitted", "Submitted"
        NEEDS_DECISION = "needs_decision", "Needs a decision"
        RENEWED = "renewed", "Renewed"
        LAPSED = "lapsed", "Lapsed"

    OPEN_STATUSES = (Status.OPEN, Status.SUBMITTED, Status.NEEDS_DECISION)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="renewals"
    )
    due_on = models.DateField("renewal date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    # The member's answers, checked against the policy in force when they submitted.
    eligibility = models.JSONField(null=True, blank=True)
    eligible = models.BooleanField(null=True)
    agreement = models.ForeignKey(
        ConfidentialityAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement_signed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why an admin waived the rules or let the membership lapse (admins only).
    reason = models.TextField(blank=True)
    waived = models.BooleanField(default=False)
    access_ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="renewal_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["user", "due_on"], name="renewal_one_per_date"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["open", "submitted", "needs_decision"]),
                name="renewal_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Renewal of {self.user} due {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def grace_ends_on(self) -> datetime.date:
        """The last day of the grace period: an unanswered renewal lapses the day after."""
        return self.due_on + datetime.timedelta(days=settings.PEERNET_RENEWAL_GRACE_DAYS)


class CompanyConflictFlag(models.Model):
    """A member's new company conflicts with someone in their cohort: flagged to admins once
    per member and company (a second identical change, or a re-run, finds the row)."""

    version_people = ("user",)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_flags"
    )
    company = models.CharField(max_length=160)
    # The normalised identities of the company (members/companies.py), as one sorted text.
    company_key = models.CharField(max_length=500)
    conflicts = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "company_key"], name="company_flag_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.company}"
