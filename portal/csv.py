"""CSV downloads in the form Dutch Excel reads, and safe from spreadsheet formula injection."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

# Spreadsheet apps run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, with a leading quote where a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(*, filename: str, rows: Iterable[Iterable]) -> HttpResponse:
    """A download of ``rows`` (the first is the header): UTF-8 with BOM and ``;``.

    The byte-order mark and semicolons are how Dutch Excel recognises UTF-8 CSV. Every
    cell goes through ``safe_cell``, numbers included, so no caller can forget it.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response
