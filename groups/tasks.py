from celery import shared_task

from groups import formation_services


@shared_task(time_limit=900, soft_time_limit=840)
def formation_run(run_id: int) -> None:
    formation_services.run_execute(run_id=run_id)
