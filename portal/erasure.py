"""Services for a request to erase one's data (AVG art. 17): ask, approve, decline.

Kept apart from ``services`` because the approval runs every app's eraser through the
``personal_data`` registry. The request, the erasure and the decision mail commit or roll
back together.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions, personal_data
from .deletion_mails import (
    DELETION_APPROVED,
    DELETION_DEADLINE_NEAR,
    DELETION_DECLINED,
    DELETION_REQUESTED,
)
from .models import DeletionRequest, User
from .selectors import beheerders
from .services import reminder_cancel, reminder_plan, reminders_send_soon

REASON_MAX_LENGTH = 2000


@transaction.atomic
def deletion_request_create(*, requester: User) -> DeletionRequest:
    """Ask for one's data to be erased; beheerders are told and reminded before the deadline.

    Asking twice while a request is pending returns the pending one.
    """
    if not requester.is_active:
        raise PermissionDenied
    existing = DeletionRequest.objects.filter(
        requester=requester, status=DeletionRequest.Status.PENDING
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    deadline = now + timedelta(days=settings.AVG_DELETION_DEADLINE_DAYS)
    try:
        with transaction.atomic():
            request = DeletionRequest.objects.create(
                requester=requester, requested_at=now, deadline=deadline
            )
    except IntegrityError:
        # A second click a moment ago created it.
        return DeletionRequest.objects.get(
            requester=requester, status=DeletionRequest.Status.PENDING
        )
    remind_at = max(now, deadline - timedelta(days=settings.AVG_DELETION_REMINDER_DAYS_BEFORE))
    told = []
    for beheerder in beheerders():
        told.append(
            reminder_plan(
                kind=DELETION_REQUESTED, target=request, recipient=beheerder, due_at=now
            ).pk
        )
        reminder_plan(
            kind=DELETION_DEADLINE_NEAR, target=request, recipient=beheerder, due_at=remind_at
        )
    reminders_send_soon(reminder_ids=told)
    return request


def _lock_pending(*, actor: User, deletion_request: DeletionRequest) -> DeletionRequest:
    if not permissions.can_administer(actor):
        raise PermissionDenied
    request = (
        DeletionRequest.objects.select_for_update()
        .select_related("requester")
        .get(pk=deletion_request.pk)
    )
    if request.requester_id == actor.pk:
        raise PermissionDenied(_("Over je eigen verzoek besluit een andere beheerder."))
    if request.status != DeletionRequest.Status.PENDING:
        raise ValidationError(_("Over dit verzoek is al besloten."))
    return request


@transaction.atomic
def deletion_request_approve(*, actor: User, deletion_request: DeletionRequest) -> DeletionRequest:
    """Erase the requester's data in every app and tell them, at the address they had.

    The account stays as a pseudonym (its key keeps the audit chain verifiable). The mail
    is planned to the address read before the erasure; its kind forgets the address once
    the mail is sent.
    """
    request = _lock_pending(actor=actor, deletion_request=deletion_request)
    person = User.objects.select_for_update().get(pk=request.requester_id)
    address = person.email
    now = timezone.now()
    counts = personal_data.erase_all(person, actor=actor)
    request.status = DeletionRequest.Status.APPROVED
    request.decided_by = actor
    request.decided_at = now
    request.erased_counts = counts
    request.full_clean()
    request.save()
    reminder_cancel(target=request, kind=DELETION_DEADLINE_NEAR)
    reminder_cancel(target=request, kind=DELETION_REQUESTED)
    mail = reminder_plan(
        kind=DELETION_APPROVED, target=request, recipient_email=address, due_at=now
    )
    reminders_send_soon(reminder_ids=[mail.pk])
    return request


@transaction.atomic
def deletion_request_decline(
    *, actor: User, deletion_request: DeletionRequest, reason: str
) -> DeletionRequest:
    """Decline with a reason (it is mailed to the person); nothing is erased."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Geef een reden: de aanvrager krijgt die te lezen.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("De reden is te lang (hooguit %(max)d tekens).")
                % {"max": REASON_MAX_LENGTH}
            }
        )
    request = _lock_pending(actor=actor, deletion_request=deletion_request)
    request.status = DeletionRequest.Status.DECLINED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.reason = reason
    request.full_clean()
    request.save()
    reminder_cancel(target=request, kind=DELETION_DEADLINE_NEAR)
    reminder_cancel(target=request, kind=DELETION_REQUESTED)
    mail = reminder_plan(
        kind=DELETION_DECLINED,
        target=request,
        recipient=request.requester,
        due_at=request.decided_at,
    )
    reminders_send_soon(reminder_ids=[mail.pk])
    return request
