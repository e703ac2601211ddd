import pytest
from django.urls import reverse

from portal import permissions
from portal.models import Role
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    contact_person,
    coordinator,
    trainer,
)

pytestmark = pytest.mark.django_db


def test_participant_has_no_special_roles():
    user = UserFactory()
    assert not permissions.is_coordinator(user)
    assert not permissions.is_trainer(user)
    assert not permissions.is_contact_person(user)
    assert not permissions.requires_mfa(user)


def test_contact_person_is_contact_person_only_of_their_organisation():
    person = contact_person()
    other = OrganisationFactory()
    assert permissions.is_contact_person(person, person.organisation_id)
    assert not permissions.is_contact_person(person, other.pk)
    assert permissions.contact_organisation_ids(person) == {person.organisation_id}


def test_coordinators_contact_persons_and_superusers_require_mfa():
    assert permissions.requires_mfa(coordinator())
    assert permissions.requires_mfa(contact_person())
    assert permissions.requires_mfa(UserFactory(is_superuser=True))
    assert not permissions.requires_mfa(trainer())


def test_roles_are_read_with_one_query_per_user_object(django_assert_num_queries):
    user = coordinator()
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        permissions.is_coordinator(fresh)
        permissions.is_trainer(fresh)
        permissions.is_contact_person(fresh)
        permissions.requires_mfa(fresh)


def test_role_assign_is_idempotent_and_contact_person_needs_organisation():
    from django.core.exceptions import ValidationError

    from portal import services

    user = UserFactory()
    services.role_assign(user=user, role=Role.TRAINER)
    services.role_assign(user=user, role=Role.TRAINER)
    assert user.role_assignments.count() == 1
    with pytest.raises(ValidationError):
        services.role_assign(user=user, role=Role.CONTACT_PERSON, organisation=None)


PAGES = ["home", "profile", "login_history", "invitation_list", "organisation_list"]

# Expected status per role and page; 302 for anonymous is the redirect to the login page.
EXPECTED = {
    "anonymous": {
        "home": 200,
        "profile": 302,
        "login_history": 302,
        "invitation_list": 302,
        "organisation_list": 302,
    },
    "participant": {
        "home": 200,
        "profile": 200,
        "login_history": 200,
        "invitation_list": 403,
        "organisation_list": 403,
    },
    "trainer": {
        "home": 200,
        "profile": 200,
        "login_history": 200,
        "invitation_list": 403,
        "organisation_list": 403,
    },
    "contact_person": {
        "home": 200,
        "profile": 200,
        "login_history": 200,
        "invitation_list": 403,
        "organisation_list": 403,
    },
    "coordinator": {
        "home": 200,
        "profile": 200,
        "login_history": 200,
        "invitation_list": 200,
        "organisation_list": 200,
    },
}


def make_user(role: str):
    return {
        "anonymous": lambda: None,
        "participant": UserFactory,
        "trainer": trainer,
        "contact_person": contact_person,
        "coordinator": coordinator,
    }[role]()


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_the_expected_status_on_every_portal_page(client, role):
    user = make_user(role)
    if user is not None:
        client.force_login(user)
    statuses = {page: client.get(reverse(page)).status_code for page in PAGES}
    assert statuses == EXPECTED[role]


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_revoking_an_invitation_is_refused_for_a_participant(client):
    from portal import services
    from portal.models import Invitation

    invitation, _ = services.invitation_create(
        invited_by=coordinator(), email="nieuw@elders.example", organisation=OrganisationFactory()
    )
    client.force_login(UserFactory())
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_admin_login_goes_through_the_portal_login(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
