"""The kernel tells apps that a role was revoked, inside the revocation's transaction."""

import pytest
from django.core.exceptions import ValidationError

from portal import role_hooks, services
from portal.models import Role, RoleAssignment, RoleChange
from tests.portal.factories import beheerder, contact_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    seen = []

    def record(*, actor, user, role, organisation):
        seen.append((actor, user, role, organisation))
        if user.full_name == "Weigert Graag":
            raise ValidationError("refused by an app")

    role_hooks.on_role_revoked(record)
    yield seen
    role_hooks._handlers.pop(role_hooks._qualified(record))


def test_every_registered_handler_hears_of_a_revocation(calls):
    admin, person = beheerder(), contact_person()
    services.role_revoke(
        actor=admin, user=person, role=Role.CONTACT_PERSON, organisation=person.organisation
    )
    assert calls == [(admin, person, Role.CONTACT_PERSON, person.organisation)]


def test_a_failing_handler_rolls_the_revocation_back(calls):
    admin, person = beheerder(), contact_person(full_name="Weigert Graag")
    with pytest.raises(ValidationError):
        services.role_revoke(
            actor=admin, user=person, role=Role.CONTACT_PERSON, organisation=person.organisation
        )
    assert RoleAssignment.objects.filter(user=person, role=Role.CONTACT_PERSON).exists()
    assert not RoleChange.objects.filter(subject=person).exists()
