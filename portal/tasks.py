from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import selectors, services
from .models import Invitation


@shared_task
def send_invitation_email(invitation_id: int, token: str) -> bool:
    """Mail the sign-up link; skipped once the invitation is no longer open."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open():
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "url": settings.PORTAL_BASE_URL + reverse("invitation_accept", args=[token]),
        }
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return True


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


@shared_task
def send_reminder(reminder_id: int) -> str:
    return services.reminder_send(reminder_id=reminder_id)
