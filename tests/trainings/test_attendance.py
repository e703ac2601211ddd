"""Marking the register: the whole session in one go, every row or none."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.portal.factories import trainer
from tests.trainings.factories import EnrolmentFactory, RunFactory
from trainings import services
from trainings.models import Attendance, AttendanceStatus, EnrolmentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    """A run whose one session took place this morning, five people in it, taught by a trainer."""
    run = RunFactory(starts_at=timezone.now() - timedelta(hours=3))
    teacher = trainer()
    run.trainers.add(teacher)
    session = run.sessions.get()
    enrolments = [EnrolmentFactory(run=run) for _ in range(5)]
    return run, session, enrolments, teacher


def attendance_rows():
    return list(
        Attendance.objects.order_by("pk").values_list(
            "pk", "enrolment_id", "status", "recorded_by_id", "updated_at"
        )
    )


def test_the_whole_register_is_saved_at_once_and_earlier_marks_are_corrected(register):
    _run, session, enrolments, teacher = register
    Attendance.objects.create(
        enrolment=enrolments[0], session=session, status=AttendanceStatus.ABSENT
    )

    services.attendance_register_save(
        session=session,
        marks=[(enrolment, AttendanceStatus.PRESENT) for enrolment in enrolments],
        actor=teacher,
    )

    assert Attendance.objects.count() == 5
    assert set(Attendance.objects.values_list("status", "recorded_by_id")) == {
        (AttendanceStatus.PRESENT, teacher.pk)
    }


def test_a_refused_fifth_row_leaves_every_row_unchanged(register):
    _run, session, enrolments, teacher = register
    for enrolment in enrolments[:2]:
        Attendance.objects.create(enrolment=enrolment, session=session, status="absent")
    # The fifth person gave up their place after the register was opened.
    gone = enrolments[4]
    gone.status = EnrolmentStatus.CANCELLED
    gone.save()
    before = attendance_rows()

    with pytest.raises(ValidationError, match="niet ingeschreven"):
        services.attendance_register_save(
            session=session,
            marks=[(enrolment, AttendanceStatus.PRESENT) for enrolment in enrolments],
            actor=teacher,
        )

    assert attendance_rows() == before


def test_someone_from_another_run_is_refused_and_nothing_is_saved(register):
    _run, session, enrolments, teacher = register
    stranger = EnrolmentFactory(run=RunFactory(starts_at=timezone.now() - timedelta(hours=3)))

    with pytest.raises(ValidationError):
        services.attendance_register_save(
            session=session,
            marks=[(enrolments[0], AttendanceStatus.PRESENT), (stranger, AttendanceStatus.PRESENT)],
            actor=teacher,
        )

    assert not Attendance.objects.exists()


def test_a_session_still_to_come_cannot_be_marked(register):
    run, _session, enrolments, teacher = register
    later = run.sessions.create(
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=2),
    )

    with pytest.raises(ValidationError, match="op of na de dag"):
        services.attendance_register_save(
            session=later, marks=[(enrolments[0], AttendanceStatus.PRESENT)], actor=teacher
        )

    assert not Attendance.objects.exists()


def test_a_large_register_is_written_in_a_bounded_number_of_queries(
    register, django_assert_max_num_queries
):
    run, session, _enrolments, teacher = register
    enrolments = [EnrolmentFactory(run=run) for _ in range(30)]

    with django_assert_max_num_queries(8):
        services.attendance_register_save(
            session=session,
            marks=[(enrolment, AttendanceStatus.PRESENT) for enrolment in enrolments],
            actor=teacher,
        )

    assert Attendance.objects.count() == 30
