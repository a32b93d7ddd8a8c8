# Loaded with Django so that @shared_task binds to the PeerNet Celery app.
from peernet.celery import app as celery_app

__all__ = ["celery_app"]
