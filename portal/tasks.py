"""Celery tasks of the kernel: the reminder dispatcher and senders, and the login-record purge.

Tasks import services, never the other way round: services queue a send by its name
(``services.SEND_REMINDERS_TASK``).
"""

from celery import shared_task

from . import services


@shared_task
def purge_login_events() -> int:
    return services.login_events_purge()


@shared_task
def open_role_review_if_due() -> int | None:
    """Open the yearly role review when it is due; returns its id, or None when not due."""
    review = services.role_review_open_if_due()
    return review.pk if review else None


@shared_task
def dispatch_due_reminders() -> int:
    """Beat's round: plan due digests and send what is due over one SMTP connection.

    Safe to run twice or side by side: each row is claimed before its mail goes out.
    Returns how many reminders it handled (sent, skipped or failed).
    """
    return services.reminders_send_due().handled


@shared_task(name=services.SEND_REMINDERS_TASK)
def send_reminders(reminder_ids: list[int]) -> int:
    """Send these reminders if due, in one batch (``reminders_send_soon`` queues this)."""
    return services.reminders_send(reminder_ids=reminder_ids).handled


@shared_task(name=services.SEND_REMINDER_TASK)
def send_reminder(reminder_id: int) -> str:
    """Send one reminder at most once; returns its status afterwards."""
    return services.reminder_send(reminder_id=reminder_id)


@shared_task
def retention_run() -> dict[str, int]:
    """Beat's daily retention run over every registered rule; returns the count per kind.

    Safe to run twice or side by side: each rule locks its due rows (SKIP LOCKED) and a
    treated row is no longer due.
    """
    return {outcome.kind: outcome.count for outcome in services.retention_run()}
