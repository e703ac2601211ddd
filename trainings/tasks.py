"""Celery tasks of trainings: thin wrappers that take ids and plain values and call a service.

Tasks import services, never the other way round: services queue a task by its name
(``selectors.OVERVIEW_TASK``).
"""

from datetime import date

from celery import shared_task

from . import selectors, services


@shared_task(name=selectors.OVERVIEW_TASK)
def count_programme_overview(programme_id: int, first: str, last: str) -> bool:
    """Count and keep a programme dashboard's overview; safe to run twice."""
    return services.programme_overview_count(
        programme_id=programme_id, first=date.fromisoformat(first), last=date.fromisoformat(last)
    )
