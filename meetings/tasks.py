from celery import shared_task

from meetings import services


@shared_task
def occurrences_top_up() -> int:
    """Keep every series' occurrences a year ahead."""
    return services.occurrences_top_up()
