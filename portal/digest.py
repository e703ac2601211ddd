"""The daily digest: one mail a day with the reminders a person chose not to get at once.

The digest is a reminder of the one table like every other (kind ``portal.daily_digest``,
target the person's ``DailyDigest`` of that day), so it is claimed, sent, retried and
listed under "Mijn herinneringen" like any mail. The reminders it holds are attached to it
(``PlannedReminder.digest``) when it is first claimed and marked "sent in digest" in the
same transaction that marks the digest sent, so each goes out in exactly one digest.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import PlannedReminder, ReminderStatus
from .reminders import ReminderMessage, kind_for, register

DAILY_DIGEST = "portal.daily_digest"


@dataclass(frozen=True)
class DigestItem:
    reminder: PlannedReminder
    message: ReminderMessage


@dataclass(frozen=True)
class DigestMessage(ReminderMessage):
    """The digest's mail, with what it holds and what it left out, for the sender to record."""

    stored_body: str = ""
    included: tuple[DigestItem, ...] = ()
    skipped: tuple[PlannedReminder, ...] = ()
    # Reminders whose renderer failed: sent on their own later, with their error.
    broken: tuple[tuple[PlannedReminder, Exception], ...] = ()


def digest_moment(*, after: datetime) -> datetime:
    """The first digest time (``REMINDER_DIGEST_HOUR`` o'clock, local) at or after ``after``."""
    local = timezone.localtime(after).replace(tzinfo=None)
    moment = datetime.combine(local.date(), time(hour=settings.REMINDER_DIGEST_HOUR))
    if moment < local:
        moment += timedelta(days=1)
    return timezone.make_aware(moment)


def _render(items: list[DigestItem], *, stored: bool) -> str:
    parts = []
    for item in items:
        body = item.message.body
        if stored:
            body = kind_for(item.reminder.kind).body_to_store(item.message)
        parts.append({"subject": item.message.subject, "body": body.strip()})
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "portal/email/daily_digest_body.txt",
            {"items": parts, "portal_base_url": settings.PORTAL_BASE_URL},
        )


@register(DAILY_DIGEST, security=True)
def render_digest(reminder: PlannedReminder) -> DigestMessage:
    """The reminders attached to this digest, each with its own subject and text."""
    attached = (
        PlannedReminder.objects.filter(digest=reminder, status=ReminderStatus.PLANNED)
        .select_related("recipient")
        .order_by("due_at", "pk")
    )
    included, skipped, broken = [], [], []
    for item in attached:
        try:
            message = kind_for(item.kind).renderer(item)
        except Exception as error:  # noqa: BLE001  (one broken mail must not stop the rest)
            broken.append((item, error))
            continue
        if message is None:
            skipped.append(item)
        else:
            included.append(DigestItem(reminder=item, message=message))
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(
            "portal/email/daily_digest_subject.txt", {"count": len(included)}
        )
    return DigestMessage(
        subject=" ".join(subject.split())[:255],
        body=_render(included, stored=False),
        attachments=tuple(a for item in included for a in item.message.attachments),
        stored_body=_render(included, stored=True),
        included=tuple(included),
        skipped=tuple(skipped),
        broken=tuple(broken),
    )
