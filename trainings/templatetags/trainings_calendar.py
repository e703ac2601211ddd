"""Calendar entries rendered in Python: a busy month holds hundreds of them, and the
template language resolves every variable of every entry one lookup at a time.

The month view renders each day's list once (``day_lists``) and shows it twice: in the
table for wide screens and in the agenda for narrow ones."""

from datetime import datetime, time
from html import escape

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formats import moment_writer, named_format

register = template.Library()


def _badges(draft_label: str, off_label: str) -> tuple[SafeString, SafeString]:
    return (
        format_html(' <span class="badge text-bg-secondary">{}</span>', draft_label),
        format_html(' <span class="badge text-bg-warning">{}</span>', off_label),
    )


# Plain ``html.escape`` on plain strings (as Django's ``escape`` does, without checking every
# argument for a lazy translation first): a month holds hundreds of items.
def _items(day_sessions, draft: SafeString, off: SafeString) -> SafeString:
    return mark_safe(  # noqa: S308  (every value below is escaped or a SafeString)
        "".join(
            f'<li><a href="{escape(str(url))}">{escape(str(entry.title))}</a> '
            f"{escape(str(entry.time))}"
            f"{draft if entry.is_draft else off if entry.is_off else ''}</li>"
            for entry, url in day_sessions
        )
    )


@register.simple_tag
def calendar_items(day_sessions, draft_label: str, off_label: str) -> SafeString:
    """``<li>`` items of (CalendarEntry, url) pairs: link, start time, draft/cancelled badge."""
    return _items(day_sessions, *_badges(draft_label, off_label))


def _day_writer(name: str):
    """Writes a day (a ``date``) as the format called ``name``, names looked up once."""
    write = moment_writer(name)
    return lambda day: write(datetime.combine(day, time()))


def _more_writer():
    """Writes the "nog N meer" ``<li>`` of a day: ``(day, found)`` with ``found`` (number not
    shown, day list URL) or None. Texts translated once a page, each number once."""
    write_day = _day_writer("WEEKDAY_DAY_MONTH_FORMAT")
    on_day = _("op %(day)s")
    counted: dict[int, str] = {}

    def more_item(day, found) -> SafeString:
        if not found:
            return SafeString("")
        hidden, url = found
        text = counted.get(hidden)
        if text is None:
            text = counted[hidden] = escape(
                ngettext("nog %(n)s meer", "nog %(n)s meer", hidden) % {"n": hidden}
            )
        return mark_safe(  # noqa: S308  (every value is escaped)
            f'<li><a href="{escape(str(url))}">{text}<span class="visually-hidden"> '
            f"{escape(on_day % {'day': write_day(day)})}</span></a></li>"
        )

    return more_item


@register.simple_tag
def calendar_more(day, more) -> SafeString:
    """A "nog N meer" ``<li>`` linking to the day's list, when ``more`` (day to (number not
    shown, day list URL)) holds the day; else nothing."""
    return _more_writer()(day, (more or {}).get(day))


@register.simple_tag
def day_lists(weeks, draft_label: str, off_label: str, more=None) -> dict:
    """Per day of the month grid that has sessions: its ``<li>`` items and, on a busy day,
    the "nog N meer" link (``more``, see ``calendar_more``)."""
    draft, off = _badges(draft_label, off_label)
    more_item = _more_writer()
    more = more or {}
    return {
        day: _items(items, draft, off) + more_item(day, more.get(day))
        for week in weeks
        for day, _in_month, items in week
        if items
    }


@register.simple_tag
def month_grid_rows(weeks, today, lists) -> SafeString:
    """The month table's rows: a cell per day with its number and its list (``day_lists``)."""
    today_hidden = format_html(' <span class="visually-hidden">{}</span>', _("vandaag"))
    empty = SafeString("")

    def cell(day, in_month, _items):
        classes = "" if in_month else "text-body-secondary bg-body-tertiary"
        if day == today:
            classes += " border-primary border-2"
        return (classes, day.day, today_hidden if day == today else "", lists.get(day, empty))

    # The classes and the marker are fixed text, the lists SafeStrings of ``day_lists``.
    return mark_safe(  # noqa: S308
        "".join(
            "<tr>"
            + "".join(
                f'<td class="{classes}"><div class="fw-semibold">{number}{marker}</div>'
                f'<ul class="list-unstyled small mb-0">{items}</ul></td>'
                for classes, number, marker, items in (cell(*day) for day in week)
            )
            + "</tr>"
            for week in weeks
        )
    )


@register.simple_tag
def calendar_table_rows(entries) -> SafeString:
    """The list's table rows of (CalendarEntry, url) pairs: when, training, provider, place,
    status."""
    moment = named_format("WEEKDAY_DAY_MONTH_TIME_FORMAT")
    time_format = formats.get_format("TIME_FORMAT")
    draft, off = _("Concept"), _("Vervalt")
    return format_html_join(
        "",
        '<tr><td>{}–{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                formats.date_format(entry.starts_at, moment),
                formats.time_format(entry.ends_at, time_format),
                url,
                entry.title,
                entry.provider,
                entry.place,
                draft if entry.is_draft else off if entry.is_off else "",
            )
            for entry, url in entries
        ),
    )


@register.simple_tag
def month_agenda(weeks, today, draft_label: str, off_label: str, lists=None) -> SafeString:
    """The month grid as an agenda for narrow screens: only the days with sessions, in order,
    each with its list (``day_lists``, made here when not given)."""
    if lists is None:
        lists = day_lists(weeks, draft_label, off_label)
    days = [day for week in weeks for day, in_month, items in week if in_month and items]
    if not days:
        return format_html('<p class="text-body-secondary">{}</p>', _("Geen bijeenkomsten."))
    write_day = _day_writer("WEEKDAY_DAY_MONTH_FORMAT")
    today_mark = format_html(' <span class="badge text-bg-primary">{}</span>', _("vandaag"))
    return format_html(
        '<ol class="calendar-agenda list-unstyled">{}</ol>',
        format_html_join(
            "",
            '<li><h3 class="h6">{}{}</h3><ul>{}</ul></li>',
            (
                (
                    capfirst(write_day(day)),
                    today_mark if day == today else "",
                    lists[day],
                )
                for day in days
            ),
        ),
    )


@register.simple_tag
def organisation_options(organisations, selected) -> SafeString:
    """``<option>`` per organisation (pk, name), or per choice (value, label), the selected
    one marked: fifty of them cost a template loop more than the rest of the filter form."""
    # Plain ``html.escape`` on plain values, as in ``_items``.
    return mark_safe(  # noqa: S308  (every value below is escaped)
        "".join(
            f'<option value="{escape(str(pk))}"{" selected" if pk == selected else ""}>'
            f"{escape(str(name))}</option>"
            for pk, name in organisations
        )
    )
