"""Renderers for the portal's reminder mechanism (autodiscovered by the portal app)."""

from django.urls import reverse
from django.utils import timezone

from portal import permissions as portal_permissions
from portal.reminders import ReminderMessage, register, render_email

from .models import Signal
from .services import OVERDUE_REMINDER
from .states import OPEN


@register(OVERDUE_REMINDER)
def render_overdue(reminder) -> ReminderMessage | None:
    """One reminder to a contact person that a signal is past its deadline.

    Skipped when the signal is gone, closed, no longer overdue, or the recipient
    no longer serves the organisation it is with. The mail carries the reference
    and category only, never the signal's content.
    """
    signal = (
        Signal.objects.select_related("category", "organisation")
        .filter(pk=reminder.target_id)
        .first()
    )
    if signal is None or signal.status not in OPEN or signal.deadline_at is None:
        return None
    if signal.deadline_at > timezone.now():
        return None
    recipient = reminder.recipient
    if recipient is None or not recipient.is_active:
        return None
    if not portal_permissions.is_contact_person(recipient, signal.organisation_id):
        return None
    return render_email(
        "signalen/email/overdue",
        {
            "signal": signal,
            "recipient": recipient,
            "path": reverse("signalen:detail", args=[signal.pk]),
        },
    )
