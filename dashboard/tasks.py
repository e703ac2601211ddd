"""Celery tasks of the composing app: thin wrappers that take ids and call a service."""

from celery import shared_task

from . import funnel, services


@shared_task(name=funnel.FUNNEL_TASK)
def count_awareness_funnel(programme_id: int, year: int) -> bool:
    """Count and keep a programme's bewustwording funnel for a year; safe to run twice."""
    return services.awareness_funnel_count(programme_id=programme_id, year=year)
