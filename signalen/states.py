"""The signal state machine: one table of allowed transitions, nowhere else.

Every change to a signal is an ``Action``. ``TRANSITIONS`` maps (current status,
action) to the status after it; a pair that is not in the table is refused. Actions
that do not move the signal (a note, a question) map a status onto itself, so the
table also says *when* they are allowed. Keep it small: a new edge needs a reason.
"""

from collections.abc import Mapping
from types import MappingProxyType

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_PROGRESS = "in_progress", _("In behandeling")
    FORWARDED = "forwarded", _("Doorgestuurd")
    CLOSED = "closed", _("Afgesloten")


class Action(models.TextChoices):
    ASSIGN = "assign", _("Toewijzen")
    NOTE = "note", _("Interne notitie")
    ASK_REPORTER = "ask_reporter", _("Vraag aan melder")
    REPORTER_REPLY = "reporter_reply", _("Antwoord van melder")
    SHARE_FEEDBACK = "share_feedback", _("Terugkoppeling aan melder")
    FORWARD = "forward", _("Doorsturen")
    CLOSE = "close", _("Afsluiten")
    ANONYMISE = "anonymise", _("Anonimiseren")
    RELEASE = "release", _("Terug naar de wachtrij")


S, A = Status, Action

TRANSITIONS: Mapping[tuple[Status, Action], Status] = MappingProxyType(
    {
        # New: pick it up, send it on, or close it straight away.
        (S.NEW, A.ASSIGN): S.IN_PROGRESS,
        (S.NEW, A.NOTE): S.NEW,
        (S.NEW, A.FORWARD): S.FORWARDED,
        (S.NEW, A.CLOSE): S.CLOSED,
        # In progress: the assignee works on it and talks to the reporter.
        (S.IN_PROGRESS, A.ASSIGN): S.IN_PROGRESS,
        (S.IN_PROGRESS, A.NOTE): S.IN_PROGRESS,
        (S.IN_PROGRESS, A.ASK_REPORTER): S.IN_PROGRESS,
        (S.IN_PROGRESS, A.REPORTER_REPLY): S.IN_PROGRESS,
        (S.IN_PROGRESS, A.SHARE_FEEDBACK): S.IN_PROGRESS,
        (S.IN_PROGRESS, A.FORWARD): S.FORWARDED,
        (S.IN_PROGRESS, A.CLOSE): S.CLOSED,
        # The assignee lost the contact-person role: unassigned, still in progress.
        (S.IN_PROGRESS, A.RELEASE): S.IN_PROGRESS,
        # Forwarded: the receiving meldpunt picks it up like a new signal.
        (S.FORWARDED, A.ASSIGN): S.IN_PROGRESS,
        (S.FORWARDED, A.NOTE): S.FORWARDED,
        (S.FORWARDED, A.REPORTER_REPLY): S.FORWARDED,
        (S.FORWARDED, A.FORWARD): S.FORWARDED,
        (S.FORWARDED, A.CLOSE): S.CLOSED,
        # Closed is final: notes and feedback only, and anonymisation after retention.
        (S.CLOSED, A.NOTE): S.CLOSED,
        (S.CLOSED, A.SHARE_FEEDBACK): S.CLOSED,
        (S.CLOSED, A.ANONYMISE): S.CLOSED,
    }
)

# Statuses in which the signal waits to be picked up by its current meldpunt.
AWAITING_PICKUP = frozenset({S.NEW, S.FORWARDED})
OPEN = frozenset({S.NEW, S.IN_PROGRESS, S.FORWARDED})


class TransitionNotAllowed(Exception):
    """The action is not allowed in the signal's current status."""

    def __init__(self, status: str, action: str):
        super().__init__(f"{action} is not allowed in status {status}")
        self.status = status
        self.action = action


def next_status(status: str, action: str) -> Status:
    """The status after ``action``; raises ``TransitionNotAllowed`` when the table has no edge."""
    try:
        return TRANSITIONS[(Status(status), Action(action))]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(status, action) from None


def is_allowed(status: str, action: str) -> bool:
    try:
        next_status(status, action)
    except TransitionNotAllowed:
        return False
    return True


def allowed_actions(status: str) -> frozenset[Action]:
    return frozenset(action for (source, action) in TRANSITIONS if source == status)
