import pytest
from playwright.sync_api import expect

from demo.totp import current_totp_code
from tests.browser.axe import serious_violations
from tests.portal.factories import PASSWORD, UserFactory, add_totp, coordinator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_with_password_and_totp_and_sees_the_coordinator_home(
    live_server, page
):
    user = coordinator(with_totp=False, full_name="Sanne de Vries")
    secret = add_totp(user)

    page.goto(f"{live_server.url}/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    assert serious_violations(page) == []
    page.get_by_label("Code").fill(current_totp_code(secret=secret))
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Sanne")
    expect(page.get_by_role("heading", name="Programmacoördinatie")).to_be_visible()
    page.get_by_text("Coördinatie", exact=True).click()
    expect(page.get_by_role("link", name="Uitnodigingen")).to_be_visible()
    assert serious_violations(page) == []


def test_participant_home_has_no_coordinator_sections(live_server, page):
    user = UserFactory(full_name="Lotte Jansen", job_title="")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Lotte")
    expect(page.get_by_role("link", name="Profiel aanvullen")).to_be_visible()
    expect(page.get_by_role("heading", name="Programmacoördinatie")).to_have_count(0)
    expect(page.get_by_role("link", name="Uitnodigingen")).to_have_count(0)
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/password/reset/"])
def test_public_pages_have_no_serious_accessibility_violations(live_server, page, path):
    page.goto(f"{live_server.url}{path}")
    assert serious_violations(page) == []
