"""Single sign-on through a real OpenID Connect provider (tests/oidc/provider.js) on loopback."""

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from demo.totp import current_totp_code
from portal import sso_services
from portal.models import User
from tests.browser.axe import serious_violations
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    add_totp,
    beheerder,
    coordinator,
)
from tests.sso_provider import (  # noqa: F401 - the fixture
    ANNA,
    BRAM,
    CARLA,
    DIRK,
    EVA,
    IDP_PASSWORD,
    SSO_DOMAIN,
    SUBSTANTIAL_ACR,
    oidc_provider,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _organisation_with_provider(oidc_provider, **options):  # noqa: F811
    organisation = OrganisationFactory(name="Gemeente Eenlogin")
    sso_services.identity_provider_save(
        actor=beheerder(),
        organisation=organisation,
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
        domains=[SSO_DOMAIN],
        **options,
    )
    return organisation


def _login_via_organisation(page, base: str, email: str, *, at_provider: bool = True) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Je e-mail bij je organisatie").fill(email)
    page.get_by_role("button", name="Doorgaan naar je organisatie").click()
    if at_provider:
        expect(page.get_by_role("heading", name="Inloggen bij de organisatie")).to_be_visible()
        page.get_by_label("E-mailadres bij de organisatie").fill(email)
        page.get_by_label("Wachtwoord bij de organisatie").fill(IDP_PASSWORD)
        page.get_by_role("button", name="Inloggen bij de organisatie").click()


def _logout(page, base: str) -> None:
    page.goto(f"{base}/accounts/logout/")
    page.get_by_role("button", name="Uitloggen").click()


def test_new_person_logs_in_via_their_organisation_and_a_second_login_reuses_the_account(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    organisation = _organisation_with_provider(oidc_provider)

    page.goto(f"{live_server.url}/accounts/login/")
    assert serious_violations(page) == []
    _login_via_organisation(page, live_server.url, ANNA)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Anna")
    expect(page.get_by_text("Gemeente Eenlogin")).to_be_visible()
    person = User.objects.get(email=ANNA)
    assert person.organisation == organisation
    assert person.full_name == "Anna Bakker"
    assert not person.has_usable_password()
    assert SocialAccount.objects.filter(user=person).count() == 1

    _logout(page, live_server.url)
    _login_via_organisation(page, live_server.url, ANNA, at_provider=False)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Anna")
    assert User.objects.filter(email=ANNA).count() == 1
    assert SocialAccount.objects.filter(user=person).count() == 1


def test_a_provider_asserting_mfa_skips_the_portals_totp(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    organisation = _organisation_with_provider(oidc_provider)
    user = coordinator(
        with_totp=False, email=BRAM, full_name="Bram de Wit", organisation=organisation
    )
    add_totp(user)

    _login_via_organisation(page, live_server.url, BRAM)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Bram")
    expect(page.get_by_role("heading", name="Programmacoördinatie")).to_be_visible()
    page.goto(f"{live_server.url}/uitnodigingen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodigingen")


def test_a_provider_not_asserting_mfa_keeps_the_portals_totp(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    organisation = _organisation_with_provider(oidc_provider)
    user = coordinator(
        with_totp=False, email=ANNA, full_name="Anna Bakker", organisation=organisation
    )
    secret = add_totp(user)

    _login_via_organisation(page, live_server.url, ANNA)

    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.goto(f"{live_server.url}/uitnodigingen/")
    expect(page).not_to_have_url(f"{live_server.url}/uitnodigingen/")
    page.goto(f"{live_server.url}/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(current_totp_code(secret=secret))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Anna")


def test_password_login_switched_off_refuses_the_password_with_a_clear_message(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    organisation = _organisation_with_provider(oidc_provider, password_login_allowed=False)
    coordinator(email=BRAM, organisation=organisation)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mailadres").fill(BRAM)
    page.get_by_label("Wachtwoord").fill("een-lang-testwachtwoord")
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_text("Je organisatie laat inloggen alleen toe via").first).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    assert serious_violations(page) == []


def test_an_address_outside_the_providers_domains_is_refused(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    _organisation_with_provider(oidc_provider)
    count = User.objects.count()

    # The person names an address the portal sends to this provider, then logs in there as
    # someone whose address the provider does not cover.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Je e-mail bij je organisatie").fill(f"iemand@{SSO_DOMAIN}")
    page.get_by_role("button", name="Doorgaan naar je organisatie").click()
    page.get_by_label("E-mailadres bij de organisatie").fill(EVA)
    page.get_by_label("Wachtwoord bij de organisatie").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Inloggen bij de organisatie").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Inloggen via je organisatie lukt niet"
    )
    expect(page.get_by_role("alert")).to_contain_text("buiten de domeinen")
    assert User.objects.count() == count
    assert not SocialAccount.objects.exists()
    assert serious_violations(page) == []


def test_an_existing_account_is_not_linked_by_an_address_the_provider_did_not_verify(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    organisation = _organisation_with_provider(oidc_provider)
    existing = UserFactory(email=DIRK, organisation=organisation)

    _login_via_organisation(page, live_server.url, DIRK)

    expect(page.get_by_role("alert")).to_contain_text("niet als bevestigd")
    assert not SocialAccount.objects.filter(user=existing).exists()
    page.goto(f"{live_server.url}/profiel/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/profiel/")


def test_an_acr_the_beheerder_accepted_counts_as_the_second_factor(
    live_server,
    page,
    oidc_provider,  # noqa: F811
):
    organisation = _organisation_with_provider(oidc_provider, accepted_acr_values=[SUBSTANTIAL_ACR])
    coordinator(email=CARLA, full_name="Carla Smit", organisation=organisation)

    _login_via_organisation(page, live_server.url, CARLA)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Carla")
