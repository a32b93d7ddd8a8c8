"""What the dashboards read: a member's next meeting and what it asks of them, their open
commitments, recent activity in their cohort and their first steps; a facilitator's next
meetings and what needs them. A fixed number of queries whatever the amount of data."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from groups.selectors import active_member_count, cohort_of_member, cohorts_facilitated_by
from meetings.models import AgendaItem, CalendarFeed, Commitment, Meeting, MemberUpdate, Rsvp
from members.models import Profile
from members.renewal_selectors import renewal_of

ACTIVITY_DAYS = 30
ACTIVITY_ITEMS = 6
# A meeting needs its facilitator's attention once it is this close.
ATTENTION_DAYS = 14


@dataclass
class NextMeeting:
    meeting: Meeting
    rsvp: Rsvp | None
    update_done: bool
    presenting: list[AgendaItem]

    @property
    def rsvp_open(self) -> bool:
        return not self.meeting.is_cancelled and self.meeting.starts_at > timezone.now()


@dataclass
class Activity:
    when: object
    kind: str  # "topic" or "agenda"
    meeting: Meeting
    text: str


@dataclass
class Step:
    key: str
    title: str
    done: bool
    url: str  # where to do it; empty when there is nowhere yet
    action: str


@dataclass
class MemberHome:
    cohort: object | None
    next: NextMeeting | None = None
    commitments: list[Commitment] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # The member's renewal date and their renewal (open, else the latest), for the renewal card.
    renewal_due_on: object | None = None
    renewal: object | None = None

    @property
    def steps_left(self) -> int:
        return sum(not step.done for step in self.steps)


def _next_meeting(user, cohort) -> NextMeeting | None:
    meeting = (
        cohort.meetings.filter(ends_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED)
        .select_related("cohort")
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    return NextMeeting(
        meeting=meeting,
        rsvp=Rsvp.objects.filter(meeting=meeting, member=user).first(),
        update_done=MemberUpdate.objects.filter(meeting=meeting, member=user).exists(),
        presenting=list(
            AgendaItem.objects.filter(meeting=meeting)
            .filter(Q(presenter=user) | Q(presenter__isnull=True, topic__owner=user))
            .exclude(state=AgendaItem.State.PARKED)
            .select_related("topic")
            .order_by("position")
        ),
    )


def _activity(cohort, *, since) -> list[Activity]:
    posted = (
        AgendaItem.objects.filter(meeting__cohort=cohort, posted_at__gte=since)
        .select_related("topic", "topic__owner", "meeting")
        .order_by("-posted_at")[:ACTIVITY_ITEMS]
    )
    published = Meeting.objects.filter(cohort=cohort, agenda_published_at__gte=since).order_by(
        "-agenda_published_at"
    )[:ACTIVITY_ITEMS]
    items = [
        Activity(item.posted_at, "topic", item.meeting, f"{item.topic.title}") for item in posted
    ] + [Activity(m.agenda_published_at, "agenda", m, m.title) for m in published]
    return sorted(items, key=lambda a: a.when, reverse=True)[:ACTIVITY_ITEMS]


def _steps(user, profile: Profile | None, next_meeting: Meeting | None) -> list[Step]:
    complete = bool(profile and profile.photo and profile.title and profile.bio)
    return [
        Step(
            "profile",
            "Complete your profile: photo, title and a short bio",
            complete,
            reverse("profile_edit"),
            "Edit your profile",
        ),
        Step(
            "calendar",
            "Add your meetings to your calendar",
            CalendarFeed.objects.filter(user=user).exists(),
            reverse("calendar_settings"),
            "Set up your calendar feed",
        ),
        Step(
            "agreement",
            "Re-read the confidentiality agreement",
            bool(profile and profile.agreement_reread_at),
            reverse("agreement_reread"),
            "Read the agreement",
        ),
        Step(
            "update",
            "Post your first update before a meeting",
            MemberUpdate.objects.filter(member=user).exists(),
            reverse("member_update", args=[next_meeting.pk]) if next_meeting else "",
            "Write your update",
        ),
    ]


def member_home(user) -> MemberHome:
    cohort = cohort_of_member(user)
    profile = Profile.objects.filter(user=user).first()
    home = MemberHome(
        cohort=cohort,
        renewal_due_on=profile.renewal_due_on if profile else None,
        renewal=renewal_of(user),
    )
    if cohort is not None:
        home.next = _next_meeting(user, cohort)
    home.steps = _steps(user, profile, home.next.meeting if home.next else None)
    if cohort is None:
        return home
    home.commitments = list(
        Commitment.objects.filter(owner=user, done_at__isnull=True)
        .select_related("meeting")
        .order_by("due_date", "created_at")
    )
    home.activity = _activity(cohort, since=timezone.now() - timedelta(days=ACTIVITY_DAYS))
    return home


@dataclass
class ComingMeeting:
    meeting: Meeting
    members: int
    answered: int
    updates: int

    @property
    def unanswered(self) -> int:
        return max(self.members - self.answered, 0)

    @property
    def needs(self) -> list[str]:
        """What the facilitator should do before this meeting, most pressing first."""
        soon = self.meeting.starts_at - timezone.now() <= timedelta(days=ATTENTION_DAYS)
        needs = []
        if soon and self.meeting.agenda_published_at is None:
            needs.append("Publish the agenda")
        if self.unanswered:
            needs.append(f"{self.unanswered} not answered yet")
        if soon and self.updates < self.members:
            needs.append(f"{self.members - self.updates} updates to come")
        return needs


def facilitator_coming(user) -> list[ComingMeeting]:
    """The next meeting of each cohort the facilitator runs, soonest first, with how many
    answered and sent their update (two queries)."""
    now = timezone.now()
    next_meeting = (
        Meeting.objects.filter(
            cohort=OuterRef("pk"), ends_at__gte=now, status=Meeting.Status.SCHEDULED
        )
        .order_by("starts_at")
        .values("pk")[:1]
    )
    cohorts = {
        cohort.pk: cohort
        for cohort in cohorts_facilitated_by(user)
        .annotate(seated=active_member_count(), next_pk=Subquery(next_meeting))
        .filter(next_pk__isnull=False)
    }
    rows = (
        Meeting.objects.filter(pk__in=[c.next_pk for c in cohorts.values()])
        .annotate(
            answered=Count("rsvps", distinct=True), updates_in=Count("updates", distinct=True)
        )
        .order_by("starts_at", "pk")
    )
    coming = []
    for meeting in rows:
        meeting.cohort = cohorts[meeting.cohort_id]
        coming.append(
            ComingMeeting(
                meeting=meeting,
                members=meeting.cohort.seated,
                answered=meeting.answered,
                updates=meeting.updates_in,
            )
        )
    return coming
