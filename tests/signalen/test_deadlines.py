"""Deadlines in working days: weekends and Dutch public holidays do not count."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.workdays import add_working_days, is_working_day, months_before
from signalen import services
from signalen.models import Signal
from signalen.scheduling import deadline_for
from tests.signalen.factories import meldpunt, report

AMS = ZoneInfo("Europe/Amsterdam")


def at(y, m, d, hour=10, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=AMS)


def test_weekend_days_are_skipped():
    friday = at(2026, 1, 9, 16)
    assert add_working_days(friday, 2) == at(2026, 1, 13, 16)  # Tuesday


def test_a_report_on_saturday_counts_from_monday():
    assert add_working_days(at(2026, 1, 10), 2) == at(2026, 1, 13)


def test_easter_monday_is_skipped():
    # Thursday before Easter: Good Friday and Easter Monday are public holidays.
    assert add_working_days(at(2026, 4, 2, 9), 2) == at(2026, 4, 8, 9)


def test_kings_day_is_skipped_in_the_ten_day_stale_period():
    # Monday 20 April + 10 working days, with King's Day (Monday 27 April) in between.
    assert add_working_days(at(2026, 4, 20, 14), 10) == at(2026, 5, 5, 14)


def test_christmas_and_new_year():
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2027, 1, 1))
    # Thursday 24 Dec + 2: Friday is Christmas, weekend, Monday 28 and Tuesday 29.
    assert add_working_days(at(2026, 12, 24), 2) == at(2026, 12, 29)


def test_deadlines_keep_local_time_over_the_dst_change():
    # Clocks go forward on Sunday 29 March 2026.
    assert add_working_days(at(2026, 3, 27, 16), 2) == at(2026, 3, 31, 16)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("new", at(2026, 1, 13)), ("forwarded", at(2026, 1, 13)), ("in_progress", at(2026, 1, 23))],
)
def test_deadline_depends_on_status_and_settings(settings, status, expected):
    settings.SIGNALEN_PICKUP_WORKING_DAYS = 2
    settings.SIGNALEN_STALE_WORKING_DAYS = 10
    friday = at(2026, 1, 9)
    assert deadline_for(status=status, received_at=friday, last_activity_at=friday) == expected
    assert deadline_for(status="closed", received_at=friday, last_activity_at=friday) is None


def test_configured_working_days_are_used(settings):
    settings.SIGNALEN_PICKUP_WORKING_DAYS = 5
    friday = at(2026, 1, 9)
    assert deadline_for(status="new", received_at=friday, last_activity_at=friday) == at(
        2026, 1, 16
    )


def test_months_before_clamps_to_the_end_of_the_month():
    assert months_before(at(2026, 3, 31), 1) == at(2026, 2, 28)
    assert months_before(at(2026, 1, 15), 12) == at(2025, 1, 15)
    assert months_before(at(2026, 1, 15), 13) == at(2024, 12, 15)


@pytest.mark.django_db
def test_a_new_signal_not_picked_up_in_time_is_marked_overdue_in_the_queue(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    expected = add_working_days(signal.received_at, 2)
    assert signal.deadline_at == expected

    # Move the arrival back past the deadline, as if two working days went by.
    arrived = timezone.now() - timedelta(days=6)
    Signal.objects.filter(pk=signal.pk).update(
        received_at=arrived, deadline_at=add_working_days(arrived, 2)
    )
    client.force_login(contact)
    page = client.get(reverse("signalen:queue")).context["page"]
    assert [s.is_overdue for s in page.object_list] == [True]

    # Picking it up starts the ten-day period from now: no longer overdue.
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    signal.refresh_from_db()
    assert signal.deadline_at == add_working_days(signal.last_activity_at, 10)
    page = client.get(reverse("signalen:queue")).context["page"]
    assert [s.is_overdue for s in page.object_list] == [False]
