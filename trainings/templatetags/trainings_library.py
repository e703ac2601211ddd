"""The library's page of resources and its partner and theme choices, written in Python.

A page has 20 resources, each with a link, its kind, partners, a shortened description and
badges; in the template language those were some twenty lookups, loops and filters per
resource, and every partner an option with an if. The markup is what the template wrote,
every value escaped here.
"""

import unicodedata
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from trainings.models import Element, ResourceKind

register = template.Library()

# The description as the page shows it: its first 300 characters.
DESCRIPTION_SHOWN = 300


def _shortened(text: str) -> str:
    # What ``truncatechars`` gives; a text that fits is only normalised, as it does.
    if len(text) <= DESCRIPTION_SHOWN:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(DESCRIPTION_SHOWN)


def _resource(resource, url: str, kinds: dict[str, str], elements: dict[str, str]) -> str:
    partners = "".join(f" · {escape(o.name)}" for o in resource.organisations.all())
    badges = "".join(
        f'<span class="badge text-bg-primary me-1">{label}</span>'
        for value, label in elements.items()
        if getattr(resource, f"element_{value}")
    )
    themes = "".join(
        f'<span class="badge text-bg-light border border-dark-subtle me-1">{escape(t.name)}</span>'
        for t in resource.themes.all()
    )
    kind = kinds.get(resource.kind, resource.kind)
    return (
        '<li class="card mb-3">\n<div class="card-body">\n'
        f'<h3 class="h5 card-title"><a href="{escape(url)}">{escape(resource.title)}</a></h3>\n'
        f'<p class="mb-1 text-body-secondary">{escape(kind)}{partners}</p>\n'
        f'<p class="mb-2">{escape(_shortened(resource.description))}</p>\n'
        f'<p class="mb-0">{badges}{themes}</p>\n'
        "</div>\n</li>"
    )


@register.simple_tag
def library_resources(resources) -> str:
    """The list items of a page of resources (their partners and themes prefetched); the
    labels of the kinds and elements translated once for the page."""
    kinds = {value: str(label) for value, label in ResourceKind.choices}
    elements = {value: escape(str(label)) for value, label in Element.choices}
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(
            _resource(r, reverse("trainings:resource_detail", args=[r.pk]), kinds, elements)
            for r in resources
        )
    )


@register.simple_tag
def named_options(items, chosen) -> str:
    """An ``<option>`` per item (with ``pk`` and ``name``), the one whose pk is ``chosen``
    selected."""
    options = (
        f'<option value="{item.pk}"{" selected" if item.pk == chosen else ""}>'
        f"{escape(item.name)}</option>"
        for item in items
    )
    return mark_safe("".join(options))  # noqa: S308 - every value is escaped
