from django.apps import AppConfig

from core.request_id import install_log_record_factory


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "PeerNet core"

    def ready(self):
        install_log_record_factory()
        from core import versioned  # noqa: PLC0415  (imports models: the registry is ready)

        versioned.connect()
