"""Going live: the first beheerder on an empty database sets up an organisation, invites
people and makes a programme with a coordinator; the coordinator publishes a first training."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from demo.totp import current_totp_code
from portal.models import Invitation, Programme, RoleChange, User
from portal.tasks import dispatch_due_reminders
from tests.browser.axe import serious_violations
from trainings.models import Run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BEHEERDER_EMAIL = "bea@beheer.example"
BEHEERDER_PASSWORD = "Beheer-wachtwoord-2026"
COORDINATOR_EMAIL = "sanne@voorbeeldstad.example"
COORDINATOR_PASSWORD = "Coordinator-wachtwoord-2026"


def _log_in(page, base, email, password):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def _set_up_totp(page, base, password) -> str:
    """After a first login with a role that needs it: confirm the password, activate TOTP."""
    expect(page.get_by_text("Voor jouw rol is tweestapsverificatie verplicht")).to_be_visible()
    if "/reauthenticate/" in page.url:
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Bevestigen").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Code").fill(current_totp_code(secret=secret))
    page.get_by_role("button", name="Activeer").click()
    return secret


def _beheer(page, item):
    page.get_by_text("Beheer", exact=True).click()
    page.get_by_role("link", name=item, exact=True).click()


def test_first_beheerder_sets_up_and_the_coordinator_publishes_a_training(
    live_server, page, new_context, monkeypatch, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    base = live_server.url
    assert not User.objects.exists()

    # 0. The operator creates the first beheerder on the empty install.
    monkeypatch.setenv("BEHEERDER_PASSWORD", BEHEERDER_PASSWORD)
    call_command("create_beheerder", BEHEERDER_EMAIL, "--name", "Bea Beheer", "--no-input")

    # 1. She logs in and is made to set up TOTP first. (She stays logged in in her browser;
    # the others use their own, as a TOTP code is accepted only once.)
    _log_in(page, base, BEHEERDER_EMAIL, BEHEERDER_PASSWORD)
    _set_up_totp(page, base, BEHEERDER_PASSWORD)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom, Bea")

    # 2. An organisation with a registered e-mail domain and a meldpunt.
    _beheer(page, "Organisaties")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisaties")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Nieuwe organisatie").click()
    page.get_by_label("Naam").fill("Gemeente Voorbeeldstad")
    page.get_by_label("Soort").select_option(label="Gemeente")
    page.get_by_label("Geregistreerde e-maildomeinen").fill("voorbeeldstad.example")
    page.get_by_label("Heeft een meldpunt voor signalen").check()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Gemeente Voorbeeldstad is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("cell", name="voorbeeldstad.example")).to_be_visible()

    # 3. She invites people in bulk; one bad line stops the whole list, by name.
    _beheer(page, "Mensen uitnodigen")
    assert serious_violations(page) == []
    page.get_by_label("Organisatie").select_option(label="Gemeente Voorbeeldstad")
    page.get_by_label("E-mailadressen").fill(f"{COORDINATOR_EMAIL}\nlotte@voorbeeldstad\n")
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(
        # At the field (the summary at the top links to it with the field's name in front).
        page.get_by_text("Regel 2: lotte@voorbeeldstad is geen geldig e-mailadres.", exact=True)
    ).to_be_visible()
    assert serious_violations(page) == []
    assert not Invitation.objects.exists()
    page.get_by_label("E-mailadressen").fill(f"{COORDINATOR_EMAIL}\nlotte@voorbeeldstad.example\n")
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(page.get_by_text("2 uitnodigingen verstuurd.")).to_be_visible()
    [invitation_mail] = [m for m in mail.outbox if m.to == [COORDINATOR_EMAIL]]
    link = re.search(r"/uitnodiging/[^/\s]+/", invitation_mail.body).group(0)

    # 4. The future coordinator accepts the invitation and makes an account.
    sanne_page = new_context().new_page()
    sanne_page.goto(f"{base}{link}")
    expect(sanne_page.get_by_label("E-mailadres")).to_have_value(COORDINATOR_EMAIL)
    sanne_page.get_by_label("Naam").fill("Sanne de Vries")
    sanne_page.get_by_label("Wachtwoord").first.fill(COORDINATOR_PASSWORD)
    sanne_page.get_by_label("Wachtwoord (bevestigen)").fill(COORDINATOR_PASSWORD)
    sanne_page.get_by_role("button", name="Account aanmaken").click()
    expect(sanne_page.get_by_role("heading", level=1)).to_contain_text("Welkom, Sanne")

    # 5. The beheerder makes a programme and names her its coordinator.
    _beheer(page, "Programma's")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Nieuw programma").click()
    page.get_by_label("Naam").fill("Werkend leren 2027")
    page.get_by_label("Omschrijving").fill("Het eerste jaar van het programma.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Het programma is aangemaakt.")).to_be_visible()
    page.get_by_label("E-mailadres van de coördinator").fill(COORDINATOR_EMAIL)
    page.get_by_role("button", name="Coördinator toevoegen").click()
    expect(page.get_by_text("Sanne de Vries coördineert nu Werkend leren 2027.")).to_be_visible()
    assert serious_violations(page) == []
    sanne = User.objects.get(email=COORDINATOR_EMAIL)
    assert list(Programme.objects.get().coordinators.all()) == [sanne]
    assert RoleChange.objects.filter(subject=sanne, role="coordinator").exists()

    # The other beheer pages, checked for accessibility along the way.
    _beheer(page, "Rollen")
    expect(page.get_by_role("cell", name="Programmacoördinator", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    # At 320 px the page itself does not scroll sideways; only the table's own region does.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("link", name=re.compile("^Intrekken Programmacoördinator")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rol intrekken")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    _beheer(page, "Rolwijzigingen")
    expect(page.get_by_role("cell", name="Sanne de Vries", exact=True)).to_be_visible()
    assert serious_violations(page) == []
    _beheer(page, "Rolreview")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Nu een rolreview openen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rolreview van")
    assert serious_violations(page) == []

    # 6. The coordinator logs in again, is made to set up TOTP and publishes a first training.
    page = sanne_page
    _log_in(page, base, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
    _set_up_totp(page, base, COORDINATOR_PASSWORD)
    page.goto(f"{base}/")
    page.get_by_text("Coördinatie", exact=True).click()
    page.get_by_role("link", name="Beheer trainingen").click()
    page.get_by_role("link", name="Nieuwe training").click()
    page.get_by_label("Programma").select_option(label="Werkend leren 2027")
    page.get_by_label("Titel").fill("Hoe werkt de gemeente?")
    page.get_by_label("Omschrijving").fill("Wat de gemeente doet tegen ondermijning.")
    page.get_by_label("Aanbiedende organisatie").select_option(label="Gemeente Voorbeeldstad")
    page.get_by_role("button", name="Training opslaan").click()
    page.get_by_role("link", name="Nieuwe uitvoering plannen").click()
    page.get_by_label("Locatie").fill("Stadhuis")
    # The enrolment window is left empty: it follows the first session, planned right here.
    starts = timezone.localtime() + timedelta(days=21)
    starts = starts.replace(hour=9, minute=30)
    page.get_by_label("Eerste bijeenkomst begint om").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Eerste bijeenkomst eindigt om").fill(
        (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Uitvoering opslaan").click()
    expect(page.get_by_text("Concept-uitvoering aangemaakt.")).to_be_visible()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("De uitvoering is gepubliceerd")).to_be_visible()
    assert Run.objects.get().status == "published"

    # Sanne was told by e-mail that she became coordinator, through the one mail path.
    mail.outbox.clear()
    dispatch_due_reminders()
    assert [m.subject for m in mail.outbox if m.to == [COORDINATOR_EMAIL]] == [
        "Je hebt de rol Programmacoördinator gekregen"
    ]
