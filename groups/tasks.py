from celery import shared_task

from groups import formation_services, renewal_services


@shared_task(time_limit=900, soft_time_limit=840)
def formation_run(run_id: int) -> None:
    formation_services.run_execute(run_id=run_id)


@shared_task
def renewals_daily() -> dict:
    """Daily: renewals open, prompts go out, unanswered ones lapse after the grace period and
    lapsed members' seats end, approved company changes are checked against cohort-mates."""
    return renewal_services.renewals_daily()
