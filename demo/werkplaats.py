"""Demo werkplaats: 17 participants from the demo partners in three mixed groups, two sessions
four weeks apart, the first two weeks behind us, so the practice period between them shows
logs and case sketches (safe to run again: recognised by its title, extra people by e-mail).

The facilitator set it up a week before the first session, the case sketches were brought to
that session and the logs written in the days after it (``demo.clock.at``). The sessions fall
on working days; the logs and sketches are the extra participants', so each demo participant
still has a practice log to write.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Discipline, Organisation, Programme, User
from werkplaats import services
from werkplaats.models import ActionStatus, Session, SessionLength, Werkplaats

from . import clock
from .people import extra_participant

TITLE = "Domeinoverstijgend samenwerken — Gemeente Voorbeeldstad"
FACILITATOR_EMAIL = "trainer@voorbeeldstad.example"

# Besides the four demo participants of demo.people: (name, discipline, partner domain).
EXTRA_PARTICIPANTS = [
    ("Bram Kok", Discipline.SOCIAAL_DOMEIN, "voorbeeldstad.example"),
    ("Eva Willems", Discipline.VERGUNNINGEN, "voorbeeldstad.example"),
    ("Hamza Ouali", Discipline.HANDHAVING, "voorbeeldstad.example"),
    ("Iris van Leeuwen", Discipline.PUBLIEKSZAKEN, "voorbeeldstad.example"),
    ("Jeroen Dekker", Discipline.VASTGOED, "voorbeeldstad.example"),
    ("Kim Bos", Discipline.STEDELIJKE_ONTWIKKELING, "voorbeeldstad.example"),
    ("Lars Vos", Discipline.SOCIAAL_DOMEIN, "voorbeeldstad.example"),
    ("Maaike Post", Discipline.VEILIGHEID, "politie.example"),
    ("Nina Hoekstra", Discipline.INFORMATIE, "politie.example"),
    ("Omar Sahin", Discipline.BELASTINGEN, "belastingdienst.example"),
    ("Petra Brouwer", Discipline.JURIDISCH, "om.example"),
    ("Rik Scholten", Discipline.BELEID, "riec.example"),
    ("Sara Claes", Discipline.SOCIAAL_DOMEIN, "riec.example"),
]
DEMO_PARTICIPANTS = [
    "deelnemer@voorbeeldstad.example",
    "deelnemer@politie.example",
    "deelnemer@belastingdienst.example",
    "deelnemer@om.example",
]

AIMS = {
    "aim_bewustwording": "Welke verschillende visies op ondermijning zitten er aan tafel?",
    "aim_inzicht": "Welke overtuigingen en drijfveren sturen mij, en de ander?",
    "aim_helicopterview": "Welke belangen delen sociaal domein en veiligheid?",
    "aim_vaardigheid": "Oefenen met de eigen situatieschetsen: het gesprek aangaan.",
}


def _extra_participant(index: int, name: str, discipline: str, domain: str) -> User:
    return extra_participant(f"werkplaats{index:02d}@{domain}", name, discipline, domain)


# The sessions, in days from today (moved together onto working days); the facilitator
# sets the werkplaats up a week before the first.
SESSION_DAYS = (-14, 14)
SET_UP_DAYS_BEFORE = 7


@transaction.atomic
def seed() -> None:
    """The werkplaats with its people, groups, sessions and practice period, once."""
    facilitator = User.objects.filter(email=FACILITATOR_EMAIL).first()
    if facilitator is None or Werkplaats.objects.filter(title=TITLE).exists():
        return
    today = timezone.localdate()
    session_days = clock.on_working_days(today, SESSION_DAYS)
    demo_people = list(User.objects.filter(email__in=DEMO_PARTICIPANTS))
    extra_people = [
        _extra_participant(i, name, discipline, domain)
        for i, (name, discipline, domain) in enumerate(EXTRA_PARTICIPANTS, start=1)
    ]
    people = demo_people + extra_people
    with clock.at(clock.local_moment(today, session_days[0] - SET_UP_DAYS_BEFORE, 10)):
        werkplaats, sessions = _set_up(facilitator, people, today, session_days)
    _practice_period(facilitator, extra_people, after=sessions[0], today=today)
    services.organisational_action_save(
        actor=facilitator,
        werkplaats=werkplaats,
        title="Meldpunt Ondermijning inrichten",
        owner="Teamleider openbare orde en veiligheid",
        due_date=today + timedelta(days=90),
        status=ActionStatus.IN_PROGRESS,
    )
    services.organisational_action_save(
        actor=facilitator,
        werkplaats=werkplaats,
        title="Vaste aanspreekpunten per team benoemen",
        owner="Afdelingshoofd sociaal domein",
        due_date=today + timedelta(days=60),
        status=ActionStatus.OPEN,
    )
    services.rugdekking_request_create(
        user=people[0],
        werkplaats=werkplaats,
        manager_name="Hanneke Teunissen",
        manager_email="teamleider@voorbeeldstad.example",
        point="Twee uur per maand om signalen met de wijkagent te bespreken.",
    )


def _set_up(
    facilitator: User, people: list[User], today: date, session_days: tuple[int, ...]
) -> tuple[Werkplaats, list[Session]]:
    werkplaats = services.werkplaats_create(
        created_by=facilitator,
        title=TITLE,
        organisation=Organisation.objects.get(email_domains__domain="voorbeeldstad.example"),
        description=(
            "Een oefenruimte voor collega's uit het sociaal domein, veiligheid en de partners: "
            "samen werken aan een gezamenlijk handelingsrepertoire bij ondermijning."
        ),
        programme=Programme.objects.filter(is_active=True).order_by("pk").first(),
    )
    services.participants_add(actor=facilitator, werkplaats=werkplaats, users=people)
    sessions = [
        services.session_create(
            actor=facilitator,
            werkplaats=werkplaats,
            starts_at=clock.local_moment(today, days, 9),
            ends_at=clock.local_moment(today, days, 13),
            location="Stadskantoor Voorbeeldstad, zaal De Brug",
            length=SessionLength.DAGDEEL,
            **AIMS,
        )
        for days in session_days
    ]
    services.groups_make(actor=facilitator, werkplaats=werkplaats)
    return werkplaats, sessions


# (tried, happened, bring next time) of the people who already wrote their log.
PRACTICE_LOGS = [
    (
        "Bij een aanvraag bijzondere bijstand doorgevraagd naar wie de huur int.",
        "De klant werd stil; ik heb het genoteerd en met de wijkagent besproken.",
        "Hoe maak je zo'n gesprek open zonder dat de klant dichtklapt?",
    ),
    (
        "Een signaal over een kapsalon via het meldpunt gedeeld in plaats van zelf uitgezocht.",
        "Binnen twee dagen terugkoppeling van de contactpersoon; dat gaf vertrouwen.",
        "Wat mag ik terugzeggen tegen de collega die het signaal gaf?",
    ),
    (
        "Met een collega van vergunningen samen naar een Bibob-dossier gekeken.",
        "We zagen dezelfde namen in twee dossiers terug.",
        "Situatieschets: één beheerder bij drie horecazaken.",
    ),
    (
        "In het teamoverleg tien minuten ingeruimd voor signalen.",
        "Twee collega's brachten iets in; de rest vond het nog spannend.",
        "Hoe houd je zo'n vast moment levend?",
    ),
    (
        "Bij een huisbezoek gelet op tekenen van uitbuiting.",
        "Niets concreets, maar wel een adres dat vaker opduikt.",
        "",
    ),
]
CASE_SKETCHES = [
    (
        "Schuldhulp met contante aflossingen",
        "Een cliënt lost opvallend snel en contant af, terwijl het inkomen laag is.",
        "Wat doe je met een vermoeden als de cliënt meewerkt en niets fout lijkt te doen?",
        "Signaal melden bij de contactpersoon; de schuldhulpverlener houdt het gesprek.",
    ),
    (
        "Woning met wisselende bewoners",
        "Op één adres staan steeds andere mensen ingeschreven.",
        "",
        "",
    ),
]


def _practice_period(facilitator: User, people: list[User], *, after: Session, today: date) -> None:
    """Case sketches brought to the first session, then logs written every other day after it."""
    session_day = (timezone.localdate(after.starts_at) - today).days
    for user, (title, situation, discussion, follow_up) in zip(
        people[len(PRACTICE_LOGS) :], CASE_SKETCHES, strict=False
    ):
        with clock.at(clock.local_moment(today, session_day - 1, 16)):
            sketch = services.case_sketch_create(
                user=user, session=after, title=title, situation=situation
            )
        if discussion:
            with clock.at(clock.local_moment(today, session_day, 12, 30)):
                services.case_sketch_update(
                    actor=facilitator, sketch=sketch, discussion=discussion, follow_up=follow_up
                )
    for index, (user, (tried, happened, bring_next)) in enumerate(
        zip(people, PRACTICE_LOGS, strict=False)
    ):
        with clock.at(clock.local_moment(today, session_day + 1 + 2 * index, 17)):
            services.practice_log_save(
                user=user,
                after_session=after,
                tried=tried,
                happened=happened,
                bring_next=bring_next,
            )
