from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    # Explicit, so nothing is confused with django.contrib.auth's Group.
    label = "groups"
    verbose_name = "Cohorts"

    def ready(self):
        from groups import signals  # noqa: PLC0415  (imports models: registry ready)

        signals.connect()
