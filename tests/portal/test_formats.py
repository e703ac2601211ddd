"""One date style per language, through Django's formats and the portal's named formats."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.formats import UnknownFormat, moment_writer, named_format
from portal.formats.nl import formats as dutch
from tests.portal.test_templates import TEMPLATE_FILES

MOMENT = datetime(2026, 11, 29, 13, 30, tzinfo=ZoneInfo("UTC"))  # 14:30 in Amsterdam


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load portal_formats %}" + source).render(
            Context({"moment": MOMENT, **context})
        )


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


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "name",
    [
        "DATETIME_FORMAT",
        "DATE_FORMAT",
        "DAY_MONTH_TIME_FORMAT",
        "WEEKDAY_DATETIME_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "DATETIME_SECONDS_FORMAT",
        "YEAR_MONTH_FORMAT",
    ],
)
def test_the_writer_for_long_lists_writes_as_the_template_filter_does(language, name):
    moments = [
        MOMENT,
        datetime(2026, 3, 29, 0, 59, 7, tzinfo=ZoneInfo("UTC")),  # the clocks go forward
        datetime(2025, 1, 1, 23, 5, tzinfo=ZoneInfo("UTC")),  # already next year here
        datetime(2026, 10, 25, 9, 0, tzinfo=ZoneInfo("America/New_York")),
    ]
    with translation.override(language):
        write = moment_writer(name)
        for moment in moments:
            assert write(moment) == _render(
                f'{{{{ m|named_date:"{name}" }}}}', language, m=moment
            ), moment


def test_the_writer_leaves_a_format_character_it_does_not_know_to_django(monkeypatch):
    monkeypatch.setattr(dutch, "ABBREVIATED_FORMAT", r"D j M \o\m H:i", raising=False)
    with translation.override("nl"):
        assert moment_writer("ABBREVIATED_FORMAT")(MOMENT) == "zo 29 Nov om 14:30"
