import logging
import os
import threading

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")

app = Celery("peernet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def formation_engine_warm(**kwargs) -> None:
    """Compile the formation kernels (or load them from NUMBA_CACHE_DIR) as the process that
    will run tasks starts (each prefork child, or the solo worker itself), so the first run after
    a deploy does not wait for it. In a thread: a prefork child must report for duty quickly,
    and a run that arrives meanwhile shows "compiling" until it is done."""

    def warm() -> None:
        from groups.formation import warmup

        logging.getLogger(__name__).info("Formation engine ready in %.1f s", warmup())

    threading.Thread(target=warm, name="formation-warmup", daemon=True).start()
