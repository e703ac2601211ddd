"""On a narrow screen the month reads as an agenda: only the month's days with sessions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import translation

from trainings import calendar as layout
from trainings.selectors import CalendarEntry
from trainings.templatetags.trainings_calendar import month_agenda

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _entry(day: date, title: str) -> tuple[CalendarEntry, str]:
    starts = datetime(day.year, day.month, day.day, 9, 30, tzinfo=AMSTERDAM)
    entry = CalendarEntry(
        session_id=1,
        run_id=1,
        starts_at=starts,
        ends_at=starts,
        title=title,
        provider="Politie",
        place="Bureau",
        run_status="published",
        is_cancelled=False,
    )
    return entry, "/trainingen/uitvoeringen/1/"


def test_the_agenda_lists_the_days_with_sessions_in_order_and_marks_today():
    by_day = layout.group_by_day(
        [
            (date(2026, 11, 30), _entry(date(2026, 11, 30), "Slot")),
            (date(2026, 11, 3), _entry(date(2026, 11, 3), "Begin")),
            # Shown in the grid's last week, but it belongs to December.
            (date(2026, 12, 1), _entry(date(2026, 12, 1), "Volgende maand")),
        ]
    )
    weeks = layout.month_grid(date(2026, 11, 1), by_day)

    with translation.override("nl"):
        html = month_agenda(weeks, date(2026, 11, 3), "Concept", "Vervalt")

    assert (
        html.index("Dinsdag 3 november") < html.index("Begin") < html.index("Maandag 30 november")
    )
    assert "Volgende maand" not in html
    assert html.count("vandaag") == 1 and html.index("vandaag") < html.index("Begin")


def test_a_month_without_sessions_says_so():
    weeks = layout.month_grid(date(2026, 11, 1), {})
    with translation.override("nl"):
        assert "Geen bijeenkomsten." in month_agenda(weeks, date(2026, 11, 3), "C", "V")
