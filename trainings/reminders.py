"""Renderers for the trainings reminders (autodiscovered by the portal app).

Each reads the current state of its target and returns None when the message no
longer applies, so a moved, cancelled or already-handled case is skipped, not sent.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reminders import ReminderMessage, register, render_email

from .models import Enrolment, EnrolmentStatus, Reflection, RunStatus, Session
from .scheduling import (
    ENROLMENT_CONFIRMED,
    PROMOTED,
    REFLECTION_INVITE,
    RUN_CANCELLED,
    SESSION_DAY_BEFORE,
    WAITLISTED,
    release_token,
)
from .selectors import enrolment_of


def _session(reminder, *run_statuses: str) -> Session | None:
    return (
        Session.objects.select_related("run", "run__training")
        .filter(pk=reminder.target_id, is_cancelled=False, run__status__in=run_statuses)
        .first()
    )


def _enrolled(session: Session, reminder) -> Enrolment | None:
    return Enrolment.objects.filter(
        run_id=session.run_id, participant_id=reminder.recipient_id, status=EnrolmentStatus.ENROLLED
    ).first()


def _enrolment(reminder) -> Enrolment | None:
    return (
        Enrolment.objects.select_related("run", "run__training", "participant")
        .filter(pk=reminder.target_id)
        .first()
    )


def _first_session(enrolment: Enrolment) -> Session | None:
    return enrolment.run.sessions.filter(is_cancelled=False).order_by("starts_at").first()


def _context(enrolment: Enrolment, **extra) -> dict:
    session = _first_session(enrolment)
    return {
        "enrolment": enrolment,
        "run": enrolment.run,
        "training": enrolment.run.training,
        "session": session,
        "place": session.place if session else enrolment.run.location,
        "recipient": enrolment.participant,
        "run_path": reverse("trainings:run_detail", args=[enrolment.run_id]),
        **extra,
    }


@register(SESSION_DAY_BEFORE, label=_("Herinnering de dag voor een trainingsbijeenkomst"))
def render_day_before(reminder) -> ReminderMessage | None:
    session = _session(reminder, RunStatus.PUBLISHED)
    if session is None or session.starts_at <= timezone.now():
        return None
    enrolment = _enrolled(session, reminder)
    if enrolment is None:
        return None
    return render_email(
        "trainings/email/session_day_before",
        {
            "session": session,
            "training": session.run.training,
            "place": session.place,
            "recipient": reminder.recipient,
            "run_path": reverse("trainings:run_detail", args=[session.run_id]),
        },
    )


@register(REFLECTION_INVITE, label=_("Uitnodiging om een reflectie te schrijven"))
def render_reflection_invite(reminder) -> ReminderMessage | None:
    # A run may be marked completed right after its last session; reflecting still applies.
    session = _session(reminder, RunStatus.PUBLISHED, RunStatus.COMPLETED)
    if session is None:
        return None
    enrolment = _enrolled(session, reminder)
    if enrolment is None:
        return None
    if Reflection.objects.filter(enrolment=enrolment, session=session).exists():
        return None
    return render_email(
        "trainings/email/reflection_invite",
        {
            "session": session,
            "training": session.run.training,
            "place": session.place,
            "recipient": reminder.recipient,
            "path": reverse("trainings:reflection", args=[enrolment.pk, session.pk]),
        },
    )


@register(ENROLMENT_CONFIRMED, label=_("Bevestiging van een inschrijving"))
def render_confirmation(reminder) -> ReminderMessage | None:
    enrolment = _enrolment(reminder)
    if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        return None
    if enrolment.run.status != RunStatus.PUBLISHED:
        return None
    return render_email("trainings/email/enrolment_confirmed", _context(enrolment))


@register(WAITLISTED, label=_("Plaats op de wachtlijst"))
def render_waitlisted(reminder) -> ReminderMessage | None:
    enrolment = _enrolment(reminder)
    if enrolment is None or enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    position = enrolment_of(user=enrolment.participant, run=enrolment.run).waitlist_position
    return render_email("trainings/email/waitlisted", _context(enrolment, position=position))


# Holds the one-click release link: only the subject is kept with the sent reminder.
@register(PROMOTED, keep_body=False, label=_("Van de wachtlijst ingeschreven"))
def render_promoted(reminder) -> ReminderMessage | None:
    enrolment = _enrolment(reminder)
    if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        return None
    if enrolment.run.status != RunStatus.PUBLISHED:
        return None
    release_path = reverse("trainings:release", args=[release_token(enrolment)])
    return render_email("trainings/email/promoted", _context(enrolment, release_path=release_path))


@register(RUN_CANCELLED, label=_("Training geannuleerd"))
def render_run_cancelled(reminder) -> ReminderMessage | None:
    enrolment = _enrolment(reminder)
    if enrolment is None or enrolment.run.status != RunStatus.CANCELLED:
        return None
    return render_email("trainings/email/run_cancelled", _context(enrolment))
