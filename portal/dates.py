"""The range of dates the portal accepts: from 2000 to ten years ahead.

Outside it, a typo (0001-01-01, 20255-03-01) would be stored and then break every page
that converts it to local time or adds a day to it. Forms bound their date fields with
this range (the form kit's ``DateField`` and ``DateTimeField``) and models check it in
``clean()`` for dates a service computes itself.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_date() -> datetime.date:
    """The last date accepted: ten years from today."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, ten years on, is 28 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_in_range(value: datetime.date | datetime.datetime | None) -> bool:
    """Whether a date (or the local date of a moment) lies in the accepted range."""
    if value is None:
        return True
    if isinstance(value, datetime.datetime):
        # Compare the date as written, before any time-zone arithmetic could overflow.
        value = value.date()
    return EARLIEST_DATE <= value <= latest_date()


def out_of_range_error() -> ValidationError:
    return ValidationError(
        _("Kies een datum tussen %(earliest)s en %(latest)s."),
        code="date_out_of_range",
        params={
            "earliest": EARLIEST_DATE.strftime("%d-%m-%Y"),
            "latest": latest_date().strftime("%d-%m-%Y"),
        },
    )


def validate_date_in_range(value) -> None:
    """A validator for a date or datetime field: raises when the date is out of range."""
    if not date_in_range(value):
        raise out_of_range_error()


def check_dates_in_range(instance, *field_names: str) -> None:
    """For a model's ``clean()``: every named date field in range, else one error per field."""
    errors = {
        name: out_of_range_error()
        for name in field_names
        if not date_in_range(getattr(instance, name))
    }
    if errors:
        raise ValidationError(errors)
