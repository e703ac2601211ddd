"""Writes for people, invitations and login records."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import Invitation, LoginEvent, Organisation, Role, RoleAssignment, User
from .selectors import organisation_for_email_domain, token_digest


@transaction.atomic
def invitation_create(
    *, invited_by: User, email: str, organisation: Organisation
) -> tuple[Invitation, str]:
    """Create an invitation and queue its e-mail; returns it with the one-time token."""
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
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        organisation=organisation,
        invited_by=invited_by,
        token_hash=token_digest(token),
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()

    from .tasks import send_invitation_email

    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, token))
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
