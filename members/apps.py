from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self) -> None:
        from members import mfa, notification_kinds, renewal_notifications  # noqa: PLC0415  (imports models: registry ready)

        notification_kinds.register()
        mfa.register()
        renewal_notifications.register()
