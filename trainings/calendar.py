"""The calendar's date arithmetic: which period a page shows, its neighbours, and its grid.

Pure: plain dates in, dataclasses out, no Django. Periods are read from the query string's
``maand`` (``2026-05``), ``week`` (ISO, ``2026-W19``), ``dag`` (``2026-05-14``) and
``weergave`` (``lijst``) values.
"""

import calendar as pycalendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

MONTH = "maand"
WEEK = "week"
LIST = "lijst"
DAY = "dag"

T = TypeVar("T")


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows: a month (as grid or list), an ISO week or one day."""

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

    @property
    def this_day(self) -> str:
        return self.first.isoformat()

    @property
    def previous_day(self) -> str:
        return (self.first - timedelta(days=1)).isoformat()

    @property
    def next_day(self) -> str:
        return (self.first + timedelta(days=1)).isoformat()


def _month_param(day: date) -> str:
    return day.strftime("%Y-%m")


def _week_param(day: date) -> str:
    return day.strftime("%G-W%V")


def parse_month(value: str | None, today: date) -> date:
    """The first day of the month ``2026-05``; this month when the value is missing or wrong."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    # Room for the neighbouring months: the first and last years have none.
    return first if date.min.year < year < date.max.year else today.replace(day=1)


def parse_week(value: str | None) -> date | None:
    """The Monday of the ISO week ``2026-W19``, or None when the value is missing or wrong."""
    try:
        monday = datetime.strptime(f"{value}-1", "%G-W%V-%u").date()
    except (TypeError, ValueError):
        return None
    return monday if date.min.year < monday.year < date.max.year else None


def parse_day(value: str | None) -> date | None:
    """The day ``2026-05-14``, or None when the value is missing or wrong."""
    try:
        found = date.fromisoformat(value or "")
    except ValueError:
        return None
    # Room for the neighbouring days and the period's exclusive end.
    return found if date.min.year < found.year < date.max.year else None


def period(
    *, month: str | None, week: str | None, as_list: bool, today: date, day: str | None = None
) -> Period:
    """The period asked for: a valid day wins, then a valid week, else the month, as a grid
    or as a list."""
    one_day = parse_day(day)
    if one_day is not None:
        return Period(view=DAY, month=one_day.replace(day=1), first=one_day, last=one_day)
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
