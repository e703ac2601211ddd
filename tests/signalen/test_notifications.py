"""E-mail about assignments, forwards and questions: reminders in the portal's one table,
planned with the event, sent after commit by the one dispatcher, once, without content."""

import socket

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation, PlannedReminder, ReminderStatus, Role, RoleAssignment
from portal.tasks import dispatch_due_reminders, send_reminder
from signalen import scheduling, services
from signalen.models import SignalEvent
from tests.portal.factories import UserFactory, contact_person
from tests.signalen import factories
from tests.signalen.factories import meldpunt

pytestmark = pytest.mark.django_db


def report(**kwargs):
    """A new signal whose announcement has gone out, so a test sees only the mail it is about."""
    signal = factories.report(**kwargs)
    dispatch_due_reminders()
    mail.outbox.clear()
    return signal


def _event_mails(kind: str) -> list[PlannedReminder]:
    return list(PlannedReminder.objects.filter(kind=kind).order_by("recipient_email"))


def _delivered(*, dispatcher_runs: int = 2) -> list[tuple[str, str]]:
    """Run the dispatcher (twice by default: a second run must add nothing); (to, subject)."""
    for _run in range(dispatcher_runs):
        dispatch_due_reminders()
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_the_mail_is_planned_with_the_event_and_queued_only_after_the_commit(
    django_capture_on_commit_callbacks,
):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.signal_assign(actor=contact, signal=signal, assignee=colleague)

    (reminder,) = _event_mails(scheduling.ASSIGNED_MAIL)
    event = SignalEvent.objects.get(signal=signal, kind=SignalEvent.Kind.ASSIGNED)
    assert (reminder.target, reminder.recipient) == (event, colleague)
    assert reminder.status == ReminderStatus.PLANNED
    assert reminder.due_at == event.created_at
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_rolled_back_change_plans_and_sends_no_mail(django_capture_on_commit_callbacks):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.signal_assign(actor=contact, signal=signal, assignee=colleague)
        raise RuntimeError("the request fails after the service")

    assert callbacks == []
    assert _event_mails(scheduling.ASSIGNED_MAIL) == []
    assert _delivered() == []


def test_the_assignee_is_mailed_once_and_nobody_else(django_capture_on_commit_callbacks):
    organisation, (contact, colleague, bystander) = meldpunt(people=3)
    signal = report(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_assign(actor=contact, signal=signal, assignee=colleague)

    assert _delivered() == [(colleague.email, f"Signaal {signal.reference} is aan jou toegewezen")]
    (reminder,) = _event_mails(scheduling.ASSIGNED_MAIL)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)
    assert bystander.email not in {m.to[0] for m in mail.outbox}


def test_picking_a_signal_up_yourself_mails_nobody():
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)

    assert _event_mails(scheduling.ASSIGNED_MAIL) == []
    assert _delivered() == []


def test_a_forward_mails_each_active_contact_person_of_the_receiving_organisation_once(
    django_capture_on_commit_callbacks,
):
    gemeente, (contact, colleague) = meldpunt(people=2)
    riec, (first, second) = meldpunt(kind=Organisation.Kind.RIEC, people=2)
    gone = contact_person(organisation=riec, is_active=False)
    UserFactory(organisation=riec)  # a member of the RIEC, but not its contact person
    signal = report(organisation=gemeente)
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_forward(actor=contact, signal=signal, organisation=riec)

    subject = f"Signaal {signal.reference} is naar jullie meldpunt doorgestuurd"
    assert _delivered() == sorted([(first.email, subject), (second.email, subject)])
    recipients = {r.recipient for r in _event_mails(scheduling.FORWARDED_MAIL)}
    assert recipients == {first, second}
    assert not {contact, colleague, gone} & recipients


def test_the_reporter_is_mailed_once_when_the_meldpunt_asks_a_question(
    django_capture_on_commit_callbacks,
):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_ask_reporter(actor=contact, signal=signal, question="Welk pand precies?")

    assert _delivered() == [(signal.reporter.email, f"Vraag over je melding {signal.reference}")]
    (message,) = mail.outbox
    assert "Welk pand" not in message.body
    assert f"/signalen/mijn/{signal.pk}/" in message.body


