from django.apps import AppConfig


class PeernetConfig(AppConfig):
    name = "peernet"
    verbose_name = "PeerNet infrastructure"

    def ready(self):
        from peernet.request_id import install_log_record_factory

        install_log_record_factory()
