"""XLSX downloads (openpyxl): one sheet per table, numbers as numbers, text never a formula."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet name, and names longer than 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    """A table: the first row is the header; ``formats`` maps a column index to an Excel
    number format (e.g. ``0%``)."""

    title: str
    rows: Sequence[Sequence]
    formats: dict[int, str] = field(default_factory=dict)


def sheet_name(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name for ``title``."""
    base = " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", title).split()).strip("'")[:31] or "Blad"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook as bytes. Text is stored as text: a cell that starts with ``=`` is shown
    as written, never run as a formula, so no safe_cell quote is needed here."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for sheet in sheets:
        page = book.create_sheet(sheet_name(sheet.title, taken))
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = page.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = TYPE_STRING
                elif r > 1 and c - 1 in sheet.formats:
                    cell.number_format = sheet.formats[c - 1]
                if r == 1:
                    cell.font = Font(bold=True)
        page.freeze_panes = "B2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """A download of the workbook."""
    response = HttpResponse(workbook_bytes(sheets), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
