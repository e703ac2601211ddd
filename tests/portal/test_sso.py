"""Single sign-on per organisation: the amr/acr rule, the beheerder's settings, the password
switch, and the login page's e-mail first step against a real OpenID Connect provider."""

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.internal.flows.login import record_authentication
from cryptography.fernet import Fernet
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from portal import mfa_crypto, sso_selectors, sso_services
from portal.adapters import SocialAccountAdapter
from portal.models import IdentityProvider, IdentityProviderDomain, User
from portal.sso_rules import IDP_MFA_METHOD, provider_asserted_mfa
from tests.portal.factories import (
    PASSWORD,
    EmailDomainFactory,
    OrganisationFactory,
    UserFactory,
    beheerder,
    coordinator,
    force_login_with_mfa,
)
from tests.sso_provider import (  # noqa: F401 - the fixture
    CLIENT_ID,
    SSO_DOMAIN,
    oidc_provider,
)

pytestmark = pytest.mark.django_db

ACR = "urn:gemeente:substantieel"


# --- the rule: when the provider's login counts as a second factor ---------------------------


@pytest.mark.parametrize(
    ("claims", "accepted", "expected"),
    [
        ({"amr": ["pwd", "mfa"]}, [], True),
        ({"amr": ["pwd", "otp"]}, [], True),
        ({"amr": ["hwk"]}, [], True),
        ({"amr": "mfa"}, [], True),
        ({"amr": ["pwd"]}, [], False),
        ({"amr": ["pwd", "face"]}, [], False),
        ({}, [], False),
        ({"amr": None, "acr": None}, [ACR], False),
        ({"amr": ["pwd"], "acr": ACR}, [ACR], True),
        ({"amr": ["pwd"], "acr": ACR}, [], False),
        ({"acr": "urn:gemeente:basis"}, [ACR], False),
        ({"acr": ""}, [""], False),
    ],
)
def test_only_an_asserted_second_factor_skips_the_portals_totp(claims, accepted, expected):
    assert provider_asserted_mfa(claims, accepted) is expected


# --- the beheerder's settings -----------------------------------------------------------------


def _save(actor, organisation, **overrides):
    values = {
        "issuer": "https://login.gemeente.example/",
        "client_id": "portal",
        "client_secret": "geheim-van-de-gemeente",
        "domains": [SSO_DOMAIN],
        "accepted_acr_values": [ACR],
    }
    values.update(overrides)
    return sso_services.identity_provider_save(actor=actor, organisation=organisation, **values)


def test_the_client_secret_is_stored_encrypted_and_an_empty_one_keeps_it():
    provider = _save(beheerder(), OrganisationFactory())

    assert provider.client_secret_encrypted.startswith(mfa_crypto.PREFIX)
    assert "geheim-van-de-gemeente" not in provider.client_secret_encrypted
    assert provider.issuer == "https://login.gemeente.example"
    assert provider.accepted_acr_list == [ACR]
    _save(beheerder(), provider.organisation, client_secret="", domains=["Nieuw.example"])
    provider.refresh_from_db()
    assert sso_services.identity_provider_client_secret(provider=provider) == (
        "geheim-van-de-gemeente"
    )
    assert list(provider.domains.values_list("domain", flat=True)) == ["nieuw.example"]


def test_a_key_rotation_moves_the_client_secret_to_the_new_key(settings):
    provider = _save(beheerder(), OrganisationFactory())
    old_key = settings.MFA_ENCRYPTION_KEY
    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_OLD_KEYS = [old_key]
    call_command("reencrypt_mfa_secrets", stdout=StringIO())
    settings.MFA_ENCRYPTION_OLD_KEYS = []
    provider.refresh_from_db()
    assert sso_services.identity_provider_client_secret(provider=provider) == (
        "geheim-van-de-gemeente"
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"client_secret": ""}, "client_secret"),
        ({"domains": []}, "domains"),
        ({"domains": ["geen domein"]}, "domains"),
        ({"issuer": "geen adres"}, "issuer"),
        ({"issuer": "http://login.gemeente.example"}, "issuer"),
    ],
)
def test_bad_settings_are_refused_and_write_nothing(overrides, field):
    with pytest.raises(ValidationError) as error:
        _save(beheerder(), OrganisationFactory(), **overrides)
    assert field in error.value.message_dict
    assert not IdentityProvider.objects.exists()


def test_a_domain_belongs_to_one_provider_only():
    _save(beheerder(), OrganisationFactory(name="Gemeente Een"))
    with pytest.raises(ValidationError, match="Gemeente Een"):
        _save(beheerder(), OrganisationFactory(name="Gemeente Twee"))
    assert IdentityProvider.objects.count() == 1


def test_only_a_beheerder_sets_up_a_provider():
    with pytest.raises(PermissionDenied):
        _save(coordinator(), OrganisationFactory())
    assert not IdentityProvider.objects.exists()


def test_the_address_picks_the_provider_in_use_only():
    provider = _save(beheerder(), OrganisationFactory())
    assert sso_selectors.identity_provider_for_email(email=f"iemand@{SSO_DOMAIN}") == provider
    assert sso_selectors.identity_provider_for_email(email="iemand@elders.example") is None
    assert sso_selectors.identity_provider_for_email(email="geen-adres") is None
    assert sso_selectors.identity_provider_by_provider_id(provider_id=provider.provider_id)
    assert sso_selectors.identity_provider_by_provider_id(provider_id="org-x") is None
    _save(beheerder(), provider.organisation, client_secret="", is_active=False)
    assert sso_selectors.identity_provider_for_email(email=f"iemand@{SSO_DOMAIN}") is None


