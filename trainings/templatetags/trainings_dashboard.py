"""The programme dashboard's table rows rendered in Python: a section holds a row per partner
and the learning matrix a cell per pair of organisations, thousands of cells the template
language would resolve one variable lookup at a time."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..programme_stats import Cell, Section

register = template.Library()


def _header(cell: Cell) -> str:
    text = conditional_escape(cell.text)
    if cell.link:
        text = f'<a href="{conditional_escape(cell.link)}">{text}</a>'
    return f'<th scope="row">{text}</th>'


def _data(cell: Cell, note: str) -> str:
    classes = " ".join(
        name
        for name, wanted in (
            ("text-end", cell.numeric),
            ("table-secondary fst-italic", cell.marked),
        )
        if wanted
    )
    mark = f'*<span class="visually-hidden"> ({note})</span>' if cell.marked else ""
    return f'<td class="{classes}">{conditional_escape(cell.text)}{mark}</td>'


@register.simple_tag
def dashboard_rows(section: Section) -> SafeString:
    """The ``<tr>`` rows of a section's table body: the first cell a row header (linking to
    the row's runs where it has a link), marked cells set apart with the section's note."""
    note = conditional_escape(section.mark_note)
    return mark_safe(  # noqa: S308  (every value above is escaped)
        "".join(
            "<tr>" + _header(row[0]) + "".join(_data(cell, note) for cell in row[1:]) + "</tr>"
            for row in section.table_rows()
        )
    )
