"""The calendar's date arithmetic, without a database: periods, their neighbours and grids."""

from datetime import date

import pytest

from trainings import calendar as layout

TODAY = date(2026, 5, 14)


@pytest.mark.parametrize("value", [None, "", "mei", "2026-13", "2026-00", "2026-05-01", "2026"])
def test_a_missing_or_wrong_month_falls_back_to_this_month(value):
    assert layout.parse_month(value, TODAY) == date(2026, 5, 1)


def test_a_month_is_read_as_its_first_day():
    assert layout.parse_month("2027-02", TODAY) == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("value", "monday"),
    [
        ("2026-W20", date(2026, 5, 11)),
        ("2026-W01", date(2025, 12, 29)),
        ("2026-W53", date(2026, 12, 28)),
    ],
)
def test_an_iso_week_is_read_as_its_monday(value, monday):
    assert layout.parse_week(value) == monday


@pytest.mark.parametrize("value", [None, "", "2026-20", "week 20", "2026-W99"])
def test_a_missing_or_wrong_week_is_none(value):
    assert layout.parse_week(value) is None


def test_a_month_runs_from_its_first_to_its_last_day_leap_years_included():
    period = layout.period(month="2028-02", week=None, as_list=False, today=TODAY)

    assert period.view == layout.MONTH
    assert (period.first, period.last, period.end) == (
        date(2028, 2, 1),
        date(2028, 2, 29),
        date(2028, 3, 1),
    )


def test_the_list_shows_the_same_month_and_a_valid_week_wins_over_both():
    as_list = layout.period(month="2026-06", week=None, as_list=True, today=TODAY)
    week = layout.period(month="2026-06", week="2026-W27", as_list=True, today=TODAY)

    assert (as_list.view, as_list.first, as_list.last) == (
        layout.LIST,
        date(2026, 6, 1),
        date(2026, 6, 30),
    )
    assert (week.view, week.first, week.last, week.month) == (
        layout.WEEK,
        date(2026, 6, 29),
        date(2026, 7, 5),
        date(2026, 6, 1),
    )


def test_without_parameters_the_calendar_shows_this_month():
    period = layout.period(month=None, week="onzin", as_list=False, today=TODAY)

    assert (period.view, period.first, period.this_month) == (
        layout.MONTH,
        date(2026, 5, 1),
        "2026-05",
    )


@pytest.mark.parametrize(
    ("month", "previous", "following"),
    [
        ("2026-01", "2025-12", "2026-02"),
        ("2026-12", "2026-11", "2027-01"),
        ("2026-03", "2026-02", "2026-04"),
    ],
)
def test_months_step_over_year_ends(month, previous, following):
    period = layout.period(month=month, week=None, as_list=False, today=TODAY)

    assert (period.previous_month, period.next_month) == (previous, following)


def test_weeks_step_over_iso_year_ends():
    last = layout.period(month=None, week="2026-W53", as_list=False, today=TODAY)
    first = layout.period(month=None, week="2027-W01", as_list=False, today=TODAY)

    assert (last.this_week, last.next_week, last.previous_week) == (
        "2026-W53",
        "2027-W01",
        "2026-W52",
    )
    assert first.previous_week == "2026-W53"


def test_a_month_view_names_the_week_of_its_first_day():
    period = layout.period(month="2026-05", week=None, as_list=False, today=TODAY)

    assert period.this_week == "2026-W18"  # 1 May 2026 is a Friday


def test_the_month_grid_is_whole_weeks_from_monday_with_items_on_their_day():
    by_day = layout.group_by_day(
        [(date(2026, 5, 14), "a"), (date(2026, 4, 27), "voor"), (date(2026, 5, 14), "b")]
    )

    grid = layout.month_grid(date(2026, 5, 1), by_day)

    assert len(grid) == 5 and all(len(week) == 7 for week in grid)
    assert grid[0][0] == (date(2026, 4, 27), False, ["voor"])
    assert grid[-1][-1] == (date(2026, 5, 31), True, [])
    cells = {day: (in_month, items) for week in grid for day, in_month, items in week}
    assert cells[date(2026, 5, 14)] == (True, ["a", "b"])
    assert sum(in_month for in_month, _items in cells.values()) == 31


def test_a_february_starting_on_monday_fills_exactly_four_weeks():
    grid = layout.month_grid(date(2027, 2, 1), {})

    assert [week[0][0] for week in grid] == [
        date(2027, 2, 1),
        date(2027, 2, 8),
        date(2027, 2, 15),
        date(2027, 2, 22),
    ]


def test_the_week_lists_seven_days_with_their_items():
    days = layout.week_days(date(2026, 12, 28), {date(2027, 1, 1): ["nieuwjaar"]})

    assert [day for day, _items in days] == [date(2026, 12, 28 + i) for i in range(4)] + [
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    assert days[4] == (date(2027, 1, 1), ["nieuwjaar"])
    assert all(items == [] for day, items in days if day != date(2027, 1, 1))
