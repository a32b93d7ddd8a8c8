"""Two-factor secrets stored in clear before encryption at rest are encrypted now, with the
first key in PEERNET_MFA_KEYS (members/mfa.py)."""

from django.db import migrations


def encrypt(apps, schema_editor):
    from members.mfa import authenticators_encrypt

    authenticators_encrypt(apps.get_model("mfa", "Authenticator").objects.all(), rotate=False)


def decrypt(apps, schema_editor):
    from members.mfa import authenticators_decrypt

    authenticators_decrypt(apps.get_model("mfa", "Authenticator").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_default_taxonomy"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
