"""The rows of the signal queue, written in Python.

A page has 25 to 100 rows of six cells; in the template language every cell was a
variable lookup, an escape and often an if, and together they were a measurable part of
the page's time. The markup is what a template loop would write: a row per ``QueueRow``
(signalen.selectors), every value escaped here, the badge already HTML.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from signalen.forms import QuickCheckbox, QuickSelect

register = template.Library()

_ROW = (
    "<tr{overdue_class}>"
    '<td data-label="{l_reference}"><a href="{url}">{reference}</a></td>'
    '<td data-label="{l_category}">{category}</td>'
    '<td data-label="{l_received}">{received}</td>'
    '<td data-label="{l_status}">{badge}{whereabouts}</td>'
    '<td data-label="{l_assignee}">{assignee}</td>'
    '<td data-label="{l_deadline}">{deadline}</td>'
    "</tr>"
)


@register.simple_tag
def queue_rows(rows) -> str:
    """The table rows of a queue page, labels translated once for all rows."""
    labels = {
        "l_reference": escape(_("Referentie")),
        "l_category": escape(_("Categorie")),
        "l_received": escape(_("Binnengekomen")),
        "l_status": escape(_("Status")),
        "l_assignee": escape(_("Behandelaar")),
        "l_deadline": escape(_("Termijn")),
    }
    nobody = f'<span class="text-muted">{escape(_("niemand"))}</span>'
    overdue = f'<span class="badge text-bg-warning">{escape(_("Over termijn"))}</span>'
    written = []
    for row in rows:
        whereabouts = ""
        if row.whereabouts:
            whereabouts = f'<span class="d-block small text-muted">{escape(row.whereabouts)}</span>'
        written.append(
            _ROW.format(
                overdue_class=' class="table-warning"' if row.is_overdue else "",
                url=escape(row.url),
                reference=escape(row.reference),
                category=escape(row.category),
                received=escape(row.received),
                badge=row.status_badge,
                whereabouts=whereabouts,
                assignee=escape(row.assignee) if row.assignee else nobody,
                deadline=overdue if row.is_overdue else escape(row.deadline),
                **labels,
            )
        )
    return mark_safe("\n".join(written))  # noqa: S308 - every value above is escaped


def _widget(field) -> str:
    """What ``str(field)`` writes for the filter bar's selects and checkbox (``QuickSelect``,
    ``QuickCheckbox``), without the bound field's machinery around the widget; a field with
    errors is written by the widget itself (it adds its error attributes)."""
    widget = field.field.widget
    if field.errors or not isinstance(widget, QuickSelect | QuickCheckbox):
        return str(field)
    head = f'name="{escape(field.html_name)}" class="{escape(widget.attrs.get("class", ""))}"'
    head += f' id="{escape(field.auto_id)}"'
    value = field.value()
    if isinstance(widget, QuickCheckbox):
        checked = " checked" if widget.check_test(value) else ""
        shown = widget.format_value(value)
        shown = f' value="{escape(shown)}"' if shown is not None else ""
        return f'<input type="checkbox" {head}{shown}{checked}>'
    return f"<select {head}>{widget.options(value)}</select>"


@register.simple_tag
def queue_filter_fields(form) -> str:
    """The filter bar's fields, each in its grid cell with its label (the checkbox after
    its box), written in Python for the same reason as the rows: the bar has seven fields
    with some forty options on every request."""
    cells = []
    for field in form:
        label = escape(str(field.label))
        target = escape(field.id_for_label)
        if field.name == "overdue":
            cells.append(
                '<div class="col-sm-6 col-md-3 col-lg-2 form-check ms-2">\n'
                f'  {_widget(field)} <label class="form-check-label" for="{target}">{label}'
                "</label>\n</div>"
            )
        else:
            cells.append(
                '<div class="col-sm-6 col-md-3 col-lg-2">\n'
                f'  <label class="form-label" for="{target}">{label}</label>\n'
                f"  {_widget(field)}\n</div>"
            )
    return mark_safe("\n".join(cells))  # noqa: S308 - every value above is escaped
