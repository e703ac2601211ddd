import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from demo.totp import current_totp_code
from tests.portal.factories import (
    PASSWORD,
    UserFactory,
    add_totp,
    contact_person,
    coordinator,
    force_login_with_mfa,
    trainer,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "make_user", [coordinator, contact_person], ids=["coordinator", "contact_person"]
)
@pytest.mark.parametrize("page", ["home", "profile", "invitation_list"])
def test_role_without_authenticator_is_sent_to_mfa_setup(client, make_user, page):
    user = make_user(with_totp=False)
    client.force_login(user)
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_superuser_without_authenticator_is_sent_to_mfa_setup(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def login_with_password(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_fresh_login_without_authenticator_lands_on_the_setup_page(client):
    user = coordinator(with_totp=False)
    login_with_password(client, user)
    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[0][0] == reverse("mfa_activate_totp")
    # allauth asks for the password once more before a second factor is added.
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "Voor jouw rol is tweestapsverificatie verplicht" in page.content.decode()
    confirmed = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert confirmed.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert 'name="code"' in confirmed.content.decode()
    assert client.post(reverse("account_logout")).status_code == 302


@pytest.mark.parametrize("make_user", [UserFactory, trainer], ids=["participant", "trainer"])
def test_participants_and_trainers_are_not_forced_into_mfa(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("home")).status_code == 200


def test_activating_totp_unlocks_the_coordinator_pages(client):
    user = coordinator(with_totp=False)
    login_with_password(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret=secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("invitation_list")).status_code == 200


def test_login_of_a_coordinator_with_totp_asks_for_the_code(client):
    user = coordinator(with_totp=False)
    secret = add_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Password alone does not open the portal.
    assert client.get(reverse("invitation_list")).status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get(reverse("invitation_list")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret=secret)})
    assert response.status_code == 302
    assert client.get(reverse("invitation_list")).status_code == 200


def deactivate_totp(client, user):
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client.post(reverse("mfa_deactivate_totp"))


def test_coordinator_cannot_switch_off_their_authenticator(client):
    user = coordinator()
    response = deactivate_totp(client, user)
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_participant_may_switch_off_a_voluntary_authenticator(client):
    user = UserFactory()
    add_totp(user)
    response = deactivate_totp(client, user)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.parametrize(
    "flags",
    [{"is_staff": True}, {"is_staff": True, "is_superuser": True}],
    ids=["staff", "superuser"],
)
def test_admin_index_sends_staff_without_authenticator_to_mfa_setup(client, flags):
    client.force_login(UserFactory(**flags))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_with_authenticator_must_have_entered_a_code_in_this_session(client):
    # An authenticator alone is not enough: a session that never passed the second factor
    # (however it was opened) is asked for a code before the admin opens.
    user = UserFactory(is_staff=True)
    add_totp(user)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))
    assert "next=%2Fadmin%2F" in response.url


def test_staff_entering_the_code_reaches_the_admin(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    secret = add_totp(user)
    client.force_login(user)
    page = client.get(reverse("admin:index"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate"))
    response = client.post(
        page.redirect_chain[-1][0], {"code": current_totp_code(secret=secret)}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_staff_login_through_allauth_with_code_reaches_the_admin(client):
    user = UserFactory(is_staff=True)
    secret = add_totp(user)
    assert login_with_password(client, user).url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret=secret)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_cannot_switch_off_their_authenticator(client):
    user = UserFactory(is_staff=True)
    add_totp(user)
    force_login_with_mfa(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
