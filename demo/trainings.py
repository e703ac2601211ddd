"""Demo programme with the trainings of the source documents (safe to run again).

Each training is recognised by its title; runs, enrolments and what participants
wrote are only added the first time a training is created. Everything goes through
the services. A run that already began is planned, filled and written about at the
moments that lie behind us (``demo.clock.at``), so its dates, enrolments and planned
reminders are the ones the services wrote then.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, Programme, Role, User
from trainings import services
from trainings.models import Enrolment, Run, Training, TrainingFormat

from . import clock

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


@transaction.atomic
def _programme() -> Programme:
    programme, _ = Programme.objects.get_or_create(
        name=PROGRAMME,
        defaults={"description": "Partners leren elkaars organisatie kennen, van binnenuit."},
    )
    programme.coordinators.add(*User.objects.filter(role_assignments__role=Role.COORDINATOR))
    return programme


def seed() -> None:
    """The demo programme and its trainings, each with one run."""
    now = timezone.now()
    today = timezone.localdate()
    programme = _programme()
    creator = programme.coordinators.order_by("pk").first()
    for demo in TRAININGS:
        if Training.objects.filter(programme=programme, title=demo.title).exists():
            continue
        sessions = [
            (
                clock.local_moment(today, days, hour),
                clock.local_moment(today, days, hour) + timedelta(hours=length),
            )
            for days, hour, length in demo.sessions
        ]
        first_starts = min(starts for starts, _ends in sessions)
        if first_starts > now:
            with transaction.atomic():
                run = _plan(
                    programme,
                    demo,
                    creator,
                    sessions,
                    opens=now - timedelta(days=7),
                    closes=max(first_starts - timedelta(days=2), now + timedelta(hours=1)),
                )
                _enrol(run, demo)
            continue
        # A run that already began: planned when enrolment opened, three weeks before the
        # participants enrolled the day before its first session; they wrote their plan
        # and a reflection the morning after that session. Each moment commits on its own,
        # so the mails the services queue on commit also go out at that moment.
        days_first = min(days for days, _hour, _length in demo.sessions)
        enrolled_at = now + timedelta(days=days_first - 1)
        opened_at = enrolled_at - timedelta(days=21)
        with clock.at(opened_at), transaction.atomic():
            run = _plan(
                programme,
                demo,
                creator,
                sessions,
                opens=opened_at,
                closes=enrolled_at + timedelta(hours=1),
            )
        with clock.at(enrolled_at), transaction.atomic():
            enrolments = _enrol(run, demo)
        with clock.at(clock.local_moment(today, days_first + 1, 9)), transaction.atomic():
            for enrolment in enrolments:
                _write_as_participant(run, enrolment)


def _plan(
    programme: Programme,
    demo: DemoTraining,
    creator: User,
    sessions: list[tuple[datetime, datetime]],
    *,
    opens: datetime,
    closes: datetime,
) -> Run:
    """The training with one published run, made by the programme's first coordinator."""
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
    run = services.run_create(
        actor=creator,
        training=training,
        capacity=demo.capacity,
        enrolment_opens_at=opens,
        enrolment_closes_at=closes,
        location=f"{demo.provider}, Voorbeeldstad",
        trainers=User.objects.filter(email=demo.trainer),
        sessions=sessions,
    )
    return services.run_publish(actor=creator, run=run)


def _enrol(run: Run, demo: DemoTraining) -> list[Enrolment]:
    """The demo participants of the other partners enrol; the small run also fills up."""
    training = run.training
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
    return enrolments


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
