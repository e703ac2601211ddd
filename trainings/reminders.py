"""Renderers for the trainings reminders (autodiscovered by the portal app).

Each reads the current state of its target and returns None when the message no
longer applies, so a moved, cancelled or already-handled case is skipped, not sent.

Mails about a place or a session carry one RFC 5545 item per session (``ical``):
``REQUEST`` with a confirmation, a move up from the waiting list or a moved session,
``CANCEL`` with a cancelled session or run. Each has the session's UID from the personal
feed and its current SEQUENCE, so calendar apps update or remove the item they have.
"""

import dataclasses
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from portal.reminders import MailAttachment, ReminderMessage, register, render_email

from . import ical, mailing
from .models import (
    ApprovalStatus,
    Enrolment,
    EnrolmentEpisode,
    EnrolmentStatus,
    Idea,
    IdeaStatusChange,
    ManagerApproval,
    Reflection,
    Run,
    RunMailing,
    RunStatus,
    Session,
    SessionChange,
)
from .scheduling import (
    APPROVAL_ANSWERED,
    APPROVAL_ASKED,
    APPROVAL_REMINDER,
    ENROLMENT_CONFIRMED,
    EVALUATION,
    EVALUATION_REMINDER,
    FOLLOWUP,
    IDEA_PROPOSED,
    IDEA_STATUS_CHANGED,
    PROMOTED,
    REFLECTION_INVITE,
    RUN_CANCELLED,
    RUN_MAILING,
    SESSION_CANCELLED,
    SESSION_DAY_BEFORE,
    SESSION_MOVED,
    WAITLISTED,
    approval_token,
    followup_weeks,
    release_token,
)
from .selectors import enrolment_of, evaluation_state, followup_state
from .services import approval_is_open


def _with_calendar(
    message: ReminderMessage, sessions: Iterable[Session], *, method: str, reminder
) -> ReminderMessage:
    """The message with one calendar item per session attached."""
    items = tuple(
        MailAttachment(
            filename=f"bijeenkomst-{session.pk}.ics",
            content=ical.session_itip(
                session, method=method, attendee_email=reminder.recipient_email
            ),
            mimetype=f"text/calendar; method={method}",
        )
        for session in sessions
    )
    return dataclasses.replace(message, attachments=message.attachments + items)


def _coming_sessions(enrolment: Enrolment, *, include_cancelled: bool = False) -> list[Session]:
    sessions = Session.objects.filter(run_id=enrolment.run_id, ends_at__gt=timezone.now())
    if not include_cancelled:
        sessions = sessions.filter(is_cancelled=False)
    sessions = sessions.select_related("run", "run__training").order_by("starts_at", "pk")
    return list(sessions)


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
    """The enrolment of the episode a mail is about, while that episode is still current."""
    episode = (
        EnrolmentEpisode.objects.select_related(
            "enrolment__run__training", "enrolment__participant"
        )
        .filter(pk=reminder.target_id)
        .first()
    )
    if episode is None:
        return None
    if EnrolmentEpisode.objects.filter(
        enrolment_id=episode.enrolment_id, pk__gt=episode.pk
    ).exists():
        return None
    return episode.enrolment


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
    message = render_email("trainings/email/enrolment_confirmed", _context(enrolment))
    return _with_calendar(
        message, _coming_sessions(enrolment), method=ical.REQUEST, reminder=reminder
    )


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
    message = render_email(
        "trainings/email/promoted", _context(enrolment, release_path=release_path)
    )
    return _with_calendar(
        message, _coming_sessions(enrolment), method=ical.REQUEST, reminder=reminder
    )


@register(RUN_CANCELLED, label=_("Training geannuleerd"))
def render_run_cancelled(reminder) -> ReminderMessage | None:
    enrolment = _enrolment(reminder)
    if enrolment is None or enrolment.run.status != RunStatus.CANCELLED:
        return None
    message = render_email("trainings/email/run_cancelled", _context(enrolment))
    if enrolment.status != EnrolmentStatus.ENROLLED:
        return message  # from the waiting list: nothing in their calendar
    return _with_calendar(
        message,
        _coming_sessions(enrolment, include_cancelled=True),
        method=ical.CANCEL,
        reminder=reminder,
    )


