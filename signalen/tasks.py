"""Celery tasks: the periodic retention run. Signalen mail goes through the portal's reminders."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def anonymise_closed_signals() -> int:
    """The periodic retention run; returns how many signals were anonymised."""
    done = services.signals_anonymise_expired()
    if done:
        logger.info("Anonymised %d closed signals past their retention period", len(done))
    return len(done)
