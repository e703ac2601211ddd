"""Calendar entries rendered in Python: a busy month holds hundreds of them, and the
template language resolves every variable of every entry one lookup at a time."""

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.formats import named_format

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


@register.simple_tag
def month_agenda(weeks, today, draft_label: str, off_label: str) -> SafeString:
    """The month grid as an agenda for narrow screens: only the days with sessions, in order."""
    days = [(day, items) for week in weeks for day, in_month, items in week if in_month and items]
    if not days:
        return format_html('<p class="text-body-secondary">{}</p>', _("Geen bijeenkomsten."))
    day_format = named_format("WEEKDAY_DAY_MONTH_FORMAT")
    today_mark = format_html(' <span class="badge text-bg-primary">{}</span>', _("vandaag"))
    return format_html(
        '<ol class="calendar-agenda list-unstyled">{}</ol>',
        format_html_join(
            "",
            '<li><h3 class="h6">{}{}</h3><ul>{}</ul></li>',
            (
                (
                    capfirst(formats.date_format(day, day_format)),
                    today_mark if day == today else "",
                    calendar_items(items, draft_label, off_label),
                )
                for day, items in days
            ),
        ),
    )
