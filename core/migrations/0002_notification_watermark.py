"""The tick's watermark, and when each row was last handed to a send task."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationWatermark",
            fields=[
                ("name", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("planned_through", models.DateTimeField(blank=True, null=True)),
                ("version", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "db_table": "peernet_notificationwatermark",
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["state", "queued_at"], name="notification_state_queued"),
        ),
    ]
