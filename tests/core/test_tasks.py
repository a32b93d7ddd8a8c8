"""The core's Celery tasks kept the names they had in the top package: messages queued before
a deploy, and the beat schedule, still find them."""

import pytest
from django.conf import settings

from core import tasks
from peernet.celery import app


def test_core_tasks_keep_their_registered_names():
    assert [
        task.name
        for task in (
            tasks.email_send,
            tasks.heartbeat_record,
            tasks.notifications_dispatch,
            tasks.notifications_send,
        )
    ] == [
        "peernet.tasks.email_send",
        "peernet.tasks.heartbeat_record",
        "peernet.tasks.notifications_dispatch",
        "peernet.tasks.notifications_send",
    ]


# Importing the task modules runs Celery's Django fixup, whose model checks ask SQLite (not
# PostgreSQL) whether it supports JSON fields: a database query.
@pytest.mark.django_db
def test_every_periodic_job_names_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()
    assert scheduled == {
        "peernet.tasks.heartbeat_record",
        "peernet.tasks.notifications_dispatch",
        "meetings.tasks.occurrences_top_up",
        "meetings.tasks.norms_evaluate_all",
        "groups.tasks.renewals_daily",
    }
