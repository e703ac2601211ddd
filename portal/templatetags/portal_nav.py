"""The menu and footer on every page."""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

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
