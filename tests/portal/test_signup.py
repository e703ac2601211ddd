from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import Invitation, User
from tests.portal.factories import EmailDomainFactory, OrganisationFactory, UserFactory, coordinator

pytestmark = pytest.mark.django_db


def signup_data(email: str, **overrides) -> dict:
    return {
        "email": email,
        "full_name": "Nieuwe Collega",
        "job_title": "Handhaver",
        "department": "Toezicht",
        "discipline": "handhaving",
        "password1": "een-sterk-wachtwoord-42",
        "password2": "een-sterk-wachtwoord-42",
        **overrides,
    }


def test_outsider_cannot_sign_up_and_nothing_is_created(client):
    EmailDomainFactory(domain="gemeente.example")
    response = client.post(reverse("account_signup"), signup_data("iemand@gmail.example"))
    assert response.status_code == 200
    assert "Aanmelden kan alleen met een uitnodiging" in response.content.decode()
    assert not User.objects.filter(email="iemand@gmail.example").exists()
    assert mail.outbox == []


def test_registered_domain_signs_up_into_its_organisation_and_must_verify(client):
    domain = EmailDomainFactory(domain="gemeente.example")
    response = client.post(reverse("account_signup"), signup_data("Nieuw@Gemeente.example"))
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@gemeente.example")
    assert user.organisation == domain.organisation
    assert user.full_name == "Nieuwe Collega"
    assert user.discipline == "handhaving"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nieuw@gemeente.example"]


def test_subdomain_of_a_registered_domain_is_not_accepted(client):
    EmailDomainFactory(domain="gemeente.example")
    client.post(reverse("account_signup"), signup_data("x@nep.gemeente.example"))
    assert not User.objects.filter(email="x@nep.gemeente.example").exists()


def test_invitation_link_lets_exactly_that_address_sign_up_once(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="RIEC Test")
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            invited_by=coordinator(), email="extern@adviesbureau.example", organisation=organisation
        )
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body
    assert "RIEC Test" in mail.outbox[0].subject

    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("account_signup")
    form_page = client.get(reverse("account_signup"))
    assert 'value="extern@adviesbureau.example"' in form_page.content.decode()

    response = client.post(reverse("account_signup"), signup_data("extern@adviesbureau.example"))
    assert response.status_code == 302
    user = User.objects.get(email="extern@adviesbureau.example")
    assert user.organisation == organisation
    # Following the mailed link proved the address: no verification mail, logged in at once.
    assert EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None

    client.logout()
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_invitation_does_not_open_sign_up_for_another_address(client):
    _invitation, token = services.invitation_create(
        invited_by=coordinator(),
        email="extern@adviesbureau.example",
        organisation=OrganisationFactory(),
    )
    client.get(reverse("invitation_accept", args=[token]))
    client.post(reverse("account_signup"), signup_data("vriend@adviesbureau.example"))
    assert not User.objects.filter(email="vriend@adviesbureau.example").exists()


def test_expired_or_revoked_invitation_shows_a_clear_page(client):
    inviter = coordinator()
    invitation, token = services.invitation_create(
        invited_by=inviter, email="laat@elders.example", organisation=OrganisationFactory()
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 404
    assert "niet (meer) geldig" in response.content.decode()


def test_unknown_token_gives_404(client):
    assert client.get(reverse("invitation_accept", args=["verzonnen"])).status_code == 404


def test_only_coordinators_may_invite():
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            invited_by=UserFactory(), email="a@b.example", organisation=OrganisationFactory()
        )
    assert not Invitation.objects.exists()


def test_second_open_invitation_for_the_same_address_is_refused():
    inviter = coordinator()
    organisation = OrganisationFactory()
    services.invitation_create(invited_by=inviter, email="a@b.example", organisation=organisation)
    with pytest.raises(ValidationError) as error:
        services.invitation_create(
            invited_by=inviter, email="A@b.example", organisation=organisation
        )
    assert "openstaande uitnodiging" in str(error.value)
    assert Invitation.objects.count() == 1


def test_expired_invitation_can_be_replaced_by_a_new_one():
    inviter = coordinator()
    organisation = OrganisationFactory()
    old, _ = services.invitation_create(
        invited_by=inviter, email="a@b.example", organisation=organisation
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    new, _ = services.invitation_create(
        invited_by=inviter, email="a@b.example", organisation=organisation
    )
    assert new.pk != old.pk


def test_existing_account_cannot_be_invited():
    existing = UserFactory()
    with pytest.raises(ValidationError):
        services.invitation_create(
            invited_by=coordinator(), email=existing.email, organisation=OrganisationFactory()
        )


def test_coordinator_invites_through_the_page_and_sees_errors_on_bad_input(
    client, django_capture_on_commit_callbacks
):
    inviter = coordinator()
    organisation = OrganisationFactory()
    client.force_login(inviter)
    response = client.post(
        reverse("invitation_list"), {"email": "geen-adres", "organisation": organisation.pk}
    )
    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in" in response.content.decode()
    assert not Invitation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_list"),
            {"email": "nieuw@elders.example", "organisation": organisation.pk},
        )
    assert response.status_code == 302
    assert Invitation.objects.get().invited_by == inviter
    assert len(mail.outbox) == 1

    response = client.post(
        reverse("invitation_list"),
        {"email": "nieuw@elders.example", "organisation": organisation.pk},
    )
    assert "openstaande uitnodiging" in response.content.decode()


def test_coordinator_revokes_an_open_invitation(client):
    inviter = coordinator()
    invitation, token = services.invitation_create(
        invited_by=inviter, email="a@b.example", organisation=OrganisationFactory()
    )
    client.force_login(inviter)
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_invitation_list_query_count_is_bounded(client, django_assert_max_num_queries):
    inviter = coordinator()
    for n in range(15):
        services.invitation_create(
            invited_by=inviter, email=f"p{n}@x.example", organisation=OrganisationFactory()
        )
    client.force_login(inviter)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("invitation_list"))
    assert response.status_code == 200