def test_forward_mail_hides_an_anonymous_reporter_and_the_content(
    django_capture_on_commit_callbacks,
):
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    signal = report(
        organisation=gemeente, reporter_anonymous=True, description="Uniek123 geheim verhaal"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_forward(
            actor=contact, signal=signal, organisation=riec, note="Notitie456 voor het RIEC"
        )
    (message,) = mail.outbox
    assert message.to == [riec_contact.email]
    assert signal.reporter.full_name not in message.body
    assert signal.reporter.email not in message.body
    assert "Uniek123" not in message.body
    assert "Notitie456" not in message.body
    assert riec.name in message.body
    assert signal.reference in message.body and signal.category.name in message.body


def test_a_failed_send_is_retried_by_the_dispatcher_and_arrives_once(settings):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=colleague)

    # A real SMTP connection to a port where no mail server listens.
    locmem = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    dispatch_due_reminders()
    (reminder,) = _event_mails(scheduling.ASSIGNED_MAIL)
    assert reminder.status == ReminderStatus.RETRY
    assert "ConnectionRefusedError" in reminder.last_error
    settings.EMAIL_BACKEND = locmem
    # The retry's time has come (it backs off; the kernel's tests cover how long).
    PlannedReminder.objects.filter(pk=reminder.pk).update(next_attempt_at=timezone.now())

    assert [to for to, _subject in _delivered()] == [colleague.email]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_mail_to_someone_no_longer_entitled_is_skipped():
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    signal = report(organisation=gemeente)
    services.signal_forward(actor=contact, signal=signal, organisation=riec)
    # Before the dispatcher runs, the RIEC's contact person steps down.
    RoleAssignment.objects.filter(user=riec_contact, role=Role.CONTACT_PERSON).delete()

    assert _delivered() == []
    (reminder,) = _event_mails(scheduling.FORWARDED_MAIL)
    assert reminder.status == ReminderStatus.SKIPPED


def test_my_reminders_lists_the_signal_mails_without_their_content(client):
    gemeente, (contact, colleague) = meldpunt(people=2)
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    signal = report(organisation=gemeente, description="Uniek789 waarneming")
    services.signal_assign(actor=contact, signal=signal, assignee=colleague)
    services.signal_ask_reporter(actor=colleague, signal=signal, question="Vraag321 aan jou")
    services.signal_forward(actor=colleague, signal=signal, organisation=riec)
    _delivered()

    expected = {
        colleague: f"Signaal {signal.reference} is aan jou toegewezen",
        signal.reporter: f"Vraag over je melding {signal.reference}",
        riec_contact: f"Signaal {signal.reference} is naar jullie meldpunt doorgestuurd",
    }
    for person, subject in expected.items():
        client.force_login(person)
        page = client.get(reverse("reminder_list"))
        html = page.content.decode()
        assert subject in [r.subject for r in page.context["page"]]
        assert signal.reference in html
        assert "Uniek789" not in html and "Vraag321" not in html


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestWithARealWorker:
    @pytest.fixture
    def celery_worker_env(self, worker_mailbox):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(worker_mailbox),
        }

    def test_a_forward_mail_queued_twice_to_the_worker_arrives_once_per_person(
        self, celery_worker_queue, worker_mailbox
    ):
        gemeente, (contact,) = meldpunt()
        riec, (first, second) = meldpunt(kind=Organisation.Kind.RIEC, people=2)
        signal = report(organisation=gemeente)
        services.signal_forward(actor=contact, signal=signal, organisation=riec)
        planned = _event_mails(scheduling.FORWARDED_MAIL)

        results = [
            send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)
            for reminder in planned + planned
        ]

        assert [r.get(timeout=90) for r in results] == [ReminderStatus.SENT] * 4
        texts = [path.read_text() for path in worker_mailbox.iterdir()]
        messages = [m for t in texts for m in t.split("-" * 79) if m.strip()]
        recipients = sorted(line for m in messages for line in m.splitlines() if line[:3] == "To:")
        assert recipients == sorted(f"To: {person.email}" for person in (first, second))
        assert all(signal.reference in m for m in messages)
