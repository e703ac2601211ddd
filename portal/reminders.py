"""The registry of reminder kinds: how each app turns a planned reminder into an e-mail.

Apps register a renderer per kind in their own ``reminders.py`` (imported at start-up
by ``PortalConfig.ready``). A renderer reads the current state of its target and
returns the message, or None when the reminder is no longer relevant (it is then
skipped, not sent).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from .models import PlannedReminder


@dataclass(frozen=True)
class ReminderMessage:
    subject: str
    body: str


Renderer = Callable[["PlannedReminder"], ReminderMessage | None]

_renderers: dict[str, Renderer] = {}


def register(kind: str) -> Callable[[Renderer], Renderer]:
    """Decorator: ``@register("trainings.session_day_before")`` on the kind's renderer."""

    def decorator(renderer: Renderer) -> Renderer:
        existing = _renderers.get(kind)
        if existing is not None and existing is not renderer:
            qualified = f"{existing.__module__}.{existing.__qualname__}"
            if qualified != f"{renderer.__module__}.{renderer.__qualname__}":
                raise ValueError(f"Reminder kind {kind!r} is already registered by {qualified}.")
        _renderers[kind] = renderer
        return renderer

    return decorator


def is_registered(kind: str) -> bool:
    return kind in _renderers


def renderer_for(kind: str) -> Renderer:
    try:
        return _renderers[kind]
    except KeyError:
        raise ValueError(f"Unknown reminder kind {kind!r}; register a renderer for it.") from None


def render_email(template_prefix: str, context: dict) -> ReminderMessage:
    """Render ``<prefix>_subject.txt`` and ``<prefix>_body.txt`` in the portal's language."""
    context = {**context, "portal_base_url": settings.PORTAL_BASE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_body.txt", context)
    # A subject is one line; templates may end theirs with a newline.
    return ReminderMessage(subject=" ".join(subject.split())[:255], body=body)
