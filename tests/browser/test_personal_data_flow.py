"""'Mijn gegevens' in a real browser: a person downloads their data and asks for erasure; a
beheerder finds the request in the queue and approves it; the person can no longer log in."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from demo.totp import current_totp_code
from portal.models import DeletionRequest
from tests.browser.axe import serious_violations
from tests.portal.factories import PASSWORD, UserFactory, add_totp, beheerder
from tests.trainings.factories import EnrolmentFactory
from trainings.models import DevelopmentPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_download_ask_for_erasure_and_a_beheerder_approves(live_server, page):
    base = live_server.url
    person = UserFactory(full_name="Lotte Jansen")
    address = person.email
    enrolment = EnrolmentFactory(participant=person)
    DevelopmentPlan.objects.create(enrolment=enrolment, content_goals="Leren signaleren")
    boss = beheerder(with_totp=False, full_name="Bea Beheer")
    boss_secret = add_totp(boss)

    # 1. The person finds "Mijn gegevens" in their menu and downloads the ZIP.
    _log_in(page, base, person)
    page.get_by_text("Lotte Jansen", exact=True).click()
    page.get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gegevens")
    assert serious_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download mijn gegevens (ZIP)").click()
    with zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read())) as archive:
        plans = json.loads(archive.read("trainingen_ontwikkelplannen.json"))
        assert plans[0]["vakinhoudelijk"] == "Leren signaleren"
        assert "LEESMIJ.txt" in archive.namelist()

    # 2. They ask for erasure; without the confirmation nothing is sent (the browser holds
    # the form back; the server's own refusal is tested in tests/portal).
    page.get_by_role("link", name="Vraag om verwijdering van mijn gegevens").click()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Verzoek om verwijdering sturen").click()
    expect(page).to_have_url(f"{base}/profiel/mijn-gegevens/verwijderen/")
    assert not DeletionRequest.objects.exists()
    page.get_by_label("Ik begrijp dat mijn account wordt opgeheven").check()
    page.get_by_role("button", name="Verzoek om verwijdering sturen").click()
    expect(page.get_by_text("Je verzoek is verstuurd")).to_be_visible()

    # 3. The beheerder approves it from the queue.
    _log_in(page, base, boss, boss_secret)
    page.get_by_text("Beheer", exact=True).click()
    page.get_by_role("link", name="Verwijderverzoeken", exact=True).click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Lotte Jansen").click()
    assert serious_violations(page) == []
    page.get_by_label("Goedkeuren: gegevens nu verwijderen of anonimiseren").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_text("De gegevens zijn verwijderd of geanonimiseerd.")).to_be_visible()
    assert not DevelopmentPlan.objects.exists()

    # 4. The person's login no longer works.
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
