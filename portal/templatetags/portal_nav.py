"""The menu and footer on every page."""

from html import escape

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

register = template.Library()

# (script prefix, URLconf, name) -> path. A URL without arguments is the same for every
# request a process serves under one prefix and URLconf, so it is reversed once.
_REVERSED: dict[tuple[str, object, str], str] = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process: the menu
    and the footer hold some 25 of them on every page, and each reverse cost about as much
    as the rest of the menu."""
    key = (get_script_prefix(), get_urlconf(), name)
    path = _REVERSED.get(key)
    if path is None:
        path = _REVERSED[key] = reverse(name)
    return path


@register.simple_tag(takes_context=True)
def menu_item(context, name: str, label: str, sub: bool = False) -> str:
    """A link of the menu, marked as the current page when it is: ``<li class="nav-item">``
    with a ``nav-link`` at the top level, a plain ``<li>`` in a submenu (``sub=True``).

    One tag per link instead of a reverse, a comparison and a translation each: the menu
    has some thirty links on every page, and this was most of the menu's time.
    """
    path = fixed_url(name)
    request = context.get("request")
    current = ' aria-current="page"' if request is not None and request.path == path else ""
    path = escape(path)
    item = "<li>" if sub else '<li class="nav-item">'
    link = "<a" if sub else '<a class="nav-link"'
    # The standard library's escape (Django's, without its lazy wrapper): label and path
    # are escaped here, the rest is this tag's own markup.
    return mark_safe(f'{item}{link} href="{path}"{current}>{escape(str(label))}</a></li>')  # noqa: S308
