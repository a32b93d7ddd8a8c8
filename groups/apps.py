from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    # Explicit, so nothing is confused with django.contrib.auth's Group.
    label = "groups"
    verbose_name = "Cohorts"

    def ready(self):
        from groups import notification_kinds, signals  # noqa: PLC0415  (registry ready)

        signals.connect()
        notification_kinds.register()
