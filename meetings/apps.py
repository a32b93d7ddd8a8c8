from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # Both import models: the registry is ready by now.
        from meetings import forum_notifications, notification_kinds  # noqa: PLC0415

        notification_kinds.register()
        forum_notifications.register()
