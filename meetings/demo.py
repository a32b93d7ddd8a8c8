"""Demo meetings: a monthly series per cohort, with a past and a future."""

from datetime import date, time, timedelta

from django.utils import timezone

from groups.models import Cohort, Membership
from groups.selectors import roster
from meetings import services
from meetings.models import AgendaItem, Attendance, Commitment, Meeting, Rsvp, Series, Topic

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
    for cohort in Cohort.objects.filter(
        status__in=[Cohort.Status.ACTIVE, Cohort.Status.FORMING]
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
            Topic.objects.create(
                owner=member,
                title=title,
                kind=kind,
                importance=importance,
                urgency=urgency,
                estimated_minutes=minutes,
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
        if coming and members:
            nxt = coming[0]
            for i, member in enumerate(members[:-2]):
                Rsvp.objects.create(
                    meeting=nxt, member=member, answer=["yes", "yes", "maybe", "no"][i % 4]
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
