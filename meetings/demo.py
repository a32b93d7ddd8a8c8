"""Demo meetings: a monthly series per cohort, with a past and a future."""

from datetime import date, time, timedelta

from django.utils import timezone

from core.versions import HEALTH, version_bump
from groups.models import Cohort, Membership
from groups.selectors import roster
from meetings import services
from meetings.models import (
    AgendaItem,
    Attendance,
    CohortTemplate,
    Commitment,
    Evaluation,
    Meeting,
    MeetingTemplate,
    MemberUpdate,
    Rsvp,
    Series,
    Topic,
)
from members import demo

# Each topic's presentation: the issue in one sentence, background, what was tried, the ask.
PRESENTATIONS = {
    "Should we raise a growth round this year?": (
        "Raise $20M now at a flat valuation, or wait a year and grow into a better one?",
        "Revenue grew 40% last year; runway is 14 months; two funds have offered terms.",
        "Modelled both paths with the CFO; asked two board members.",
        "experience",
    ),
    "Replacing my COO": (
        "My COO is loyal but no longer scales with the company: what do I do?",
        "Seven years together; the operations team has doubled in eighteen months.",
        "A coach for him for six months; split his role in two.",
        "ideas",
    ),
    "A competitor offered to buy us": (
        "Do I take a meeting with the competitor who wants to buy us?",
        "Unsolicited approach from our largest competitor; no banker involved yet.",
        "Nothing yet: I have not told the board.",
        "experience",
    ),
    "Moving manufacturing closer to home": (
        "Should we move production from Asia back to Europe within two years?",
        "Lead times tripled; customers ask for shorter delivery; costs would rise 12%.",
        "Quotes from three plants; a pilot line for one product.",
        "accountability",
    ),
}
UPDATE_HEADLINES = [
    ["Closed the biggest quarter ever", "Daughter started university"],
    ["Lost a key account", "Sleeping badly"],
    ["New head of sales starts Monday"],
    ["Board meeting went well", "Marathon training", "Moving house"],
]

TOPICS = [
    ("Should we raise a growth round this year?", "issue", 9, 8, 45),
    ("Replacing my COO", "issue", 8, 9, 40),
    ("A competitor offered to buy us", "opportunity", 9, 7, 50),
    ("Closed our biggest contract", "celebration", 5, 3, 10),
    ("Moving manufacturing closer to home", "issue", 7, 5, 30),
    ("Quarterly update", "update", 3, 4, 7),
]


