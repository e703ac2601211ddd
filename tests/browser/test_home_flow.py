"""A contact person's home shows a new signal right after a participant reports it."""

import pytest
from playwright.sync_api import expect

from demo.totp import current_totp_code
from portal.models import Organisation
from signalen.models import Signal
from tests.browser.axe import serious_violations
from tests.portal.factories import PASSWORD, UserFactory, add_totp, contact_person
from tests.signalen.factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_attachment_root(settings, tmp_path):
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "signalen-bijlagen"


def _log_in(page, base_url, user, secret=None):
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if secret:
        expect(page).to_have_url(f"{base_url}/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(current_totp_code(secret=secret))
        page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def test_the_contact_persons_home_shows_a_signal_just_reported(live_server, page):
    gemeente = Organisation.objects.create(name="Gemeente Thuisstad", kind="gemeente")
    CategoryFactory(name="Horeca")
    participant = UserFactory(organisation=gemeente, full_name="Melder Meldsma")
    contact = contact_person(with_totp=False, organisation=gemeente, full_name="Carla Contact")
    secret = add_totp(contact)
    base = live_server.url

    _log_in(page, base, participant)
    page.get_by_role("link", name="Signaal melden").click()
    page.get_by_label("Wat heb je gezien?").fill("Kapsalon zonder klanten, wel veel geld.")
    page.get_by_label("Categorie").select_option(label="Horeca")
    page.get_by_role("button", name="Signaal versturen").click()
    signal = Signal.objects.get()
    expect(page.get_by_text(signal.reference).first).to_be_visible()

    _log_in(page, base, contact, secret)
    attention = page.get_by_role("region", name="Aandacht nodig")
    link = attention.get_by_role("link", name=signal.reference)
    expect(link).to_be_visible()
    expect(attention).to_contain_text("wacht op oppakken")
    expect(attention).not_to_contain_text("Kapsalon")
    expect(attention).not_to_contain_text("Melder Meldsma")
    expect(page.get_by_role("link", name="Signalen 1 nieuw of te laat")).to_be_visible()
    assert serious_violations(page) == []

    # At 320 px wide nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(signal.reference)
    expect(page.get_by_text("Kapsalon zonder klanten")).to_be_visible()
