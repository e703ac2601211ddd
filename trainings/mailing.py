"""Messages from a run's coordinators: the built-in templates and their placeholders.

Placeholders are replaced by plain text substitution of a fixed set of names, never by a
template engine, so nothing a coordinator writes is evaluated.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "voornaam": _("de voornaam van de ontvanger"),
    "naam": _("de volledige naam van de ontvanger"),
    "training": _("de titel van de training"),
    "datum": _("de datum en tijd van de eerste bijeenkomst"),
    "locatie": _("de locatie"),
    "link": _("de link naar de pagina van de uitvoering"),
}
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


@dataclass(frozen=True)
class Template:
    label: str
    subject: str
    body: str


# Texts in Dutch: they are mailed as written, in the portal's language.
TEMPLATES = {
    "praktisch": Template(
        label=_("Praktische informatie"),
        subject="Praktische informatie: {training}",
        body=(
            "Beste {voornaam},\n\n"
            "Binnenkort begint {training}. De eerste bijeenkomst is op {datum}, {locatie}.\n"
            "Neem je ontwikkelplan mee; je vindt het op {link}.\n\n"
            "Tot dan!"
        ),
    ),
    "huiswerk": Template(
        label=_("Herinnering huiswerk"),
        subject="Herinnering: voorbereiding voor {training}",
        body=(
            "Beste {voornaam},\n\n"
            "Vergeet je niet de opdracht voor de volgende bijeenkomst van {training} voor te "
            "bereiden? Alles staat op {link}."
        ),
    ),
    "na_afloop": Template(
        label=_("Na afloop"),
        subject="Bedankt voor je deelname aan {training}",
        body=(
            "Beste {voornaam},\n\n"
            "Dank je wel voor je deelname aan {training}. Kijk je nog eens terug in je "
            "ontwikkelplan: wat heb je geleerd en hoe borg je het in je werk? {link}"
        ),
    ),
}


def unknown_placeholders(text: str) -> list[str]:
    """The ``{names}`` in ``text`` that are not placeholders, each once."""
    found = dict.fromkeys(name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS)
    return list(found)


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{placeholder}`` replaced by its value, as plain text."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
