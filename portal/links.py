"""Links one app shows on another app's page without the page's app importing it.

A werkplaats can grow out of a verkenning, but werkplaats must not import verkenning
(verkenning builds on werkplaats). So the app that knows the relation registers a provider
for the model whose page shows the link, in its ``AppConfig.ready``; the page asks
``related_links(user, obj)`` and renders ``includes/_related_links.html``.

A provider decides who sees its links: it returns nothing to whoever may not know the
related record exists. It may name the joins it reads (``select_related``); the page's own
selector adds them through ``select_related_for``, so a link costs no query of its own.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class RelatedLink:
    """Rendered as: ``text`` <a href="``url``">``title``</a>."""

    text: str
    title: str
    url: str


Provider = Callable[[Any, Model], list[RelatedLink]]


@dataclass(frozen=True)
class _Registration:
    provider: Provider
    select_related: tuple[str, ...]


_registrations: dict[str, list[_Registration]] = {}


def _qualified(provider: Provider) -> str:
    return f"{provider.__module__}.{provider.__qualname__}"


def register(model_label: str, provider: Provider, *, select_related: Sequence[str] = ()) -> None:
    """Show ``provider(user, obj)``'s links on the pages of ``model_label`` ("app.Model").

    Registering the same provider again (an app loaded twice) replaces it.
    """
    registrations = [
        r
        for r in _registrations.get(model_label, [])
        if _qualified(r.provider) != _qualified(provider)
    ]
    registrations.append(_Registration(provider, tuple(select_related)))
    _registrations[model_label] = registrations


def select_related_for(model_label: str) -> list[str]:
    """The joins the registered providers read, for the selector that loads the page's object."""
    return [path for r in _registrations.get(model_label, []) for path in r.select_related]


def related_links(user: Any, obj: Model) -> list[RelatedLink]:
    """Every registered provider's links for ``obj`` that ``user`` may see, in order."""
    return [link for r in _registrations.get(obj._meta.label, []) for link in r.provider(user, obj)]
