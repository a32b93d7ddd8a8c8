import logging
import os
import threading
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")

app = Celery("peernet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def broker_folders_create(sender: Celery, **kwargs) -> None:
    """The embedded (filesystem) broker needs its folders before the first message: made when
    Celery first reads its configuration, in a worker starting or a process sending a task,
    not when the settings are imported."""
    options = sender.conf.broker_transport_options or {}
    for key in BROKER_FOLDERS:
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.worker_process_init.connect
def formation_engine_warm(**kwargs) -> None:
    """Compile the formation kernels (or load them from NUMBA_CACHE_DIR) as the process that
    will run tasks starts (each prefork child, or the solo worker itself), so the first run after
    a deploy does not wait for it; then the URLconf. In a thread: a prefork child must report
    for duty quickly, and a run that arrives meanwhile shows "compiling" until it is done."""

    def warm() -> None:
        from django.urls import get_resolver  # noqa: PLC0415

        # Only worker processes load numba and the solver; the web never needs them.
        from groups.formation import warmup  # noqa: PLC0415

        logging.getLogger(__name__).info("Formation engine ready in %.1f s", warmup())
        # The links in every email are reversed: load the URLconf (every view module, about
        # 2 s of CPU) now rather than in the first batch of notifications.
        get_resolver().url_patterns  # noqa: B018

    threading.Thread(target=warm, name="formation-warmup", daemon=True).start()
