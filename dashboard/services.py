"""Writes of the composing app: it keeps the counts it composes from several apps."""

from datetime import datetime

from django.utils import timezone

from portal import services as portal_services
from portal.models import Programme

from . import funnel


def awareness_funnel_count(*, programme_id: int, year: int) -> bool:
    """Count a programme's funnel for ``year`` and keep it (the task calls this; safe to run
    twice). False when the programme no longer exists."""
    if not Programme.objects.filter(pk=programme_id).exists():
        return False
    now = timezone.now()
    portal_services.figures_snapshot_store(
        key=funnel.funnel_key(programme_id=programme_id, year=year),
        figures=funnel.to_json(funnel.awareness_funnel(programme_id=programme_id, year=year)),
        computed_at=now,
    )
    return True


def awareness_funnel_request(*, programme_id: int, year: int, now: datetime) -> None:
    """Ask for a new count of a programme's funnel for ``year`` (queued after the commit)."""
    portal_services.figures_snapshot_request(
        key=funnel.funnel_key(programme_id=programme_id, year=year),
        task=funnel.FUNNEL_TASK,
        args=[programme_id, year],
        now=now,
    )
