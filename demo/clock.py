"""The demo's one way to put rows in the past: run the apps' own services at that moment.

Inside ``at(moment)`` every ``timezone.now()`` reads ``moment`` (and ticks on from it), so
``created_at``/``updated_at``, events, audit entries, deadlines and planned reminders are
written by the services exactly as they would have been on that day. Compute the moments
before travelling: inside ``at()`` "today" is the travelled day.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment``."""
    with time_machine.travel(moment, tick=True):
        yield


def local_moment(today: date, days: int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` local time, ``days`` after ``today`` (negative: before)."""
    return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour, minute)))
