"""Pages stay at a bounded number of queries however many people, groups and logs there are."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Discipline
from tests.portal.factories import OrganisationFactory, UserFactory, trainer
from tests.werkplaats.factories import PracticeLogFactory, SessionFactory, WerkplaatsFactory
from werkplaats import services

pytestmark = pytest.mark.django_db


def _busy_werkplaats(facilitator, n: int):
    werkplaats = WerkplaatsFactory(facilitators=[facilitator])
    organisations = [OrganisationFactory(name=f"Organisatie {i}") for i in range(5)]
    disciplines = list(Discipline.values)[:6]
    people = [
        UserFactory(discipline=disciplines[i % 6], organisation=organisations[i % 5])
        for i in range(n)
    ]
    services.participants_add(actor=facilitator, werkplaats=werkplaats, users=people)
    services.groups_make(actor=facilitator, werkplaats=werkplaats)
    now = timezone.now()
    first = SessionFactory(werkplaats=werkplaats, starts_at=now - timedelta(days=10))
    SessionFactory(werkplaats=werkplaats, starts_at=now + timedelta(days=18))
    for participation in werkplaats.participations.all()[: n // 2]:
        PracticeLogFactory(participation=participation, after_session=first)
    return werkplaats, first


@pytest.mark.parametrize("n", [6, 30])
def test_the_groups_page_needs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n):
    facilitator = trainer()
    werkplaats, _first = _busy_werkplaats(facilitator, n)
    client.force_login(facilitator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("werkplaats:groups", args=[werkplaats.pk]))

    assert response.status_code == 200
    assert response.content.decode().count('class="card h-100"') == -(-n // 6)


@pytest.mark.parametrize("n", [6, 30])
def test_the_detail_page_needs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n):
    facilitator = trainer()
    werkplaats, _first = _busy_werkplaats(facilitator, n)
    client.force_login(facilitator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("werkplaats:detail", args=[werkplaats.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("n", [6, 30])
def test_the_session_page_with_every_groups_logs_needs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, n
):
    facilitator = trainer()
    werkplaats, first = _busy_werkplaats(facilitator, n)
    client.force_login(facilitator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("werkplaats:session_detail", args=[first.pk]))

    assert response.status_code == 200
    assert response.content.decode().count("Nog niets geschreven") == n - n // 2


@pytest.mark.parametrize("count", [2, 15])
def test_the_list_needs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    facilitator = trainer()
    for _ in range(count):
        SessionFactory(werkplaats=WerkplaatsFactory(facilitators=[facilitator]))
    client.force_login(facilitator)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("werkplaats:list"))

    assert response.status_code == 200
    assert response.content.decode().count("/werkplaatsen/") >= count


@pytest.mark.parametrize("count", [1, 12])
def test_the_open_rugdekking_list_needs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, world, count
):
    for i in range(count):
        services.rugdekking_request_create(
            user=world.participant,
            werkplaats=world.werkplaats,
            manager_name=f"Manager {i}",
            manager_email=f"manager{i}@gemeente.example",
            point="Tijd voor overleg.",
        )
    client.force_login(world.facilitator)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("werkplaats:rugdekking_open"))

    assert response.content.decode().count("Manager ") == count
