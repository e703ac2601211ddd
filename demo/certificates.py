"""A finished training with certificates to look at (safe to run again).

"Introductie aanpak ondermijning" by the RIEC had three sessions five to seven weeks ago.
The trainer noted attendance after each one; three demo participants were there every time
and wrote their end review, the fourth missed two sessions. The coordinator closed the run,
the three downloaded their certificate, and the Belastingdienst participant's was revoked
(recorded at the wrong run). So the demo shows a complete participant with a download
button, one whose certificate is revoked, one who did not complete, and on the public page
/certificaat/ a valid and a revoked code.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, Programme, User
from trainings import selectors, services
from trainings.models import AttendanceStatus, Certificate, Run, Training

from . import clock
from .trainings import PARTICIPANTS, PROGRAMME

TITLE = "Introductie aanpak ondermijning"
PROVIDER = "RIEC Voorbeeldregio"
TRAINER = "trainer@politie.example"
# Days from today of the three sessions (09:00–12:00), moved onto working days.
SESSION_DAYS = (-49, -42, -35)
# Who missed sessions, and whose certificate was revoked.
ABSENT_TWICE = "deelnemer@om.example"
REVOKED = "deelnemer@belastingdienst.example"


def seed() -> None:
    training = Training.objects.filter(programme__name=PROGRAMME, title=TITLE).first()
    if training is not None:
        return
    today = timezone.localdate()
    days = clock.on_working_days(today, SESSION_DAYS)
    sessions = [
        (clock.local_moment(today, day, 9), clock.local_moment(today, day, 12)) for day in days
    ]
    enrolled_at = sessions[0][0] - timedelta(days=1)
    opened_at = enrolled_at - timedelta(days=21)
    with clock.at(opened_at), transaction.atomic():
        run = _plan(sessions, opened_at=opened_at, closes_at=enrolled_at + timedelta(hours=1))
    coordinator = run.training.programme.coordinators.order_by("pk").first()
    people = list(User.objects.filter(email__in=PARTICIPANTS).order_by("email"))
    with clock.at(enrolled_at), transaction.atomic():
        enrolments = [services.enrolment_create(run=run, participant=p) for p in people]
    trainer = User.objects.get(email=TRAINER)
    for index, session in enumerate(run.sessions.order_by("starts_at")):
        marks = [
            (
                enrolment,
                AttendanceStatus.EXCUSED
                if enrolment.participant.email == ABSENT_TWICE and index > 0
                else AttendanceStatus.PRESENT,
            )
            for enrolment in enrolments
        ]
        with clock.at(session.ends_at + timedelta(minutes=30)), transaction.atomic():
            services.attendance_register_save(session=session, marks=marks, actor=trainer)
    last_end = sessions[-1][1]
    with clock.at(last_end + timedelta(days=1)), transaction.atomic():
        for enrolment in enrolments:
            services.development_plan_save(
                enrolment=enrolment,
                author=enrolment.participant,
                content_goals="Weten hoe een casus aan de RIEC-tafel komt.",
                personal_goals="Signalen eerder delen met partners.",
                learned="Wat partners onder het convenant mogen delen, en via wie.",
                embedding="Elke maand de casuslijst met onze contactpersoon doorlopen.",
                needs="Tijd in het werkoverleg.",
            )
        services.run_complete(actor=coordinator, run=run)
    with clock.at(last_end + timedelta(days=2)), transaction.atomic():
        for enrolment in enrolments:
            if enrolment.participant.email == ABSENT_TWICE:
                continue
            own = selectors.own_enrolment_for_certificate(
                user=enrolment.participant, enrolment_id=enrolment.pk
            )
            services.certificate_get_or_issue(enrolment=own, participant=enrolment.participant)
    with clock.at(last_end + timedelta(days=5)), transaction.atomic():
        services.certificate_revoke(
            certificate=Certificate.objects.get(
                enrolment__run=run, enrolment__participant__email=REVOKED
            ),
            actor=coordinator,
            reason="Aanwezigheid bij de verkeerde uitvoering genoteerd; wordt rechtgezet.",
        )


def _plan(sessions, *, opened_at, closes_at) -> Run:
    """The training with one published run, by the programme's first coordinator."""
    programme = Programme.objects.get(name=PROGRAMME)
    creator = programme.coordinators.order_by("pk").first()
    training = services.training_create(
        actor=creator,
        programme=programme,
        title=TITLE,
        description=(
            "Drie ochtenden over de gezamenlijke aanpak van ondermijning: wat het RIEC doet, "
            "wat partners mogen delen en hoe een signaal een integrale interventie wordt."
        ),
        provider=Organisation.objects.get(name=PROVIDER),
        content_goals="Je kent het convenant en de weg van signaal tot interventie.",
        personal_goals="Je weet wie je belt als je iets ziet dat niet klopt.",
        default_capacity=20,
        min_attendance_percent=80,
        end_review_required=True,
    )
    run = services.run_create(
        actor=creator,
        training=training,
        capacity=20,
        enrolment_opens_at=opened_at,
        enrolment_closes_at=closes_at,
        location=f"{PROVIDER}, Voorbeeldstad",
        trainers=User.objects.filter(email=TRAINER),
        sessions=sessions,
    )
    return services.run_publish(actor=creator, run=run)
