"""Writes for people, invitations, login records and reminders."""

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from . import permissions, reminders
from .celery import app as celery_app
from .invitations import INVITATION_MAIL, invitation_token
from .models import (
    REMINDER_MAX_ATTEMPTS,
    Invitation,
    LoginEvent,
    Organisation,
    PlannedReminder,
    ReminderStatus,
    Role,
    RoleAssignment,
    User,
)
from .selectors import organisation_for_email_domain
from .tokens import token_digest

logger = logging.getLogger(__name__)


@transaction.atomic
def invitation_create(
    *, invited_by: User, email: str, organisation: Organisation
) -> tuple[Invitation, str]:
    """Create an invitation and plan its e-mail, sent after commit; returns it with its token."""
    if not permissions.can_invite(invited_by):
        raise PermissionDenied
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Er bestaat al een account met dit e-mailadres.")})
    now = timezone.now()
    # An expired invitation no longer blocks a new one for the same address.
    Invitation.objects.filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).update(revoked_at=now)
    if Invitation.objects.filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError({"email": _("Dit e-mailadres heeft al een openstaande uitnodiging.")})
    invitation = Invitation(
        email=email,
        organisation=organisation,
        invited_by=invited_by,
        # Replaced below: the real token needs the row's id and creation moment.
        token_hash=secrets.token_hex(32),
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    token = invitation_token(invitation)
    invitation.token_hash = token_digest(token)
    invitation.save(update_fields=["token_hash"])
    reminder = reminder_plan(
        kind=INVITATION_MAIL, target=invitation, recipient_email=email, due_at=now
    )
    reminders_send_soon(reminder_ids=[reminder.pk])
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not permissions.can_invite(actor):
        raise PermissionDenied
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(_("Deze uitnodiging is al gebruikt."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
    reminder_cancel(target=locked, kind=INVITATION_MAIL)
    return locked


def signup_organisation(*, email: str, invitation: Invitation | None) -> Organisation | None:
    """The organisation a new account joins, or None when sign-up is not allowed.

    An invitation for exactly this address wins; otherwise the e-mail domain must
    be registered by an organisation.
    """
    if invitation is not None and invitation.is_open() and invitation.email == email.lower():
        return invitation.organisation
    return organisation_for_email_domain(email=email)


@transaction.atomic
def user_complete_signup(
    *,
    user: User,
    full_name: str,
    discipline: str,
    department: str,
    job_title: str,
    invitation: Invitation | None,
) -> User:
    """Fill a new account's profile and organisation, consuming the invitation used."""
    organisation = signup_organisation(email=user.email, invitation=invitation)
    if organisation is None:
        raise ValidationError(_("Aanmelden is alleen mogelijk met een uitnodiging."))
    user.full_name = full_name
    user.discipline = discipline
    user.department = department
    user.job_title = job_title
    user.organisation = organisation
    user.full_clean(exclude=["password"])
    user.save()
    if invitation is not None and invitation.email == user.email:
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now())
        if not updated and organisation == invitation.organisation:
            raise ValidationError(_("Deze uitnodiging is al gebruikt."))
        if updated:
            # The invitation mail went to this address before the account existed; from now
            # on it is listed under the new account's "Mijn herinneringen".
            PlannedReminder.objects.filter(
                kind=INVITATION_MAIL,
                target_type=ContentType.objects.get_for_model(Invitation),
                target_id=invitation.pk,
                recipient_email=user.email,
                recipient__isnull=True,
            ).update(recipient=user, updated_at=timezone.now())
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, full_name: str, discipline: str, department: str, job_title: str
) -> User:
    user.full_name = full_name
    user.discipline = discipline
    user.department = department
    user.job_title = job_title
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "discipline", "department", "job_title"])
    return user


def login_event_record(
    *,
    user: User | None,
    identifier: str,
    succeeded: bool,
    ip_address: str | None,
    user_agent: str,
) -> LoginEvent:
    return LoginEvent.objects.create(
        user=user,
        identifier=identifier[:254],
        succeeded=succeeded,
        ip_address=ip_address,
        user_agent=user_agent[:255],
    )


def login_events_purge(*, older_than_days: int | None = None) -> int:
    """Delete login records past their retention period; returns how many."""
    days = settings.LOGIN_EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _details = LoginEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def role_assign(
    *, user: User, role: str, organisation: Organisation | None = None
) -> RoleAssignment:
    """Give a user a role (idempotent); a contact person needs the organisation they serve."""
    if role == Role.CONTACT_PERSON and organisation is None:
        raise ValidationError(_("Een contactpersoon hoort bij een organisatie."))
    if role != Role.CONTACT_PERSON:
        organisation = None
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation
    )
    permissions.forget_roles(user)
    return assignment


# --- reminders -----------------------------------------------------------------------------

