"""The exported synthesis shows themes and counts; no names, no unmarked observations."""

import csv
import io

import pytest
from django.urls import reverse

from tests.portal.factories import trainer

from .factories import (
    ContactFactory,
    InterviewFactory,
    InventoryDepartmentFactory,
    ObservationFactory,
    VerkenningFactory,
    theme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(client):
    verkenner = trainer(full_name="Joost Bakker")
    verkenning = VerkenningFactory(verkenners=[verkenner], title="Sociaal domein X")
    InventoryDepartmentFactory(verkenning=verkenning, name="Schuldhulpverlening")
    contact = ContactFactory(verkenning=verkenning, name="Fatima el Amrani", status="spoken")
    ContactFactory(verkenning=verkenning, name="Wim Wijkcoach", referred_by=contact)
    interview = InterviewFactory(
        verkenning=verkenning,
        contact=contact,
        verkenner=verkenner,
        duration_minutes=90,
        notes="Fatima vertelde over haar team.",
    )
    ObservationFactory(
        interview=interview,
        kind="hindernis",
        themes=[theme("AVG")],
        text="Geheim: Fatima durft niets te delen met haar leidinggevende.",
    )
    ObservationFactory(
        interview=interview,
        kind="energie",
        themes=[theme("casuïstiekbespreking")],
        text="We willen casussen samen bespreken.",
        include_as_quote=True,
    )
    client.force_login(verkenner)
    response = client.get(reverse("verkenning:synthesis_export", args=[verkenning.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8-sig")


def test_the_export_holds_themes_counts_and_time_spent(export):
    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    assert ["Observaties", "Hindernis", "AVG", "1", ""] in rows
    assert ["Observaties", "Energie", "casuïstiekbespreking", "1", ""] in rows
    assert ["Gesprekken", "", "", "1", ""] in rows
    assert ["Tijdsbesteding (uur:min)", "", "", "", "1:30"] in rows
    assert ["Afdeling nog niet gesproken", "", "", "", "Schuldhulpverlening"] in rows


def test_the_export_names_nobody_and_quotes_only_what_was_marked(export):
    assert "We willen casussen samen bespreken." in export
    for secret in ["Fatima", "Wim Wijkcoach", "Joost Bakker", "durft niets te delen", "haar team"]:
        assert secret not in export
