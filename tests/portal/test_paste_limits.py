"""Pasted address lists are bounded: an oversize paste is refused with a clear message."""

import pytest
from django.urls import reverse

from portal.forms import BULK_INVITATION_MAX_BYTES
from portal.models import Invitation
from portal.services import invitation_addresses_parse
from tests.portal.factories import OrganisationFactory, beheerder

pytestmark = pytest.mark.django_db


def test_an_oversize_pasted_invitation_list_is_refused(client):
    client.force_login(beheerder())
    text = "anna@elders.example\n" + "x" * BULK_INVITATION_MAX_BYTES
    response = client.post(
        reverse("beheer_invitations"),
        {"organisation": OrganisationFactory().pk, "addresses": text},
    )
    assert response.status_code == 200
    assert "Deze lijst is te lang" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invitation_parser_reads_a_long_line_in_one_pass():
    addresses, errors = invitation_addresses_parse("naam\n" + "a@" * 100_000 + "\n" + "," * 10_000)
    assert addresses == []
    assert len(errors) == 2
