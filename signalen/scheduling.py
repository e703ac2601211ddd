"""When a signal is due, and what e-mail it plans in the portal's reminder table.

Deadlines count working days (``portal.workdays``). Every signalen mail is a reminder
kind: the overdue reminder at the deadline, and the mail about an event, due at once: a
new or forwarded signal to the receiving meldpunt, an assignment to the assignee, and a
question, shared feedback or the closing to the reporter. The services call these inside
their transactions, so a mail is planned with the change it is about or not at all; the
portal's dispatcher sends it exactly once and lists it under "Mijn herinneringen". Who
gets which mail is decided here; the renderers in ``reminders`` only check that it still
applies.
"""

from datetime import datetime

from django.conf import settings

from portal import permissions as portal_permissions
from portal import services as portal_services
from portal.models import ReminderStatus, User
from portal.selectors import contact_persons_of
from portal.workdays import add_working_days

from .models import Signal, SignalEvent
from .states import AWAITING_PICKUP, Status

OVERDUE_REMINDER = "signalen.overdue"
ASSIGNED_MAIL = "signalen.assigned"
FORWARDED_MAIL = "signalen.forwarded"
QUESTION_MAIL = "signalen.question"
NEW_MAIL = "signalen.new"
FEEDBACK_MAIL = "signalen.feedback"
CLOSED_MAIL = "signalen.closed"
# The timeline events someone is e-mailed about, and the reminder kind of that mail.
# Feedback given while closing is not mailed on its own: the closing mail covers it.
EVENT_MAIL_KINDS = {
    SignalEvent.Kind.REPORTED: NEW_MAIL,
    SignalEvent.Kind.ASSIGNED: ASSIGNED_MAIL,
    SignalEvent.Kind.FORWARDED: FORWARDED_MAIL,
    SignalEvent.Kind.QUESTION: QUESTION_MAIL,
    SignalEvent.Kind.FEEDBACK: FEEDBACK_MAIL,
    SignalEvent.Kind.CLOSED: CLOSED_MAIL,
}
# Mails to the reporter, about their own signal.
REPORTER_EVENT_KINDS = frozenset(
    {SignalEvent.Kind.QUESTION, SignalEvent.Kind.FEEDBACK, SignalEvent.Kind.CLOSED}
)


# --- deadlines -----------------------------------------------------------------------------


def deadline_for(*, status: str, received_at: datetime, last_activity_at: datetime):
    """When an open signal becomes overdue, or None for a closed one.

    Waiting for pick-up (new, or forwarded to this meldpunt) counts from when it
    arrived; in progress counts from the last change.
    """
    if status in AWAITING_PICKUP:
        return add_working_days(received_at, settings.SIGNALEN_PICKUP_WORKING_DAYS)
    if status == Status.IN_PROGRESS:
        return add_working_days(last_activity_at, settings.SIGNALEN_STALE_WORKING_DAYS)
    return None


# --- the overdue reminder ------------------------------------------------------------------


def _overdue_recipients(signal: Signal) -> list[User]:
    if signal.status in AWAITING_PICKUP:
        return list(contact_persons_of(organisation_ids=[signal.organisation_id]))
    if signal.status == Status.IN_PROGRESS:
        assignee = signal.assignee
        if assignee is not None and portal_permissions.is_contact_person(
            assignee, signal.organisation_id
        ):
            return [assignee]
        return list(contact_persons_of(organisation_ids=[signal.organisation_id]))
    return []


def sync_overdue_reminders(*, signal: Signal) -> None:
    """Plan the one overdue reminder at the signal's deadline for whoever must act now.

    Unsent reminders of people who no longer need to act are cancelled; the portal's
    mechanism makes sure a person gets this reminder for this signal at most once.
    """
    portal_services.reminder_cancel(target=signal, kind=OVERDUE_REMINDER)
    if signal.deadline_at is None:
        return
    for person in _overdue_recipients(signal):
        portal_services.reminder_plan(
            kind=OVERDUE_REMINDER, target=signal, due_at=signal.deadline_at, recipient=person
        )


# --- mail about an event -------------------------------------------------------------------


def event_mail_recipients(event: SignalEvent) -> list[User]:
    """The people an event concerns; nobody for other events, and never the one who acted.

    Reported or forwarded: the active contact persons of the receiving organisation.
    Assigned: the assignee. Question, feedback or closed: the reporter, if still known.
    """
    if event.kind == SignalEvent.Kind.ASSIGNED:
        people = [event.assignee] if event.assignee is not None else []
    elif event.kind in (SignalEvent.Kind.REPORTED, SignalEvent.Kind.FORWARDED):
        people = (
            list(contact_persons_of(organisation_ids=[event.organisation_id]))
            if event.organisation_id
            else []
        )
    elif event.kind in REPORTER_EVENT_KINDS:
        reporter = event.signal.reporter
        people = [reporter] if reporter is not None else []
    else:
        people = []
    return [person for person in people if person.is_active and person.pk != event.actor_id]


def event_mail_plan(*, event: SignalEvent) -> None:
    """Plan the mail about ``event`` to each person it concerns, due at once, sent after commit."""
    kind = EVENT_MAIL_KINDS.get(event.kind)
    if kind is None:
        return
    planned = [
        portal_services.reminder_plan(
            kind=kind, target=event, recipient=person, due_at=event.created_at
        )
        for person in event_mail_recipients(event)
    ]
    portal_services.reminders_send_soon(
        reminder_ids=[r.pk for r in planned if r.status == ReminderStatus.PLANNED]
    )
