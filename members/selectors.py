"""Reads in the members app, scoped to the person asking."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.tokens import token_hash
from members.conflicts import conflicts_among, conflicts_between  # noqa: F401  (re-exported)
from members.models import (
    Application,
    ApplicationEvent,
    CompanyChangeRequest,
    ConfidentialityAgreement,
    InternalNote,
    Profile,
    RankedChallenge,
    Reference,
    Score,
)
from members.permissions import can_review_applications

S = Application.Status
SECTIONS = [
    ("about", "About you"),
    ("company", "Your company"),
    ("challenges", "Challenges"),
    ("conflicts", "Conflicts of interest"),
    ("references", "References"),
    ("agreement", "Motivation and agreement"),
]
SECTION_TITLES = dict(SECTIONS)


def current_agreement() -> ConfidentialityAgreement | None:
    return ConfidentialityAgreement.objects.first()


def application_of(user) -> Application | None:
    return (
        Application.objects.filter(applicant=user)
        .select_related("applicant", "applicant__profile", "agreement")
        .first()
    )


def application_missing(application: Application) -> list[tuple[str, str]]:
    """Sections that stop submission, each with what to do."""
    user = application.applicant
    profile = Profile.objects.filter(user=user).first()
    missing: list[tuple[str, str]] = []
    about = [
        user.first_name,
        user.last_name,
        profile and profile.title,
        profile and profile.city,
        profile and profile.country,
        user.time_zone,
    ]
    if not all(about):
        missing.append(("about", "About you: add your name, job title, city and country."))
    company = [
        profile and profile.company,
        profile and profile.industry,
        profile and profile.employees is not None,
        profile and profile.revenue_band,
        profile and profile.years_in_role is not None,
        profile and profile.preferred_format,
    ]
    if not all(company):
        missing.append(
            (
                "company",
                "Your company: fill in company name, industry, employees, "
                "revenue, years in role and preferred format.",
            )
        )
    ranked = RankedChallenge.objects.filter(profile=profile).count() if profile else 0
    if ranked < 3:
        missing.append(("challenges", "Challenges: rank at least three challenges."))
    if not application.conflicts_reviewed:
        missing.append(
            (
                "conflicts",
                "Conflicts of interest: declare your conflicts, or confirm you have none.",
            )
        )
    if application.references.count() < 2:
        missing.append(("references", "References: name two referees."))
    agreement = current_agreement()
    if not application.motivation.strip() or (
        agreement and application.agreement_id != agreement.pk
    ):
        missing.append(
            (
                "agreement",
                "Motivation and agreement: say why you want to join and "
                "accept the confidentiality agreement.",
            )
        )
    return missing


def applications_visible_to(user) -> QuerySet[Application]:
    """Reviewers see every submitted application; drafts stay private to their author."""
    if can_review_applications(user):
        return Application.objects.exclude(status=S.DRAFT)
    return Application.objects.none()


WAITING = {"7": 7, "14": 14, "30": 30}
SORTS = {
    "waiting": ("submitted_at", "Waiting longest"),
    "recent": ("-submitted_at", "Most recent"),
    "score": ("-average_score", "Highest score"),
    "name": ("applicant__last_name", "Name"),
    "company": ("applicant__profile__company", "Company"),
}


# Undecided applications: what the review queue shows unless filtered by another status.
OPEN_STATUSES = (S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED, S.WAITLISTED)


def review_queue(user, *, status="", industry="", eligibility="", waiting="", q="", sort=""):
    qs = (
        applications_visible_to(user)
        .select_related("applicant", "applicant__profile")
        .annotate(
            average_score=Avg(
                (F("scores__fit") + F("scores__contribution") + F("scores__commitment")) / 3.0
            ),
            score_count=Count("scores", distinct=True),
        )
    )
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if industry:
        qs = qs.filter(applicant__profile__industry=industry)
    if eligibility == "eligible":
        qs = qs.filter(eligible=True, waived_at__isnull=True)
    elif eligibility == "not_eligible":
        qs = qs.filter(eligible=False, waived_at__isnull=True)
    elif eligibility == "waived":
        qs = qs.filter(waived_at__isnull=False)
    if waiting in WAITING:
        qs = qs.filter(submitted_at__lte=timezone.now() - timedelta(days=WAITING[waiting]))
    if q:
        qs = qs.filter(
            Q(applicant__first_name__icontains=q)
            | Q(applicant__last_name__icontains=q)
            | Q(applicant__email__icontains=q)
            | Q(applicant__profile__company__icontains=q)
        )
    order = SORTS.get(sort, SORTS["waiting"])[0]
    if order == "-average_score":
        return qs.order_by(F("average_score").desc(nulls_last=True), "submitted_at", "id")
    return qs.order_by(order, "id")


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class QueueCounts:
    """Applications per status, split as the review queue splits them: the open ones (its
    default view) and the decided ones. The dashboard and the queue both read this."""

    open: list[StatusCount]
    decided: list[StatusCount]

    @property
    def open_total(self) -> int:
        return sum(part.count for part in self.open)

    @property
    def open_present(self) -> list[StatusCount]:
        return [part for part in self.open if part.count]

    @property
    def all(self) -> list[StatusCount]:
        return [*self.open, *self.decided]


def queue_counts(user) -> QueueCounts:
    rows = applications_visible_to(user).values("status").annotate(n=Count("id"))
    counts = dict.fromkeys([s for s in S.values if s != S.DRAFT], 0)
    counts.update({row["status"]: row["n"] for row in rows})
    parts = [StatusCount(status, S(status).label, n) for status, n in counts.items()]
    return QueueCounts(
        open=[part for part in parts if part.status in OPEN_STATUSES],
        decided=[part for part in parts if part.status not in OPEN_STATUSES],
    )


def application_for_review(user, pk: int) -> Application:
    """One application with everything a reviewer reads, in a fixed number of queries."""
    return get_object_or_404(
        applications_visible_to(user)
        .select_related("applicant", "applicant__profile", "agreement", "waived_by")
        .prefetch_related(
            Prefetch(
                "applicant__profile__challenges",
                queryset=RankedChallenge.objects.select_related("challenge"),
            ),
            "applicant__profile__conflicts",
            "references",
            Prefetch("scores", queryset=Score.objects.select_related("reviewer")),
            Prefetch("notes", queryset=_notes()),
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
        ),
        pk=pk,
    )


def _notes():
    return InternalNote.objects.select_related("author")


def reference_by_token(token: str) -> tuple[Reference | None, str]:
    """The reference a link belongs to, or None and why the link does not work."""
    reference = (
        Reference.objects.filter(token_hash=token_hash(token))
        .select_related("application__applicant")
        .first()
    )
    if reference is None:
        return (
            None,
            "This link is not valid. It may have been used already or replaced by a newer one.",
        )
    if reference.expires_at and reference.expires_at < timezone.now():
        return None, "This link has expired. Ask the membership team to send you a new one."
    if reference.application.status in {S.WITHDRAWN, S.DECLINED, S.APPROVED}:
        return None, "This application is closed; no reference is needed any more."
    return reference, ""


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    title: str
    text: str


PLAIN = {
    S.SUBMITTED: (
        "Application submitted",
        "We received your application. Our membership team will review it and "
        "contact your referees.",
    ),
    S.UNDER_REVIEW: ("Review started", "Our membership team is reviewing your application."),
    S.INFO_REQUESTED: (
        "More information requested",
        "We need a little more from you before we can decide.",
    ),
    S.WAITLISTED: (
        "On the waiting list",
        "We would like to welcome you, but there is no suitable place yet. "
        "We will come back to you as soon as there is.",
    ),
    S.APPROVED: (
        "Approved",
        "We will place you in a cohort of peers and send you your meeting schedule.",
    ),
    S.DECLINED: ("Not approved", "We are not able to offer you a place this time."),
    S.WITHDRAWN: ("Withdrawn", "You withdrew your application."),
}
# Said before the text above, unless the reviewer wrote their own message, which then takes
# its place: reviewers tend to open with a welcome of their own, and it read twice.
GREETING = {S.APPROVED: "Welcome to PeerNet."}


def application_timeline(application: Application) -> list[TimelineEntry]:
    """What the applicant sees: plain language; never notes, scores, reasons or reviewers."""
    entries = [
        TimelineEntry(
            application.created_at, "Application started", "You started your application."
        )
    ]
    events = application.events.filter(
        kind__in=[ApplicationEvent.Kind.TRANSITION, ApplicationEvent.Kind.REFERENCE_ANSWERED]
    ).order_by("created_at", "id")
    for event in events:
        if event.kind == ApplicationEvent.Kind.REFERENCE_ANSWERED:
            entries.append(
                TimelineEntry(
                    event.created_at, "Reference received", "One of your referees has answered."
                )
            )
            continue
        title, text = PLAIN[event.to_status]
        if event.to_status == S.SUBMITTED and event.from_status == S.INFO_REQUESTED:
            title, text = "Application resubmitted", "You sent the information we asked for."
        if event.to_status in GREETING:
            text = f"{event.message or GREETING[event.to_status]} {text}"
        elif event.message:
            text = f"{text} {event.message}"
        entries.append(TimelineEntry(event.created_at, title, text))
    return entries


def reference_progress(application: Application) -> tuple[int, int]:
    refs = list(application.references.all())
    return sum(1 for r in refs if r.answered_at), len(refs)


def references_outstanding(application: Application) -> list[Reference]:
    """Referees who have not answered (yet), in their order; reads prefetched references."""
    return [r for r in application.references.all() if r.answered_at is None]


def referee_names(references) -> str:
    """ "Rita Board", "Rita Board and Omar Partner", "A, B and C"."""
    names = [reference.name for reference in references]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def company_request_latest(user):
    """The member's latest company change request, if any: waiting, approved or declined."""
    return CompanyChangeRequest.objects.filter(user=user).first()


@dataclass(frozen=True)
class ApplicationAnswers:
    """What the applicant told us, section by section: their own words, nothing internal."""

    profile: Profile | None
    challenges: list[RankedChallenge]
    conflicts: list
    references: list[Reference]


def application_answers(application: Application) -> ApplicationAnswers:
    profile = Profile.objects.filter(user=application.applicant).first()
    if profile is None:
        return ApplicationAnswers(profile=None, challenges=[], conflicts=[], references=[])
    return ApplicationAnswers(
        profile=profile,
        challenges=list(
            RankedChallenge.objects.filter(profile=profile)
            .select_related("challenge")
            .order_by("rank")
        ),
        conflicts=list(profile.conflicts.order_by("pk")),
        references=list(application.references.order_by("position")),
    )
