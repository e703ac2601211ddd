"""Celery tasks of the kernel: the reminder dispatcher and sender, and the login-record purge.

Tasks import services, never the other way round: services queue a send by its name
(``services.SEND_REMINDER_TASK``).
"""

from celery import shared_task

from . import selectors, services


@shared_task
def purge_login_events() -> int:
    return services.login_events_purge()


@shared_task
def open_role_review_if_due() -> int | None:
    """Open the yearly role review when it is due; returns its id, or None when not due."""
    review = services.role_review_open_if_due()
    return review.pk if review else None


# Per run of the dispatcher; the rest waits for the next run, two minutes later.
DISPATCH_BATCH = 500


@shared_task
def dispatch_due_reminders() -> int:
    """Queue a send task per due reminder; sending twice is prevented by ``reminder_send``."""
    due = selectors.reminder_ids_due(limit=DISPATCH_BATCH)
    for reminder_id in due:
        send_reminder.delay(reminder_id)
    return len(due)


@shared_task(name=services.SEND_REMINDER_TASK)
def send_reminder(reminder_id: int) -> str:
    """Send one reminder at most once (``reminders_send_soon`` queues this by its name)."""
    return services.reminder_send(reminder_id=reminder_id)
