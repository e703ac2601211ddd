"""Celery tasks: e-mail about assignments, forwards and questions; the retention run."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import selectors, services
from .models import SignalEvent

logger = logging.getLogger(__name__)


def _recipients(event: SignalEvent) -> list[tuple[str, str]]:
    """(e-mail address, template) pairs for the people this event concerns."""
    signal = event.signal
    if event.kind == SignalEvent.Kind.ASSIGNED and event.assignee and event.assignee.is_active:
        return [(event.assignee.email, "signalen/email/assigned")]
    if event.kind == SignalEvent.Kind.FORWARDED and event.organisation_id:
        people = selectors.contact_persons_of(organisation_ids=[event.organisation_id])
        return [(person.email, "signalen/email/forwarded") for person in people]
    if event.kind == SignalEvent.Kind.QUESTION and signal.reporter and signal.reporter.is_active:
        return [(signal.reporter.email, "signalen/email/question")]
    return []


@shared_task
def send_signal_event_email(event_id: int) -> int:
    """Mail the people an assignment, forward or question concerns; returns how many.

    The event is claimed first (``notified_at``), so a duplicate or retried task
    sends nothing twice. The mail names the signal by reference and category only:
    its content stays in the portal, behind login and audit.
    """
    claimed = SignalEvent.objects.filter(Q(pk=event_id) & Q(notified_at__isnull=True)).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    event = SignalEvent.objects.select_related(
        "signal__category",
        "signal__organisation",
        "assignee",
        "organisation",
        "actor",
        "signal__reporter",
    ).get(pk=event_id)
    sent = 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            for email, template in _recipients(event):
                if template == "signalen/email/question":
                    path = reverse("signalen:my_detail", args=[event.signal_id])
                else:
                    path = reverse("signalen:detail", args=[event.signal_id])
                context = {
                    "event": event,
                    "signal": event.signal,
                    "url": settings.PORTAL_BASE_URL + path,
                }
                subject = render_to_string(f"{template}_subject.txt", context).strip()
                body = render_to_string(f"{template}_body.txt", context)
                send_mail(subject, body, None, [email])
                sent += 1
    except Exception:
        if sent == 0:
            # Nothing went out: release the claim so a retry can send it.
            SignalEvent.objects.filter(pk=event_id).update(notified_at=None)
        raise
    return sent


@shared_task
def anonymise_closed_signals() -> int:
    """The periodic retention run; returns how many signals were anonymised."""
    done = services.signals_anonymise_expired()
    if done:
        logger.info("Anonymised %d closed signals past their retention period", len(done))
    return len(done)
