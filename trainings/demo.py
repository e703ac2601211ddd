"""Demo programme with the trainings of the source documents (safe to run again).

Each training is recognised by its title; runs, enrolments and what participants
wrote are only added the first time a training is created. Everything goes through
the services; a finished run is made by moving its dates back afterwards.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, Role, User

from . import scheduling, services
from .models import Enrolment, Programme, Run, Session, Training, TrainingFormat

PROGRAMME = "Werkend leren 2027"


@dataclass(frozen=True)
class DemoTraining:
    title: str
    provider: str
    format: str
    description: str
    content_goals: str
    personal_goals: str
    capacity: int
    trainer: str
    # Start of each session: (days from today, hour, hours long)
    sessions: tuple[tuple[int, int, int], ...]


TRAININGS = [
    DemoTraining(
        title="Hoe werkt de gemeente?",
        provider="Gemeente Voorbeeldstad",
        format=TrainingFormat.TRAINING,
        description=(
            "Een reis door de wondere wereld van de vele gemeentelijke afdelingen, besluitvorming, "
            "de burgemeester als burgervader of -moeder en boegbeeld. Wat is de rol van de "
            "gemeente in de aanpak van ondermijning en hoe is dat intern georganiseerd?"
        ),
        content_goals=(
            "Je kent de gemeentelijke afdelingen die met ondermijning te maken hebben, de "
            "bestuurlijke instrumenten (Bibob, sluiting op grond van de Opiumwet) en hoe "
            "besluiten tot stand komen."
        ),
        personal_goals=(
            "Je weet wie je binnen de gemeente belt en hoe je het goede gesprek voert aan de "
            "integrale ondermijningstafel."
        ),
        capacity=20,
        trainer="trainer@voorbeeldstad.example",
        sessions=((21, 9, 4), (35, 9, 4)),
    ),
    DemoTraining(
        title="Hoe werkt de Belastingdienst?",
        provider="Belastingdienst",
        format=TrainingFormat.TRAINING,
        description=(
            "De Belastingdienst neemt het stokje over: de 'donkere krochten' van de eigen "
            "organisatie, van districtelijke teams ondermijning tot wat de fiscus wel en niet "
            "mag delen met partners."
        ),
        content_goals="Je kent de taken, bevoegdheden en de grenzen van gegevensdeling.",
        personal_goals="Je begrijpt wat de collega van de Belastingdienst aan tafel beweegt.",
        capacity=4,
        trainer="trainer@belastingdienst.example",
        sessions=((28, 13, 4),),
    ),
    DemoTraining(
        title="Bewustwordingssessie aanpak ondermijning",
        provider="Politie Eenheid Voorbeeldregio",
        format=TrainingFormat.AWARENESS,
        description=(
            "Met maximaal 20 deelnemers roepen we beelden en associaties op tot een gezamenlijk "
            "beeld van ondermijning. Vier elementen: netwerk, begrip, signaal en oppakken."
        ),
        content_goals="Je herkent signalen van ondermijning in je eigen werk.",
        personal_goals="Je weet wat je met een signaal doet en bij wie je het neerlegt.",
        capacity=20,
        trainer="trainer@politie.example",
        sessions=((-20, 13, 3), (49, 13, 3)),
    ),
    DemoTraining(
        title="Toon Lef!",
        provider="Openbaar Ministerie",
        format=TrainingFormat.WORKSHOP,
        description=(
            "Wie wil, zoekt een mogelijkheid; wie niet wil, zoekt een reden. Handvatten voor de "
            "moderne ambtenaar die de verbinding en de echte dialoog aangaat, met een rollenspel "
            "over het krachtenveld binnen de eigen organisatie."
        ),
        content_goals=(
            "Belevingswerelden van inwoners, participatievormen en het omgevingskrachtenveld."
        ),
        personal_goals="Lef tonen: de rek opzoeken waar nodig, en je eigen ontwikkelingsplan.",
        capacity=16,
        trainer="trainer@om.example",
        sessions=((63, 9, 7),),
    ),
]

PARTICIPANTS = [
    "deelnemer@voorbeeldstad.example",
    "deelnemer@politie.example",
    "deelnemer@belastingdienst.example",
    "deelnemer@om.example",
]


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def seed() -> None:
    programme, _ = Programme.objects.get_or_create(
        name=PROGRAMME,
        defaults={"description": "Partners leren elkaars organisatie kennen, van binnenuit."},
    )
    programme.coordinators.add(*User.objects.filter(role_assignments__role=Role.COORDINATOR))
    creator = programme.coordinators.order_by("pk").first()
    for demo in TRAININGS:
        if Training.objects.filter(programme=programme, title=demo.title).exists():
            continue
        training = services.training_create(
            actor=creator,
            programme=programme,
            title=demo.title,
            description=demo.description,
            provider=Organisation.objects.get(name=demo.provider),
            format=demo.format,
            content_goals=demo.content_goals,
            personal_goals=demo.personal_goals,
            default_capacity=demo.capacity,
        )
        _seed_run(training, demo, creator)


def _seed_run(training: Training, demo: DemoTraining, creator: User) -> None:
    days_first = min(days for days, _hour, _length in demo.sessions)
    shift = timedelta(days=0)
    if days_first < 0:
        # A run that already began: plan it in the future, enrol, then move it back.
        shift = timedelta(days=days_first - 1)
    sessions = [
        (_at(days, hour) - shift, _at(days, hour) - shift + timedelta(hours=length))
        for days, hour, length in demo.sessions
    ]
    run = services.run_create(
        actor=creator,
        training=training,
        capacity=demo.capacity,
        enrolment_opens_at=timezone.now() - timedelta(days=7),
        enrolment_closes_at=max(
            sessions[0][0] - timedelta(days=2), timezone.now() + timedelta(hours=1)
        ),
        location=f"{demo.provider}, Voorbeeldstad",
        trainers=User.objects.filter(email=demo.trainer),
        sessions=sessions,
    )
    services.run_publish(actor=creator, run=run)
    enrolments = [
        services.enrolment_create(run=run, participant=person)
        for person in User.objects.filter(email__in=PARTICIPANTS).order_by("email")
        if person.organisation_id != training.provider_id
    ]
    if demo.capacity < 5:
        # The small run is full, so the waiting list shows in the demo.
        for person in User.objects.filter(email__startswith="trainer@").exclude(
            organisation=training.provider
        ):
            services.enrolment_create(run=run, participant=person)
    if shift:
        _move_back(run, shift)
        for enrolment in enrolments:
            _write_as_participant(run, enrolment)


def _move_back(run: Run, shift: timedelta) -> None:
    for session in run.sessions.all():
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at + shift, ends_at=session.ends_at + shift
        )
        session.refresh_from_db()
        scheduling.session_reminders_replan(session=session)
    Run.objects.filter(pk=run.pk).update(
        enrolment_opens_at=run.enrolment_opens_at + shift - timedelta(days=14),
        enrolment_closes_at=run.enrolment_closes_at + shift,
        starts_at=run.starts_at + shift,
        ends_at=run.ends_at + shift,
    )


def _write_as_participant(run: Run, enrolment: Enrolment) -> None:
    enrolment.refresh_from_db()
    services.development_plan_save(
        enrolment=enrolment,
        author=enrolment.participant,
        content_goals="Signalen van ondermijning herkennen in mijn eigen dossiers.",
        personal_goals="Eerder de telefoon pakken in plaats van een mail te sturen.",
        learned="",
        embedding="",
        needs="",
    )
    first = run.sessions.order_by("starts_at").first()
    services.reflection_save(
        enrolment=enrolment,
        session=first,
        author=enrolment.participant,
        struck_me="Hoeveel signalen ik al zag zonder te weten wat ik ermee moest.",
        will_apply="Het volgende signaal bespreek ik met onze ondermijningscontactpersoon.",
    )
