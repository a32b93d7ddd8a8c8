"""Countries typed as free text become ISO 3166-1 alpha-2 codes, on profiles and in every
stored eligibility policy (the one in force and its history), so "USA" meets "United States".

A profile's text that names no country ("Atlantis", "Korea") is not guessed at: the country is
left empty and the text moves to ``country_unmapped``, which the review page shows with a prompt
to choose the country; an empty country also asks the applicant for it before they submit. In a
policy such a value stays as typed (it matches no profile, as before no one typed it the same
way), and the policy editor refuses it at the next save, saying how to fix it.

Backwards, codes become their English names and the unmapped text returns to ``country``.
"""

from django.db import migrations
from django.utils import translation

from members.countries import country_code, country_name
from members.eligibility import rules_with_country_codes, rules_with_country_names


def _profiles_to_codes(Profile):
    for profile in Profile.objects.exclude(country="").only("pk", "country"):
        code = country_code(profile.country)
        # Surrounding spaces carry nothing; a value of only spaces is no country at all.
        unmapped = "" if code else profile.country.strip()
        Profile.objects.filter(pk=profile.pk).update(country=code, country_unmapped=unmapped)


def _profiles_to_names(Profile):
    for profile in Profile.objects.exclude(country="", country_unmapped=""):
        text = country_name(profile.country) if profile.country else profile.country_unmapped
        Profile.objects.filter(pk=profile.pk).update(country=text, country_unmapped="")


def _policies_mapped(Policy, mapped):
    for policy in Policy.objects.all():
        rules = mapped(policy.rules)
        if rules != policy.rules:
            Policy.objects.filter(pk=policy.pk).update(rules=rules)


def forwards(apps, schema_editor):
    _profiles_to_codes(apps.get_model("members", "Profile"))
    _policies_mapped(apps.get_model("members", "EligibilityPolicy"), rules_with_country_codes)


def backwards(apps, schema_editor):
    # The names people typed were English ones, whatever language the command runs in.
    with translation.override("en"):
        _profiles_to_names(apps.get_model("members", "Profile"))
        _policies_mapped(apps.get_model("members", "EligibilityPolicy"), rules_with_country_names)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_profile_country_unmapped")]

    operations = [migrations.RunPython(forwards, backwards)]
