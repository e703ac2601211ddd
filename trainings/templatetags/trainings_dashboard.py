"""The programme dashboard's table rows rendered in Python: a section holds a row per partner
and the learning matrix a cell per pair of organisations, thousands of cells the template
language would resolve one variable lookup at a time."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..programme_stats import Cell, Section

register = template.Library()


# Plain ``html.escape`` on plain strings: Django's escape checks every argument for a lazy
# translation first, which costs more than the escaping across thousands of cells.
def _header(cell: Cell) -> str:
    text = escape(str(cell.text))
    if cell.link:
        text = f'<a href="{escape(cell.link)}">{text}</a>'
    return f'<th scope="row">{text}</th>'


_CLASSES = {
    (False, False): "",
    (True, False): "text-end",
    (False, True): "table-secondary fst-italic",
    (True, True): "text-end table-secondary fst-italic",
}


def _data(cell: Cell, mark: str) -> str:
    text = escape(str(cell.text))
    classes = _CLASSES[(cell.numeric, cell.marked)]
    return f'<td class="{classes}">{text}{mark if cell.marked else ""}</td>'


@register.simple_tag
def dashboard_rows(section: Section) -> SafeString:
    """The ``<tr>`` rows of a section's table body: the first cell a row header (linking to
    the row's runs where it has a link), marked cells set apart with the section's note."""
    mark = f'*<span class="visually-hidden"> ({escape(str(section.mark_note))})</span>'
    return mark_safe(  # noqa: S308  (every value above is escaped)
        "".join(
            "<tr>" + _header(row[0]) + "".join(_data(cell, mark) for cell in row[1:]) + "</tr>"
            for row in section.table_rows()
        )
    )
