"""Celery tasks: the periodic retention run. Signalen mail goes through the portal's reminders."""

import logging

from celery import shared_task

from . import audit, services

logger = logging.getLogger(__name__)


@shared_task
def anonymise_closed_signals() -> int:
    """The periodic retention run; returns how many signals were anonymised."""
    done = services.signals_anonymise_expired()
    if done:
        logger.info("Anonymised %d closed signals past their retention period", len(done))
    return len(done)


@shared_task
def anchor_audit_chain() -> int:
    """The periodic anchor of the audit chain's head outside the database; returns its seq."""
    return audit.audit_anchor().seq
