"""The models moved to the core app (core/migrations/0001_initial.py), tables, rows and all:
here they leave the top package's state only; nothing happens in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("peernet", "0003_demo_account"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="DemoAccount"),
                migrations.DeleteModel(name="Heartbeat"),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationOptOut"),
            ],
        ),
    ]
