"""The kernel's own mail kinds: a role granted or revoked, and the yearly role review.

Imported at start-up by ``PortalConfig.ready`` (and by the services that plan these kinds),
so the renderers are registered before the dispatcher needs them.
"""

from django.urls import reverse

from .models import RoleChange, RoleReview
from .reminders import ReminderMessage, register, render_email

ROLE_CHANGED = "portal.role_changed"
ROLE_REVIEW_OPENED = "portal.role_review_opened"
ROLE_REVIEW_REMINDER = "portal.role_review_reminder"


@register(ROLE_CHANGED, security=True)
def render_role_changed(reminder) -> ReminderMessage | None:
    change = (
        RoleChange.objects.select_related("actor", "subject", "organisation")
        .filter(pk=reminder.target_id)
        .first()
    )
    if change is None:
        return None
    return render_email(
        "portal/email/role_changed",
        {"change": change, "recipient": change.subject, "granted": change.action == "granted"},
    )


def _open_review(reminder) -> RoleReview | None:
    return RoleReview.objects.filter(pk=reminder.target_id, is_open=True).first()


def _review_context(review: RoleReview, reminder) -> dict:
    return {
        "review": review,
        "recipient": reminder.recipient,
        "open_lines": review.lines.filter(decision="").count(),
        "review_path": reverse("beheer_role_review_detail", args=[review.pk]),
    }


@register(ROLE_REVIEW_OPENED, security=True)
def render_review_opened(reminder) -> ReminderMessage | None:
    review = _open_review(reminder)
    if review is None:
        return None
    return render_email("portal/email/role_review_opened", _review_context(review, reminder))


@register(ROLE_REVIEW_REMINDER, security=True)
def render_review_reminder(reminder) -> ReminderMessage | None:
    review = _open_review(reminder)
    if review is None:
        return None
    return render_email("portal/email/role_review_reminder", _review_context(review, reminder))
