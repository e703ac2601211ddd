"""The registry of reminder kinds: how each app turns a planned reminder into an e-mail.

Apps register a renderer per kind in their own ``reminders.py`` (imported at start-up
by ``PortalConfig.ready``). A renderer reads the current state of its target and
returns the message, or None when the reminder is no longer relevant (it is then
skipped, not sent).

A sent reminder keeps its subject and body for "Mijn herinneringen". A kind whose mail
holds a secret link (a sign-up or answer link that works without logging in) registers
with ``keep_body=False``: its body is then replaced by a short note before it is stored,
so the database never holds a usable link.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import PlannedReminder


@dataclass(frozen=True)
class MailAttachment:
    """A file sent with a reminder's mail, e.g. an iCalendar item (``text/calendar``)."""

    filename: str
    content: str | bytes
    mimetype: str


@dataclass(frozen=True)
class ReminderMessage:
    subject: str
    body: str
    # Sent with the mail, never stored: "Mijn herinneringen" keeps subject and body only.
    attachments: tuple[MailAttachment, ...] = ()

    def as_email(self, *, to: str, message_id: str = "", connection=None) -> EmailMessage:
        """The mail as Django sends it, from ``DEFAULT_FROM_EMAIL``.

        ``message_id`` is the reminder's own, the same on every attempt, so a mail client
        shows a mail that went out twice once.
        """
        headers = {"Message-ID": message_id} if message_id else None
        email = EmailMessage(
            self.subject, self.body, None, [to], headers=headers, connection=connection
        )
        for attachment in self.attachments:
            email.attach(attachment.filename, attachment.content, attachment.mimetype)
        return email


Renderer = Callable[["PlannedReminder"], ReminderMessage | None]

# What "Mijn herinneringen" shows instead of a body that was not kept.
BODY_NOT_KEPT = _(
    "Deze e-mail bevatte een persoonlijke link. Om die te beschermen bewaart het portaal de "
    "tekst niet; je vindt het bericht in je mailbox."
)


@dataclass(frozen=True)
class ReminderKind:
    """A registered kind: its renderer, whether a sent message's body is stored, its name for
    people (``label``: offered on the mail preferences page) and whether it is about the
    account's security (``security``: always sent at once, never in a digest), and whether
    the row keeps the recipient's address once sent (``keep_address``)."""

    renderer: Renderer
    keep_body: bool = True
    label: str = ""
    security: bool = False
    keep_address: bool = True

    @property
    def may_wait_for_digest(self) -> bool:
        """Whether a person may choose to get this kind in the daily digest."""
        return bool(self.label) and not self.security

    def body_to_store(self, message: ReminderMessage) -> str:
        """The body as stored with the sent reminder: itself, or the note that replaces it."""
        if self.keep_body:
            return message.body
        with translation.override(settings.LANGUAGE_CODE):
            return str(BODY_NOT_KEPT)


_kinds: dict[str, ReminderKind] = {}


def register(
    kind: str,
    *,
    keep_body: bool = True,
    label: str = "",
    security: bool = False,
    keep_address: bool = True,
) -> Callable[[Renderer], Renderer]:
    """Decorator: ``@register("trainings.session_day_before", label=_("..."))`` on a renderer.

    ``keep_body=False`` for a mail with a secret link: only its subject and a note are stored.
    ``label`` names the kind for people (lazily translated); a kind with a label is offered
    on the mail preferences page (at once or in the daily digest), unless ``security=True``:
    role changes, second factor and invitations are always sent at once.
    ``keep_address=False`` for a mail to someone whose data is erased: once sent (or
    skipped), the row's address is replaced by ``forgotten_address``.
    """

    def decorator(renderer: Renderer) -> Renderer:
        existing = _kinds.get(kind)
        if existing is not None and existing.renderer is not renderer:
            qualified = f"{existing.renderer.__module__}.{existing.renderer.__qualname__}"
            if qualified != f"{renderer.__module__}.{renderer.__qualname__}":
                raise ValueError(f"Reminder kind {kind!r} is already registered by {qualified}.")
        _kinds[kind] = ReminderKind(
            renderer=renderer,
            keep_body=keep_body,
            label=label,
            security=security,
            keep_address=keep_address,
        )
        return renderer

    return decorator


def forgotten_address(reminder_id: int) -> str:
    """What a sent row of a ``keep_address=False`` kind keeps instead of the address."""
    return f"verwijderd-{reminder_id}@adres.invalid"


def is_registered(kind: str) -> bool:
    return kind in _kinds


def digestible_kinds() -> dict[str, ReminderKind]:
    """The kinds a person may choose to get in the daily digest, by kind name."""
    return {name: kind for name, kind in _kinds.items() if kind.may_wait_for_digest}


def kind_for(kind: str) -> ReminderKind:
    """The registered kind; raises ValueError for an unknown one."""
    try:
        return _kinds[kind]
    except KeyError:
        raise ValueError(f"Unknown reminder kind {kind!r}; register a renderer for it.") from None


def kind_or_none(kind: str) -> ReminderKind | None:
    """The registered kind, or None (a row of a kind no longer registered)."""
    return _kinds.get(kind)


def renderer_for(kind: str) -> Renderer:
    """The renderer of a registered kind; raises ValueError for an unknown one."""
    return kind_for(kind).renderer


def render_email(template_prefix: str, context: dict) -> ReminderMessage:
    """Render ``<prefix>_subject.txt`` and ``<prefix>_body.txt`` in the portal's language."""
    context = {**context, "portal_base_url": settings.PORTAL_BASE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_body.txt", context)
    # A subject is one line; templates may end theirs with a newline.
    return ReminderMessage(subject=" ".join(subject.split())[:255], body=body)
