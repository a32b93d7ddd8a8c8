import django.utils.timezone
from django.db import migrations, models


def answered_when_last_updated(apps, schema_editor):
    # The first answer's time was not kept: the last change is the best estimate.
    Rsvp = apps.get_model("meetings", "Rsvp")
    Rsvp.objects.update(answered_at=models.F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0009_group_norms"),
    ]

    operations = [
        migrations.AddField(
            model_name="rsvp",
            name="answered_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(answered_when_last_updated, migrations.RunPython.noop),
    ]
