import django_countries.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_country_codes")]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="country",
            field=django_countries.fields.CountryField(blank=True, max_length=2),
        ),
    ]
