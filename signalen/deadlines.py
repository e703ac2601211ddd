"""When an open signal becomes overdue, counted in working days (``portal.workdays``)."""

from datetime import datetime

from django.conf import settings

from portal.workdays import add_working_days

from .states import AWAITING_PICKUP, Status


def deadline_for(*, status: str, received_at: datetime, last_activity_at: datetime):
    """When an open signal becomes overdue, or None for a closed one.

    Waiting for pick-up (new, or forwarded to this meldpunt) counts from when it
    arrived; in progress counts from the last change.
    """
    if status in AWAITING_PICKUP:
        return add_working_days(received_at, settings.SIGNALEN_PICKUP_WORKING_DAYS)
    if status == Status.IN_PROGRESS:
        return add_working_days(last_activity_at, settings.SIGNALEN_STALE_WORKING_DAYS)
    return None