# Queued by name: services never import tasks (``portal.tasks`` imports this module).
SEND_REMINDER_TASK = "portal.tasks.send_reminder"
_UNSENT = (ReminderStatus.PLANNED, ReminderStatus.CANCELLED, ReminderStatus.FAILED)


@transaction.atomic
def reminder_plan(
    *,
    kind: str,
    target: models.Model,
    due_at: datetime,
    recipient: User | None = None,
    recipient_email: str = "",
) -> PlannedReminder:
    """Plan (or re-plan) one reminder; one already sent is left alone, so no one gets it twice."""
    if not reminders.is_registered(kind):
        raise ValueError(f"Unknown reminder kind {kind!r}; register a renderer for it.")
    email = (recipient_email or (recipient.email if recipient else "")).strip().lower()
    if not email:
        raise ValueError("A reminder needs a recipient or an e-mail address.")
    reminder, created = PlannedReminder.objects.select_for_update().get_or_create(
        kind=kind,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        recipient_email=email,
        defaults={"recipient": recipient, "due_at": due_at},
    )
    if not created and reminder.status in _UNSENT:
        reminder.due_at = due_at
        reminder.recipient = recipient
        reminder.status = ReminderStatus.PLANNED
        reminder.attempts = 0
        reminder.last_error = ""
        reminder.save(
            update_fields=["due_at", "recipient", "status", "attempts", "last_error", "updated_at"]
        )
    return reminder


@transaction.atomic
def reminder_cancel(
    *,
    target: models.Model,
    kind: str | None = None,
    recipient: User | None = None,
    recipient_email: str | None = None,
) -> int:
    """Cancel the unsent reminders about ``target`` (optionally one kind or one person)."""
    reminders_qs = PlannedReminder.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        status__in=(ReminderStatus.PLANNED, ReminderStatus.FAILED),
    )
    if kind is not None:
        reminders_qs = reminders_qs.filter(kind=kind)
    if recipient is not None:
        reminders_qs = reminders_qs.filter(recipient=recipient)
    if recipient_email is not None:
        reminders_qs = reminders_qs.filter(recipient_email=recipient_email.strip().lower())
    return reminders_qs.update(status=ReminderStatus.CANCELLED, updated_at=timezone.now())


def reminders_send_soon(*, reminder_ids: Iterable[int]) -> None:
    """Send these planned reminders right after the current transaction commits.

    For mail that should not wait for the dispatcher's next round. Each row stays the
    one source of truth: when the queue cannot be reached the reminder stays planned and
    the dispatcher sends it on its next round; ``reminder_send`` makes a double queueing
    harmless.
    """
    ids = list(dict.fromkeys(reminder_ids))
    if not ids:
        return

    def queue() -> None:
        for reminder_id in ids:
            try:
                celery_app.signature(SEND_REMINDER_TASK, args=(reminder_id,)).delay()
            except OperationalError:
                logger.warning("Reminder %s not queued; the dispatcher sends it", reminder_id)

    transaction.on_commit(queue)


def reminder_send(*, reminder_id: int) -> str:
    """Send one due reminder at most once; returns its status afterwards.

    Not one transaction on purpose: the claim (status "sending") is committed before the
    mail goes out, so a second worker, a retried task or a crash after sending can never
    send it again. A reminder stuck in "sending" is one that may have gone out.
    """
    with transaction.atomic():
        reminder = (
            PlannedReminder.objects.select_for_update(skip_locked=True)
            .filter(
                pk=reminder_id,
                status__in=(ReminderStatus.PLANNED, ReminderStatus.FAILED),
                attempts__lt=REMINDER_MAX_ATTEMPTS,
                due_at__lte=timezone.now(),
            )
            .first()
        )
        if reminder is None:
            current = PlannedReminder.objects.filter(pk=reminder_id).values_list(
                "status", flat=True
            )
            return current.first() or ""
        reminder.status = ReminderStatus.SENDING
        reminder.attempts += 1
        reminder.save(update_fields=["status", "attempts", "updated_at"])

    reminder = PlannedReminder.objects.select_related("recipient").get(pk=reminder_id)
    try:
        kind = reminders.kind_for(reminder.kind)
        message = kind.renderer(reminder)
        if message is not None:
            message.as_email(to=reminder.recipient_email).send()
    except Exception as error:  # noqa: BLE001  (any failure is recorded and retried)
        reminder.status = ReminderStatus.FAILED
        reminder.last_error = f"{type(error).__name__}: {error}"[:2000]
        reminder.save(update_fields=["status", "last_error", "updated_at"])
        return reminder.status
    if message is None:
        reminder.status = ReminderStatus.SKIPPED
        reminder.save(update_fields=["status", "updated_at"])
        return reminder.status
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = timezone.now()
    reminder.subject = message.subject
    reminder.body = kind.body_to_store(message)
    reminder.last_error = ""
    reminder.save(
        update_fields=["status", "sent_at", "subject", "body", "last_error", "updated_at"]
    )
    return reminder.status
