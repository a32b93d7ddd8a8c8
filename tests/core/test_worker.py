import time

import pytest

from core.models import Heartbeat
from core.tasks import heartbeat_record

pytestmark = pytest.mark.worker


def test_task_sent_through_broker_runs_in_worker_process(celery_worker_process):
    heartbeat_record.apply_async(kwargs={"name": "worker-test"}, queue=celery_worker_process.queue)
    deadline = time.monotonic() + 60
    while not Heartbeat.objects.filter(name="worker-test").exists():
        assert time.monotonic() < deadline, celery_worker_process.log.read_text()
        time.sleep(0.2)
    beat = Heartbeat.objects.get(name="worker-test")
    assert beat.count == 1
    assert "peernet.tasks.heartbeat_record" in celery_worker_process.log.read_text()
