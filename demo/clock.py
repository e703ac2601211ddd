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

from portal.workdays import is_working_day


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment``."""
    with time_machine.travel(moment, tick=True):
        yield


def local_moment(today: date, days: int, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` local time, ``days`` after ``today`` (negative: before)."""
    return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour, minute)))


# How far the demo moves its sessions to find working days (weekends and a holiday or two).
_MAX_SHIFT_DAYS = 10


def on_working_days(today: date, days: tuple[int, ...]) -> tuple[int, ...]:
    """``days`` (from ``today``) moved together by the fewest days onto working days.

    Sessions are not held on weekends or public holidays, whatever day the demo is seeded
    on. Moving them together keeps the weeks between them; each stays on its side of today.
    """
    for distance in range(_MAX_SHIFT_DAYS + 1):
        for shift in dict.fromkeys((-distance, distance)):
            moved = tuple(day + shift for day in days)
            if all(
                (new < 0) == (old < 0) and new != 0 and is_working_day(today + timedelta(days=new))
                for old, new in zip(days, moved, strict=True)
            ):
                return moved
    raise ValueError(f"No working days near {days} days from {today}.")