def _change(reminder, *, cancellation: bool) -> SessionChange | None:
    """The change a mail is about, unless a later change superseded it or it no longer applies.

    Skipped as well when the recipient no longer holds a place, or the session is over.
    """
    change = (
        SessionChange.objects.select_related("session__run__training")
        .filter(pk=reminder.target_id, is_cancellation=cancellation)
        .first()
    )
    if change is None:
        return None
    session = change.session
    if change.sequence != session.sequence or session.is_cancelled != cancellation:
        return None
    if session.run.status != RunStatus.PUBLISHED or session.ends_at <= timezone.now():
        return None
    if _enrolled(session, reminder) is None:
        return None
    return change


def _session_context(session: Session, reminder) -> dict:
    return {
        "session": session,
        "training": session.run.training,
        "place": session.place,
        "recipient": reminder.recipient,
        "run_path": reverse("trainings:run_detail", args=[session.run_id]),
    }


@register(SESSION_MOVED, label=_("Bijeenkomst verplaatst"))
def render_session_moved(reminder) -> ReminderMessage | None:
    change = _change(reminder, cancellation=False)
    if change is None:
        return None
    session = change.session
    message = render_email("trainings/email/session_moved", _session_context(session, reminder))
    return _with_calendar(message, [session], method=ical.REQUEST, reminder=reminder)


@register(SESSION_CANCELLED, label=_("Bijeenkomst vervallen"))
def render_session_cancelled(reminder) -> ReminderMessage | None:
    change = _change(reminder, cancellation=True)
    if change is None:
        return None
    session = change.session
    message = render_email("trainings/email/session_cancelled", _session_context(session, reminder))
    return _with_calendar(message, [session], method=ical.CANCEL, reminder=reminder)


@register(IDEA_PROPOSED, label=_("Nieuw idee voor kennisuitwisseling"))
def render_idea_proposed(reminder) -> ReminderMessage | None:
    idea = (
        Idea.objects.select_related("programme", "proposer")
        .filter(pk=reminder.target_id, programme__coordinators=reminder.recipient_id)
        .first()
    )
    if idea is None:
        return None
    return render_email(
        "trainings/email/idea_proposed",
        {
            "idea": idea,
            "recipient": reminder.recipient,
            "partners": ", ".join(o.name for o in idea.partners.order_by("name")),
            "path": reverse("trainings:idea_detail", args=[idea.pk]),
        },
    )


@register(IDEA_STATUS_CHANGED, label=_("Nieuwe status van je idee"))
def render_idea_status_changed(reminder) -> ReminderMessage | None:
    change = (
        IdeaStatusChange.objects.select_related("idea", "idea__proposer")
        .filter(pk=reminder.target_id, idea__proposer_id=reminder.recipient_id)
        .first()
    )
    if change is None:
        return None
    return render_email(
        "trainings/email/idea_status_changed",
        {
            "change": change,
            "idea": change.idea,
            "recipient": reminder.recipient,
            "path": reverse("trainings:idea_detail", args=[change.idea_id]),
        },
    )


def _approval(reminder) -> ManagerApproval | None:
    return (
        ManagerApproval.objects.select_related(
            "episode__enrolment__participant", "episode__enrolment__run__training__provider"
        )
        .filter(pk=reminder.target_id)
        .first()
    )


def _open_approval_message(reminder, template: str) -> ReminderMessage | None:
    """The question to the manager, while it can still be answered and matters."""
    approval = _approval(reminder)
    if approval is None or not approval_is_open(approval):
        return None
    enrolment = approval.episode.enrolment
    if approval.token_expires_at <= timezone.now() or enrolment.run.status != RunStatus.PUBLISHED:
        return None
    return render_email(
        template,
        _context(
            enrolment,
            approval=approval,
            participant=enrolment.participant,
            path=reverse("trainings:approval_answer", args=[approval_token(approval)]),
        ),
    )


