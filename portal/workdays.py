"""Working-day arithmetic, shared by every app: weekends and Dutch public holidays do not count."""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=32)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start``, at the same local time of day.

    A signal reported on Friday 16:00 with two working days is due Tuesday 16:00;
    with Easter Monday in between, Wednesday 16:00. Counting starts on the day after
    ``start``, so a report on Saturday is due two working days later (Tuesday).
    """
    local = timezone.localtime(start)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))


def working_days_before(moment: datetime, days: int) -> datetime:
    """The moment ``days`` working days before ``moment``, at the same local time of day.

    Two working days before a session on Tuesday 09:00 is the Friday before at 09:00.
    """
    local = timezone.localtime(moment)
    day = local.date()
    counted = 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return timezone.make_aware(datetime.combine(day, local.time().replace(tzinfo=None)))


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))
