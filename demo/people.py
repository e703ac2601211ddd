"""The demo partners, their e-mail domains and one account per role (safe to run again)."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from portal import services
from portal.models import Discipline, Organisation, OrganisationEmailDomain, Role, User

from .totp import totp_secret_for

DEMO_PASSWORD = "WerkendLeren-2026"


@dataclass(frozen=True)
class DemoPartner:
    key: str
    name: str
    kind: str
    domain: str


PARTNERS = [
    DemoPartner(
        "gemeente", "Gemeente Voorbeeldstad", Organisation.Kind.GEMEENTE, "voorbeeldstad.example"
    ),
    DemoPartner(
        "politie", "Politie Eenheid Voorbeeldregio", Organisation.Kind.POLITIE, "politie.example"
    ),
    DemoPartner(
        "belastingdienst",
        "Belastingdienst",
        Organisation.Kind.BELASTINGDIENST,
        "belastingdienst.example",
    ),
    DemoPartner("om", "Openbaar Ministerie", Organisation.Kind.OM, "om.example"),
    DemoPartner("riec", "RIEC Voorbeeldregio", Organisation.Kind.RIEC, "riec.example"),
]
CORE_PARTNER_KEYS = ["gemeente", "politie", "belastingdienst", "om"]

# name, job title, discipline per (partner, role): the people a demo visitor logs in as.
PEOPLE = {
    ("gemeente", "coordinator"): (
        "Sanne de Vries",
        "Programmacoördinator ondermijning",
        Discipline.VEILIGHEID,
    ),
    ("gemeente", "trainer"): ("Joost Bakker", "Adviseur openbare orde", Discipline.VEILIGHEID),
    ("gemeente", "contact_person"): (
        "Fatima el Amrani",
        "Ondermijningsfunctionaris",
        Discipline.VEILIGHEID,
    ),
    ("gemeente", "participant"): (
        "Lotte Jansen",
        "Consulent werk en inkomen",
        Discipline.SOCIAAL_DOMEIN,
    ),
    ("politie", "coordinator"): (
        "Mark Visser",
        "Projectleider integrale aanpak",
        Discipline.RECHERCHE,
    ),
    ("politie", "trainer"): ("Ingrid Smit", "Wijkagent", Discipline.HANDHAVING),
    ("politie", "contact_person"): ("Erik Mulder", "Informatierechercheur", Discipline.INFORMATIE),
    ("politie", "participant"): ("Kevin de Boer", "Rechercheur ondermijning", Discipline.RECHERCHE),
    ("belastingdienst", "coordinator"): (
        "Anouk Meijer",
        "Coördinator districtsteam ondermijning",
        Discipline.BELASTINGEN,
    ),
    ("belastingdienst", "trainer"): (
        "Ronald Peters",
        "Teamleider ondermijning",
        Discipline.BELASTINGEN,
    ),
    ("belastingdienst", "contact_person"): (
        "Yvonne Hendriks",
        "Senior medewerker fraude",
        Discipline.BELASTINGEN,
    ),
    ("belastingdienst", "participant"): (
        "Ahmet Yilmaz",
        "Belastingcontroleur",
        Discipline.BELASTINGEN,
    ),
    ("om", "coordinator"): (
        "Claire van Dijk",
        "Beleidsadviseur ondermijning",
        Discipline.JURIDISCH,
    ),
    ("om", "trainer"): ("Pieter de Groot", "Officier van justitie", Discipline.JURIDISCH),
    ("om", "contact_person"): ("Naima Bouzid", "Parketsecretaris", Discipline.JURIDISCH),
    ("om", "participant"): ("Tom Vermeulen", "Juridisch medewerker", Discipline.JURIDISCH),
    # Signals forwarded to the RIEC need someone there to pick them up.
    ("riec", "contact_person"): ("Hanneke Dijkstra", "Analist RIEC", Discipline.INFORMATIE),
    # The functional administrator: organisations, programmes, roles and the role review.
    ("gemeente", "beheerder"): ("Bea Bos", "Functioneel beheerder", Discipline.INFORMATIE),
}
EMAIL_LOCAL_PART = {
    "coordinator": "coordinator",
    "trainer": "trainer",
    "contact_person": "contactpersoon",
    "participant": "deelnemer",
    "beheerder": "beheerder",
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organisation: str
    totp_secret: str | None


@transaction.atomic
def seed() -> list[DemoLogin]:
    """The partners and the people a demo visitor logs in as; returns their logins."""
    organisations = {}
    for partner in PARTNERS:
        organisation, _ = Organisation.objects.update_or_create(
            name=partner.name, defaults={"kind": partner.kind}
        )
        OrganisationEmailDomain.objects.update_or_create(
            domain=partner.domain, defaults={"organisation": organisation}
        )
        organisations[partner.key] = (organisation, partner.domain)

    logins = []
    for (partner_key, role), (name, job_title, discipline) in PEOPLE.items():
        organisation, domain = organisations[partner_key]
        email = f"{EMAIL_LOCAL_PART[role]}@{domain}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
        user.full_name = name
        user.organisation = organisation
        user.job_title = job_title
        user.discipline = discipline
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role != "participant":
            services.role_assign(
                user=user,
                role=role,
                organisation=organisation if role == Role.CONTACT_PERSON else None,
            )
        secret = None
        if role in (Role.COORDINATOR, Role.CONTACT_PERSON, Role.BEHEERDER):
            secret = totp_secret_for(email)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, secret)
        logins.append(DemoLogin(email, role, organisation.name, secret))
    return logins


def demo_totp_secret(*, email: str) -> str | None:
    """The known TOTP secret of a demo account, or None for any other account."""
    known = {
        f"{EMAIL_LOCAL_PART[role]}@{p.domain}"
        for p in PARTNERS
        for (key, role) in PEOPLE
        if key == p.key
    }
    return totp_secret_for(email) if email in known else None


def extra_participant(email: str, name: str, discipline: str, domain: str) -> User:
    """A participant of the demo's groups who is not one of the logins (safe to run again)."""
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
