from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    # Explicit, so nothing is confused with django.contrib.auth's Group.
    label = "groups"
    verbose_name = "Cohorts"
