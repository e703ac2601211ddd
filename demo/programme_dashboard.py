"""Figures for the programme dashboard: earlier editions of the demo trainings, held and
registered, and attendance at the current editions' sessions behind us (safe to run again).

Each earlier edition is planned, filled (more people ask than there are places, so some wait
and one never gets in), attended and completed through the services at the moments that lie
behind us (``demo.clock.at``); most participants write their end review, so the dashboard's
completion rate has figures. Colleagues of the demo participants fill the rooms: accounts
without a password, so nobody logs in as them.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, User
from trainings import services
from trainings.models import (
    Attendance,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    Run,
    RunStatus,
    Session,
    Training,
)

from . import clock
from .people import PARTNERS
from .trainings import PARTICIPANTS, PROGRAMME, TRAININGS

EARLIER = " (eerdere editie)"
LEARNED = "Hoe deze partner werkt en bij wie ik voortaan aanklop."
# Days from today of each earlier edition's two sessions, one training after another.
EARLIER_SESSIONS = [(-45, -31), (-95, -81), (-150, -136), (-210, -196), (-260, -246)]
EARLIER_CAPACITY = 6
ASKING = 8
COLLEAGUES = {
    "gemeente": ["Ayşe Demir", "Bram van Dijk", "Carla Smit"],
    "politie": ["Daan Visser", "Eva Mulder", "Frank de Boer"],
    "belastingdienst": ["Gert Bos", "Hanna Peters"],
    "om": ["Ilse Hendriks", "Jeroen Kok"],
    "riec": ["Karin Dekker"],
}


def seed() -> None:
    """Earlier editions of each demo training, and attendance at the current editions."""
    colleagues = _colleagues()
    today = timezone.localdate()
    for demo, days in zip(TRAININGS, EARLIER_SESSIONS, strict=False):
        training = Training.objects.filter(programme__name=PROGRAMME, title=demo.title).first()
        if training is None or training.runs.filter(location__endswith=EARLIER).exists():
            continue
        moved = clock.on_working_days(today, days)
        _earlier_edition(training, demo.trainer, colleagues, today, moved)
    for run in Run.objects.filter(training__programme__name=PROGRAMME, status=RunStatus.PUBLISHED):
        _register(run)


def _colleagues() -> list[User]:
    people = []
    domains = {partner.key: partner.domain for partner in PARTNERS}
    names = {partner.key: partner.name for partner in PARTNERS}
    for key, full_names in COLLEAGUES.items():
        organisation = Organisation.objects.get(name=names[key])
        for n, full_name in enumerate(full_names, start=2):
            email = f"collega{n}@{domains[key]}"
            person = User.objects.filter(email=email).first()
            if person is None:
                person = User.objects.create_user(
                    email=email, password=None, full_name=full_name, organisation=organisation
                )
            people.append(person)
    return [*User.objects.filter(email__in=PARTICIPANTS).order_by("email"), *people]


def _earlier_edition(
    training: Training, trainer_email: str, people: list[User], today, days: tuple[int, ...]
) -> None:
    sessions = [
        (clock.local_moment(today, day, 13), clock.local_moment(today, day, 16)) for day in days
    ]
    first, last = sessions[0][0], sessions[-1][1]
    opened = first - timedelta(days=30)
    creator = training.programme.coordinators.order_by("pk").first()
    with clock.at(opened), transaction.atomic():
        run = services.run_create(
            actor=creator,
            training=training,
            capacity=EARLIER_CAPACITY,
            enrolment_opens_at=opened,
            enrolment_closes_at=first - timedelta(days=2),
            location=f"{training.provider.name}{EARLIER}",
            trainers=User.objects.filter(email=trainer_email),
            sessions=sessions,
        )
        services.run_publish(actor=creator, run=run)
    # Colleagues of the other partners ask, one a day apart; the run fills and some wait.
    shift = training.pk % len(people)
    asking = [
        p for p in people[shift:] + people[:shift] if p.organisation_id != training.provider_id
    ]
    for n, person in enumerate(asking[:ASKING]):
        with clock.at(opened + timedelta(days=1, hours=n)), transaction.atomic():
            services.enrolment_create(run=run, participant=person)
    # One of them gives up the place a week on: the first in line moves up.
    with clock.at(opened + timedelta(days=7)), transaction.atomic():
        leaving = run.enrolments.filter(status=EnrolmentStatus.ENROLLED).order_by("pk").last()
        services.enrolment_cancel(enrolment=leaving, actor=leaving.participant)
    _register(run)
    _end_reviews(run, last)
    with clock.at(last + timedelta(days=1)), transaction.atomic():
        services.run_complete(actor=creator, run=run)


def _end_reviews(run: Run, last) -> None:
    """The day after, most participants write what they learned in their development plan
    (the end review the completion rule asks for); every third does not get round to it."""
    enrolled = run.enrolments.filter(status=EnrolmentStatus.ENROLLED).order_by("pk")
    for n, enrolment in enumerate(enrolled):
        if n % 3 == 2:
            continue
        with clock.at(last + timedelta(hours=20 + n)), transaction.atomic():
            services.development_plan_save(
                enrolment=enrolment,
                author=enrolment.participant,
                content_goals="",
                personal_goals="",
                learned=LEARNED,
                embedding="",
                needs="",
            )


def _register(run: Run) -> None:
    """The trainer notes, an hour after it ended, who came to each session behind us that has
    no register yet: most came, now and then someone is absent or called off with a reason."""
    now = timezone.now()
    trainer = run.trainers.order_by("pk").first()
    if trainer is None:
        return
    enrolments = list(run.enrolments.filter(status=EnrolmentStatus.ENROLLED).order_by("pk"))
    held = Session.objects.filter(run=run, is_cancelled=False, ends_at__lte=now).exclude(
        pk__in=Attendance.objects.values("session_id")
    )
    for session in held:
        marks = [(e, _mark(e, session)) for e in enrolments]
        with clock.at(min(session.ends_at + timedelta(hours=1), now)), transaction.atomic():
            services.attendance_register_save(session=session, marks=marks, actor=trainer)


def _mark(enrolment: Enrolment, session: Session) -> str:
    turn = (enrolment.pk * 7 + session.pk * 3) % 10
    if turn == 0:
        return AttendanceStatus.ABSENT
    if turn == 1:
        return AttendanceStatus.EXCUSED
    return AttendanceStatus.PRESENT
