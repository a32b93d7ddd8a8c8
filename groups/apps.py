from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    # Explicit, so nothing is confused with django.contrib.auth's Group.
    label = "groups"
    verbose_name = "Cohorts"

    def ready(self):
        from django.db.models.signals import post_save  # noqa: PLC0415

        from groups import notification_kinds, renewal_services, signals  # noqa: PLC0415
        from members.models import CompanyChangeRequest  # noqa: PLC0415

        signals.connect()
        post_save.connect(
            renewal_services.company_change_approved,
            sender=CompanyChangeRequest,
            dispatch_uid="company-change-approved",
        )
        notification_kinds.register()
