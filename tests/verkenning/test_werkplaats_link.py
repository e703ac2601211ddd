"""A werkplaats page names the verkenning it came from, to exactly those who may see it."""

import pytest
from django.urls import reverse

from portal import links
from tests.portal.factories import coordinator, trainer
from tests.werkplaats.factories import WerkplaatsFactory
from verkenning import services

from .factories import TrainingDesignFactory, VerkenningFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def converted():
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner], title="Verkenning Wijk Zuid")
    design = TrainingDesignFactory(verkenning=verkenning)
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    return verkenning, werkplaats


def test_a_coordinator_of_its_programme_is_shown_the_verkenning_it_came_from(client, converted):
    verkenning, werkplaats = converted
    boss = coordinator()
    verkenning.programme.coordinators.add(boss)
    client.force_login(boss)
    page = client.get(reverse("werkplaats:detail", args=[werkplaats.pk])).content.decode()
    url = reverse("verkenning:detail", args=[verkenning.pk])
    assert f'<p>Voortgekomen uit verkenning <a href="{url}">Verkenning Wijk Zuid</a></p>' in page


def test_a_coordinator_of_another_programme_managing_the_werkplaats_is_not(client, converted):
    _verkenning, werkplaats = converted
    other = coordinator()
    werkplaats.facilitators.add(other)
    client.force_login(other)
    page = client.get(reverse("werkplaats:detail", args=[werkplaats.pk])).content.decode()
    assert "Voortgekomen uit verkenning" not in page


def test_a_werkplaats_started_on_its_own_names_no_verkenning(client):
    facilitator = trainer()
    werkplaats = WerkplaatsFactory(facilitators=[facilitator])
    client.force_login(facilitator)
    response = client.get(reverse("werkplaats:detail", args=[werkplaats.pk]))
    assert response.status_code == 200
    assert response.context["related_links"] == []
    assert "Voortgekomen uit verkenning" not in response.content.decode()


def test_the_werkplaats_page_joins_what_the_link_reads():
    assert "verkenning_design__verkenning" in links.select_related_for("werkplaats.Werkplaats")


def test_a_draft_training_names_its_verkenning_to_the_coordinator_on_its_edit_page(client):
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner], title="Verkenning Wijk Noord")
    design = TrainingDesignFactory(verkenning=verkenning)
    training = services.training_design_convert_to_training(design=design, actor=verkenner)
    boss = coordinator()
    verkenning.programme.coordinators.add(boss)
    client.force_login(boss)
    page = client.get(reverse("trainings:training_edit", args=[training.pk])).content.decode()
    url = reverse("verkenning:detail", args=[verkenning.pk])
    assert f'<p>Voortgekomen uit verkenning <a href="{url}">Verkenning Wijk Noord</a></p>' in page
