"""Trainings mails: when they are planned, what a move or cancellation does, sending once."""

from datetime import timedelta
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders, send_reminder
from tests.portal.factories import UserFactory
from tests.trainings.factories import RunFactory
from trainings import scheduling, services
from trainings.models import Reflection

pytestmark = pytest.mark.django_db


def planned(kind: str, person):
    return PlannedReminder.objects.get(kind=kind, recipient=person)


def test_the_confirmation_names_training_date_and_place_and_goes_out_once():
    run = RunFactory(location="Stadhuis, zaal 3")
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)

    dispatch_due_reminders()
    dispatch_due_reminders()

    confirmations = [m for m in mail.outbox if m.subject.startswith("Ingeschreven")]
    assert len(confirmations) == 1
    subject = confirmations[0].subject
    assert run.training.title in subject
    assert "Stadhuis, zaal 3" in subject
    assert str(timezone.localtime(run.starts_at).day) in subject


def test_the_day_before_reminder_is_due_24_hours_ahead_and_follows_a_moved_session():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
    assert reminder.due_at == session.starts_at - timedelta(hours=24)

    later = session.starts_at + timedelta(days=3)
    services.session_update(
        session=session,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        title="",
        location="",
    )

    reminder.refresh_from_db()
    assert reminder.due_at == later - timedelta(hours=24)
    assert planned(scheduling.REFLECTION_INVITE, person).due_at == later + timedelta(hours=2)
    session.refresh_from_db()
    assert session.sequence == 1


def test_a_cancelled_session_withdraws_its_reminders():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)

    services.session_cancel(session=run.sessions.get())

    assert set(
        PlannedReminder.objects.filter(kind__in=scheduling.SESSION_KINDS).values_list(
            "status", flat=True
        )
    ) == {ReminderStatus.CANCELLED}


def test_cancelling_ones_place_withdraws_the_session_reminders():
    run = RunFactory()
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)

    services.enrolment_cancel(enrolment=enrolment, actor=person)

    assert planned(scheduling.SESSION_DAY_BEFORE, person).status == ReminderStatus.CANCELLED


def test_the_day_before_reminder_arrives_once_the_day_before():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

    dispatch_due_reminders()
    dispatch_due_reminders()

    reminders = [m for m in mail.outbox if m.subject.startswith("Morgen")]
    assert len(reminders) == 1
    assert run.training.title in reminders[0].subject


def test_no_reflection_invite_for_a_reflection_already_written():
    run = RunFactory()
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    Reflection.objects.create(enrolment=enrolment, session=session, struck_me="Al gedaan")
    reminder = planned(scheduling.REFLECTION_INVITE, person)
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

    assert send_reminder(reminder.pk) == ReminderStatus.SKIPPED


def test_the_promotion_mail_carries_a_working_release_link():
    run = RunFactory(capacity=1)
    holder, waiting = UserFactory(), UserFactory()
    first = services.enrolment_create(run=run, participant=holder)
    services.enrolment_create(run=run, participant=waiting)
    mail.outbox.clear()

    services.enrolment_cancel(enrolment=first, actor=holder)
    dispatch_due_reminders()

    (promotion,) = [m for m in mail.outbox if m.to == [waiting.email]]
    assert promotion.subject.startswith("Er is een plaats vrij")
    link = next(line for line in promotion.body.splitlines() if "/trainingen/vrijgeven/" in line)
    token = link.rsplit("/vrijgeven/", 1)[1].strip("/")
    released = services.enrolment_release(token=token)
    assert released.participant == waiting


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestWithARealWorker:
    @pytest.fixture
    def celery_worker_env(self, worker_mailbox):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(worker_mailbox),
        }

    def test_a_session_reminder_queued_twice_arrives_exactly_once(
        self, celery_worker_queue, worker_mailbox
    ):
        run = RunFactory(location="Politiebureau Noord")
        person = UserFactory()
        services.enrolment_create(run=run, participant=person)
        reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
        PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

        first = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)
        second = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)

        assert first.get(timeout=90) == ReminderStatus.SENT
        assert second.get(timeout=90) == ReminderStatus.SENT
        texts = [path.read_text() for path in worker_mailbox.iterdir()]
        # The file backend writes every message with a separator line after it.
        messages = [m for t in texts for m in t.split("-" * 79) if m.strip()]
        assert len(messages) == 1
        subject = str(make_header(decode_header(message_from_string(messages[0])["Subject"])))
        assert "Politiebureau Noord" in subject
        assert run.training.title in subject
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)
