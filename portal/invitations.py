"""The invitation e-mail: a reminder kind like every other mail, with a link rebuilt from the row.

The sign-up token is derived from the invitation and the server secret
(``rebuildable_token``), so only its digest is stored and the renderer can still put the
link in the mail. The body is not kept with the sent reminder: it holds that link.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Invitation
from .reminders import ReminderMessage, register, render_email
from .tokens import rebuildable_token, token_digest

INVITATION_MAIL = "portal.invitation"
_TOKEN_SALT = "portal.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The sign-up token of this invitation; a new invitation (id, moment) gets a new one."""
    return rebuildable_token(
        salt=_TOKEN_SALT, value=f"{invitation.pk}:{invitation.created_at.isoformat()}"
    )


@register(INVITATION_MAIL, keep_body=False, label=_("Uitnodiging"), security=True)
def render_invitation(reminder) -> ReminderMessage | None:
    """The sign-up link; skipped once the invitation is used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=reminder.target_id)
        .first()
    )
    if invitation is None or not invitation.is_open():
        return None
    token = invitation_token(invitation)
    if token_digest(token) != invitation.token_hash:
        # Only when SECRET_KEY changed since the invitation was made: a dead link helps no
        # one, so the reminder fails visibly (last_error) and the coordinator invites again.
        raise ValueError("The invitation link can no longer be rebuilt; invite again.")
    url = settings.PORTAL_BASE_URL + reverse("invitation_accept", args=[token])
    return render_email("portal/email/invitation", {"invitation": invitation, "url": url})
