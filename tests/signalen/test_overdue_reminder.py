from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders, send_reminder
from signalen import scheduling
from signalen.models import Signal
from signalen.states import Status
from tests.signalen.factories import meldpunt, report, signal_in

OVERDUE = scheduling.OVERDUE_REMINDER


def make_overdue(signal: Signal) -> Signal:
    Signal.objects.filter(pk=signal.pk).update(deadline_at=timezone.now() - timedelta(minutes=5))
    signal.refresh_from_db()
    scheduling.sync_overdue_reminders(signal=signal)
    return signal


def overdue_mails() -> list:
    """The overdue reminders among the sent mail (a new signal is also announced at once)."""
    return [m for m in mail.outbox if "over de termijn" in m.subject]


@pytest.mark.django_db
def test_a_new_signal_plans_one_overdue_reminder_per_contact_person_at_its_deadline():
    organisation, persons = meldpunt(people=2)
    signal = report(organisation=organisation)

    planned = PlannedReminder.objects.filter(kind=OVERDUE, target_id=signal.pk)
    assert {r.recipient_id for r in planned} == {p.pk for p in persons}
    assert {r.due_at for r in planned} == {signal.deadline_at}


@pytest.mark.django_db
def test_an_overdue_signal_reminds_each_contact_person_once_without_its_content():
    organisation, persons = meldpunt(people=2)
    signal = make_overdue(report(organisation=organisation, description="Geheime waarneming"))

    dispatch_due_reminders()
    dispatch_due_reminders()

    assert sorted(m.to[0] for m in overdue_mails()) == sorted(p.email for p in persons)
    assert all(signal.reference in m.subject for m in mail.outbox)
    assert all("Geheime waarneming" not in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_picking_up_a_signal_moves_the_reminder_to_the_assignee_alone():
    organisation, (me, colleague) = meldpunt(people=2)
    signal = signal_in(Status.IN_PROGRESS, actor=me, signal=report(organisation=organisation))

    statuses = dict(
        PlannedReminder.objects.filter(kind=OVERDUE, target_id=signal.pk).values_list(
            "recipient_id", "status"
        )
    )
    assert statuses == {me.pk: ReminderStatus.PLANNED, colleague.pk: ReminderStatus.CANCELLED}


@pytest.mark.django_db
def test_a_signal_closed_before_its_reminder_is_sent_gets_no_reminder():
    organisation, (me,) = meldpunt()
    signal = make_overdue(report(organisation=organisation))
    signal_in(Status.CLOSED, actor=me, signal=signal)

    dispatch_due_reminders()

    assert overdue_mails() == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestWithARealWorker:
    @pytest.fixture
    def celery_worker_env(self, worker_mailbox):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(worker_mailbox),
        }

    def test_a_reminder_queued_twice_to_the_worker_arrives_exactly_once(
        self, celery_worker_queue, worker_mailbox
    ):
        organisation, (person,) = meldpunt()
        signal = make_overdue(report(organisation=organisation))
        reminder = PlannedReminder.objects.get(kind=OVERDUE, target_id=signal.pk)

        first = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)
        second = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)

        assert first.get(timeout=90) == ReminderStatus.SENT
        assert second.get(timeout=90) == ReminderStatus.SENT
        messages = [p.read_text() for p in worker_mailbox.iterdir()]
        subjects = [
            line for text in messages for line in text.splitlines() if line.startswith("Subject:")
        ]
        assert len(subjects) == 1
        assert signal.reference in subjects[0]
        assert f"To: {person.email}" in messages[0]
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)
