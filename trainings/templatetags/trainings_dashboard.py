"""The programme dashboard's sections rendered in Python: a section holds a row per partner
and the learning matrix a cell per pair of organisations, thousands of cells the template
language would resolve one variable lookup at a time, and a section as an included template
resolved dozens more. The markup is what the template wrote, every value escaped here."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from ..programme_stats import TEXT, Section

register = template.Library()


# Plain ``html.escape`` on plain strings: Django's escape checks every argument for a lazy
# translation first, which costs more than the escaping across thousands of cells.
_CLASSES = {
    (False, False): "",
    (True, False): "text-end",
    (False, True): "table-secondary fst-italic",
    (True, True): "text-end table-secondary fst-italic",
}


def _rows(section: Section) -> str:
    """The ``<tr>`` rows of a section's table body: the first cell a row header (linking to
    the row's runs where it has a link), marked cells set apart with the section's note.
    The cells of ``Section.table_rows``, written straight from the displayed values."""
    mark = f'*<span class="visually-hidden"> ({escape(str(section.mark_note))})</span>'
    numeric = [column.kind != TEXT for column in section.columns]
    marked, links = section.marked, section.row_links
    rows = []
    for r, row in enumerate(section.display_rows(section.rows)):
        head = escape(row[0])
        if r < len(links) and links[r]:
            head = f'<a href="{escape(links[r])}">{head}</a>'
        cells = [f'<tr><th scope="row">{head}</th>']
        for c in range(1, len(row)):
            is_marked = (r, c) in marked
            cells.append(
                f'<td class="{_CLASSES[(numeric[c], is_marked)]}">{escape(row[c])}'
                f"{mark if is_marked else ''}</td>"
            )
        cells.append("</tr>")
        rows.append("".join(cells))
    return "".join(rows)


def _footer(section: Section) -> str:
    cells = []
    for index, cell in enumerate(section.table_footer()):
        text = escape(str(cell.text))
        if index == 0:
            cells.append(f'<th scope="row">{text}</th>')
        else:
            numeric = ' class="text-end"' if cell.numeric else ""
            cells.append(f"<td{numeric}>{text}</td>")
    return f'<tfoot><tr class="fw-semibold">{"".join(cells)}</tr></tfoot>'


@register.simple_tag
def dashboard_section(section: Section, programme_id: int, query: str) -> SafeString:
    """One section of a dashboard page: its title, chart, table (rows, footer), what the
    page left off, the note on marked cells and the link to download it as CSV (with the
    page's ``query``, its period)."""
    key = escape(section.key)
    title = escape(str(section.title))
    parts = [
        f'<section class="mb-5" aria-labelledby="{key}-kop">',
        f'<h2 id="{key}-kop" class="h4">{title}</h2>',
    ]
    if section.chart and section.rows:
        parts.append(
            f'<div class="chart-box mb-3"><canvas id="chart-{key}" role="img" '
            f'aria-label="{escape(str(section.chart_label))}" '
            f'aria-describedby="{key}-table"></canvas></div>'
        )
    end = ' class="text-end"'
    head = "".join(
        f'<th scope="col"{end if column.kind != TEXT else ""}>{escape(str(column.title))}</th>'
        for column in section.columns
    )
    if section.rows:
        body = _rows(section)
    else:
        nothing = escape(gettext("Niets te tellen in deze periode."))
        body = f'<tr><td colspan="{len(section.columns)}">{nothing}</td></tr>'
    parts += [
        f'<div class="table-responsive position-relative" tabindex="0" role="region" '
        f'aria-labelledby="{key}-tabel">',
        f'<table class="table table-sm" id="{key}-table">',
        f'<caption id="{key}-tabel" class="visually-hidden">{title}</caption>',
        f"<thead><tr>{head}</tr></thead>",
        f"<tbody>{body}</tbody>",
        _footer(section) if section.footer and section.rows else "",
        "</table>",
        "</div>",
    ]
    if section.rows_left_off:
        left = section.rows_left_off
        text = ngettext(
            "De tabel toont de eerste %(shown)s rijen; %(left)s rij meer staat in de download.",
            "De tabel toont de eerste %(shown)s rijen; %(left)s rijen meer staan in de download.",
            left,
        ) % {"shown": len(section.rows), "left": left}
        parts.append(f'<p class="small">{escape(text)}</p>')
    if section.marked:
        note = gettext("* = %(note)s") % {"note": section.mark_note}
        parts.append(f'<p class="small text-body-secondary">{escape(note)}</p>')
    url = reverse("trainings:programme_dashboard_export", args=[programme_id])
    href = f"{url}?formaat=csv&onderdeel={section.key}" + (f"&{query}" if query else "")
    label = str(section.download_label) if section.download_label else gettext("Download als CSV")
    parts.append(
        f'<p><a href="{escape(href)}">{escape(label)}'
        f'<span class="visually-hidden"> — {title}</span></a></p>'
    )
    parts.append("</section>")
    return mark_safe("\n".join(parts))  # noqa: S308  (every value above is escaped)


@register.simple_tag
def provider_options(providers, chosen) -> SafeString:
    """The ``<option>`` of each provider (pk, name), ``chosen`` (a provider or None) selected."""
    chosen_pk = chosen.pk if chosen else None
    return mark_safe(  # noqa: S308  (the names are escaped)
        "".join(
            f'<option value="{p.pk}"{" selected" if p.pk == chosen_pk else ""}>'
            f"{escape(p.name)}</option>"
            for p in providers
        )
    )
