"""Cancel and enrol again: each enrolment episode gets its own mails, including the release link."""

import re

import pytest
from django.core import mail

from portal.models import PlannedReminder
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import UserFactory
from tests.trainings.factories import RunFactory
from trainings import scheduling, services
from trainings.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db


def _mails_to(person, subject_start: str) -> list:
    dispatch_due_reminders()
    return [
        m for m in mail.outbox if m.to == [person.email] and m.subject.startswith(subject_start)
    ]


def test_enrol_cancel_and_enrol_again_gets_a_second_confirmation():
    run = RunFactory(capacity=5)
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    assert len(_mails_to(person, "Ingeschreven")) == 1
    services.enrolment_cancel(enrolment=enrolment, actor=person)

    again = services.enrolment_create(run=run, participant=person)

    assert again.pk == enrolment.pk  # the same row, a new episode
    assert len(_mails_to(person, "Ingeschreven")) == 2
    assert again.episodes.count() == 2
    # A second dispatcher round sends nothing more.
    assert len(_mails_to(person, "Ingeschreven")) == 2


def test_a_confirmation_planned_for_an_earlier_episode_is_skipped():
    run = RunFactory(capacity=5)
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    services.enrolment_cancel(enrolment=enrolment, actor=person)
    services.enrolment_create(run=run, participant=person)

    assert len(_mails_to(person, "Ingeschreven")) == 1
    statuses = sorted(
        PlannedReminder.objects.filter(kind=scheduling.ENROLMENT_CONFIRMED).values_list(
            "status", flat=True
        )
    )
    assert statuses == ["sent", "skipped"]


def test_waitlist_cancel_waitlist_again_and_move_up_gets_the_moved_up_mail_with_a_working_link(
    client,
):
    run = RunFactory(capacity=1)
    holder, person = UserFactory(), UserFactory()
    holding = services.enrolment_create(run=run, participant=holder)
    waiting = services.enrolment_create(run=run, participant=person)
    assert waiting.status == EnrolmentStatus.WAITLISTED
    assert len(_mails_to(person, "Wachtlijst")) == 1
    services.enrolment_cancel(enrolment=waiting, actor=person)
    services.enrolment_create(run=run, participant=person)
    assert len(_mails_to(person, "Wachtlijst")) == 2

    services.enrolment_cancel(enrolment=holding, actor=holder)

    (moved_up,) = _mails_to(person, "Er is een plaats vrij")
    path = re.search(r"/trainingen/vrijgeven/[^/\s]+/", moved_up.body).group(0)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 200
    assert Enrolment.objects.get(pk=waiting.pk).status == EnrolmentStatus.CANCELLED
