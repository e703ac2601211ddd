"""Shared page furniture: status badges, the form error summary, names in the active language."""

from urllib.parse import quote

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.translated import localized as _localized

register = template.Library()

# The state words the apps use, each with a tone and a sign, so a status never rests on colour
# alone. Bootstrap's text-bg-* pairs keep the text at a contrast of at least 4.5:1.
_TONES = {
    # waiting to start or still being prepared
    "draft": ("light", "✎"),
    "preparing": ("light", "✎"),
    "to_approach": ("light", "○"),
    "suggested": ("light", "✎"),
    # live, open, being worked on
    "published": ("success", "●"),
    "open": ("info", "○"),
    "new": ("info", "✱"),
    "in_progress": ("primary", "◐"),
    "in_conversations": ("primary", "◐"),
    "in_discussion": ("primary", "◐"),
    "design": ("primary", "◐"),
    "planned": ("primary", "◷"),
    "forwarded": ("warning", "➜"),
    "waitlisted": ("info", "…"),
    "pending_approval": ("secondary", "…"),
    "enrolled": ("success", "✓"),
    # finished well
    "completed": ("dark", "✓"),
    "done": ("dark", "✓"),
    "closed": ("dark", "■"),
    "spoken": ("dark", "✓"),
    "granted": ("success", "✓"),
    "adopted": ("success", "✓"),
    # stopped
    "cancelled": ("danger", "✕"),
    "declined": ("danger", "✕"),
    "not_granted": ("danger", "✕"),
    "rejected": ("danger", "✕"),
    "not_now": ("secondary", "–"),
}
_NEUTRAL = ("secondary", "•")


@register.simple_tag
def status_badge(value: str, label: str) -> str:
    """A badge for a state: its own colour and sign per state, and the state's name.

    Built in Python rather than from a template: lists show one per row, and rendering a
    template for each was a measurable part of a 50-row page.
    """
    tone, sign = _TONES.get(str(value), _NEUTRAL)
    border = " border border-dark-subtle" if tone == "light" else ""
    return format_html(
        '<span class="badge text-bg-{}{} status-badge status-{}">'
        '<span aria-hidden="true">{} </span>{}</span>',
        tone,
        border,
        value,
        sign,
        label,
    )


def _error_items(form) -> tuple[list[str], list[tuple[str, str]]]:
    """Non-field messages and (field id, message) pairs of a form or a formset."""
    general: list[str] = []
    fields: list[tuple[str, str]] = []
    if isinstance(form, forms.BaseFormSet):
        general.extend(form.non_form_errors())
        for member in form.forms:
            more_general, more_fields = _error_items(member)
            general.extend(more_general)
            fields.extend(more_fields)
        return general, fields
    if not form.is_bound or not form.errors:
        return general, fields
    general.extend(form.non_field_errors())
    for name, errors in form.errors.items():
        if name not in form.fields:
            continue
        bound = form[name]
        target = bound.id_for_label or bound.auto_id
        if form.fields[name].widget.is_hidden:
            general.extend(errors)
            continue
        for error in errors:
            fields.append((target, f"{bound.label}: {error}"))
    return general, fields


@register.inclusion_tag("includes/_form_errors.html")
def form_error_summary(*forms_on_page) -> dict:
    """One summary of every error on the page, each a link to its field; empty when none."""
    general: list[str] = []
    fields: list[tuple[str, str]] = []
    for form in forms_on_page:
        if form is None or form == "":
            continue
        more_general, more_fields = _error_items(form)
        general.extend(more_general)
        fields.extend(more_fields)
    return {"general": general, "fields": fields, "count": len(general) + len(fields)}


@register.filter
def localized(obj, field: str = "name") -> str:
    """The English (or other) twin of a data field in that language, falling back to Dutch."""
    if obj is None or obj == "":
        return ""
    return _localized(obj, field)


@register.simple_tag(takes_context=True)
def cursor_pagination(context, page, label: str = "") -> str:
    """The links of a keyset page (``portal.cursor_pagination.CursorPage``): to the start,
    back and on, keeping the other query parameters (the context's ``query``). There are
    no page numbers: a keyset page only knows its neighbours.

    Written in Python rather than from an included template: it is on every list that
    pages by cursor, and an include with its own context was a measurable part of a page.
    """
    if not page.has_other_pages:
        return ""
    query = str(context.get("query") or "")
    joined = f"?{query}&" if query else "?"
    links = []
    if not page.is_first:
        links.append(
            format_html(
                '<li class="page-item"><a class="page-link" href="?{}">{}</a></li>',
                query,
                _("Eerste"),
            )
        )
    for present, rel, param, cursor, text in (
        (page.has_previous, "prev", "voor", page.previous_cursor, _("Vorige")),
        (page.has_next, "next", "na", page.next_cursor, _("Volgende")),
    ):
        if present:
            links.append(
                format_html(
                    '<li class="page-item"><a class="page-link" rel="{}" href="{}{}={}">{}</a>'
                    "</li>",
                    rel,
                    joined,
                    param,
                    quote(cursor, safe="/"),
                    text,
                )
            )
    return format_html(
        '<nav aria-label="{}">\n  <ul class="pagination flex-wrap">\n    {}\n  </ul>\n</nav>',
        label or _("Paginering"),
        mark_safe("\n    ".join(links)),  # noqa: S308 - every link is written by format_html
    )
