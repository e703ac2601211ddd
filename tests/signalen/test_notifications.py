"""E-mail about assignments, forwards and questions: after commit, once, without content."""

import pytest
from django.core import mail

from portal.models import Organisation
from signalen import services, tasks
from signalen.models import SignalEvent
from tests.signalen.factories import meldpunt, report

pytestmark = pytest.mark.django_db


def test_nothing_is_queued_before_the_commit(django_capture_on_commit_callbacks):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.signal_assign(actor=contact, signal=signal, assignee=colleague)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_task_sends_once_even_when_run_twice():
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=colleague)
    event = SignalEvent.objects.get(signal=signal, kind="assigned")

    assert tasks.send_signal_event_email(event.pk) == 1
    assert tasks.send_signal_event_email(event.pk) == 0
    assert len(mail.outbox) == 1


def test_a_failed_send_can_be_retried(monkeypatch):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=colleague)
    event = SignalEvent.objects.get(signal=signal, kind="assigned")

    def broken(*args, **kwargs):
        raise ConnectionError("smtp weg")

    monkeypatch.setattr(tasks, "send_mail", broken)
    with pytest.raises(ConnectionError):
        tasks.send_signal_event_email(event.pk)
    monkeypatch.undo()
    assert tasks.send_signal_event_email(event.pk) == 1


def test_forward_mail_hides_an_anonymous_reporter_and_the_content(
    django_capture_on_commit_callbacks,
):
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    signal = report(
        organisation=gemeente, reporter_anonymous=True, description="Uniek123 geheim verhaal"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_forward(actor=contact, signal=signal, organisation=riec)
    (message,) = mail.outbox
    assert message.to == [riec_contact.email]
    assert signal.reporter.full_name not in message.body
    assert signal.reporter.email not in message.body
    assert "Uniek123" not in message.body
    assert riec.name in message.body


def test_the_reporter_is_mailed_when_the_meldpunt_asks_a_question(
    django_capture_on_commit_callbacks,
):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_ask_reporter(actor=contact, signal=signal, question="Welk pand precies?")
    (message,) = mail.outbox
    assert message.to == [signal.reporter.email]
    assert "Welk pand" not in message.body
    assert f"/signalen/mijn/{signal.pk}/" in message.body