def seed_meetings(today: date | None = None) -> None:
    today = today or timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=90)).replace(day=1)
    # Only the demo's own cohorts: `make run` seeds on every start, and a cohort someone made
    # in the running demo keeps the meetings they gave it (none, or their own series).
    demo_slugs = [slug for _, slug, _, _ in (*demo.COHORTS, *demo.EMPTY_COHORTS)]
    for cohort in Cohort.objects.filter(
        slug__in=demo_slugs, status__in=[Cohort.Status.ACTIVE, Cohort.Status.FORMING]
    ).order_by("pk"):
        facilitator = cohort.facilitators.first()
        if facilitator is None or Series.objects.filter(cohort=cohort).exists():
            continue
        # First Tuesday of the month, 08:00 local, four hours.
        start = first + timedelta(days=(1 - first.weekday()) % 7)
        services.series_create(
            cohort=cohort,
            actor=facilitator,
            title="Monthly forum",
            rrule="FREQ=MONTHLY;BYDAY=1TU",
            first_date=start,
            start_time=time(8, 0),
            duration_minutes=240,
            time_zone=cohort.home_time_zone,
            location=cohort.location or "Members' club",
            video_url="",
        )
        # The demo cohorts have met for months: their members joined before the first
        # meeting, so past meetings' rosters (and attendance) include them.
        first_start = cohort.meetings.order_by("starts_at").values_list("starts_at", flat=True)[0]
        Membership.objects.active().filter(cohort=cohort, joined_at__gt=first_start).update(
            joined_at=first_start - timedelta(days=30)
        )
        members = sorted(roster(cohort), key=lambda member: member.email)
        now = timezone.now()
        meetings = list(cohort.meetings.order_by("starts_at"))
        past = [m for m in meetings if m.ends_at < now]
        coming = [m for m in meetings if m.starts_at > now]
        for i, member in enumerate(members):
            title, kind, importance, urgency, minutes = TOPICS[i % len(TOPICS)]
            statement, background, tried, wants = PRESENTATIONS.get(title, ("", "", "", ""))
            Topic.objects.create(
                owner=member,
                title=title,
                kind=kind,
                importance=importance,
                urgency=urgency,
                estimated_minutes=minutes,
                statement=statement,
                background=background,
                tried=tried,
                wants=wants,
            )
        for meeting in past:
            Attendance.objects.bulk_create(
                Attendance(
                    meeting=meeting,
                    member=m,
                    recorded_by=facilitator,
                    status="absent" if (i + meeting.pk) % 9 == 0 else "present",
                )
                for i, m in enumerate(members)
            )
            version_bump(HEALTH)  # bulk_create sends no signal
        if past and members:
            last = past[-1]
            topic = Topic.objects.filter(owner=members[0]).first()
            AgendaItem.objects.create(
                meeting=last,
                topic=topic,
                presenter=members[0],
                minutes=45,
                state="discussed",
                position=1,
            )
            Commitment.objects.create(
                meeting=last,
                owner=members[0],
                created_by=facilitator,
                text="Talk to two investors before deciding",
                due_date=last.local_date + timedelta(days=21),
            )
            if len(members) > 1:
                Commitment.objects.create(
                    meeting=last,
                    owner=members[1],
                    created_by=facilitator,
                    text="Write the COO role description",
                )
            # The attendees' evaluations of the last meeting (the cohort sees the average).
            Evaluation.objects.bulk_create(
                Evaluation(
                    meeting=last,
                    member=m,
                    rating=[9, 8, 7, 10, 8][i % 5],
                    comment="The deep dive changed my mind." if i == 0 else "",
                )
                for i, m in enumerate(members)
                if (i + last.pk) % 9 != 0
            )
        if coming and members:
            nxt = coming[0]
            for i, member in enumerate(members[:-2]):
                Rsvp.objects.create(
                    meeting=nxt, member=member, answer=["yes", "yes", "maybe", "no"][i % 4]
                )
            # Half the members already wrote their update for the next meeting.
            MemberUpdate.objects.bulk_create(
                MemberUpdate(
                    meeting=nxt,
                    member=member,
                    work=[8, 4, 7, 6][i % 4],
                    family=[9, 7, 3, 8][i % 4],
                    personal=[7, 5, 8, 9][i % 4],
                    headlines=UPDATE_HEADLINES[i % len(UPDATE_HEADLINES)],
                    needs_time=i % 4 == 1,
                    time_topic="A key account I lost" if i % 4 == 1 else "",
                )
                for i, member in enumerate(members[: len(members) // 2])
            )
            for position, member in enumerate(members[1:4], start=1):
                topic = Topic.objects.filter(owner=member).first()
                AgendaItem.objects.create(
                    meeting=nxt,
                    topic=topic,
                    presenter=member,
                    minutes=topic.estimated_minutes,
                    position=position,
                )
    assert Meeting.objects.exists()
    seed_templates_and_live_meeting()


FORUM_TEMPLATE = "In-person forum (4 hours)"
LIVE_TITLE = "Forum to run now"


def seed_templates_and_live_meeting() -> None:
    """Every demo cohort and series follows the four-hour forum template, and the first cohort
    has a meeting starting a few minutes from now, with a published agenda, that its
    facilitator can start at once from its runner page. Idempotent."""
    template = MeetingTemplate.objects.filter(name=FORUM_TEMPLATE).first()
    if template is None:
        return
    cohorts = list(Cohort.objects.filter(series__isnull=False).distinct().order_by("pk"))
    for cohort in cohorts:
        CohortTemplate.objects.get_or_create(cohort=cohort, defaults={"template": template})
    Series.objects.filter(cohort__in=cohorts, template__isnull=True).update(template=template)
    if not cohorts or Meeting.objects.filter(title=LIVE_TITLE).exists():
        return
    cohort = cohorts[0]
    facilitator = cohort.facilitators.first()
    soon = (timezone.now() + timedelta(minutes=10)).astimezone(cohort.zone)
    meeting = services.meeting_create(
        cohort=cohort,
        actor=facilitator,
        title=LIVE_TITLE,
        local_date=soon.date(),
        local_time=soon.time().replace(second=0, microsecond=0),
        duration_minutes=240,
        time_zone=cohort.home_time_zone,
        location=cohort.location or "Members' club",
    )
    members = sorted(roster(cohort), key=lambda member: member.email)
    for position, member in enumerate(members[2:4], start=1):
        topic = Topic.objects.filter(owner=member).first()
        if topic is not None:
            AgendaItem.objects.create(
                meeting=meeting,
                topic=topic,
                presenter=member,
                minutes=45,
                position=position,
                state=AgendaItem.State.SCHEDULED,
            )
    Meeting.objects.filter(pk=meeting.pk).update(agenda_published_at=timezone.now())
