"""``make demo``'s dispatcher: the portal's one reminder dispatcher, run every few seconds."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal import reminders, services
from portal.models import Organisation, ReminderStatus
from tests.portal.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

KIND = "tests.demo_dispatcher_news"


@reminders.register(KIND)
def render_news(reminder):
    organisation = Organisation.objects.get(pk=reminder.target_id)
    return reminders.ReminderMessage(subject=f"Nieuws van {organisation.name}", body="Hallo,")


def plan(*, recipient=None, due_in=timedelta(minutes=-1)):
    return services.reminder_plan(
        kind=KIND,
        target=OrganisationFactory(name="Gemeente Voorbeeldstad"),
        due_at=timezone.now() + due_in,
        recipient=recipient or UserFactory(),
    )


def dispatch(rounds):
    call_command("demo_dispatcher", rounds=rounds, interval=0)


def test_the_demo_dispatcher_sends_a_due_reminder_once_and_lists_it(settings, client):
    settings.DEBUG = True
    me = UserFactory()
    due = plan(recipient=me)
    later = plan(due_in=timedelta(days=1))

    dispatch(rounds=3)

    assert [message.to for message in mail.outbox] == [[me.email]]
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.attempts) == (ReminderStatus.SENT, 1)
    assert later.status == ReminderStatus.PLANNED
    client.force_login(me)
    assert "Nieuws van Gemeente Voorbeeldstad" in client.get(reverse("reminder_list")).text


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_demo_dispatchers_send_a_due_reminder_once(settings):
    settings.DEBUG = True
    reminder = plan()
    barrier = threading.Barrier(2)

    def dispatcher():
        try:
            barrier.wait()
            dispatch(rounds=2)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)


def test_the_demo_dispatcher_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    plan()
    with pytest.raises(CommandError):
        dispatch(rounds=1)
    assert mail.outbox == []
