"""The mails about a request to erase one's data (AVG art. 17).

Beheerders are told of a new request and reminded before its deadline; the person is told
the decision. The mail after an approval goes to the address captured before the account
became a pseudonym, and registers with ``keep_address=False``: once it is sent, its row no
longer holds that address, so after the mail nothing of the person's address is left.
"""

from django.urls import reverse

from .models import DeletionRequest
from .reminders import ReminderMessage, register, render_email

DELETION_REQUESTED = "portal.deletion_requested"
DELETION_DEADLINE_NEAR = "portal.deletion_deadline_near"
DELETION_APPROVED = "portal.deletion_approved"
DELETION_DECLINED = "portal.deletion_declined"


def _request(reminder, status: str | None = None) -> DeletionRequest | None:
    requests = DeletionRequest.objects.filter(pk=reminder.target_id)
    if status is not None:
        requests = requests.filter(status=status)
    return requests.first()


def _context(request: DeletionRequest, reminder) -> dict:
    # Beheerder mails do not name the person: the queue does, behind the login.
    return {
        "request": request,
        "recipient": reminder.recipient,
        "queue_path": reverse("personal_data:beheer_list"),
        "overview_path": reverse("personal_data:overview"),
    }


@register(DELETION_REQUESTED, security=True)
def render_requested(reminder) -> ReminderMessage | None:
    request = _request(reminder, DeletionRequest.Status.PENDING)
    if request is None:
        return None
    return render_email("portal/email/deletion_requested", _context(request, reminder))


@register(DELETION_DEADLINE_NEAR, security=True)
def render_deadline_near(reminder) -> ReminderMessage | None:
    request = _request(reminder, DeletionRequest.Status.PENDING)
    if request is None:
        return None
    return render_email("portal/email/deletion_deadline_near", _context(request, reminder))


@register(DELETION_APPROVED, security=True, keep_address=False)
def render_approved(reminder) -> ReminderMessage | None:
    request = _request(reminder, DeletionRequest.Status.APPROVED)
    if request is None:
        return None
    return render_email("portal/email/deletion_approved", _context(request, reminder))


@register(DELETION_DECLINED, security=True)
def render_declined(reminder) -> ReminderMessage | None:
    request = _request(reminder, DeletionRequest.Status.DECLINED)
    if request is None:
        return None
    return render_email("portal/email/deletion_declined", _context(request, reminder))
