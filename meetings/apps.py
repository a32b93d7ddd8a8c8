from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # Both import models: the registry is ready by now.
        from meetings import (  # noqa: PLC0415
            forum_notifications,
            norm_notifications,
            notification_kinds,
        )

        notification_kinds.register()
        forum_notifications.register()
        norm_notifications.register()
