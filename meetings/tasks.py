from celery import shared_task

from meetings import norm_services, services


@shared_task
def occurrences_top_up() -> int:
    """Keep every series' occurrences a year ahead."""
    return services.occurrences_top_up()


@shared_task
def norms_evaluate_cohort(cohort_id: int) -> int:
    """After attendance changed: the cohort's norms, again."""
    return norm_services.norms_evaluate(cohort_ids=[cohort_id])


@shared_task
def norms_evaluate_all() -> int:
    """Daily: every active cohort's norms (absences age out of the window, commitments fall
    due)."""
    return norm_services.norms_evaluate()
