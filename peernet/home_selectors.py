"""What the dashboards read: a member's next meeting and what it asks of them, their open
commitments, recent activity in their cohort and their first steps; a facilitator's next
meetings and what needs them. A fixed number of queries whatever the amount of data."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from groups.models import Cohort, Membership
from groups.selectors import active_member_count, cohort_of_member, cohorts_facilitated_by
from meetings.forum_selectors import PREP_DAYS, meetings_to_prepare
from meetings.models import AgendaItem, CalendarFeed, Commitment, Meeting, MemberUpdate, Rsvp
from members.models import Profile, User
from members.renewal_selectors import renewal_of

ACTIVITY_DAYS = 30
ACTIVITY_ITEMS = 6
# A meeting needs its facilitator's attention once it is this close.
ATTENTION_DAYS = 14
# A filter ``x >= now`` keeps a row until the clock is past ``x``: the next instant.
INSTANT = timedelta(microseconds=1)


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
    person: User  # with their profile
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

    def moments(self) -> list[datetime]:
        """When the dashboard changes by the clock alone: the next meeting starts (its RSVP
        closes) and ends (the one after it comes next), an item of activity gets too old."""
        moments = [event.when + timedelta(days=ACTIVITY_DAYS) + INSTANT for event in self.activity]
        if self.next is not None:
            moments += [self.next.meeting.starts_at, self.next.meeting.ends_at + INSTANT]
        return moments


def member_cohort_ids(user) -> list[int]:
    """The cohorts whose rows the member's dashboard shows: the one they sit in, and those of
    the meetings their open commitments were made in (they may have moved since; one query)."""
    seats = Membership.objects.active().filter(member=user).order_by().values_list("cohort_id")
    owed = (
        Commitment.objects.filter(owner=user, done_at__isnull=True)
        .order_by()
        .values_list("meeting__cohort_id")
    )
    return sorted({pk for (pk,) in seats.union(owed)})


def _next_meeting(user, cohort) -> NextMeeting | None:
    meeting = (
        cohort.meetings.filter(ends_at__gte=timezone.now(), status=Meeting.Status.SCHEDULED)
        .annotate(
            update_done=Exists(MemberUpdate.objects.filter(meeting=OuterRef("pk"), member=user))
        )
        .select_related("cohort")
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return None
    return NextMeeting(
        meeting=meeting,
        rsvp=Rsvp.objects.filter(meeting=meeting, member=user).first(),
        update_done=meeting.update_done,
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
        .select_related("topic", "meeting")
        .order_by("-posted_at")[:ACTIVITY_ITEMS]
    )
    published = Meeting.objects.filter(cohort=cohort, agenda_published_at__gte=since).order_by(
        "-agenda_published_at"
    )[:ACTIVITY_ITEMS]
    items = [
        Activity(item.posted_at, "topic", item.meeting, f"{item.topic.title}") for item in posted
    ] + [Activity(m.agenda_published_at, "agenda", m, m.title) for m in published]
    return sorted(items, key=lambda a: a.when, reverse=True)[:ACTIVITY_ITEMS]


def _person(user) -> User:
    """The member with their profile, and whether they set up a calendar feed and ever wrote
    an update (one query)."""
    return (
        User.objects.select_related("profile")
        .annotate(
            has_feed=Exists(CalendarFeed.objects.filter(user=OuterRef("pk"))),
            has_written_update=Exists(MemberUpdate.objects.filter(member=OuterRef("pk"))),
        )
        .get(pk=user.pk)
    )


def _steps(person: User, profile: Profile | None, next_meeting: Meeting | None) -> list[Step]:
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
            person.has_feed,
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
            person.has_written_update,
            reverse("member_update", args=[next_meeting.pk]) if next_meeting else "",
            "Write your update",
        ),
    ]


def member_home(user) -> MemberHome:
    cohort = cohort_of_member(user)
    person = _person(user)
    profile = getattr(person, "profile", None)
    home = MemberHome(
        person=person,
        cohort=cohort,
        renewal_due_on=profile.renewal_due_on if profile else None,
        renewal=renewal_of(user),
    )
    if cohort is not None:
        home.next = _next_meeting(user, cohort)
    home.steps = _steps(person, profile, home.next.meeting if home.next else None)
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


def _facilitated(user, now: datetime) -> list[Cohort]:
    """The cohorts ``user`` runs, by name, each with its seated members, its next meeting and
    when the first of its meetings not yet in the preparation window starts (one query)."""
    scheduled = Meeting.objects.filter(cohort=OuterRef("pk"), status=Meeting.Status.SCHEDULED)
    next_meeting = scheduled.filter(ends_at__gte=now).order_by("starts_at").values("pk")[:1]
    to_prepare_next = (
        scheduled.filter(starts_at__gt=now + timedelta(days=PREP_DAYS))
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return list(
        cohorts_facilitated_by(user)
        .annotate(
            active_members=active_member_count(),
            next_pk=Subquery(next_meeting),
            prepare_from=Subquery(to_prepare_next),
        )
        .order_by("name", "pk")
    )


def facilitator_coming(user, *, cohorts: list[Cohort] | None = None) -> list[ComingMeeting]:
    """The next meeting of each cohort the facilitator runs (``cohorts``, as ``_facilitated``
    gives them, else read), soonest first, with how many answered and sent their update."""
    if cohorts is None:
        cohorts = _facilitated(user, timezone.now())
    by_pk = {cohort.pk: cohort for cohort in cohorts if cohort.next_pk is not None}
    if not by_pk:
        return []
    rows = (
        Meeting.objects.filter(pk__in=[c.next_pk for c in by_pk.values()])
        .annotate(
            answered=Count("rsvps", distinct=True), updates_in=Count("updates", distinct=True)
        )
        .order_by("starts_at", "pk")
    )
    coming = []
    for meeting in rows:
        meeting.cohort = by_pk[meeting.cohort_id]
        coming.append(
            ComingMeeting(
                meeting=meeting,
                members=meeting.cohort.active_members,
                answered=meeting.answered,
                updates=meeting.updates_in,
            )
        )
    return coming


@dataclass
class FacilitatorHome:
    cohorts: list[Cohort]
    coming: list[ComingMeeting]
    to_prepare: list[Meeting]

    def moments(self) -> list[datetime]:
        """When the dashboard changes by the clock alone: a coming meeting gets close enough
        to need its facilitator, ends (the cohort's next one comes), a meeting enters the
        preparation window or leaves it (it ends)."""
        moments = []
        for next_one in self.coming:
            meeting = next_one.meeting
            moments += [
                meeting.starts_at - timedelta(days=ATTENTION_DAYS),
                meeting.ends_at + INSTANT,
            ]
        moments += [meeting.ends_at for meeting in self.to_prepare]
        moments += [
            cohort.prepare_from - timedelta(days=PREP_DAYS)
            for cohort in self.cohorts
            if cohort.prepare_from is not None
        ]
        return moments


def facilitator_home(user) -> FacilitatorHome:
    """Everything the facilitator's dashboard shows, in three queries."""
    now = timezone.now()
    cohorts = _facilitated(user, now)
    return FacilitatorHome(
        cohorts=cohorts,
        coming=facilitator_coming(user, cohorts=cohorts),
        to_prepare=meetings_to_prepare(user, now=now),
    )


def facilitated_cohort_ids(user) -> list[int]:
    """The cohorts whose rows the facilitator's dashboard shows (one query)."""
    return sorted(cohorts_facilitated_by(user).values_list("pk", flat=True))