def test_allauth_gets_the_providers_as_apps_with_the_secret_decrypted(
    django_assert_num_queries,
):
    adapter = SocialAccountAdapter()
    first = _save(beheerder(), OrganisationFactory())
    with django_assert_num_queries(2):
        (app,) = adapter.list_apps(None, provider=first.provider_id)
    assert app.provider == "openid_connect"
    assert app.client_id == "portal"
    assert app.secret == "geheim-van-de-gemeente"
    assert app.settings["server_url"] == "https://login.gemeente.example"
    assert adapter.list_apps(None, provider="org-0") == []
    for number in range(3):
        _save(beheerder(), OrganisationFactory(), domains=[f"gemeente{number}.example"])
    with django_assert_num_queries(2):
        assert len(adapter.list_apps(None)) == 4
    with django_assert_num_queries(2):
        assert len(adapter.list_apps(None, provider="openid_connect", client_id="ander")) == 0


def test_the_beheer_page_sets_up_the_provider_and_shows_the_redirect_address(
    client, django_assert_max_num_queries
):
    organisation = OrganisationFactory()
    force_login_with_mfa(client, beheerder())
    url = reverse("beheer_identity_provider", args=[organisation.pk])

    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert f"/accounts/oidc/org-{organisation.pk}/login/callback/" in response.content.decode()

    response = client.post(
        url,
        {
            "issuer": "https://login.gemeente.example",
            "client_id": "portal",
            "client_secret": "geheim",
            "domains": f"{SSO_DOMAIN}\nandere-gemeente.example",
            "accepted_acr_values": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(organisation=organisation)
    assert provider.password_login_allowed is False
    assert IdentityProviderDomain.objects.filter(provider=provider).count() == 2
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert "geheim" not in response.content.decode()


def test_the_beheer_page_is_for_beheerders_only(client):
    organisation = OrganisationFactory()
    force_login_with_mfa(client, coordinator())
    response = client.get(reverse("beheer_identity_provider", args=[organisation.pk]))
    assert response.status_code == 403


# --- the password switch ---------------------------------------------------------------------


def _sso_only_person():
    organisation = OrganisationFactory()
    EmailDomainFactory(organisation=organisation, domain=SSO_DOMAIN)
    _save(beheerder(), organisation, password_login_allowed=False)
    return UserFactory(email=f"lid@{SSO_DOMAIN}", organisation=organisation)


def test_password_login_is_refused_when_the_organisation_switched_it_off(client):
    person = _sso_only_person()
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "alleen toe via haar eigen inlogdienst" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_login_still_works_where_the_switch_is_on(client):
    organisation = OrganisationFactory()
    _save(beheerder(), organisation)
    person = UserFactory(email=f"lid@{SSO_DOMAIN}", organisation=organisation)
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_password_reset_is_no_back_door(client):
    person = _sso_only_person()
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 200
    assert "alleen toe via haar eigen inlogdienst" in response.content.decode()
    assert mail.outbox == []


def test_self_sign_up_with_a_password_is_refused_too(client):
    person = _sso_only_person()
    count = User.objects.count()
    response = client.post(
        reverse("account_signup"),
        {
            "email": f"nieuw@{SSO_DOMAIN}",
            "password1": "een-ander-lang-wachtwoord",
            "password2": "een-ander-lang-wachtwoord",
            "full_name": "Nieuw Lid",
        },
    )
    assert response.status_code == 200
    assert "alleen toe via haar eigen inlogdienst" in response.content.decode()
    assert User.objects.count() == count
    assert person.pk


# --- the second factor asserted at the provider, in the rest of the session ------------------


def _session_with_records(client, user, *methods):
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    for method in methods:
        record_authentication(request, user, method)
    request.session.save()


def test_a_session_whose_provider_asserted_mfa_needs_no_totp_set_up(client):
    user = coordinator(with_totp=False)
    _session_with_records(client, user, "socialaccount", IDP_MFA_METHOD)
    assert client.get(reverse("invitation_list")).status_code == 200


def test_a_session_without_that_assertion_is_sent_to_set_up_totp(client):
    user = coordinator(with_totp=False)
    _session_with_records(client, user, "socialaccount")
    response = client.get(reverse("invitation_list"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


# --- the login page's e-mail first step ------------------------------------------------------


def test_an_address_without_a_provider_gets_a_clear_message_and_stays(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.post(reverse("sso_start"), {"email": "iemand@elders.example"})
    assert response.status_code == 200
    assert "geen inloggen via de organisatie ingesteld" in response.content.decode()


def test_an_address_with_a_provider_goes_to_that_provider(client, oidc_provider):  # noqa: F811
    organisation = OrganisationFactory()
    _save(
        beheerder(),
        organisation,
        issuer=oidc_provider.issuer,
        client_id=oidc_provider.client_id,
        client_secret=oidc_provider.client_secret,
    )
    email = f"iemand@{SSO_DOMAIN}"

    response = client.post(reverse("sso_start"), {"email": email})

    assert response.status_code == 302
    target = urlsplit(response.url)
    assert f"{target.scheme}://{target.netloc}" == oidc_provider.issuer
    query = parse_qs(target.query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["login_hint"] == [email]
    assert query["redirect_uri"][0].endswith(
        f"/accounts/oidc/org-{organisation.pk}/login/callback/"
    )
    assert "code_challenge" in query


def test_a_provider_that_cannot_be_reached_gets_a_clear_message(client):
    _save(
        beheerder(), OrganisationFactory(name="Gemeente Onbereikbaar"), issuer="http://127.0.0.1:9"
    )
    response = client.post(reverse("sso_start"), {"email": f"iemand@{SSO_DOMAIN}"})
    assert response.status_code == 200
    assert "Gemeente Onbereikbaar is nu niet bereikbaar" in response.content.decode()
