"""A finished run with a participant who met (or nearly met) the completion rule."""

from datetime import timedelta

from django.utils import timezone

from tests.portal.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, RunFactory, SessionFactory
from trainings.models import Attendance, AttendanceStatus, DevelopmentPlan


def finished_run(*, sessions: int = 3, days_ago: int = 10, **run_fields):
    """A published run whose ``sessions`` sessions are all over (a week apart)."""
    start = timezone.now() - timedelta(days=days_ago + 7 * (sessions - 1))
    run = RunFactory(
        with_session=False,
        starts_at=start,
        ends_at=start + timedelta(days=7 * (sessions - 1), hours=4),
        enrolment_opens_at=start - timedelta(days=30),
        enrolment_closes_at=start - timedelta(days=1),
        **run_fields,
    )
    for index in range(sessions):
        moment = start + timedelta(days=7 * index)
        SessionFactory(run=run, starts_at=moment, ends_at=moment + timedelta(hours=4))
    return run


def participant_in(run, *, present: int, learned: str = "Veel over de fiscus.", **user):
    """An enrolled participant present at the first ``present`` sessions, absent at the rest."""
    enrolment = EnrolmentFactory(run=run, participant=UserFactory(**user))
    for index, session in enumerate(run.sessions.order_by("starts_at")):
        status = AttendanceStatus.PRESENT if index < present else AttendanceStatus.ABSENT
        Attendance.objects.create(enrolment=enrolment, session=session, status=status)
    DevelopmentPlan.objects.create(enrolment=enrolment, learned=learned)
    return enrolment
