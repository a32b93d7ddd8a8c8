from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        # All import models: the registry is ready by now. norm_signals connects on import.
        from meetings import (  # noqa: PLC0415
            forum_notifications,
            norm_notifications,
            norm_signals,  # noqa: F401
            notification_kinds,
        )

        notification_kinds.register()
        forum_notifications.register()
        norm_notifications.register()
