"""Calendar entries rendered in Python: a busy month holds hundreds of them, and the
template language resolves every variable of every entry one lookup at a time."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def calendar_items(day_sessions, draft_label: str, off_label: str) -> SafeString:
    """``<li>`` items of (CalendarEntry, url) pairs: link, start time, draft/cancelled badge."""
    draft = format_html(' <span class="badge text-bg-secondary">{}</span>', draft_label)
    off = format_html(' <span class="badge text-bg-warning">{}</span>', off_label)
    return format_html_join(
        "",
        '<li><a href="{}">{}</a> {}{}</li>',
        (
            (url, entry.title, entry.time, draft if entry.is_draft else off if entry.is_off else "")
            for entry, url in day_sessions
        ),
    )
