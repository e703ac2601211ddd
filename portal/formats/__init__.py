"""Date and time formats per language (Django's FORMAT_MODULE_PATH points here).

Each language has one style: a date is "29 november 2026", a moment "29 november 2026, 14:30",
always 24-hour and without abbreviated months. Besides Django's own names (DATE_FORMAT,
DATETIME_FORMAT, MONTH_DAY_FORMAT, ...) the modules define the portal's own, such as
WEEKDAY_DATE_FORMAT; templates use those through the ``named_date`` filter.
"""

from django.utils import formats, translation


class UnknownFormat(LookupError):
    """A format name that no format module of the current language defines."""


def named_format(name: str) -> str:
    """The format string called ``name`` in the current language's format modules."""
    for module in formats.get_format_modules(translation.get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    raise UnknownFormat(name)
