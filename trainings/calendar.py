"""The calendar's date arithmetic: which period a page shows, its neighbours, and its grid.

Pure: plain dates in, dataclasses out, no Django. Periods are read from the query string's
``maand`` (``2026-05``), ``week`` (ISO, ``2026-W19``) and ``weergave`` (``lijst``) values.
"""

import calendar as pycalendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

MONTH = "maand"
WEEK = "week"
LIST = "lijst"

T = TypeVar("T")


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows: a month (as grid or list) or an ISO week."""

    view: str
    month: date  # first day of the month shown; for a week, of the month its Monday is in
    first: date
    last: date

    @property
    def end(self) -> date:
        """The day after the last one: the exclusive end of the period."""
        return self.last + timedelta(days=1)

    @property
    def this_month(self) -> str:
        return _month_param(self.month)

    @property
    def previous_month(self) -> str:
        return _month_param((self.month - timedelta(days=1)).replace(day=1))

    @property
    def next_month(self) -> str:
        return _month_param((self.month + timedelta(days=32)).replace(day=1))

    @property
    def this_week(self) -> str:
        return _week_param(self.first)

    @property
    def previous_week(self) -> str:
        return _week_param(self.first - timedelta(days=7))

    @property
    def next_week(self) -> str:
        return _week_param(self.first + timedelta(days=7))


def _month_param(day: date) -> str:
    return day.strftime("%Y-%m")


def _week_param(day: date) -> str:
    return day.strftime("%G-W%V")


def parse_month(value: str | None, today: date) -> date:
    """The first day of the month ``2026-05``; this month when the value is missing or wrong."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def parse_week(value: str | None) -> date | None:
    """The Monday of the ISO week ``2026-W19``, or None when the value is missing or wrong."""
    try:
        return datetime.strptime(f"{value}-1", "%G-W%V-%u").date()
    except (TypeError, ValueError):
        return None


def period(*, month: str | None, week: str | None, as_list: bool, today: date) -> Period:
    """The period asked for: a valid week wins, else the month, as a grid or as a list."""
    week_start = parse_week(week)
    if week_start is not None:
        return Period(
            view=WEEK,
            month=week_start.replace(day=1),
            first=week_start,
            last=week_start + timedelta(days=6),
        )
    first = parse_month(month, today)
    days_in_month = pycalendar.monthrange(first.year, first.month)[1]
    return Period(
        view=LIST if as_list else MONTH,
        month=first,
        first=first,
        last=first.replace(day=days_in_month),
    )


def group_by_day(items: Iterable[tuple[date, T]]) -> dict[date, list[T]]:
    """Items per day, each day's items in the order given."""
    by_day: dict[date, list[T]] = {}
    for day, item in items:
        by_day.setdefault(day, []).append(item)
    return by_day


def month_grid(month: date, by_day: dict[date, list[T]]) -> list[list[tuple[date, bool, list[T]]]]:
    """Whole weeks, Monday first, covering the month: (day, in the month?, its items)."""
    return [
        [(day, day.month == month.month, by_day.get(day, [])) for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    ]


def week_days(first: date, by_day: dict[date, list[T]]) -> list[tuple[date, list[T]]]:
    """The seven days from ``first`` with their items."""
    days = [first + timedelta(days=offset) for offset in range(7)]
    return [(day, by_day.get(day, [])) for day in days]
