"""Adding participants by pasting e-mail addresses, with clear refusals that change nothing."""

import pytest
from django.urls import reverse

from tests.portal.factories import UserFactory, trainer
from tests.werkplaats.factories import WerkplaatsFactory
from werkplaats import services
from werkplaats.models import Participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(client):
    person = trainer()
    client.force_login(person)
    return person


@pytest.fixture
def werkplaats(facilitator):
    return WerkplaatsFactory(facilitators=[facilitator])


def _add(client, werkplaats, text: str):
    return client.post(
        reverse("werkplaats:participants", args=[werkplaats.pk]),
        {"add": "1", "emails": text},
        follow=True,
    )


def test_addresses_pasted_from_an_email_are_added_whatever_their_case(
    client, facilitator, werkplaats
):
    anna = UserFactory(email="anna@gemeente.example", full_name="Anna de Wit")
    bob = UserFactory(email="bob@politie.example")
    already = UserFactory(email="carla@om.example")
    services.participants_add(actor=facilitator, werkplaats=werkplaats, users=[already])

    response = _add(
        client,
        werkplaats,
        'Anna de Wit <ANNA@Gemeente.example>; "Bob" <bob@politie.example>,\ncarla@om.example',
    )

    page = response.content.decode()
    assert "2 deelnemers toegevoegd." in page
    assert "1 van de adressen deed al mee." in page
    assert set(
        Participation.objects.filter(werkplaats=werkplaats).values_list("user", flat=True)
    ) == {
        anna.pk,
        bob.pk,
        already.pk,
    }


def test_an_unknown_address_is_named_and_nobody_is_added(client, werkplaats):
    UserFactory(email="anna@gemeente.example")

    response = _add(client, werkplaats, "anna@gemeente.example, nieuw@elders.example")

    assert "Geen account in het portaal voor: nieuw@elders.example" in response.content.decode()
    assert not Participation.objects.filter(werkplaats=werkplaats).exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Dit veld is verplicht."),
        ("alleen tekst, geen adressen", "Geen e-mailadres gevonden."),
        ("anna@gemeente", "Geen geldig e-mailadres: anna@gemeente."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, werkplaats, text, message):
    UserFactory(email="anna@gemeente.example")

    response = _add(client, werkplaats, text)

    assert message in response.content.decode()
    assert not Participation.objects.filter(werkplaats=werkplaats).exists()


def test_an_inactive_account_cannot_be_added(client, werkplaats):
    UserFactory(email="weg@gemeente.example", is_active=False)

    response = _add(client, werkplaats, "weg@gemeente.example")

    assert "Geen account in het portaal voor: weg@gemeente.example" in response.content.decode()
    assert not Participation.objects.exists()


def test_the_page_does_not_list_every_account_in_the_portal(
    client, werkplaats, django_assert_max_num_queries
):
    UserFactory.create_batch(200, full_name="Iemand Uitdeportal")

    with django_assert_max_num_queries(10):
        response = client.get(reverse("werkplaats:participants", args=[werkplaats.pk]))

    assert response.status_code == 200
    assert "Iemand Uitdeportal" not in response.content.decode()