# Holds the manager's answer link: only the subject is kept with the sent reminder.
@register(APPROVAL_ASKED, keep_body=False)
def render_approval_asked(reminder) -> ReminderMessage | None:
    return _open_approval_message(reminder, "trainings/email/approval_asked")


# Holds the manager's answer link: only the subject is kept with the sent reminder.
@register(APPROVAL_REMINDER, keep_body=False)
def render_approval_reminder(reminder) -> ReminderMessage | None:
    return _open_approval_message(reminder, "trainings/email/approval_reminder")


@register(APPROVAL_ANSWERED, label=_("Antwoord van je leidinggevende op een aanvraag"))
def render_approval_answered(reminder) -> ReminderMessage | None:
    approval = _approval(reminder)
    if approval is None or approval.status == ApprovalStatus.OPEN:
        return None
    return render_email(
        "trainings/email/approval_answered",
        _context(approval.episode.enrolment, approval=approval),
    )


def mailing_values(run, person) -> dict[str, str]:
    """What the placeholders of a coordinator's message read for one recipient."""
    session = run.sessions.filter(is_cancelled=False).order_by("starts_at").first()
    return {
        "voornaam": person.get_short_name(),
        "naam": person.full_name or person.email,
        "training": run.training.title,
        "datum": formats.date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")
        if session
        else "",
        "locatie": session.place if session else run.location,
        "link": settings.PORTAL_BASE_URL + reverse("trainings:run_detail", args=[run.pk]),
    }


def render_mailing(run_mailing: RunMailing, person) -> ReminderMessage:
    """A coordinator's message as ``person`` gets it: placeholders filled in as plain text."""
    with translation.override(settings.LANGUAGE_CODE):
        values = mailing_values(run_mailing.run, person)
    return ReminderMessage(
        subject=" ".join(mailing.fill(run_mailing.subject, values).split())[:255],
        body=mailing.fill(run_mailing.body, values),
    )


@register(RUN_MAILING, label=_("Bericht van de coördinator van een training"))
def render_run_mailing(reminder) -> ReminderMessage | None:
    run_mailing = (
        RunMailing.objects.select_related("run__training").filter(pk=reminder.target_id).first()
    )
    if run_mailing is None or reminder.recipient is None:
        return None
    return render_mailing(run_mailing, reminder.recipient)


def _finished_run(reminder) -> Run | None:
    return (
        Run.objects.select_related("training")
        .filter(pk=reminder.target_id, status__in=(RunStatus.PUBLISHED, RunStatus.COMPLETED))
        .first()
    )


def _evaluation_mail(reminder, template: str) -> ReminderMessage | None:
    """Only to someone asked who has not answered, once the run is over."""
    run = _finished_run(reminder)
    if run is None or reminder.recipient is None:
        return None
    if not evaluation_state(user=reminder.recipient, run=run).may_answer:
        return None
    return render_email(
        template,
        {
            "training": run.training,
            "recipient": reminder.recipient,
            "path": reverse("trainings:evaluation", args=[run.pk]),
        },
    )


@register(EVALUATION, label=_("Evaluatie na een training"))
def render_evaluation(reminder) -> ReminderMessage | None:
    return _evaluation_mail(reminder, "trainings/email/evaluation")


@register(EVALUATION_REMINDER, label=_("Herinnering aan de evaluatie van een training"))
def render_evaluation_reminder(reminder) -> ReminderMessage | None:
    return _evaluation_mail(reminder, "trainings/email/evaluation_reminder")


@register(FOLLOWUP, label=_("Samenwerkingsmeter, weken na een training"))
def render_followup(reminder) -> ReminderMessage | None:
    run = _finished_run(reminder)
    if run is None or reminder.recipient is None:
        return None
    if not followup_state(user=reminder.recipient, run=run).may_answer:
        return None
    return render_email(
        "trainings/email/followup",
        {
            "training": run.training,
            "recipient": reminder.recipient,
            "weeks": followup_weeks(run.training.programme_id),
            "path": reverse("trainings:followup", args=[run.pk]),
        },
    )
