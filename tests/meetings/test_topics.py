"""A topic's score (importance × urgency × times raised) stays in range and computable."""

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse

from groups.models import Membership
from meetings import selectors, services
from meetings.models import SCORE, Topic
from tests import factories


@pytest.fixture
def alice(cohort):
    member = factories.pool_member_create(first="Alice", last="Able")
    Membership.objects.create(cohort=cohort, member=member)
    return member


def topic_fields(**overrides):
    fields = {
        "title": "Pricing",
        "details": "",
        "kind": "issue",
        "importance": "10",
        "urgency": "10",
        "times_raised": "328",
        "estimated_minutes": "30",
    }
    return {**fields, **overrides}


def test_topic_form_refuses_times_raised_beyond_the_bound(client, alice):
    client.force_login(alice)
    response = client.post(reverse("topic_list"), topic_fields())
    assert response.context["form"].errors == {
        "times_raised": ["Enter how often the topic came up, from 1 to 100."]
    }
    html = response.content.decode()
    assert '<input type="number" name="times_raised" value="328" min="1" max="100"' in html, html
    assert not Topic.objects.exists()
    edit = services.topic_save(
        owner=alice, title="Hiring", kind="issue", importance=5, urgency=5, estimated_minutes=5
    )
    response = client.post(reverse("topic_edit", args=[edit.pk]), topic_fields())
    assert response.context["form"].errors == {
        "times_raised": ["Enter how often the topic came up, from 1 to 100."]
    }
    edit.refresh_from_db()
    assert edit.times_raised == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("times_raised", 328),
        ("times_raised", 0),
        ("importance", 11),
        ("urgency", 0),
        ("estimated_minutes", 241),
    ],
)
def test_database_refuses_scores_out_of_range(alice, field, value):
    topic = services.topic_save(
        owner=alice, title="Pricing", kind="issue", importance=5, urgency=5, estimated_minutes=5
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(**{field: value})


def test_posting_a_topic_counts_up_to_the_bound_only(cohort, facilitator, alice):
    meetings = [
        services.meeting_create(
            cohort=cohort,
            actor=facilitator,
            title=f"Forum {n}",
            local_date=date.today() + timedelta(days=7 * n),
            local_time=time(8, 0),
            duration_minutes=120,
            time_zone="America/New_York",
        )
        for n in (1, 2)
    ]
    topic = services.topic_save(
        owner=alice,
        title="Pricing",
        kind="issue",
        importance=10,
        urgency=10,
        times_raised=99,
        estimated_minutes=30,
    )
    for meeting in meetings:
        services.topic_post(topic=topic, meeting=meeting, actor=alice, minutes=30)
    topic.refresh_from_db()
    assert topic.times_raised == 100


def test_score_is_computed_in_a_wide_type(cohort, alice):
    assert isinstance(SCORE.output_field, models.BigIntegerField)
    if connection.vendor != "postgresql":
        return  # SQLite has one integer type
    topic = services.topic_save(
        owner=alice, title="Pricing", kind="issue", importance=10, urgency=10, estimated_minutes=5
    )
    with connection.cursor() as cursor:
        # Rows from before the bounds (DDL is rolled back with the test's transaction).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE meetings_topic DROP CONSTRAINT topic_scores_in_range")
    Topic.objects.filter(pk=topic.pk).update(times_raised=32767)
    assert [t.score_value for t in selectors.backlog(alice)] == [3276700]
    assert [row["score"] for row in selectors.suggest_presenters(cohort)] == [3276700]


def test_highest_scores_show_on_the_parking_lot_and_presenters_pages(
    client, facilitator, cohort, alice
):
    services.topic_save(
        owner=alice,
        title="Pricing",
        kind="issue",
        importance=10,
        urgency=10,
        times_raised=100,
        estimated_minutes=30,
    )
    client.force_login(alice)
    lot = " ".join(client.get(reverse("topic_list")).content.decode().split())
    assert "<td>10000 (10 × 10 × 100)</td>" in lot
    client.force_login(facilitator)
    rows = client.get(reverse("presenters", args=[cohort.slug])).context["rows"]
    assert [(r["member"].display_name, r["score"]) for r in rows] == [("Alice Able", 10000)]
