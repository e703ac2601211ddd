"""A finished bewustwordingssessie and its funnel (safe to run again).

The demo's "Bewustwordingssessie aanpak ondermijning" (``demo.trainings``) has a session
behind us. Here more colleagues enrol before it, and on the day itself the trainer takes the
room through the four elements: the groups' definitions, the participants' examples (named
anonymously) grouped by theme. In the weeks after, some participants report signals, so the
coordinators' funnel (Coördinatie → Bewustwording) shows numbers. Everything goes through
the services at the moment it happened (``demo.clock.at``). Seeded once: a session that has
examples is left alone.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, User
from signalen import selectors as signal_selectors
from signalen import services as signal_services
from signalen.models import Category
from trainings import services
from trainings.models import (
    AwarenessExample,
    AwarenessStep,
    EnrolmentStatus,
    Session,
    TrainingFormat,
)

from . import clock

TITLE = "Bewustwordingssessie aanpak ondermijning"

# The room holds more than the four demo participants: colleagues of the other partners.
EXTRA_PARTICIPANTS = [
    "trainer@voorbeeldstad.example",
    "contactpersoon@voorbeeldstad.example",
    "trainer@belastingdienst.example",
    "coordinator@belastingdienst.example",
    "trainer@om.example",
    "contactpersoon@riec.example",
]

DEFINITIONS = [
    ("Groep 1", "Als criminelen gewone bedrijven, panden en mensen gebruiken voor hun zaken."),
    ("Groep 2", "De onderwereld die de bovenwereld binnendringt, tot in het gemeentehuis toe."),
    ("Groep 3", "Alles waardoor het vertrouwen in de overheid en de rechtsstaat wordt uitgehold."),
]

# (example, theme): named in the room, then grouped by the trainer.
EXAMPLES = [
    ("Een kapsalon zonder klanten waar elke week een nieuwe auto voor de deur staat.", "horeca"),
    ("Huur die contant wordt betaald, steeds met andere biljetten.", "vastgoed"),
    ("Een pand dat voor ver boven de waarde wordt gekocht door een net opgerichte BV.", "vastgoed"),
    ("Een zorgbureau dat declareert voor cliënten die al maanden niet thuis zijn.", "zorg"),
    ("Een aanvrager die bij de balie steeds door iemand anders wordt voorgezegd.", "vergunningen"),
    ("Jonge medewerkers die boven de nagelstudio lijken te wonen.", "mensen"),
    ("Een loods waar 's nachts busjes in- en uitrijden, overdag is alles dicht.", "drugs"),
    ("Iemand die vraagt wie er in het dossier van zijn buurman werkt.", ""),
]

# Signals the participants report in the weeks after the session: (days after, reporter,
# category, description).
SIGNALS_AFTER = [
    (2, "deelnemer@voorbeeldstad.example", "Horeca",
     "Kapsalon aan de Molenstraat: nooit klanten, wel elke week een andere dure auto."),
    (4, "trainer@belastingdienst.example", "Witwassen / financieel",
     "Contante aankoop van drie appartementen door een BV zonder personeel."),
    (6, "trainer@voorbeeldstad.example", "Vastgoed",
     "Verhuurder int huur contant bij acht kamers in één eengezinswoning."),
    (9, "deelnemer@om.example", "Mensenhandel / uitbuiting",
     "Bij een zitting genoemd adres blijkt ook een uitzendbureau te huisvesten."),
    (12, "contactpersoon@riec.example", "Vergunningen",
     "Exploitatievergunning aangevraagd door een beheerder die al drie zaken runt."),
    (15, "deelnemer@belastingdienst.example", "Uitkeringen / zorg",
     "Zorgaanbieder met forse groei en geen zichtbare cliënten."),
]  # fmt: skip


def _held_session() -> Session | None:
    return (
        Session.objects.filter(
            run__training__title=TITLE,
            run__training__format=TrainingFormat.AWARENESS,
            starts_at__lt=timezone.now() - timedelta(days=1),
            is_cancelled=False,
        )
        .select_related("run", "run__training")
        .order_by("-starts_at")
        .first()
    )


def seed() -> None:
    """The session's room and the signals after it; nothing when already there."""
    session = _held_session()
    if session is None or AwarenessExample.objects.filter(session=session).exists():
        return
    run = session.run
    teacher = run.trainers.first()
    if teacher is None:
        return
    _enrol_colleagues(run, session)
    participants = list(
        User.objects.filter(
            enrolments__run=run, enrolments__status=EnrolmentStatus.ENROLLED
        ).order_by("email")
    )
    _hold_the_session(session, teacher, participants)
    _report_afterwards(session, {person.email: person for person in participants})


def _enrol_colleagues(run, session: Session) -> None:
    """More colleagues enrol shortly before enrolment closed, as the demo participants did."""
    moment = min(run.enrolment_closes_at, session.starts_at) - timedelta(hours=2)
    with clock.at(moment), transaction.atomic():
        for person in User.objects.filter(email__in=EXTRA_PARTICIPANTS).exclude(
            organisation_id=run.training.provider_id
        ):
            if not run.enrolments.filter(participant=person).exists():
                services.enrolment_create(run=run, participant=person)


def _hold_the_session(session: Session, teacher: User, participants: list[User]) -> None:
    start = session.starts_at
    with clock.at(start + timedelta(minutes=20)), transaction.atomic():
        services.awareness_step_set(actor=teacher, session=session, step=AwarenessStep.BEGRIP)
    with clock.at(start + timedelta(minutes=50)), transaction.atomic():
        for group, text in DEFINITIONS:
            services.awareness_definition_save(
                actor=teacher, session=session, group=group, text=text
            )
        services.awareness_step_set(actor=teacher, session=session, step=AwarenessStep.SIGNAAL)
    with clock.at(start + timedelta(minutes=70)), transaction.atomic():
        for number, (text, _theme) in enumerate(EXAMPLES):
            services.awareness_example_submit(
                participant=participants[number % len(participants)],
                session=session,
                text=text,
                submission_key=f"demo-voorbeeld-{session.pk}-{number:04d}",
            )
    with clock.at(start + timedelta(minutes=100)), transaction.atomic():
        by_text = {e.text: e for e in AwarenessExample.objects.filter(session=session)}
        for text, theme in EXAMPLES:
            if theme:
                services.awareness_example_group(actor=teacher, example=by_text[text], theme=theme)
        services.awareness_step_set(actor=teacher, session=session, step=AwarenessStep.OPPAKKEN)


def _report_afterwards(session: Session, participants: dict[str, User]) -> None:
    """Some participants report signals in the weeks after, each where they can report."""
    categories = {category.name: category for category in Category.objects.all()}
    meldpunten = list(signal_selectors.organisations_with_meldpunt())
    riec = next((o for o in meldpunten if o.kind == Organisation.Kind.RIEC), None)
    now = timezone.now()
    for days, email, category, description in SIGNALS_AFTER:
        person = participants.get(email)
        moment = session.ends_at + timedelta(days=days)
        if person is None or category not in categories or moment >= now:
            continue
        own = next((o for o in meldpunten if o.pk == person.organisation_id), None)
        organisation = own or riec
        if organisation is None:
            continue
        with clock.at(moment):
            signal_services.signal_create(
                reporter=person,
                organisation=organisation,
                category=categories[category],
                description=description,
            )
