"""A signal from report to RIEC in a real browser, with the confidentiality boundary checked."""

import re

import pytest
from playwright.sync_api import expect

from demo.totp import current_totp_code
from portal.models import Organisation
from signalen.models import Signal
from tests.browser.axe import serious_violations
from tests.portal.factories import PASSWORD, UserFactory, add_totp, contact_person
from tests.signalen.factories import CategoryFactory, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_attachment_root(settings, tmp_path):
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "signalen-bijlagen"


def _contact(organisation, name):
    person = contact_person(with_totp=False, organisation=organisation, full_name=name)
    return person, add_totp(person)


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


def test_report_triage_forward_to_riec_and_other_municipality_gets_404(live_server, page, tmp_path):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    riec = Organisation.objects.create(name="RIEC Voorbeeldregio", kind="riec")
    elders = Organisation.objects.create(name="Gemeente Elders", kind="gemeente")
    CategoryFactory(name="Horeca")
    participant = UserFactory(organisation=gemeente, full_name="Lotte Jansen")
    contact, contact_secret = _contact(gemeente, "Fatima el Amrani")
    riec_contact, riec_secret = _contact(riec, "Riek de Regio")
    other_contact, other_secret = _contact(elders, "Olaf Elders")
    photo = tmp_path / "gevel.png"
    photo.write_bytes(png_bytes(size=(40, 30)))
    base = live_server.url

    # 1. A participant reports a signal with a photo.
    _log_in(page, base, participant)
    page.get_by_role("link", name="Signaal melden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaal melden")
    assert serious_violations(page) == []
    page.get_by_label("Wat heb je gezien?").fill("Shishalounge is overdag dicht, toch hoge omzet.")
    page.get_by_label("Waar?").fill("Marktplein 3")
    page.get_by_label("Categorie").select_option(label="Horeca")
    page.get_by_label("Bijlagen").set_input_files(str(photo))
    page.get_by_role("button", name="Signaal versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Melding HKIN-"))
    signal = Signal.objects.get()
    assert signal.attachments.count() == 1
    expect(page.get_by_text(signal.reference).first).to_be_visible()

    # 2. The contact person of that gemeente sees it, assigns it and forwards it to the RIEC.
    _log_in(page, base, contact, contact_secret)
    page.get_by_role("link", name=re.compile(r"^Signalen\b")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signalen")
    assert serious_violations(page) == []
    page.get_by_role("link", name=signal.reference).click()
    expect(page.get_by_text("Shishalounge is overdag dicht")).to_be_visible()
    expect(page.get_by_role("link", name="gevel.png")).to_be_visible()
    page.get_by_role("button", name="Toewijzen").click()
    expect(page.get_by_text("Het signaal is toegewezen.")).to_be_visible()
    # One action open at a time: forwarding is opened from the list of actions.
    page.locator("summary", has_text="Doorsturen").click()
    page.get_by_label("Doorsturen naar").select_option(label="RIEC Voorbeeldregio")
    page.get_by_label("Toelichting voor de ontvanger").fill("Past bij casus horeca centrum.")
    page.get_by_role("button", name="Doorsturen").click()
    expect(page.get_by_text("Het signaal is doorgestuurd")).to_be_visible()
    signal.refresh_from_db()
    assert (signal.status, signal.organisation) == ("forwarded", riec)

    # 3. The RIEC contact person sees it in their queue and can open it.
    _log_in(page, base, riec_contact, riec_secret)
    page.goto(f"{base}/signalen/")
    page.get_by_role("link", name=signal.reference).click()
    expect(page.get_by_text("Shishalounge is overdag dicht")).to_be_visible()
    expect(page.get_by_role("button", name="Toewijzen")).to_be_visible()

    # 4. A contact person of another municipality gets 404, in the queue and by URL.
    _log_in(page, base, other_contact, other_secret)
    page.goto(f"{base}/signalen/")
    expect(page.get_by_role("link", name=signal.reference)).to_have_count(0)
    response = page.goto(f"{base}/signalen/{signal.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Shishalounge")).to_have_count(0)
