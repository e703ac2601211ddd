"""Demo signals in every state for the demo organisations and people (safe to run again).

Each scenario is recognised by its reporter and text, so a second run adds nothing.
Every report and triage step goes through the services at the moment it happened
(``demo.clock.at``), so the signals' dates, deadlines, events, overdue reminders and
audit entries are the ones the services wrote then. The steps of all scenarios run in
one time order: the audit log is a hash chain in sequence order, and appending in time
order keeps its dates running forward.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from portal.models import User
from signalen import services
from signalen.models import Category, CloseReason, Signal

from . import clock

# Signalen's migration 0002 seeds these; get_or_create keeps the demo whole on a database
# that was emptied after migrating (as transactional tests do).
CATEGORIES = [
    "Vastgoed",
    "Horeca",
    "Huisvesting / woonfraude",
    "Uitkeringen / zorg",
    "Witwassen / financieel",
    "Drugs",
    "Mensenhandel / uitbuiting",
    "Vergunningen",
    "Overig",
]

GEMEENTE_CONTACT = "contactpersoon@voorbeeldstad.example"
GEMEENTE_PARTICIPANT = "deelnemer@voorbeeldstad.example"
GEMEENTE_TRAINER = "trainer@voorbeeldstad.example"
POLITIE_CONTACT = "contactpersoon@politie.example"
POLITIE_PARTICIPANT = "deelnemer@politie.example"
BD_CONTACT = "contactpersoon@belastingdienst.example"
BD_PARTICIPANT = "deelnemer@belastingdienst.example"
RIEC_CONTACT = "contactpersoon@riec.example"


@dataclass(frozen=True)
class Scenario:
    reporter: str
    meldpunt_contact: str
    category: str
    description: str
    location: str
    steps: list[tuple] = field(default_factory=list)
    days_ago: int = 0
    anonymous: bool = False


SCENARIOS = [
    Scenario(
        GEMEENTE_PARTICIPANT,
        GEMEENTE_CONTACT,
        "Vastgoed",
        "Leegstaand bedrijfspand aan de Havenweg wordt contant gekocht door een net opgerichte BV.",
        "Havenweg 14",
    ),
    Scenario(
        GEMEENTE_TRAINER,
        GEMEENTE_CONTACT,
        "Horeca",
        "Shishalounge is overdag dicht maar draait volgens de kassa hoge omzet.",
        "Marktplein 3",
        days_ago=6,
    ),
    Scenario(
        GEMEENTE_PARTICIPANT,
        GEMEENTE_CONTACT,
        "Huisvesting / woonfraude",
        "Op één adres staan twaalf arbeidsmigranten ingeschreven; de verhuurder int contant.",
        "Dorpsstraat 8",
        steps=[
            ("assign", GEMEENTE_CONTACT),
            ("note", "Adres staat ook bij handhaving bekend; nagevraagd bij BRP."),
            ("ask", "Heb je gezien wie de huur komt innen, en op welke dag?"),
            ("reply", "Elke eerste maandag van de maand, een man in een witte bestelbus."),
        ],
        days_ago=35,
    ),
    Scenario(
        GEMEENTE_PARTICIPANT,
        GEMEENTE_CONTACT,
        "Drugs",
        "In de garagebox achter de flat staat steeds een aggregaat te draaien; sterke geur.",
        "Garagecomplex Bloemenwijk",
        steps=[("assign", GEMEENTE_CONTACT), ("forward", POLITIE_CONTACT)],
        days_ago=20,
        anonymous=True,
    ),
    Scenario(
        GEMEENTE_TRAINER,
        GEMEENTE_CONTACT,
        "Vergunningen",
        "Aanvraag exploitatievergunning met een beheerder die ook bij drie andere zaken staat.",
        "Stationsstraat 21",
        steps=[
            ("assign", GEMEENTE_CONTACT),
            ("feedback", "Dank je voor je signaal; we hebben het meegenomen in de Bibob-toets."),
            ("close", CloseReason.HANDLED_INTERNALLY, "Meegenomen in Bibob-onderzoek."),
        ],
        days_ago=70,
    ),
    Scenario(
        GEMEENTE_PARTICIPANT,
        GEMEENTE_CONTACT,
        "Huisvesting / woonfraude",
        "Weer veel mensen op het adres aan de Dorpsstraat, zelfde verhuurder.",
        "Dorpsstraat 8",
        steps=[("close_duplicate", 2, "Zelfde adres als eerder signaal.")],
        days_ago=30,
    ),
    Scenario(
        POLITIE_PARTICIPANT,
        POLITIE_CONTACT,
        "Witwassen / financieel",
        "Autobedrijf verkoopt nauwelijks auto's maar heeft drie nieuwe panden gekocht.",
        "Industrieweg 2",
        steps=[("assign", POLITIE_CONTACT)],
        days_ago=50,
    ),
    Scenario(
        POLITIE_PARTICIPANT,
        POLITIE_CONTACT,
        "Mensenhandel / uitbuiting",
        "Nagelstudio met steeds wisselende jonge medewerkers die boven de zaak lijken te wonen.",
        "Kerkstraat 40",
        steps=[("assign", POLITIE_CONTACT), ("forward", RIEC_CONTACT)],
        days_ago=9,
    ),
    Scenario(
        BD_PARTICIPANT,
        BD_CONTACT,
        "Uitkeringen / zorg",
        "Zorgbureau declareert voor cliënten die volgens buren al maanden niet thuis zijn.",
        "Regio Noord",
        steps=[("close", CloseReason.NO_GROUNDS, "Na controle geen onregelmatigheden gevonden.")],
        days_ago=100,
    ),
]


# When each step happens, counted from the report: a contact person picks a signal up the
# next morning, closes it after five days; the reporter answers a question a day later;
# every other step follows the previous one within the hour.
PICKED_UP_AFTER = timedelta(hours=20)
CLOSED_AFTER = timedelta(days=5)
REPLIED_AFTER = timedelta(days=1)
NEXT_STEP_AFTER = timedelta(hours=1)


def _ensure_categories() -> dict[str, Category]:
    categories = {}
    for position, name in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            name=name, defaults={"position": position * 10}
        )
        categories[name] = category
    return categories


def _step_moments(reported_at: datetime, steps: list[tuple]) -> list[datetime]:
    moments = []
    previous = reported_at
    for step in steps:
        kind = step[0]
        if kind == "assign":
            moment = reported_at + PICKED_UP_AFTER
        elif kind in ("close", "close_duplicate"):
            moment = reported_at + CLOSED_AFTER
        elif kind == "reply":
            moment = previous + REPLIED_AFTER
        else:
            moment = previous + NEXT_STEP_AFTER
        moment = max(moment, previous + NEXT_STEP_AFTER)
        moments.append(moment)
        previous = moment
    return moments


def _run_step(signal: Signal, step: tuple, contact: User, people: dict, made: dict) -> None:
    kind = step[0]
    if kind == "assign":
        services.signal_assign(actor=contact, signal=signal, assignee=people[step[1]])
    elif kind == "note":
        services.signal_add_note(actor=contact, signal=signal, text=step[1])
    elif kind == "ask":
        services.signal_ask_reporter(actor=contact, signal=signal, question=step[1])
    elif kind == "reply":
        services.signal_reporter_reply(reporter=signal.reporter, signal=signal, text=step[1])
    elif kind == "feedback":
        services.signal_share_feedback(actor=contact, signal=signal, text=step[1])
    elif kind == "forward":
        receiver = people[step[1]]
        services.signal_forward(
            actor=contact,
            signal=signal,
            organisation=receiver.organisation,
            note="Past bij lopend onderzoek; graag jullie beoordeling.",
        )
    elif kind == "close":
        services.signal_close(actor=contact, signal=signal, reason=step[1], explanation=step[2])
    elif kind == "close_duplicate":
        services.signal_close(
            actor=contact,
            signal=signal,
            reason=CloseReason.DUPLICATE,
            explanation=step[2],
            duplicate_of=made[step[1]],
        )
    signal.refresh_from_db()


def seed() -> None:
    """Create the demo signals once; does nothing without the portal's demo people."""
    categories = _ensure_categories()
    emails = (
        {s.reporter for s in SCENARIOS}
        | {s.meldpunt_contact for s in SCENARIOS}
        | {step[1] for s in SCENARIOS for step in s.steps if step[0] in ("assign", "forward")}
    )
    people = {user.email: user for user in User.objects.filter(email__in=emails)}
    if set(people) != emails:
        return
    now = timezone.now()
    made: dict[int, Signal] = {}
    # (moment, scenario index, step index or None for the report itself), run in time order.
    timeline: list[tuple[datetime, int, int | None]] = []
    for index, scenario in enumerate(SCENARIOS):
        existing = Signal.objects.filter(
            reporter=people[scenario.reporter], description=scenario.description
        ).first()
        if existing is not None:
            made[index] = existing
            continue
        reported_at = now - timedelta(days=scenario.days_ago)
        timeline.append((reported_at, index, None))
        for step_index, moment in enumerate(_step_moments(reported_at, scenario.steps)):
            timeline.append((moment, index, step_index))
    for moment, index, step_index in sorted(timeline, key=lambda item: item[0]):
        scenario = SCENARIOS[index]
        with clock.at(moment):
            if step_index is None:
                made[index] = services.signal_create(
                    reporter=people[scenario.reporter],
                    organisation=people[scenario.meldpunt_contact].organisation,
                    category=categories[scenario.category],
                    description=scenario.description,
                    location=scenario.location,
                    reporter_anonymous=scenario.anonymous,
                )
            else:
                _run_step(
                    made[index],
                    scenario.steps[step_index],
                    people[scenario.meldpunt_contact],
                    people,
                    made,
                )
