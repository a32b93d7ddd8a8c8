from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from meetings import notification_kinds  # noqa: PLC0415  (imports models: registry ready)

        notification_kinds.register()
