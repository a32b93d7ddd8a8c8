from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0004_encrypt_mfa_secrets")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="country_unmapped",
            field=models.CharField(blank=True, max_length=100, verbose_name="country as typed"),
        ),
    ]
