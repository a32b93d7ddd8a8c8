"""The ledger's models moved from the top package to core with their tables: a database
migrated before the move keeps its rows, and nothing is created or dropped."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests import factories

BEFORE = [("peernet", "0003_demo_account"), ("core", None)]
AFTER = [("peernet", "0004_models_moved_to_core"), ("core", "0001_initial")]


def migrate(targets):
    """Migrate the ledger's two apps to `targets` (every other app stays where it is) and
    return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.fixture(autouse=True)
def latest_migrations_afterwards():
    """These tests take the schema back to before the move; every later test needs it whole."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_through_core_after_it():
    old = migrate(BEFORE)
    user = factories.user_create(email="ada@example.com")
    now = timezone.now()
    old.get_model("peernet", "Heartbeat").objects.create(name="scheduler", beat_at=now, count=3)
    old.get_model("peernet", "Notification").objects.create(
        kind="reminder",
        subject="meeting:1",
        scope="meeting:1",
        recipient="ada@example.com",
        user_id=user.pk,
        due_at=now,
    )
    old.get_model("peernet", "NotificationOptOut").objects.create(user_id=user.pk, kind="reminder")
    old.get_model("peernet", "DemoAccount").objects.create(user_id=user.pk)

    new = migrate(AFTER)

    assert list(new.get_model("core", "Heartbeat").objects.values_list("name", "count")) == [
        ("scheduler", 3)
    ]
    assert list(
        new.get_model("core", "Notification").objects.values_list("kind", "recipient", "user_id")
    ) == [("reminder", "ada@example.com", user.pk)]
    assert list(
        new.get_model("core", "NotificationOptOut").objects.values_list("user_id", "kind")
    ) == [(user.pk, "reminder")]
    assert list(new.get_model("core", "DemoAccount").objects.values_list("user_id", flat=True)) == [
        user.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_table_names_and_their_content_types():
    ContentType = migrate(BEFORE).get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label__in=["peernet", "core"]).delete()
    ContentType.objects.create(app_label="peernet", model="notification")
    tables_before = set(connection.introspection.table_names())

    new = migrate(AFTER)

    assert set(connection.introspection.table_names()) == tables_before
    assert [
        new.get_model("core", name)._meta.db_table
        for name in ("Heartbeat", "Notification", "NotificationOptOut", "DemoAccount")
    ] == [
        "peernet_heartbeat",
        "peernet_notification",
        "peernet_notificationoptout",
        "peernet_demoaccount",
    ]
    moved = new.get_model("contenttypes", "ContentType").objects.filter(model="notification")
    assert list(moved.values_list("app_label", flat=True)) == ["core"]
