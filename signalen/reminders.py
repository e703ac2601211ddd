"""Renderers for the signalen mails (autodiscovered by the portal app).

Every mail names the signal by reference and category only, never its content: that
stays in the portal, behind login and audit. Who gets which mail is decided when it is
planned (``scheduling``); a renderer returns None when it no longer applies.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import permissions as portal_permissions
from portal.reminders import ReminderMessage, register, render_email

from . import permissions, selectors
from .audit import ANCHOR_MAIL, entry_is_genuine
from .models import AuditEntry, Signal, SignalEvent
from .scheduling import (
    ASSIGNED_MAIL,
    CLOSED_MAIL,
    FEEDBACK_MAIL,
    FORWARDED_MAIL,
    NEW_MAIL,
    OVERDUE_REMINDER,
    QUESTION_MAIL,
)
from .states import OPEN


@register(OVERDUE_REMINDER, label=_("Signaal over de termijn"))
def render_overdue(reminder) -> ReminderMessage | None:
    """One reminder to a contact person that a signal is past its deadline.

    Skipped when the signal is gone, closed, no longer overdue, or the recipient
    no longer serves the organisation it is with.
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


def _event(reminder, kind: str) -> SignalEvent | None:
    """The event a mail is about, if its recipient is still an active account."""
    if reminder.recipient is None or not reminder.recipient.is_active:
        return None
    return (
        SignalEvent.objects.select_related(
            "signal__category", "signal__reporter", "assignee", "organisation", "actor"
        )
        .filter(pk=reminder.target_id, kind=kind)
        .first()
    )


def _render(template: str, event: SignalEvent, path: str, recipient=None) -> ReminderMessage:
    context = {"event": event, "signal": event.signal, "url": settings.PORTAL_BASE_URL + path}
    if recipient is not None:
        # Named as the recipient may see them: an anonymous reporter stays "de melder".
        context["actor_name"] = selectors.ActorNames(user=recipient, signal=event.signal).name(
            event.actor
        )
    return render_email(template, context)


@register(ASSIGNED_MAIL, label=_("Signaal aan jou toegewezen"))
def render_assigned(reminder) -> ReminderMessage | None:
    """To the assignee; skipped once they can no longer open the signal."""
    event = _event(reminder, SignalEvent.Kind.ASSIGNED)
    if event is None or not permissions.can_view_signal(reminder.recipient, event.signal):
        return None
    return _render(
        "signalen/email/assigned",
        event,
        reverse("signalen:detail", args=[event.signal_id]),
        recipient=reminder.recipient,
    )


def _to_receiving_meldpunt(reminder, kind: str, template: str) -> ReminderMessage | None:
    """To a contact person of the receiving organisation, while they serve it."""
    event = _event(reminder, kind)
    if event is None or not portal_permissions.is_contact_person(
        reminder.recipient, event.organisation_id
    ):
        return None
    return _render(template, event, reverse("signalen:detail", args=[event.signal_id]))


@register(NEW_MAIL, label=_("Nieuw signaal voor je organisatie"))
def render_new(reminder) -> ReminderMessage | None:
    """A new signal, to a contact person of the organisation it was reported to."""
    return _to_receiving_meldpunt(reminder, SignalEvent.Kind.REPORTED, "signalen/email/new")


@register(FORWARDED_MAIL, label=_("Signaal doorgestuurd naar je organisatie"))
def render_forwarded(reminder) -> ReminderMessage | None:
    """A forwarded signal, to a contact person of the organisation it was forwarded to."""
    return _to_receiving_meldpunt(reminder, SignalEvent.Kind.FORWARDED, "signalen/email/forwarded")


def _to_reporter(reminder, kind: str, template: str) -> ReminderMessage | None:
    """To the reporter, linking to their own signal page; skipped once they are unknown."""
    event = _event(reminder, kind)
    if event is None or event.signal.reporter_id != reminder.recipient_id:
        return None
    return _render(template, event, reverse("signalen:my_detail", args=[event.signal_id]))


@register(QUESTION_MAIL, label=_("Vraag over je signaal"))
def render_question(reminder) -> ReminderMessage | None:
    return _to_reporter(reminder, SignalEvent.Kind.QUESTION, "signalen/email/question")


@register(FEEDBACK_MAIL, label=_("Terugkoppeling op je signaal"))
def render_feedback(reminder) -> ReminderMessage | None:
    return _to_reporter(reminder, SignalEvent.Kind.FEEDBACK, "signalen/email/feedback")


@register(CLOSED_MAIL, label=_("Je signaal is afgesloten"))
def render_closed(reminder) -> ReminderMessage | None:
    return _to_reporter(reminder, SignalEvent.Kind.CLOSED, "signalen/email/closed")


@register(ANCHOR_MAIL, security=True)
def render_audit_anchor(reminder) -> ReminderMessage | None:
    """To the auditor: the chain's head (sequence and hash) on the day it was anchored.

    Rendered from the head row itself; a row whose hash does not match its fields (changed
    between the anchor and the mail) is reported as such instead of passed on.
    """
    entry = AuditEntry.objects.filter(pk=reminder.target_id).first()
    if entry is None:
        return None
    return render_email(
        "signalen/email/audit_anchor",
        {"entry": entry, "genuine": entry_is_genuine(entry), "anchored_at": reminder.due_at},
    )
