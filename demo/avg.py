"""Demo AVG: one pending request to erase one's data, so a beheerder sees the queue.

The OM participant, who earlier withdrew from the netwerk, asked twelve days ago; the
request goes through the portal's service at that moment, so its deadline and the
beheerders' mails are dated as they would have been (safe to run again).
"""

from datetime import timedelta

from django.utils import timezone

from portal import erasure
from portal.models import DeletionRequest, User

from . import clock

REQUESTER = "deelnemer@om.example"
ASKED_DAYS_AGO = 12


def seed() -> None:
    """The pending request (skipped when the person already asked)."""
    person = User.objects.filter(email=REQUESTER).first()
    if person is None or DeletionRequest.objects.filter(requester=person).exists():
        return
    with clock.at(timezone.now() - timedelta(days=ASKED_DAYS_AGO)):
        erasure.deletion_request_create(requester=person)
