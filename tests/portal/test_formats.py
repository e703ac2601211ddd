"""One date style per language, through Django's formats and the portal's named formats."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.formats import UnknownFormat, named_format
from tests.portal.test_templates import TEMPLATE_FILES

MOMENT = datetime(2026, 11, 29, 13, 30, tzinfo=ZoneInfo("UTC"))  # 14:30 in Amsterdam


def _render(source: str, language: str) -> str:
    with translation.override(language):
        return Template(source).render(Context({"moment": MOMENT}))


@pytest.mark.parametrize(
    ("source", "dutch", "english"),
    [
        ('{{ moment|date:"DATE_FORMAT" }}', "29 november 2026", "29 November 2026"),
        (
            '{{ moment|date:"DATETIME_FORMAT" }}',
            "29 november 2026, 14:30",
            "29 November 2026, 14:30",
        ),
        ("{{ moment }}", "29 november 2026, 14:30", "29 November 2026, 14:30"),
        ('{{ moment|date:"MONTH_DAY_FORMAT" }}', "29 november", "29 November"),
        ('{{ moment|time:"TIME_FORMAT" }}', "14:30", "14:30"),
        (
            '{{ moment|named_date:"WEEKDAY_DATETIME_FORMAT" }}',
            "zondag 29 november 2026, 14:30",
            "Sunday 29 November 2026, 14:30",
        ),
        (
            '{{ moment|named_date:"DAY_MONTH_TIME_FORMAT" }}',
            "29 november, 14:30",
            "29 November, 14:30",
        ),
    ],
)
def test_each_language_writes_dates_one_way_24_hour_and_unabbreviated(source, dutch, english):
    assert _render(source, "nl") == dutch
    assert _render(source, "en") == english


def test_an_unknown_format_name_is_an_error_not_literal_text():
    with translation.override("nl"), pytest.raises(UnknownFormat):
        named_format("WEEKDAY_DATE_FOMRAT")


def test_no_template_passes_a_format_string_instead_of_a_named_format():
    """Format strings in templates drift apart; the format modules keep one style."""
    allowed = {'|date:"l"', '|date:"j"'}  # a weekday name and a day number, not a date
    offenders = []
    for path in TEMPLATE_FILES:
        for line_number, line in enumerate(path.read_text().splitlines(), 1):
            for found in _format_strings(line):
                if found not in allowed:
                    offenders.append(f"{path}:{line_number}: {found}")
    assert offenders == []


def _format_strings(line: str) -> list[str]:
    return [
        match.group(0)
        for match in re.finditer(r'\|(?:date|time|named_date):"([^"]*)"', line)
        if not match.group(1).endswith("_FORMAT")
    ]
