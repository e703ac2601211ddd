"""A verkenner explores, the snowball grows, the design becomes a draft a coordinator finds."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Organisation
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.portal.factories import add_totp, coordinator, trainer
from tests.trainings.factories import ProgrammeFactory
from tests.verkenning.factories import ensure_question_bank
from trainings.models import Run, RunStatus
from verkenning.models import Contact, Interview, Verkenning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verkenner_grows_the_snowball_and_turns_the_design_into_a_draft_training(live_server, page):
    ensure_question_bank()
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    programme = ProgrammeFactory(name="Werkend leren 2027")
    verkenner = trainer(organisation=gemeente, full_name="Joost Bakker")
    boss = coordinator(with_totp=False, organisation=gemeente, full_name="Sanne de Vries")
    boss_secret = add_totp(boss)
    programme.coordinators.add(boss)
    base = live_server.url

    # 1. The verkenner starts a verkenning and fills in the inventory.
    _log_in(page, base, verkenner)
    page.get_by_text("Begeleiding", exact=True).click()
    page.get_by_role("link", name="Verkenningen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verkenningen")
    assert serious_violations(page) == []
    # The list's search, status filter and count reflow at 320 px: nothing scrolls sideways.
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(size)
    page.get_by_role("link", name="Nieuwe verkenning").click()
    page.get_by_label("Programma").select_option(label="Werkend leren 2027")
    page.get_by_label("Organisatie").select_option(label="Gemeente Voorbeeldstad")
    page.get_by_label("Titel").fill("Sociaal domein Voorbeeldstad")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Verkenning starten").click()
    expect(page.get_by_text("Vul nu de inventarisatie in.")).to_be_visible()
    page.get_by_label("Om welke afdelingen gaat het?").fill(
        "Veiligheid\nWijkteam Noord\nSchuldhulpverlening"
    )
    page.get_by_label("Kennen elkaar nauwelijks").check()
    page.get_by_label("Moeten het doel nog formuleren").check()
    page.get_by_label("Welke kennis is al aanwezig?").fill(
        "Veiligheid wel, het sociaal domein niet."
    )
    assert serious_violations(page) == []
    page.get_by_role("button", name="Inventarisatie opslaan").click()
    expect(page.get_by_text("De verkenning en de inventarisatie zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_text("Kennen elkaar nauwelijks")).to_be_visible()
    assert serious_violations(page) == []
    verkenning = Verkenning.objects.get()

    # 2. The first contact, and the network picture with one person in it.
    page.get_by_role("link", name="Contacten", exact=True).click()
    page.get_by_label("Naam").fill("Ilse Kramer")
    page.get_by_label("Afdeling").fill("Veiligheid")
    page.get_by_label("Functie of rol").fill("Ondermijningsfunctionaris")
    page.get_by_role("button", name="Contact toevoegen").click()
    expect(page.get_by_text("Ilse Kramer is toegevoegd aan de sneeuwbal.")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Netwerkbeeld", exact=True).click()
    picture = page.get_by_role("img", name="Netwerkbeeld van de sneeuwbal")
    expect(picture.locator("g.contact")).to_have_count(1)
    assert serious_violations(page) == []

    # 3. One interview: notes, an observation, and two people she named.
    page.get_by_role("link", name="Gesprek vastleggen", exact=True).click()
    page.get_by_label("Gesprekspartner").select_option(label="Ilse Kramer")
    page.get_by_label("Tijdsbesteding (minuten)").fill("75")
    page.get_by_label("Wat is voor jou lastig?").fill("Het sociaal domein zit nooit aan tafel.")
    observation = page.get_by_role("group", name="Observatie 1", exact=True)
    observation.get_by_label("Soort").select_option(label="Energie")
    observation.get_by_label("Observatie", exact=True).fill("Wil casussen samen bespreken.")
    observation.get_by_label("casuïstiekbespreking").check()
    observation.get_by_label("Letterlijk als citaat").check()
    first = page.get_by_role("group", name="Genoemde persoon 1", exact=True)
    first.get_by_label("Naam").fill("Noor Willems")
    first.get_by_label("Afdeling").fill("Wijkteam Noord")
    second = page.get_by_role("group", name="Genoemde persoon 2", exact=True)
    second.get_by_label("Naam").fill("Hanneke de Jong")
    second.get_by_label("Afdeling").fill("Schuldhulpverlening")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Gesprek opslaan").click()
    expect(page.get_by_text("Het gesprek is vastgelegd.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gesprek met Ilse Kramer")
    assert serious_violations(page) == []
    assert Interview.objects.get().duration_minutes == 75
    ilse = Contact.objects.get(name="Ilse Kramer")
    assert set(ilse.referrals.values_list("name", flat=True)) == {"Noor Willems", "Hanneke de Jong"}

    # 4. The picture grew: three people, two referrals, described in the table too.
    page.get_by_role("link", name="Netwerkbeeld", exact=True).click()
    expect(picture.locator("g.contact")).to_have_count(3)
    expect(picture.locator("line")).to_have_count(2)
    expect(page.get_by_role("row", name="Noor Willems Wijkteam Noord")).to_contain_text(
        "Ilse Kramer"
    )
    assert serious_violations(page) == []

    # 5. The synthesis shows the gap and the quote.
    page.get_by_role("link", name="Synthese", exact=True).click()
    expect(page.get_by_role("list", name="Nog niet gesproken")).to_contain_text("Wijkteam Noord")
    expect(page.get_by_text("Wil casussen samen bespreken.")).to_be_visible()
    assert serious_violations(page) == []

    # 6. The design, then one click to a draft training.
    page.get_by_role("link", name="Naar de trainingsopzet").click()
    page.get_by_label("Titel van de training").fill("Casuïstiek in het sociaal domein")
    page.get_by_label("Omschrijving").fill("Wijkteams en Veiligheid bespreken samen casussen.")
    page.get_by_label("casuïstiekbespreking").check()
    page.get_by_label("Vorm").select_option(label="Workshop")
    page.get_by_label("Leidinggevenden hebben toestemming gegeven").check()
    page.get_by_label("Budget (euro)").fill("1500")
    page.get_by_label("Locatie of zaal").fill("Stadskantoor, zaal 2")
    start = (timezone.localtime() + timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    page.get_by_label("Eerste bijeenkomst begint om").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Eerste bijeenkomst eindigt om").fill(
        (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    )
    assert serious_violations(page) == []
    page.get_by_role("button", name="Trainingsopzet opslaan").click()
    expect(page.get_by_text("De trainingsopzet is opgeslagen.")).to_be_visible()
    page.get_by_role("button", name="Omzetten in concepttraining").click()
    expect(page.get_by_text("is aangemaakt met een conceptuitvoering")).to_be_visible()
    assert serious_violations(page) == []
    run = Run.objects.get(training__title="Casuïstiek in het sociaal domein")
    assert run.status == RunStatus.DRAFT
    assert verkenning.design.training_id == run.training_id

    # 6b. The same design also becomes a werkplaats, which points back to the verkenning.
    page.get_by_role("button", name="Maak er een werkplaats van").click()
    expect(page.get_by_text("met 3 geplande sessies")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casuïstiek in het sociaal domein")
    expect(page.get_by_role("listitem").filter(has_text="Stadskantoor, zaal 2")).to_have_count(3)
    page.get_by_role("link", name="Sociaal domein Voorbeeldstad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociaal domein Voorbeeldstad")
    assert serious_violations(page) == []

    # 7. The coordinator finds the draft in the calendar.
    _log_in(page, base, boss, boss_secret)
    page.get_by_role("link", name="Kalender", exact=True).click()
    page.get_by_label("Status").select_option(label="Concept")
    page.get_by_role("button", name="Filteren").click()
    if start.month != timezone.localdate().month:
        page.get_by_role("link", name="Volgende maand").click()
    draft = page.get_by_role("link", name="Casuïstiek in het sociaal domein")
    expect(draft).to_be_visible()
    expect(page.get_by_role("listitem").filter(has=draft)).to_contain_text("Concept")
    assert serious_violations(page) == []
    draft.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Casuïstiek in het sociaal domein")
