"""Many people pressing "Inschrijven" at the same moment never overbook a run."""

import threading

import pytest
from django.db import connection

from tests.portal.factories import UserFactory
from tests.trainings.factories import RunFactory
from trainings import services
from trainings.models import Enrolment, EnrolmentStatus

CAPACITY = 20
APPLICANTS = 40


@pytest.mark.django_db(transaction=True)
def test_forty_simultaneous_enrolments_fill_twenty_places_and_queue_the_rest():
    run = RunFactory(capacity=CAPACITY)
    applicants = [UserFactory() for _ in range(APPLICANTS)]
    barrier = threading.Barrier(APPLICANTS)
    errors: list[BaseException] = []

    def enrol(person):
        try:
            barrier.wait()
            services.enrolment_create(run=run, participant=person)
        except BaseException as error:  # noqa: BLE001  (any error fails the test below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(person,)) for person in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    enrolments = Enrolment.objects.filter(run=run)
    assert enrolments.count() == APPLICANTS
    assert enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == CAPACITY
    assert enrolments.filter(status=EnrolmentStatus.WAITLISTED).count() == APPLICANTS - CAPACITY
    assert enrolments.values("participant").distinct().count() == APPLICANTS


@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_promote_each_waiting_person_exactly_once():
    run = RunFactory(capacity=10)
    applicants = [UserFactory() for _ in range(20)]
    enrolments = [services.enrolment_create(run=run, participant=p) for p in applicants]
    leaving = enrolments[:10]
    barrier = threading.Barrier(len(leaving))
    errors: list[BaseException] = []

    def leave(enrolment):
        try:
            barrier.wait()
            services.enrolment_cancel(enrolment=enrolment, actor=enrolment.participant)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(e,)) for e in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    enrolled = set(
        Enrolment.objects.filter(run=run, status=EnrolmentStatus.ENROLLED).values_list(
            "participant_id", flat=True
        )
    )
    assert enrolled == {p.pk for p in applicants[10:]}
