"""Making groups again, removing a participant: asked first, with what will be lost."""

import pytest
from django.urls import reverse

from tests.portal.factories import UserFactory
from tests.werkplaats.factories import ParticipationFactory, PracticeLogFactory
from werkplaats import selectors, services
from werkplaats.models import Group, Participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def grouped(world):
    """Twelve people in groups made by the portal, then one moved by hand."""
    for _ in range(10):
        ParticipationFactory(werkplaats=world.werkplaats, user=UserFactory())
    services.groups_make(actor=world.facilitator, werkplaats=world.werkplaats)
    mine = Participation.objects.get(werkplaats=world.werkplaats, user=world.participant)
    target = Group.objects.filter(werkplaats=world.werkplaats).exclude(pk=mine.group_id).first()
    services.participant_move(actor=world.facilitator, participation=mine, group=target)
    return world


def test_the_confirmation_counts_the_hand_moves_that_will_be_lost(client, grouped):
    client.force_login(grouped.facilitator)
    url = reverse("werkplaats:groups_remake", args=[grouped.werkplaats.pk])
    html = client.get(url).content.decode()
    assert "1 verplaatsing met de hand gaat verloren" in html
    assert f'action="{url}"' in html
    assert selectors.groups_overview(werkplaats=grouped.werkplaats).hand_moves == 1


def test_the_old_make_button_no_longer_remakes_without_asking(client, grouped):
    client.force_login(grouped.facilitator)
    before = dict(
        Participation.objects.filter(werkplaats=grouped.werkplaats).values_list("pk", "group_id")
    )
    response = client.post(
        reverse("werkplaats:groups", args=[grouped.werkplaats.pk]), {"make": "1"}
    )
    assert response.url == reverse("werkplaats:groups_remake", args=[grouped.werkplaats.pk])
    after = dict(
        Participation.objects.filter(werkplaats=grouped.werkplaats).values_list("pk", "group_id")
    )
    assert before == after


def test_confirming_makes_new_groups_and_forgets_the_hand_moves(client, grouped):
    client.force_login(grouped.facilitator)
    response = client.post(reverse("werkplaats:groups_remake", args=[grouped.werkplaats.pk]))
    assert response.status_code == 302
    assert not Participation.objects.filter(
        werkplaats=grouped.werkplaats, placed_by_hand=True
    ).exists()


def test_pair_counts_are_whole_numbers(client, grouped):
    client.force_login(grouped.facilitator)
    response = client.get(reverse("werkplaats:groups", args=[grouped.werkplaats.pk]))
    overview = response.context["overview"]
    assert all(isinstance(v.score, int) for v in overview.groups)
    assert isinstance(overview.score, int) and isinstance(overview.gap, int)
    assert ",0 gelijke paren" not in response.content.decode()


def test_removing_a_participant_asks_first_and_names_the_logs_that_go(client, world):
    mine = Participation.objects.get(werkplaats=world.werkplaats, user=world.participant)
    PracticeLogFactory(participation=mine, after_session=world.first)
    PracticeLogFactory(participation=mine, after_session=world.second)
    client.force_login(world.facilitator)
    url = reverse("werkplaats:participant_remove", args=[world.werkplaats.pk, mine.pk])

    html = client.get(url).content.decode()
    assert "De 2 oefenlogboeken van deze deelnemer worden verwijderd." in html
    assert Participation.objects.filter(pk=mine.pk).exists()

    client.post(url)
    assert not Participation.objects.filter(pk=mine.pk).exists()


def test_an_outsider_gets_no_confirmation_page(client, world):
    mine = Participation.objects.get(werkplaats=world.werkplaats, user=world.participant)
    client.force_login(world.outsider)
    url = reverse("werkplaats:participant_remove", args=[world.werkplaats.pk, mine.pk])
    assert client.get(url).status_code in (403, 404)
    url = reverse("werkplaats:groups_remake", args=[world.werkplaats.pk])
    assert client.get(url).status_code in (403, 404)
