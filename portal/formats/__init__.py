"""Date and time formats per language (Django's FORMAT_MODULE_PATH points here).

Each language has one style: a date is "29 november 2026", a moment "29 november 2026, 14:30",
always 24-hour and without abbreviated months. Besides Django's own names (DATE_FORMAT,
DATETIME_FORMAT, MONTH_DAY_FORMAT, ...) the modules define the portal's own, such as
WEEKDAY_DATE_FORMAT; templates use those through the ``named_date`` filter.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cache

from django.utils import dateformat, formats, timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS


class UnknownFormat(LookupError):
    """A format name that no format module of the current language defines."""


def named_format(name: str) -> str:
    """The format string called ``name`` in the current language's format modules."""
    for module in formats.get_format_modules(translation.get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    raise UnknownFormat(name)


# The format characters the portal's formats use, written without Django's DateFormat,
# which builds an object and walks the format for every value.
_WRITERS = {
    "j": lambda moment, names: str(moment.day),
    "d": lambda moment, names: f"{moment.day:02d}",
    "n": lambda moment, names: str(moment.month),
    "m": lambda moment, names: f"{moment.month:02d}",
    "Y": lambda moment, names: str(moment.year),
    "F": lambda moment, names: names[0][moment.month],
    "l": lambda moment, names: names[1][moment.weekday()],
    "H": lambda moment, names: f"{moment.hour:02d}",
    "i": lambda moment, names: f"{moment.minute:02d}",
    "s": lambda moment, names: f"{moment.second:02d}",
}


@cache
def _names(language: str | None) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the months and of the days of the week in ``language`` (active now)."""
    return (
        {number: str(month) for number, month in MONTHS.items()},
        {number: str(day) for number, day in WEEKDAYS.items()},
    )


def moment_writer(name: str) -> Callable[[datetime], str]:
    """A function that writes a moment as the format called ``name`` does in the current
    language and time zone, as ``named_date`` would.

    For lists that write a date on every row: the names of months and days are looked up
    once, here, instead of once per value. A format with a character this shortcut does
    not know is written by Django's own formatter.
    """
    format_string = named_format(name)
    zone = timezone.get_current_timezone()

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone) if timezone.is_aware(moment) else moment

    parts: list = []
    escaped = False
    for character in format_string:
        if escaped:
            parts.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in _WRITERS:
            parts.append(_WRITERS[character])
        elif character.isalpha():
            return lambda moment: dateformat.format(local(moment), format_string)
        else:
            parts.append(character)
    names = _names(translation.get_language())

    def write(moment: datetime) -> str:
        moment = local(moment)
        return "".join(part if isinstance(part, str) else part(moment, names) for part in parts)

    return write
