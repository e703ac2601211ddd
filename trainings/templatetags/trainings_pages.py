"""Page links for the trainings lists, written in Python: the markup of
``includes/_pagination.html`` without an include (its own template, context and
translation nodes) per list on every request."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def page_links(page, query: str = "", param: str = "pagina", label: str = "") -> SafeString:
    """The same links as ``includes/_pagination.html``: previous, "Pagina n (van m)", next,
    keeping the other query parameters; nothing when the list fits one page."""
    if not page.has_other_pages():
        return SafeString("")
    prefix = f"{query}&{param}=" if query else f"{param}="
    link = '<li class="page-item"><a class="page-link" href="?{}{}">{}</a></li>'
    previous = (
        format_html(link, prefix, page.previous_page_number(), _("Vorige"))
        if page.has_previous()
        else ""
    )
    following = (
        format_html(link, prefix, page.next_page_number(), _("Volgende")) if page.has_next() else ""
    )
    if getattr(page.paginator, "is_capped", False):
        current = _("Pagina %(n)s") % {"n": page.number}
    else:
        current = _("Pagina %(n)s van %(total)s") % {
            "n": page.number,
            "total": page.paginator.num_pages,
        }
    return format_html(
        '<nav aria-label="{}"><ul class="pagination">{}'
        '<li class="page-item active" aria-current="page"><span class="page-link">{}</span></li>'
        "{}</ul></nav>",
        label or _("Paginering"),
        previous,
        current,
        following,
    )
