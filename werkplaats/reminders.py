"""Renderers for the werkplaats reminders (autodiscovered by the portal app).

Each reads the current state of its target and returns None when the message no longer
applies: a person who left, a log already written, a request already answered.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reminders import ReminderMessage, register, render_email

from .models import Participation, PracticeLog, RugdekkingRequest, RugdekkingStatus, Session
from .scheduling import (
    PRACTICE_LOG_HALFWAY,
    PRACTICE_LOG_MISSING,
    RUGDEKKING_ANSWERED,
    RUGDEKKING_ASKED,
    RUGDEKKING_FACILITATOR_REMINDER,
    RUGDEKKING_MANAGER_REMINDER,
    SESSION_INVITATION,
    rugdekking_token,
)


def _session_and_participation(reminder) -> tuple[Session, Participation] | None:
    session = Session.objects.select_related("werkplaats").filter(pk=reminder.target_id).first()
    if session is None:
        return None
    participation = Participation.objects.filter(
        werkplaats_id=session.werkplaats_id, user_id=reminder.recipient_id
    ).first()
    if participation is None:
        return None
    return session, participation


def _next_session(session: Session) -> Session | None:
    return (
        Session.objects.filter(werkplaats_id=session.werkplaats_id, starts_at__gt=session.starts_at)
        .order_by("starts_at")
        .first()
    )


@register(SESSION_INVITATION, label=_("Uitnodiging voor een werkplaatsbijeenkomst"))
def render_session_invitation(reminder) -> ReminderMessage | None:
    found = _session_and_participation(reminder)
    if found is None or found[0].starts_at <= timezone.now():
        return None
    session, _participation = found
    return render_email(
        "werkplaats/email/session_invitation",
        {
            "session": session,
            "werkplaats": session.werkplaats,
            "recipient": reminder.recipient,
            "path": reverse("werkplaats:session_detail", args=[session.pk]),
        },
    )


def _practice_log_message(reminder, template: str) -> ReminderMessage | None:
    found = _session_and_participation(reminder)
    if found is None:
        return None
    session, participation = found
    following = _next_session(session)
    if following is None or following.starts_at <= timezone.now():
        return None
    if PracticeLog.objects.filter(participation=participation, after_session=session).exists():
        return None
    return render_email(
        template,
        {
            "session": session,
            "next_session": following,
            "werkplaats": session.werkplaats,
            "recipient": reminder.recipient,
            "path": reverse("werkplaats:practice_log", args=[session.pk]),
        },
    )


@register(PRACTICE_LOG_HALFWAY, label=_("Herinnering praktijklog (halverwege)"))
def render_practice_log_halfway(reminder) -> ReminderMessage | None:
    return _practice_log_message(reminder, "werkplaats/email/practice_log_halfway")


@register(PRACTICE_LOG_MISSING, label=_("Herinnering praktijklog (nog niet geschreven)"))
def render_practice_log_missing(reminder) -> ReminderMessage | None:
    return _practice_log_message(reminder, "werkplaats/email/practice_log_missing")


def _request(reminder) -> RugdekkingRequest | None:
    return (
        RugdekkingRequest.objects.select_related("participation__user", "participation__werkplaats")
        .filter(pk=reminder.target_id)
        .first()
    )


def _open_request_message(reminder, template: str) -> ReminderMessage | None:
    request = _request(reminder)
    if request is None or request.status != RugdekkingStatus.OPEN:
        return None
    if request.token_expires_at <= timezone.now():
        return None
    return render_email(
        template,
        {
            "request": request,
            "participant": request.participation.user,
            "werkplaats": request.participation.werkplaats,
            "path": reverse("werkplaats:rugdekking_answer", args=[rugdekking_token(request)]),
        },
    )


# Holds the manager's answer link: only the subject is kept with the sent reminder.
@register(RUGDEKKING_ASKED, keep_body=False)
def render_rugdekking_asked(reminder) -> ReminderMessage | None:
    return _open_request_message(reminder, "werkplaats/email/rugdekking_asked")


# Holds the manager's answer link: only the subject is kept with the sent reminder.
@register(RUGDEKKING_MANAGER_REMINDER, keep_body=False)
def render_rugdekking_manager_reminder(reminder) -> ReminderMessage | None:
    return _open_request_message(reminder, "werkplaats/email/rugdekking_manager_reminder")


@register(RUGDEKKING_FACILITATOR_REMINDER, label=_("Onbeantwoorde rugdekking (begeleiders)"))
def render_rugdekking_facilitator_reminder(reminder) -> ReminderMessage | None:
    request = _request(reminder)
    if request is None or request.status != RugdekkingStatus.OPEN:
        return None
    return render_email(
        "werkplaats/email/rugdekking_facilitator_reminder",
        {
            "request": request,
            "participant": request.participation.user,
            "werkplaats": request.participation.werkplaats,
            "recipient": reminder.recipient,
            "path": reverse("werkplaats:rugdekking_open"),
        },
    )


@register(RUGDEKKING_ANSWERED, label=_("Antwoord op je rugdekkingsverzoek"))
def render_rugdekking_answered(reminder) -> ReminderMessage | None:
    request = _request(reminder)
    if request is None or request.status == RugdekkingStatus.OPEN:
        return None
    return render_email(
        "werkplaats/email/rugdekking_answered",
        {
            "request": request,
            "recipient": reminder.recipient,
            "werkplaats": request.participation.werkplaats,
            "path": reverse("werkplaats:detail", args=[request.participation.werkplaats_id]),
        },
    )
