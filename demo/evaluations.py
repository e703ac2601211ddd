"""A finished demo run with its evaluation and samenwerkingsmeter (safe to run again).

"Hoe werkt de politie?" ran about ten weeks ago. Ten participants of the other partners held
a place; seven filled in the evaluation the day after (enough for the coordinators to see
the results), the reminder went to the others days later, and six answered the
samenwerkingsmeter eight weeks after the run. The demo participant of the gemeente answered
neither, so whoever logs in as her finds both open under "Mijn trainingen". Everything goes
through the services at the moment it happened (``demo.clock.at``), and the mails are sent
by the portal's own dispatcher at those moments.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal import services as portal_services
from portal.models import Discipline, Organisation, User
from trainings import evaluation, selectors, services
from trainings.models import QuestionKind, Run, Training, TrainingFormat

from . import clock
from .people import extra_participant
from .trainings import _programme

TITLE = "Hoe werkt de politie?"
PROVIDER = "Politie Eenheid Voorbeeldregio"
TRAINER = "trainer@politie.example"
DEMO_PARTICIPANTS = [
    "deelnemer@voorbeeldstad.example",
    "deelnemer@belastingdienst.example",
    "deelnemer@om.example",
]
# Who else took part: name, discipline, e-mail domain.
OTHERS = [
    ("Bram Verhoef", Discipline.HANDHAVING, "voorbeeldstad.example"),
    ("Chantal Smit", Discipline.VERGUNNINGEN, "voorbeeldstad.example"),
    ("Dirk Meijer", Discipline.BELASTINGEN, "belastingdienst.example"),
    ("Esra Yilmaz", Discipline.JURIDISCH, "om.example"),
    ("Floor de Groot", Discipline.BELEID, "riec.example"),
    ("Gijs Koster", Discipline.SOCIAAL_DOMEIN, "voorbeeldstad.example"),
    ("Hanna Visser", Discipline.INFORMATIE, "riec.example"),
]
# Scores per scale question, one list per respondent; open answers alongside.
EVALUATIONS = [
    ((5, 5, 4, 5), "Het bezoek aan de meldkamer.", "Meer tijd voor vragen."),
    ((4, 5, 5, 4), "Weten wie de wijkagent in mijn gebied is.", ""),
    ((4, 4, 4, 4), "De casus over het bedrijfspand.", "Minder sheets."),
    ((3, 4, 5, 4), "", "De tweede bijeenkomst mocht korter."),
    ((5, 4, 4, 5), "Het gesprek met de recherche.", ""),
    ((4, 3, 4, 4), "Hoe een melding bij de politie verder loopt.", "Een handout vooraf."),
    ((5, 5, 5, 5), "Alles!", ""),
]
FOLLOWUPS = [
    (True, ["Politie Eenheid Voorbeeldregio"], "Samen een signaal over een pand opgepakt."),
    (True, ["Politie Eenheid Voorbeeldregio", "RIEC Voorbeeldregio"], "Casus bij het RIEC."),
    (False, [], ""),
    (True, ["Gemeente Voorbeeldstad"], "Sneller de juiste collega gevonden."),
    (True, ["Politie Eenheid Voorbeeldregio"], ""),
    (False, [], ""),
]


def _other_participant(index: int, name: str, discipline: str, domain: str) -> User:
    return extra_participant(f"evaluatie{index:02d}@{domain}", name, discipline, domain)


def seed() -> None:
    """The finished run, its evaluation and its samenwerkingsmeter, the first time only."""
    programme = _programme()
    if Training.objects.filter(programme=programme, title=TITLE).exists():
        return
    creator = programme.coordinators.order_by("pk").first()
    today = timezone.localdate()
    days = clock.on_working_days(today, (-73, -71))
    sessions = [
        (clock.local_moment(today, day, 9), clock.local_moment(today, day, 13)) for day in days
    ]
    first, ends = sessions[0][0], sessions[-1][1]
    people = [
        *User.objects.filter(email__in=DEMO_PARTICIPANTS).order_by("email"),
        *(_other_participant(i, *other) for i, other in enumerate(OTHERS, start=1)),
    ]
    with clock.at(first - timedelta(days=21)), transaction.atomic():
        run = _plan(programme, creator, sessions, opens=first - timedelta(days=21), first=first)
    with clock.at(first - timedelta(days=5)), transaction.atomic():
        for person in people:
            services.enrolment_create(run=run, participant=person)
    _send_due_at(ends + timedelta(minutes=5))
    respondents = [p for p in people if p.email != "deelnemer@voorbeeldstad.example"]
    with clock.at(ends + timedelta(days=1)), transaction.atomic():
        run = Run.objects.select_related("training").get(pk=run.pk)
        services.run_complete(actor=creator, run=run)
        questions = services.run_evaluation_open(run=run)
        scale = [q for q in questions if q.kind == QuestionKind.SCALE]
        open_questions = [q for q in questions if q.kind == QuestionKind.OPEN]
        for person, (scores, valuable, better) in zip(respondents, EVALUATIONS, strict=False):
            services.evaluation_submit(
                participant=person,
                run=run,
                scores={q.pk: score for q, score in zip(scale, scores, strict=False)},
                texts=dict(zip((q.pk for q in open_questions), (valuable, better), strict=False)),
            )
    _send_due_at(ends + timedelta(days=evaluation.REMINDER_AFTER_DAYS, hours=1))
    _send_due_at(ends + timedelta(weeks=evaluation.DEFAULT_FOLLOWUP_WEEKS, minutes=5))
    with clock.at(ends + timedelta(weeks=evaluation.DEFAULT_FOLLOWUP_WEEKS, days=1)):
        for person, (contacted, names, outcome) in zip(respondents, FOLLOWUPS, strict=False):
            allowed = list(selectors.followup_partner_choices(run=run, user=person))
            chosen = ([o for o in allowed if o.name in names] or allowed[:1]) if contacted else []
            with transaction.atomic():
                services.followup_submit(
                    participant=person,
                    run=run,
                    contacted=contacted,
                    organisations=chosen,
                    outcome=outcome,
                )


def _plan(programme, creator, sessions, *, opens, first) -> Run:
    training = services.training_create(
        actor=creator,
        programme=programme,
        title=TITLE,
        description=(
            "Van meldkamer tot recherche: hoe de politie werkt, wat zij met een signaal doet en "
            "hoe je de wijkagent en de collega's van de districtelijke teams bereikt."
        ),
        provider=Organisation.objects.get(name=PROVIDER),
        format=TrainingFormat.TRAINING,
        content_goals="Je kent de weg van een melding en de rol van de wijkagent.",
        personal_goals="Je weet wie je bij de politie belt, en wanneer.",
        default_capacity=12,
    )
    run = services.run_create(
        actor=creator,
        training=training,
        capacity=12,
        enrolment_opens_at=opens,
        enrolment_closes_at=first - timedelta(days=2),
        location=f"{PROVIDER}, Voorbeeldstad",
        trainers=User.objects.filter(email=TRAINER),
        sessions=sessions,
    )
    return services.run_publish(actor=creator, run=run)


def _send_due_at(moment) -> None:
    """The portal's dispatcher at ``moment``: what fell due then goes out (or is skipped)."""
    with clock.at(moment):
        portal_services.reminders_send_due()
