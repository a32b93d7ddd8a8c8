"""The notification ledger's models, the scheduler heartbeat and the demo marker moved here
from the top package ("peernet"). Their tables keep their names (db_table) and their rows: this
migration only tells Django's state that core owns them (peernet 0004 forgets them there), and
moves their content types, so permissions granted on them survive."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["heartbeat", "demoaccount", "notification", "notificationoptout"]


def content_types_move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label="core", model=model).exists():
            ContentType.objects.using(db).filter(app_label="peernet", model=model).update(
                app_label="core"
            )


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label="peernet", model=model).exists():
            ContentType.objects.using(db).filter(app_label="core", model=model).update(
                app_label="peernet"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        # The tables exist already: the top package's migrations created them.
        ("peernet", "0003_demo_account"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Heartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, unique=True)),
                        ('beat_at', models.DateTimeField()),
                        ('count', models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'peernet_heartbeat',
                    },
                ),
                migrations.CreateModel(
                    name='DemoAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seeded_at', models.DateTimeField(auto_now=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='demo_account', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'peernet_demoaccount',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=32)),
                        ('subject', models.CharField(max_length=120)),
                        ('scope', models.CharField(db_index=True, max_length=60)),
                        ('recipient', models.EmailField(max_length=254)),
                        ('context', models.JSONField(blank=True, default=dict)),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('skipped', 'Skipped'), ('failed', 'Failed')], default='pending', max_length=8)),
                        ('due_at', models.DateTimeField()),
                        ('retry_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('claim_token', models.UUIDField(blank=True, db_index=True, null=True)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('skip_reason', models.CharField(blank=True, max_length=200)),
                        ('last_error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'peernet_notification',
                        'ordering': ['due_at', 'id'],
                        'indexes': [models.Index(fields=['state', 'due_at'], name='notification_state_due')],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'subject', 'recipient'), name='notification_once')],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationOptOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=32)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_opt_outs', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'peernet_notificationoptout',
                        'constraints': [models.UniqueConstraint(fields=('user', 'kind'), name='notification_opt_out_once')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_back),
    ]
