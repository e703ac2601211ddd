"""Demo library (middelen) and ideas for knowledge exchange (safe to run again).

The library is recognised by its first resource and the ideas by their first title; each is
filled only the first time. The coordinator of the municipality publishes most resources;
participants suggest a few, one of which is still waiting and one was turned down. Ideas are
proposed days ago and given their statuses since (``demo.clock.at``), so the history and the
mails agree with the dates.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, Programme, User
from trainings import services
from trainings.models import Idea, IdeaForm, IdeaStatus, LibraryTheme, Resource, ResourceKind

from . import clock
from .trainings import PROGRAMME

CURATOR = "coordinator@voorbeeldstad.example"
GEMEENTE = "Gemeente Voorbeeldstad"
POLITIE = "Politie Eenheid Voorbeeldregio"
BELASTINGDIENST = "Belastingdienst"
OM = "Openbaar Ministerie"
RIEC = "RIEC Voorbeeldregio"

# title, kind, description, partners, themes, elements, link or contact details
RESOURCES = [
    (
        "Handreiking Bibob",
        ResourceKind.DOCUMENT,
        "Hoe de gemeente met de Wet Bibob voorkomt dat zij criminele activiteiten onbedoeld "
        "faciliteert bij vergunningen, subsidies en vastgoedtransacties.",
        [GEMEENTE, RIEC],
        ["Bibob", "Vastgoed"],
        ["begrip", "oppakken"],
        "",
    ),
    (
        "Meldpunt Ondermijning",
        ResourceKind.CONTACT,
        "Het meldpunt van de gemeente voor een vermoeden van ondermijning. Ook anoniem; de "
        "ondermijningsfunctionaris neemt binnen twee werkdagen contact op.",
        [GEMEENTE],
        ["Informatiedeling"],
        ["oppakken"],
        "Meldpunt Ondermijning, telefoon 14 010, meldpunt@voorbeeldstad.example",
    ),
    (
        "Integraal Afwegingskader",
        ResourceKind.TOOL,
        "Samen met de partners aan tafel bepalen welke interventie het meest effectief is: "
        "bestuurlijk, fiscaal, strafrechtelijk of een combinatie.",
        [RIEC, OM, POLITIE, BELASTINGDIENST, GEMEENTE],
        ["Integraal samenwerken"],
        ["oppakken", "netwerk"],
        "https://www.riec.nl/",
    ),
    (
        "Meld een vermoeden-app",
        ResourceKind.TOOL,
        "De app waarmee medewerkers een signaal van ondermijning snel en veilig doorgeven, "
        "met foto en locatie.",
        [GEMEENTE],
        ["Informatiedeling"],
        ["signaal", "oppakken"],
        "https://www.example.org/meld-een-vermoeden",
    ),
    (
        "Signalenkaart ondermijning in de wijk",
        ResourceKind.DOCUMENT,
        "Een praatplaat met veelvoorkomende signalen: leegstaande panden met geblindeerde "
        "ramen, veel wisselende bewoners, contante aankopen van dure goederen.",
        [GEMEENTE, POLITIE],
        ["Vastgoed", "Drugscriminaliteit"],
        ["signaal"],
        "",
    ),
    (
        "Wie praat die gaat: evaluatie actieplan",
        ResourceKind.LINK,
        "De evaluatie van het actieplan 'Wie praat die gaat' 1.0: meer zicht op elkaars "
        "beweegredenen, motivaties en barrières.",
        [RIEC],
        ["Integraal samenwerken"],
        ["netwerk", "begrip"],
        "https://www.example.org/wie-praat-die-gaat",
    ),
    (
        "Netwerkkaart veiligheidspartners Voorbeeldregio",
        ResourceKind.DOCUMENT,
        "Wie zit waar aan tafel: de integrale ondermijningstafel, het districtelijke team "
        "ondermijning en de contactpersonen per afdeling.",
        [RIEC, POLITIE],
        ["Integraal samenwerken"],
        ["netwerk"],
        "",
    ),
    (
        "Witwassen herkennen aan de balie",
        ResourceKind.LINK,
        "Signalen van witwassen bij contante betalingen, stromannen en snelle "
        "eigendomsoverdrachten, met voorbeelden uit de praktijk.",
        [BELASTINGDIENST],
        ["Witwassen"],
        ["signaal"],
        "https://www.example.org/witwassen-balie",
    ),
    (
        "Fiscale aanpak van criminele winsten",
        ResourceKind.LINK,
        "Hoe de Belastingdienst crimineel vermogen belast en terughaalt, en wat de gemeente "
        "daarvoor kan aanleveren.",
        [BELASTINGDIENST],
        ["Witwassen"],
        ["begrip", "oppakken"],
        "https://www.example.org/fiscale-aanpak",
    ),
    (
        "Contactpunt FIOD voor gemeenten",
        ResourceKind.CONTACT,
        "Voor vragen van gemeenteambtenaren over fiscale fraude en witwassen.",
        [BELASTINGDIENST],
        ["Witwassen", "Informatiedeling"],
        ["netwerk", "oppakken"],
        "FIOD liaison Voorbeeldregio, fiod-liaison@belastingdienst.example",
    ),
    (
        "Zorgfraude signaleren in het sociaal domein",
        ResourceKind.DOCUMENT,
        "Hoe je als consulent fraude met persoonsgebonden budgetten en malafide zorgaanbieders "
        "opmerkt, en met wie je dat bespreekt.",
        [GEMEENTE, OM],
        ["Zorgfraude"],
        ["signaal", "begrip"],
        "",
    ),
    (
        "Arbeidsuitbuiting: casus uit de schoonmaak",
        ResourceKind.LINK,
        "Een casus van de arbeidsinspectie met het stappenplan dat de partners samen volgden.",
        [POLITIE, OM],
        ["Arbeidsuitbuiting"],
        ["begrip", "oppakken"],
        "https://www.example.org/arbeidsuitbuiting-casus",
    ),
    (
        "Drugslabs in het buitengebied",
        ResourceKind.LINK,
        "Ondermijnende criminaliteit op het platteland: waar let je op bij een boerderij of "
        "loods, en wie bel je?",
        [POLITIE],
        ["Drugscriminaliteit", "Vastgoed"],
        ["signaal"],
        "https://www.example.org/drugslabs",
    ),
    (
        "Convenant informatiedeling RIEC",
        ResourceKind.LINK,
        "Welke gegevens de partners binnen het RIEC-convenant mogen delen, en onder welke "
        "voorwaarden.",
        [RIEC, OM],
        ["Informatiedeling"],
        ["netwerk", "begrip"],
        "https://www.example.org/convenant",
    ),
    (
        "Weerbare ambtenaar: gesprekskaart",
        ResourceKind.DOCUMENT,
        "Over integriteit, intimidatie en het goede gesprek wanneer een medewerker onder druk "
        "wordt gezet.",
        [GEMEENTE],
        ["Weerbaarheid"],
        ["begrip"],
        "",
    ),
    (
        "Ondermijningsbeeld Voorbeeldregio",
        ResourceKind.DOCUMENT,
        "Het regionale beeld van ondermijning: drugs, vastgoed, witwassen en misbruik van "
        "bedrijfsstructuren, met cijfers per gemeente.",
        [RIEC],
        ["Drugscriminaliteit", "Witwassen", "Vastgoed"],
        ["begrip"],
        "",
    ),
    (
        "Contactpersoon ondermijning politie",
        ResourceKind.CONTACT,
        "De wijkagent ondermijning is het eerste aanspreekpunt voor signalen uit de wijk.",
        [POLITIE],
        ["Informatiedeling"],
        ["netwerk", "oppakken"],
        "Wijkagent ondermijning, 0900-8844, ondermijning@politie.example",
    ),
    (
        "Bestuurlijke rapportage opstellen",
        ResourceKind.TOOL,
        "Een sjabloon voor de bestuurlijke rapportage waarmee het OM de burgemeester informeert.",
        [OM, GEMEENTE],
        ["Bibob"],
        ["oppakken"],
        "https://www.example.org/bestuurlijke-rapportage",
    ),
]

# Suggested by participants: (proposer, title, kind, description, partners, link, decided)
SUGGESTIONS = [
    (
        "deelnemer@politie.example",
        "Podcast: de onderwereld in de bovenwereld",
        ResourceKind.LINK,
        "Zes afleveringen over hoe criminelen gebruikmaken van legale bedrijven. Goed voor "
        "in de auto.",
        [POLITIE],
        "https://www.example.org/podcast-onderwereld",
        None,
    ),
    (
        "deelnemer@belastingdienst.example",
        "Checklist malafide vastgoedtransacties",
        ResourceKind.LINK,
        "Een lijst met rode vlaggen bij de aankoop van panden.",
        [BELASTINGDIENST],
        "https://www.example.org/vastgoed-checklist",
        "published",
    ),
    (
        "deelnemer@om.example",
        "Oud rapport ondermijning 2012",
        ResourceKind.LINK,
        "Het eerste landelijke rapport over ondermijning.",
        [OM],
        "https://www.example.org/rapport-2012",
        "rejected",
    ),
]

# proposer, days ago, title, form, content, partners, [(status, days ago, comment)]
IDEAS = [
    (
        "deelnemer@belastingdienst.example",
        20,
        "Meeloopdag bij het wijkteam",
        IdeaForm.MEELOOPDAG,
        "Een dag meelopen met een wijkteam van de gemeente, om te zien waar zij signalen "
        "tegenkomen die voor de Belastingdienst interessant zijn.",
        [GEMEENTE, BELASTINGDIENST],
        [
            (IdeaStatus.IN_DISCUSSION, 15, "Besproken in het kernteam; we zoeken een datum."),
            (IdeaStatus.ADOPTED, 6, "Eerste meeloopdag staat in de kalender."),
        ],
    ),
    (
        "deelnemer@voorbeeldstad.example",
        12,
        "Lunchlezing over de Wet Bibob",
        IdeaForm.LUNCHLEZING,
        "Een jurist van het Bibob-team vertelt in een half uur wat de gemeente met een "
        "Bibob-toets kan, en wat niet.",
        [GEMEENTE, RIEC],
        [(IdeaStatus.IN_DISCUSSION, 8, "Goed idee; het RIEC kijkt of ze een spreker hebben.")],
    ),
    (
        "deelnemer@politie.example",
        9,
        "Werkbezoek aan de haven",
        IdeaForm.WERKBEZOEK,
        "Samen met douane en havenpolitie kijken hoe de controle van containers werkt.",
        [POLITIE, OM],
        [(IdeaStatus.NOT_NOW, 3, "Dit jaar niet haalbaar; we komen er in het najaar op terug.")],
    ),
    (
        "deelnemer@om.example",
        2,
        "Intervisie tussen officieren en handhavers",
        IdeaForm.OTHER,
        "Eens per kwartaal een casus bespreken met officieren van justitie en gemeentelijke "
        "handhavers.",
        [OM, GEMEENTE],
        [],
    ),
]


def _organisations(names) -> list[Organisation]:
    return list(Organisation.objects.filter(name__in=names))


def _placeholder(title: str) -> ContentFile:
    """A small text document standing in for the real PDF."""
    text = f"{title}\n\nDemodocument van het portaal Werkend Leren.\n"
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    return ContentFile(text.encode(), name=f"{slug}.txt")


def _seed_library(programme: Programme, curator: User) -> None:
    themes = {theme.name: theme for theme in LibraryTheme.objects.all()}
    for title, kind, description, partners, theme_names, elements, extra in RESOURCES:
        is_contact = kind == ResourceKind.CONTACT
        services.resource_create(
            actor=curator,
            programme=programme,
            kind=kind,
            title=title,
            description=description,
            file=_placeholder(title) if kind == ResourceKind.DOCUMENT else None,
            url="" if is_contact else extra,
            contact_details=extra if is_contact else "",
            organisations=_organisations(partners),
            themes=[themes[name] for name in theme_names if name in themes],
            elements=elements,
        )
    for email, title, kind, description, partners, url, decided in SUGGESTIONS:
        proposer = User.objects.filter(email=email).first()
        if proposer is None:
            continue
        resource = services.resource_create(
            actor=proposer,
            programme=programme,
            kind=kind,
            title=title,
            description=description,
            url=url,
            organisations=_organisations(partners),
        )
        if decided == "published":
            services.resource_publish(actor=curator, resource=resource)
        elif decided == "rejected":
            services.resource_reject(
                actor=curator,
                resource=resource,
                reason="Verouderd; het Ondermijningsbeeld Voorbeeldregio is actueler.",
            )


def _seed_ideas(programme: Programme, curator: User) -> None:
    now = timezone.now()
    for email, days_ago, title, form, content, partners, changes in IDEAS:
        proposer = User.objects.filter(email=email).first()
        if proposer is None:
            continue
        with clock.at(now - timedelta(days=days_ago)), transaction.atomic():
            idea = services.idea_propose(
                proposer=proposer,
                programme=programme,
                title=title,
                form=form,
                content=content,
                partners=_organisations(partners),
            )
        for status, changed_days_ago, comment in changes:
            with clock.at(now - timedelta(days=changed_days_ago)), transaction.atomic():
                idea = services.idea_status_change(
                    actor=curator, idea=idea, status=status, comment=comment
                )


def seed() -> None:
    """About twenty resources in the library, three suggestions and four ideas."""
    programme = Programme.objects.filter(name=PROGRAMME).first()
    curator = User.objects.filter(email=CURATOR).first()
    if programme is None or curator is None:
        return
    if not Resource.objects.filter(title=RESOURCES[0][0]).exists():
        with transaction.atomic():
            _seed_library(programme, curator)
    if not Idea.objects.filter(title=IDEAS[0][2]).exists():
        _seed_ideas(programme, curator)
