"""A real worker killed with SIGKILL while it holds claimed rows: after the lease, a new
worker sends every mail, each with its own Message-ID, none lost and none twice.

The worker is killed while the mail server stalls on the eleventh mail, at one of two
moments: before the message was transmitted (at RCPT; the row is still only claimed, so the
next worker sends it after the lease) or after the message and its end-of-data mark (the row
was recorded sent just before the mark, so nobody sends it again; the server then takes it).
"""

import secrets
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from portal import services
from portal.invitations import INVITATION_MAIL, invitation_token
from portal.models import Invitation, PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from portal.tokens import token_digest
from tests.portal.factories import OrganisationFactory, coordinator
from tests.portal.mailstack import SinkHandler, SmtpSink, Worker, celery_broker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MAILS = 40
ACCEPTED_BEFORE_THE_KILL = 10
LEASE_SECONDS = 2


def invitation_reminders(count: int) -> list[PlannedReminder]:
    """Due invitation mails (a kind the worker process knows), with rebuildable links."""
    organisation, inviter = OrganisationFactory(), coordinator()
    rows = []
    for number in range(count):
        invitation = Invitation.objects.create(
            email=f"gast{number}@elders.example",
            organisation=organisation,
            invited_by=inviter,
            token_hash=secrets.token_hex(32),
            expires_at=timezone.now() + timedelta(days=14),
        )
        invitation.token_hash = token_digest(invitation_token(invitation))
        invitation.save(update_fields=["token_hash"])
        rows.append(
            services.reminder_plan(
                kind=INVITATION_MAIL,
                target=invitation,
                due_at=timezone.now() - timedelta(minutes=1),
                recipient_email=invitation.email,
            )
        )
    return rows


@pytest.mark.parametrize(
    ("hold_at", "held_mail_sent_by_the_dead_worker"), [("rcpt", False), ("data", True)]
)
def test_a_worker_killed_mid_batch_sends_every_mail_exactly_once(
    transactional_db, hold_at, held_mail_sent_by_the_dead_worker
):
    handler = SinkHandler(
        hold_after=ACCEPTED_BEFORE_THE_KILL,
        hold_at=hold_at,
        held_reply="250 Message accepted for delivery",
    )
    sink = SmtpSink(handler).start()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "REMINDER_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    planned = invitation_reminders(MAILS)
    first = Worker(queue, env).start()
    second = Worker(queue, env)
    try:
        with celery_broker(django_settings.CELERY_BROKER_URL):
            dispatch_due_reminders.apply_async(queue=queue)
            # The mail server took ten mails and holds the eleventh: the worker is mid-batch.
            wait_until(sink.handler.held.is_set, timeout=90, what="the worker to be mid-batch")
            claimed = PlannedReminder.objects.filter(status=ReminderStatus.SENDING).count()
            assert claimed >= 1
            recorded_sent = PlannedReminder.objects.filter(status=ReminderStatus.SENT).count()
            assert recorded_sent == ACCEPTED_BEFORE_THE_KILL + held_mail_sent_by_the_dead_worker
            first.kill()
            sink.handler.release.set()
            # At "data" the server had the whole mail and takes it after the kill.
            wait_until(
                lambda: len(sink.handler.messages) == recorded_sent,
                timeout=30,
                what="the server to finish the held mail",
            )

            second.start()

            def all_arrived() -> bool:
                result = dispatch_due_reminders.apply_async(queue=queue)
                result.get(timeout=90)
                return not PlannedReminder.objects.exclude(status=ReminderStatus.SENT).exists()

            # Each round returns at once; rows claimed by the killed worker wait for the lease.
            wait_until(all_arrived, timeout=120, what="every mail to arrive")
    finally:
        first.kill()
        second.stop()
        sink.stop()

    rows = PlannedReminder.objects.filter(pk__in=[r.pk for r in planned])
    delivered = sink.handler.message_ids()
    assert sorted(set(delivered)) == sorted(rows.values_list("message_id", flat=True))
    assert len(set(delivered)) == MAILS
    # Exactly once: no Message-ID arrived twice.
    assert len(delivered) == MAILS
    assert sum(rows.values_list("lease_expiries", flat=True)) == claimed
