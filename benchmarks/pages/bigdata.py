"""Grows a seeded demo database to production scale for the page benchmark.

35,000 members (32,000 seated in 4,000 cohorts, 3,000 approved and waiting in the pool),
100,000 meetings, 200,000 RSVPs, 60,000 topics and 270,000 notifications, written with
bulk inserts in a few minutes. The demo organisation stays as it is, so the benchmark signs in
as the same people at both sizes and only the amount of everyone else's data differs.

Run through `run.py --scale big`; on its own: `python -m benchmarks.pages.bigdata` with
DJANGO_SETTINGS_MODULE and DATABASE_URL set.
"""

import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import django

MEMBERS = 35_000
COHORTS = 4_000
PER_COHORT = 8
MEETINGS_PER_COHORT = 25  # 13 past, 12 to come
RSVPS = 200_000
TOPICS = 60_000
NOTIFICATIONS = 270_000
BATCH = 5_000
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Asia/Singapore",
    "Australia/Sydney",
]


def _step(label: str, started: float) -> float:
    now = time.monotonic()
    print(f"  {label}: {now - started:.1f} s", flush=True)
    return now


def generate(seed: int = 7) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from core import versions
    from core.models import Notification
    from groups.models import Cohort, Membership
    from meetings.models import Meeting, Rsvp, Topic
    from members.choices import Industry, MeetingFormat
    from members.models import Challenge, Profile, RankedChallenge, Role, User

    rng = random.Random(seed)
    started = t = time.monotonic()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    password = make_password(None)  # unusable: nobody signs in as a generated member
    industries = [value for value, _ in Industry.choices]
    challenges = list(Challenge.objects.values_list("pk", flat=True))

    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=f"big{i:05d}@members.example.com",
                    first_name=f"Member{i:05d}",
                    last_name="Big",
                    role=Role.MEMBER,
                    time_zone=ZONES[i % len(ZONES)],
                    password=password,
                )
                for i in range(MEMBERS)
            ],
            batch_size=BATCH,
        )
        t = _step(f"{len(users)} members", t)
        profiles = Profile.objects.bulk_create(
            [
                Profile(
                    user=user,
                    title="Chief Executive",
                    company=f"Company {i:05d}",
                    industry=industries[i % len(industries)],
                    employees=50 + i % 500,
                    years_in_role=1 + i % 20,
                    preferred_format=MeetingFormat.IN_PERSON,
                    approved_at=now - timedelta(days=1 + i % 700),
                )
                for i, user in enumerate(users)
            ],
            batch_size=BATCH,
        )
        RankedChallenge.objects.bulk_create(
            [
                RankedChallenge(profile=profile, challenge_id=pk, rank=rank)
                for profile in profiles
                for rank, pk in enumerate(rng.sample(challenges, 3), start=1)
            ],
            batch_size=BATCH,
        )
        t = _step("profiles and ranked challenges", t)

        # Generated facilitators run ten cohorts each, as real ones do; the demo facilitators
        # keep their own cohorts, so their pages show the same work at both sizes.
        facilitators = User.objects.bulk_create(
            [
                User(
                    email=f"chair{i:03d}@facilitators.example.com",
                    first_name=f"Chair{i:03d}",
                    last_name="Big",
                    role=Role.FACILITATOR,
                    password=password,
                )
                for i in range(COHORTS // 10)
            ],
            batch_size=BATCH,
        )
        cohorts = Cohort.objects.bulk_create(
            [
                Cohort(
                    name=f"Forum {i:04d}",
                    slug=f"forum-{i:04d}",
                    min_size=6,
                    max_size=12,
                    home_time_zone=ZONES[i % len(ZONES)],
                    status=Cohort.Status.ACTIVE,
                )
                for i in range(COHORTS)
            ],
            batch_size=BATCH,
        )
        Cohort.facilitators.through.objects.bulk_create(
            [
                Cohort.facilitators.through(cohort_id=c.pk, user_id=facilitators[i // 10].pk)
                for i, c in enumerate(cohorts)
            ],
            batch_size=BATCH,
        )
        Cohort.themes.through.objects.bulk_create(
            [
                Cohort.themes.through(cohort_id=c.pk, challenge_id=pk)
                for c in cohorts
                for pk in rng.sample(challenges, 2)
            ],
            batch_size=BATCH,
        )
        seated = users[: COHORTS * PER_COHORT]
        Membership.objects.bulk_create(
            [
                Membership(cohort=cohorts[i // PER_COHORT], member=user)
                for i, user in enumerate(seated)
            ],
            batch_size=BATCH,
        )
        t = _step(f"{len(cohorts)} cohorts, {len(seated)} seated", t)

        meetings = []
        for i, cohort in enumerate(cohorts):
            first = now.replace(day=1, hour=13, minute=0) - timedelta(days=31 * 13)
            for k in range(MEETINGS_PER_COHORT):
                starts = first + timedelta(days=31 * k, hours=i % 24)
                meetings.append(
                    Meeting(
                        cohort=cohort,
                        title="Monthly forum",
                        local_date=starts.date(),
                        local_time=starts.time(),
                        time_zone="UTC",
                        duration_minutes=240,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=240),
                        uid=f"{uuid.uuid4()}@peernet",
                    )
                )
        meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        t = _step(f"{len(meetings)} meetings", t)

        rsvps, seen = [], set()
        answers = ["yes", "yes", "yes", "maybe", "no"]
        while len(rsvps) < RSVPS:
            c = rng.randrange(COHORTS)
            meeting = meetings[c * MEETINGS_PER_COHORT + rng.randrange(MEETINGS_PER_COHORT)]
            member = seated[c * PER_COHORT + rng.randrange(PER_COHORT)]
            if (meeting.pk, member.pk) in seen:
                continue
            seen.add((meeting.pk, member.pk))
            rsvps.append(Rsvp(meeting=meeting, member=member, answer=rng.choice(answers)))
        Rsvp.objects.bulk_create(rsvps, batch_size=BATCH)
        t = _step(f"{len(rsvps)} RSVPs", t)

        Topic.objects.bulk_create(
            [
                Topic(
                    owner=users[rng.randrange(MEMBERS)],
                    title=f"Topic {i}",
                    importance=1 + i % 10,
                    urgency=1 + (i * 7) % 10,
                    estimated_minutes=15 + i % 4 * 15,
                )
                for i in range(TOPICS)
            ],
            batch_size=BATCH,
        )
        t = _step(f"{TOPICS} topics", t)

        kinds = ["agenda_prompt", "rsvp_nudge", "reminder"]
        notifications = []
        for i in range(NOTIFICATIONS):
            c = i % COHORTS
            k = (i // COHORTS) % MEETINGS_PER_COHORT
            meeting = meetings[c * MEETINGS_PER_COHORT + k]
            member = seated[c * PER_COHORT + (i // (COHORTS * MEETINGS_PER_COHORT)) % PER_COHORT]
            kind = kinds[(i // COHORTS) % len(kinds)]
            due = meeting.starts_at - timedelta(days=1)
            past = due < now
            notifications.append(
                Notification(
                    kind=kind,
                    subject=f"meeting:{meeting.pk}",
                    scope=f"cohort:{meeting.cohort_id}",
                    recipient=member.email,
                    state=Notification.State.SENT if past else Notification.State.PENDING,
                    due_at=due,
                    sent_at=due if past else None,
                    attempts=1 if past else 0,
                )
            )
        Notification.objects.bulk_create(notifications, batch_size=BATCH, ignore_conflicts=True)
        t = _step(f"{len(notifications)} notifications", t)

    # Bulk inserts send no signals: whatever was cached from them before is out of date.
    versions.version_bump(versions.POOL)
    versions.version_bump(versions.COHORTS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        t = _step("ANALYZE", t)
    print(f"  total: {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    django.setup()
    generate()
