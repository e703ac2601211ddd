"""The invitation mail is a reminder like every other mail: planned, sent once, listed."""

import pytest
from django.core import mail
from django.urls import reverse

from portal import services
from portal.invitations import INVITATION_MAIL, invitation_token
from portal.models import Invitation, PlannedReminder, ReminderStatus, User
from portal.reminders import BODY_NOT_KEPT
from portal.tasks import dispatch_due_reminders
from portal.tokens import token_digest
from tests.portal.factories import OrganisationFactory, coordinator
from tests.portal.test_signup import signup_data

pytestmark = pytest.mark.django_db


def _invite(email="extern@adviesbureau.example", **kwargs):
    return services.invitation_create(
        invited_by=coordinator(),
        email=email,
        organisation=kwargs.pop("organisation", None) or OrganisationFactory(name="RIEC Test"),
    )


def test_the_invitation_mail_is_sent_at_commit_and_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation, token = _invite()
    dispatch_due_reminders()
    dispatch_due_reminders()

    assert len(callbacks) == 1
    (message,) = mail.outbox
    assert message.to == ["extern@adviesbureau.example"]
    assert reverse("invitation_accept", args=[token]) in message.body
    reminder = PlannedReminder.objects.get(kind=INVITATION_MAIL)
    assert (reminder.target, reminder.recipient) == (invitation, None)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)


def test_the_token_is_rebuilt_from_the_row_and_only_its_digest_is_stored():
    invitation, token = _invite()
    invitation.refresh_from_db()

    assert invitation_token(invitation) == token
    assert invitation.token_hash == token_digest(token)
    assert token not in invitation.token_hash


def test_the_sent_invitation_keeps_its_subject_but_not_the_link():
    _invite()
    dispatch_due_reminders()

    (message,) = mail.outbox
    reminder = PlannedReminder.objects.get(kind=INVITATION_MAIL)
    assert reminder.subject == message.subject == "Uitnodiging voor Werkend Leren (RIEC Test)"
    assert reminder.body == str(BODY_NOT_KEPT)
    assert "/uitnodiging" not in reminder.body


def test_a_revoked_invitation_is_not_mailed():
    actor = coordinator()
    invitation, _token = services.invitation_create(
        invited_by=actor, email="laat@elders.example", organisation=OrganisationFactory()
    )
    services.invitation_revoke(actor=actor, invitation=invitation)
    dispatch_due_reminders()

    assert mail.outbox == []
    assert PlannedReminder.objects.get(kind=INVITATION_MAIL).status == ReminderStatus.CANCELLED


def test_an_invitation_whose_link_cannot_be_rebuilt_fails_visibly(settings):
    _invite()
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    dispatch_due_reminders()

    assert mail.outbox == []
    reminder = PlannedReminder.objects.get(kind=INVITATION_MAIL)
    assert reminder.status == ReminderStatus.RETRY
    assert "can no longer be rebuilt" in reminder.last_error


def test_after_sign_up_my_reminders_lists_the_invitation_mail(client):
    _invitation, token = _invite()
    dispatch_due_reminders()
    (message,) = mail.outbox

    client.get(reverse("invitation_accept", args=[token]))
    client.post(reverse("account_signup"), signup_data("extern@adviesbureau.example"))
    user = User.objects.get(email="extern@adviesbureau.example")
    assert Invitation.objects.get().accepted_at is not None
    page = client.get(reverse("reminder_list"))

    assert page.context["user"] == user
    assert [r.subject for r in page.context["page"]] == [message.subject]
    html = page.content.decode()
    assert token not in html
    assert "persoonlijke link" in html
