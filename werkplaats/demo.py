"""Demo werkplaats: 17 participants from the demo partners in three mixed groups, two sessions
four weeks apart (safe to run again: recognised by its title, extra people by their e-mail)."""

from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from portal.demo import DEMO_PASSWORD
from portal.models import Discipline, Organisation, User
from trainings.models import Programme

from . import services
from .models import ActionStatus, SessionLength, Werkplaats

TITLE = "Domeinoverstijgend samenwerken — Gemeente Voorbeeldstad"
FACILITATOR_EMAIL = "trainer@voorbeeldstad.example"

# Besides the four demo participants of portal.demo: (name, discipline, partner domain).
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
    email = f"werkplaats{index:02d}@{domain}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
    user.full_name = name
    user.discipline = discipline
    user.organisation = Organisation.objects.get(email_domains__domain=domain)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed() -> None:
    facilitator = User.objects.filter(email=FACILITATOR_EMAIL).first()
    if facilitator is None or Werkplaats.objects.filter(title=TITLE).exists():
        return
    people = list(User.objects.filter(email__in=DEMO_PARTICIPANTS))
    people += [
        _extra_participant(i, name, discipline, domain)
        for i, (name, discipline, domain) in enumerate(EXTRA_PARTICIPANTS, start=1)
    ]
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
    for days in (7, 35):
        services.session_create(
            actor=facilitator,
            werkplaats=werkplaats,
            starts_at=_at(days, 9),
            ends_at=_at(days, 13),
            location="Stadskantoor Voorbeeldstad, zaal De Brug",
            length=SessionLength.DAGDEEL,
            **AIMS,
        )
    services.groups_make(actor=facilitator, werkplaats=werkplaats)
    services.organisational_action_save(
        actor=facilitator,
        werkplaats=werkplaats,
        title="Meldpunt Ondermijning inrichten",
        owner="Teamleider openbare orde en veiligheid",
        due_date=timezone.localdate() + timedelta(days=90),
        status=ActionStatus.IN_PROGRESS,
    )
    services.organisational_action_save(
        actor=facilitator,
        werkplaats=werkplaats,
        title="Vaste aanspreekpunten per team benoemen",
        owner="Afdelingshoofd sociaal domein",
        due_date=timezone.localdate() + timedelta(days=60),
        status=ActionStatus.OPEN,
    )
    services.rugdekking_request_create(
        user=people[0],
        werkplaats=werkplaats,
        manager_name="Hanneke Teunissen",
        manager_email="teamleider@voorbeeldstad.example",
        point="Twee uur per maand om signalen met de wijkagent te bespreken.",
    )
