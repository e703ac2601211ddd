"""Demo programme with the trainings of the source documents (safe to run again).

Each training is recognised by its title; runs, enrolments and what participants
wrote are only added the first time a training is created. Everything goes through
the services. A run that already began is planned, filled and written about at the
moments that lie behind us (``demo.clock.at``), so its dates, enrolments and planned
reminders are the ones the services wrote then.

Sessions fall on working days, whatever day the demo is seeded on. Each demo participant
is left something to do: a reflection on the latest session behind them, and a training
whose enrolment just opened.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, Programme, Role, User
from trainings import services
from trainings.models import Enrolment, EnrolmentStatus, Run, Session, Training, TrainingFormat

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
    # Start of each session: (days from today, hour, hours long); moved onto working days.
    sessions: tuple[tuple[int, int, int], ...]
    # False: enrolment just opened and no demo participant has enrolled yet.
    participants_enrolled: bool = True


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
        sessions=((-7, 9, 4), (21, 9, 4)),
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
    DemoTraining(
        title="Hoe werkt het RIEC?",
        provider="RIEC Voorbeeldregio",
        format=TrainingFormat.TRAINING,
        description=(
            "Wat doet een Regionaal Informatie- en Expertisecentrum? Hoe komt een casus aan de "
            "RIEC-tafel, wat mogen de partners daar met elkaar delen en wat gebeurt er met een "
            "signaal dat je er neerlegt?"
        ),
        content_goals=(
            "Je kent het convenant, de weg van signaal tot integrale interventie en de rol van "
            "elke partner daarin."
        ),
        personal_goals="Je weet wanneer je een signaal via het RIEC laat lopen, en wat dan.",
        capacity=20,
        trainer="trainer@politie.example",
        sessions=((35, 13, 3),),
        participants_enrolled=False,
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
    begun = []
    for demo in TRAININGS:
        if Training.objects.filter(programme=programme, title=demo.title).exists():
            continue
        days = clock.on_working_days(today, tuple(days for days, _hour, _length in demo.sessions))
        sessions = [
            (
                clock.local_moment(today, day, hour),
                clock.local_moment(today, day, hour) + timedelta(hours=length),
            )
            for day, (_days, hour, length) in zip(days, demo.sessions, strict=True)
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
                if demo.participants_enrolled:
                    _enrol(run, demo)
            continue
        # A run that already began: planned when enrolment opened, three weeks before the
        # participants enrolled the day before its first session; they wrote their plan
        # the morning after that session. Each moment commits on its own, so the mails
        # the services queue on commit also go out at that moment.
        days_first = min(days)
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
                _write_plan(enrolment)
        begun.append(run)
    _reflect(begun, now=now)


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


def _write_plan(enrolment: Enrolment) -> None:
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


def _reflect(runs: list[Run], *, now: datetime) -> None:
    """Participants reflected the morning after each session behind them but their latest.

    The latest one is left for whoever logs in as that participant to write.
    """
    attended: dict[int, list[tuple[Session, Enrolment]]] = defaultdict(list)
    enrolments = Enrolment.objects.filter(
        run__in=runs, status=EnrolmentStatus.ENROLLED
    ).select_related("participant")
    sessions = list(Session.objects.filter(run__in=runs, starts_at__lte=now, is_cancelled=False))
    for enrolment in enrolments:
        for session in sessions:
            if session.run_id == enrolment.run_id:
                attended[enrolment.participant_id].append((session, enrolment))
    for pairs in attended.values():
        pairs.sort(key=lambda pair: (pair[0].starts_at, pair[0].pk))
        for session, enrolment in pairs[:-1]:
            session_day = timezone.localdate(session.starts_at)
            with clock.at(clock.local_moment(session_day, 1, 9)), transaction.atomic():
                services.reflection_save(
                    enrolment=enrolment,
                    session=session,
                    author=enrolment.participant,
                    struck_me="Hoeveel signalen ik al zag zonder te weten wat ik ermee moest.",
                    will_apply=(
                        "Het volgende signaal bespreek ik met onze ondermijningscontactpersoon."
                    ),
                )
