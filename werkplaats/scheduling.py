"""What a werkplaats plans in the portal's reminder table, and the manager's answer link.

Called by the services inside their transactions. Due moments are stored, not queued:
the portal's dispatcher sends what is due, so a moved session only needs its rows
planned again (``werkplaats_reminders_replan``).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portal import answer_links
from portal import services as portal_services
from portal.workdays import add_working_days

from .models import Participation, RugdekkingRequest, RugdekkingStatus, Session, Werkplaats

SESSION_INVITATION = "werkplaats.session_invitation"
PRACTICE_LOG_HALFWAY = "werkplaats.practice_log_halfway"
PRACTICE_LOG_MISSING = "werkplaats.practice_log_missing"
RUGDEKKING_ASKED = "werkplaats.rugdekking_asked"
RUGDEKKING_MANAGER_REMINDER = "werkplaats.rugdekking_manager_reminder"
RUGDEKKING_FACILITATOR_REMINDER = "werkplaats.rugdekking_facilitator_reminder"
RUGDEKKING_ANSWERED = "werkplaats.rugdekking_answered"
SESSION_KINDS = (SESSION_INVITATION, PRACTICE_LOG_HALFWAY, PRACTICE_LOG_MISSING)

MISSING_LOG_NOTICE = timedelta(days=2)
TOKEN_SALT = "werkplaats.rugdekking"


def werkplaats_reminders_replan(*, werkplaats: Werkplaats) -> None:
    """Plan every session reminder of a werkplaats again from its current sessions and people.

    Each session invites everyone before it starts; between a session and the next one a
    practice-log reminder goes halfway and, when the log is still empty, another two days
    before the next session (the renderer checks that). Reminders of people who left or of
    an interval that no longer exists are cancelled; ones already sent stay sent.
    """
    now = timezone.now()
    sessions = list(Session.objects.filter(werkplaats=werkplaats).order_by("starts_at"))
    participants = [
        p.user for p in Participation.objects.filter(werkplaats=werkplaats).select_related("user")
    ]
    for session in sessions:
        for kind in SESSION_KINDS:
            portal_services.reminder_cancel(target=session, kind=kind)
    for index, session in enumerate(sessions):
        following = sessions[index + 1] if index + 1 < len(sessions) else None
        for user in participants:
            if session.starts_at > now:
                portal_services.reminder_plan(
                    kind=SESSION_INVITATION, target=session, recipient=user, due_at=now
                )
            if following is None or following.starts_at <= now:
                continue
            halfway = session.ends_at + (following.starts_at - session.ends_at) / 2
            portal_services.reminder_plan(
                kind=PRACTICE_LOG_HALFWAY,
                target=session,
                recipient=user,
                due_at=max(halfway, now),
            )
            portal_services.reminder_plan(
                kind=PRACTICE_LOG_MISSING,
                target=session,
                recipient=user,
                due_at=max(following.starts_at - MISSING_LOG_NOTICE, halfway, now),
            )


def rugdekking_token(request: RugdekkingRequest) -> str:
    """The manager's answer token, rebuilt from the request and the server secret.

    Deterministic so a reminder can carry the same link again; only its hash is stored,
    so the database alone yields no usable link.
    """
    return answer_links.token_for(request, salt=TOKEN_SALT)


def rugdekking_reminders_plan(*, request: RugdekkingRequest) -> None:
    """The request mail now, the manager's reminder after N working days, facilitators' after 2N."""
    days = settings.WERKPLAATS_RUGDEKKING_WORKING_DAYS
    answer_links.mails_plan(
        request,
        email=request.manager_email,
        asked_kind=RUGDEKKING_ASKED,
        reminder_kind=RUGDEKKING_MANAGER_REMINDER,
        working_days=days,
    )
    for facilitator in request.participation.werkplaats.facilitators.all():
        portal_services.reminder_plan(
            kind=RUGDEKKING_FACILITATOR_REMINDER,
            target=request,
            recipient=facilitator,
            due_at=add_working_days(request.created_at, 2 * days),
        )


def rugdekking_answered_plan(*, request: RugdekkingRequest) -> None:
    """Stop the follow-ups and tell the participant the answer."""
    for kind in (RUGDEKKING_MANAGER_REMINDER, RUGDEKKING_FACILITATOR_REMINDER):
        portal_services.reminder_cancel(target=request, kind=kind)
    if request.status != RugdekkingStatus.OPEN:
        portal_services.reminder_plan(
            kind=RUGDEKKING_ANSWERED,
            target=request,
            recipient=request.participation.user,
            due_at=timezone.now(),
        )
