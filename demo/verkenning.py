"""Demo verkenning in the social domain of the demo municipality (safe to run again).

The verkenning is recognised by its title and only filled the first time. Everything goes
through the services, so the snowball grows the way it does in use: each interview names
the next people to talk to. The verkenner started it a few days before the first interview
and recorded each interview on the day it was held (``demo.clock.at``).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, Programme, User
from trainings.models import TrainingFormat
from verkenning import services
from verkenning.models import Contact, ContactStatus, Question, Theme, Verkenning

from . import clock
from .trainings import PROGRAMME

TITLE = "Ondermijning en het sociaal domein van Gemeente Voorbeeldstad"
ORGANISATION = "Gemeente Voorbeeldstad"
VERKENNER = "trainer@voorbeeldstad.example"

DEPARTMENTS = [
    "Veiligheid",
    "Handhaving",
    "Wijkteam Noord",
    "Werk en inkomen",
    "Schuldhulpverlening",
    "Jeugd",
    "Leerplicht",
]


@dataclass(frozen=True)
class Person:
    name: str
    department: str
    role: str


@dataclass(frozen=True)
class DemoInterview:
    person: str
    days_ago: int
    minutes: int
    answers: dict[str, str]
    # (kind, text, themes, quote in export)
    observations: tuple[tuple[str, str, tuple[str, ...], bool], ...]
    named: tuple[Person, ...] = field(default=())


ROOTS = [
    Person("Ilse Kramer", "Veiligheid", "Ondermijningsfunctionaris"),
    Person("Ruud Hoekstra", "Handhaving", "Sociaal rechercheur"),
]

INTERVIEWS = [
    DemoInterview(
        "Ilse Kramer",
        42,
        90,
        {
            "Waar kom je ondermijning tegen in je werk?": (
                "Bij de integrale tafel, maar het sociaal domein zit daar nooit aan."
            ),
            "Waarom denk je dat er met diegenen geen connectie tot stand komt?": (
                "Ze zien ondermijning als iets van politie en justitie."
            ),
        },
        (
            (
                "energie",
                "Wil graag samen casussen bespreken met de wijkteams.",
                ("casuïstiekbespreking",),
                True,
            ),
            ("hindernis", "Weet niet wat het sociaal domein mag delen.", ("AVG",), False),
        ),
        (
            Person("Noor Willems", "Wijkteam Noord", "Teamleider"),
            Person("Bas van Leeuwen", "Werk en inkomen", "Beleidsmedewerker"),
            Person("Marieke Bos", "Werk en inkomen", "Consulent"),
        ),
    ),
    DemoInterview(
        "Ruud Hoekstra",
        40,
        60,
        {
            "Wat heb je zelf ondernomen?": (
                "Twee keer een overleg met schuldhulp voorgesteld, nooit een antwoord gekregen."
            ),
        },
        (
            (
                "hindernis",
                "Kreeg nul op het rekest bij het sociaal domein.",
                ("interne samenwerking",),
                False,
            ),
        ),
        (Person("Hanneke de Jong", "Schuldhulpverlening", "Schuldhulpverlener"),),
    ),
    DemoInterview(
        "Noor Willems",
        33,
        75,
        {
            "Wat is voor jou lastig?": (
                "De caseload is zo hoog dat er geen ruimte is voor iets nieuws."
            ),
            "Hoe zou je het graag anders zien?": "Een vast aanspreekpunt bij Veiligheid.",
        },
        (
            (
                "weerstand",
                "Ondermijning is niet ons werk, we hebben het al druk genoeg.",
                ("werkdruk",),
                True,
            ),
            (
                "energie",
                "Wil een vast aanspreekpunt bij Veiligheid.",
                ("interne samenwerking",),
                False,
            ),
        ),
        (
            Person("Yusuf Demir", "Wijkteam Noord", "Wijkcoach"),
            Person("Linda Vos", "Jeugd", "Jeugdconsulent"),
        ),
    ),
    DemoInterview(
        "Bas van Leeuwen",
        30,
        45,
        {"Wie heb je nodig?": "Een leidinggevende die er tijd voor vrijmaakt."},
        (
            ("hindernis", "Zonder toestemming van het management gebeurt er niets.", (), False),
            (
                "energie",
                "Wil beleid schrijven als de praktijk duidelijk is.",
                ("professionele dilemma's",),
                False,
            ),
        ),
        (Person("Gerrit Prins", "Werk en inkomen", "Afdelingsmanager"),),
    ),
    DemoInterview(
        "Marieke Bos",
        26,
        60,
        {
            "Wat vind je zelf van deze situatie?": (
                "Ik zie dingen bij klanten die niet kloppen, maar weet niet wat ik ermee moet."
            ),
        },
        (
            (
                "hindernis",
                "Herkent signalen niet als ondermijning.",
                ("onbekendheid met ondermijning",),
                True,
            ),
            ("weerstand", "Bang om klanten te verraden.", ("professionele dilemma's",), False),
        ),
        (
            Person("Sara Koster", "Werk en inkomen", "Klantmanager"),
            Person("Dennis Post", "Werk en inkomen", "Inkomensconsulent"),
        ),
    ),
    DemoInterview(
        "Hanneke de Jong",
        21,
        50,
        {"Wat is voor jou lastig?": "Wanneer meld ik een vermoeden en bij wie?"},
        (
            (
                "hindernis",
                "Onduidelijk wat de Wet Damocles betekent voor schuldhulp.",
                ("Wet Damocles",),
                False,
            ),
            (
                "energie",
                "Wil leren kijken naar signalen achter schulden.",
                ("onbekendheid met ondermijning",),
                True,
            ),
        ),
        (Person("Petra Dijkman", "Schuldhulpverlening", "Budgetcoach"),),
    ),
    DemoInterview(
        "Yusuf Demir",
        14,
        40,
        {"Hoe zou je het graag anders zien?": "Eens per maand een casusoverleg met de wijkagent."},
        (
            (
                "energie",
                "Wijkteam wil maandelijks casusoverleg.",
                ("casuïstiekbespreking", "interne samenwerking"),
                False,
            ),
        ),
    ),
    DemoInterview(
        "Gerrit Prins",
        7,
        30,
        {"Wie heb je nodig?": "Budget van het programma; de uren kan ik vrijmaken."},
        (
            (
                "energie",
                "Manager geeft ruimte voor een training in het voorjaar.",
                ("werkdruk",),
                False,
            ),
        ),
    ),
]

STATUS_AFTER = {"Linda Vos": ContactStatus.PLANNED, "Dennis Post": ContactStatus.DECLINED}
# The verkenner starts the verkenning this many days before the first interview.
STARTED_BEFORE_FIRST_INTERVIEW = 3


@transaction.atomic
def seed() -> None:
    """The verkenning with its inventory, eight interviews and a training design, once."""
    verkenner = User.objects.filter(email=VERKENNER).first()
    organisation = Organisation.objects.filter(name=ORGANISATION).first()
    if verkenner is None or organisation is None or Verkenning.objects.filter(title=TITLE).exists():
        return
    today = timezone.localdate()
    programme, _ = Programme.objects.get_or_create(name=PROGRAMME)
    first_interview = max(demo.days_ago for demo in INTERVIEWS)
    with clock.at(clock.local_moment(today, -first_interview - STARTED_BEFORE_FIRST_INTERVIEW, 10)):
        verkenning = _start(verkenner, programme, organisation)
    # The data migration seeds these; get_or_create keeps the demo whole on a database that
    # was emptied after migrating (as transactional tests do).
    questions = {
        text: Question.objects.get_or_create(text=text)[0]
        for demo in INTERVIEWS
        for text in demo.answers
    }
    theme_names = {n for demo in INTERVIEWS for *_, names, _ in demo.observations for n in names}
    theme_names |= {"casuïstiekbespreking", "onbekendheid met ondermijning"}
    themes = {name: Theme.objects.get_or_create(name=name)[0] for name in theme_names}
    for demo in INTERVIEWS:
        with clock.at(clock.local_moment(today, -demo.days_ago, 17)):
            held_on = today - timedelta(days=demo.days_ago)
            _record(verkenning, verkenner, demo, questions, themes, held_on=held_on)
    for name, status in STATUS_AFTER.items():
        contact = Contact.objects.get(verkenning=verkenning, name=name)
        services.contact_update(
            actor=verkenner,
            contact=contact,
            name=contact.name,
            organisation_name=contact.organisation_name,
            department=contact.department,
            role=contact.role,
            referred_by=contact.referred_by,
            status=status,
        )
    (first_session_day,) = clock.on_working_days(today, (45,))
    start = clock.local_moment(today, first_session_day, 9)
    services.training_design_save(
        actor=verkenner,
        verkenning=verkenning,
        title="Signalen van ondermijning in het sociaal domein",
        description=(
            "Wijkteams, consulenten en schuldhulpverleners leren signalen van ondermijning "
            "herkennen en bespreken casussen samen met Veiligheid."
        ),
        format=TrainingFormat.WORKSHOP,
        provider=organisation,
        themes=[themes["casuïstiekbespreking"], themes["onbekendheid met ondermijning"]],
        content_goals="Signalen herkennen; weten wat je mag delen (AVG) en bij wie je meldt.",
        personal_goals="Durven doorvragen en een vermoeden bespreken met collega's.",
        target_groups="Wijkteam Noord, Werk en inkomen, Schuldhulpverlening",
        trainers_needed="Ondermijningsfunctionaris en een trainer van Bureau RVS",
        manager_approval=True,
        planning="Start in het voorjaar; drie dagdelen met enkele weken ertussen.",
        practicalities="Zaal in het stadskantoor; werving via de teamleiders.",
        capacity=16,
        location="Stadskantoor Voorbeeldstad, zaal 2.14",
        first_session_starts_at=start,
        first_session_ends_at=start + timedelta(hours=3, minutes=30),
    )


def _start(verkenner: User, programme: Programme, organisation: Organisation) -> Verkenning:
    """The verkenning with its inventory and the two people the verkenner starts with."""
    verkenning = services.verkenning_create(
        created_by=verkenner,
        programme=programme,
        organisation=organisation,
        title=TITLE,
        purpose=(
            "Waar zit in het sociaal domein de energie om met ondermijning aan de slag te gaan, "
            "en wat is daarvoor nodig?"
        ),
    )
    services.verkenning_update(
        actor=verkenner,
        verkenning=verkenning,
        title=TITLE,
        purpose=verkenning.purpose,
        status=verkenning.status,
        organisation=organisation,
        verkenners=[verkenner],
        departments=DEPARTMENTS,
        professionals="Consulenten werk en inkomen, wijkcoaches, schuldhulpverleners",
        managers="Teamleiders wijkteams, afdelingsmanager Werk en inkomen",
        policy_staff="Beleidsmedewerker sociaal domein, ondermijningsfunctionaris",
        acquaintance="hardly_know",
        shared_goal="to_formulate",
        existing_knowledge="Veiligheid kent ondermijning; het sociaal domein nauwelijks.",
    )
    for person in ROOTS:
        services.contact_create(
            actor=verkenner,
            verkenning=verkenning,
            name=person.name,
            organisation_name=ORGANISATION,
            department=person.department,
            role=person.role,
        )
    return verkenning


def _record(
    verkenning: Verkenning,
    verkenner: User,
    demo: DemoInterview,
    questions: dict[str, Question],
    themes: dict[str, Theme],
    *,
    held_on: date,
) -> None:
    """One interview, with the people it named joining the snowball."""
    contact = Contact.objects.get(verkenning=verkenning, name=demo.person)
    services.interview_record(
        verkenning=verkenning,
        verkenner=verkenner,
        data=services.InterviewInput(
            contact=contact,
            held_on=held_on,
            duration_minutes=demo.minutes,
            answers={questions[text]: notes for text, notes in demo.answers.items()},
            observations=[
                services.ObservationInput(
                    kind=kind,
                    text=text,
                    themes=[themes[name] for name in names],
                    include_as_quote=quote,
                )
                for kind, text, names, quote in demo.observations
            ],
            new_contacts=[
                services.NewContactInput(
                    name=p.name,
                    organisation_name=ORGANISATION,
                    department=p.department,
                    role=p.role,
                )
                for p in demo.named
            ],
        ),
    )
