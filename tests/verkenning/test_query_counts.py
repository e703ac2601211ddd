"""The pages that summarise a whole verkenning cost a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import trainer
from verkenning.models import Contact, Interview, InventoryDepartment, Observation, Theme

from .factories import VerkenningFactory

pytestmark = pytest.mark.django_db

CONTACTS = 300
INTERVIEWS = 200
DEPARTMENTS = ["Veiligheid", "Wijkteam Noord", "Wijkteam Zuid", "Werk en inkomen", "Jeugd"]


@pytest.fixture
def busy(client):
    """300 contacts in a snowball six levels deep, 200 interviews, 400 observations."""
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    InventoryDepartment.objects.bulk_create(
        InventoryDepartment(verkenning=verkenning, name=name)
        for name in DEPARTMENTS + ["Burgerzaken"]
    )
    contacts = []
    for index in range(CONTACTS):
        # The first ten are roots; each later contact was named by one three times earlier in line.
        contact = Contact.objects.create(
            verkenning=verkenning,
            name=f"Persoon {index:03d}",
            department=DEPARTMENTS[index % len(DEPARTMENTS)],
            referred_by=contacts[index // 3] if index >= 10 else None,
            status="spoken" if index < INTERVIEWS else "to_approach",
        )
        contacts.append(contact)
    today = timezone.localdate()
    interviews = Interview.objects.bulk_create(
        Interview(
            verkenning=verkenning,
            contact=contacts[index],
            verkenner=verkenner,
            held_on=today - timedelta(days=index % 60),
            duration_minutes=45,
        )
        for index in range(INTERVIEWS)
    )
    observations = Observation.objects.bulk_create(
        Observation(
            interview=interview,
            kind=["energie", "hindernis", "weerstand"][(i + j) % 3],
            text=f"Observatie {i}-{j}",
            include_as_quote=(i % 10 == 0),
        )
        for i, interview in enumerate(interviews)
        for j in range(2)
    )
    themes = list(Theme.objects.all())
    Observation.themes.through.objects.bulk_create(
        Observation.themes.through(observation=o, theme=themes[i % len(themes)])
        for i, o in enumerate(observations)
    )
    client.force_login(verkenner)
    return verkenning


@pytest.mark.parametrize(
    "name,limit",
    [
        ("verkenning:network", 7),
        ("verkenning:contacts", 8),
        ("verkenning:synthesis", 12),
        ("verkenning:synthesis_export", 12),
        ("verkenning:detail", 11),
        ("verkenning:design", 15),
    ],
)
def test_pages_stay_within_a_fixed_number_of_queries(
    client, busy, django_assert_max_num_queries, name, limit
):
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(name, args=[busy.pk]))
    assert response.status_code == 200


def test_the_busy_synthesis_adds_up(client, busy):
    response = client.get(reverse("verkenning:synthesis", args=[busy.pk]))
    synthesis = response.context["synthesis"]
    assert synthesis.interview_count == INTERVIEWS
    assert synthesis.contact_count == CONTACTS
    assert synthesis.minutes_spent == INTERVIEWS * 45
    assert synthesis.observation_count == 2 * INTERVIEWS
    assert sum(kind.count for kind in synthesis.kinds) == 2 * INTERVIEWS
    assert synthesis.departments_not_reached == ["Burgerzaken"]


def test_the_busy_network_picture_holds_everyone(client, busy):
    response = client.get(reverse("verkenning:network", args=[busy.pk]))
    snowball = response.context["snowball"]
    assert sum(count for _, count in snowball.depth_counts) == CONTACTS
    assert len(snowball.edges) == CONTACTS - 10
    assert snowball.depth_counts[0] == (0, 10)
    assert response.content.decode().count('class="contact"') == CONTACTS
