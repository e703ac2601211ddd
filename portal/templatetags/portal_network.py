"""The people and the organisation choices of the netwerk page, written in Python.

A page shows up to 40 people and every organisation as a choice; as an included template
per person (a url, a translation and a dozen lookups each) and a filter per option, they
were a measurable part of the page's time. The markup is what the templates wrote, every
value escaped here.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# What a person's page shows of where the reader met them: the latest three meetings.
MEETINGS_SHOWN = 3


def _person(person, met_at: str, person_url: str, places: dict) -> str:
    parts = [
        '<li class="list-group-item">',
        f'<a href="{person_url}{person.pk}/" class="fw-semibold">{escape(person.name)}</a>',
        f' <span class="text-body-secondary">· {escape(person.organisation or "—")}</span>',
    ]
    role = ", ".join(part for part in (person.job_title, person.department) if part)
    if person.discipline:
        role = f"{role} · {person.discipline}" if role else person.discipline
    if role:
        parts.append(f'<div class="small">{escape(role)}</div>')
    for meeting in person.meetings[:MEETINGS_SHOWN]:
        # Worded once per run or werkplaats: the people of a page met in a few places.
        key = (meeting.title, meeting.when)
        if key not in places:
            places[key] = f'<div class="small">{escape(met_at % {"place": meeting.place})}</div>'
        parts.append(places[key])
    parts.append("</li>")
    return "".join(parts)


@register.simple_tag
def network_people(people) -> str:
    """The list items of these ``NetworkPerson``: name (to their page), organisation, the
    role fields they show and where the reader met them."""
    met_at = _("Ontmoet bij %(place)s")
    # A person's page, reversed (and escaped) once: the address up to their number.
    person_url = escape(reverse("network_person", args=[0])[: -len("0/")])
    places: dict = {}
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(_person(p, met_at, person_url, places) for p in people)
    )


@register.simple_tag
def organisation_options(organisations, chosen: str) -> str:
    """The ``<option>`` of each (pk, name, ...), the chosen one selected."""
    options = (
        f'<option value="{pk}"{" selected" if str(pk) == chosen else ""}>{escape(name)}</option>'
        for pk, name, *_rest in organisations
    )
    return mark_safe("".join(options))  # noqa: S308 - every value is escaped


@register.simple_tag
def choice_options(choices, chosen: str) -> str:
    """The ``<option>`` of each (value, label) of a form field's choices, the chosen one
    selected: a template loop cost more than the rest of the search form."""
    options = (
        f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
    )
    return mark_safe("".join(options))  # noqa: S308 - every value is escaped
