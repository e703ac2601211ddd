import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.portal.factories import UserFactory, contact_person, coordinator, trainer
from tests.trainings.factories import ProgrammeFactory
from verkenning import services
from verkenning.models import Verkenning

from .factories import VerkenningFactory

pytestmark = pytest.mark.django_db


def _update(verkenning, **overrides):
    values = {
        "actor": verkenning.verkenners.first(),
        "verkenning": verkenning,
        "title": verkenning.title,
        "purpose": verkenning.purpose,
        "status": verkenning.status,
        "organisation": verkenning.organisation,
        "verkenners": list(verkenning.verkenners.all()),
        "departments": [],
        **{
            name: getattr(verkenning, name)
            for name in [
                "professionals",
                "managers",
                "policy_staff",
                "acquaintance",
                "shared_goal",
                "existing_knowledge",
            ]
        },
    }
    values.update(overrides)
    return services.verkenning_update(**values)


@pytest.mark.parametrize("make_user", [coordinator, trainer])
def test_coordinators_and_trainers_start_a_verkenning_and_become_its_verkenner(make_user):
    user = make_user()
    verkenning = services.verkenning_create(
        created_by=user,
        programme=ProgrammeFactory(),
        organisation=user.organisation,
        title="Sociaal domein Gemeente X",
    )
    assert list(verkenning.verkenners.all()) == [user]


@pytest.mark.parametrize("make_user", [UserFactory, contact_person])
def test_participants_and_contact_persons_cannot_start_one(make_user):
    user = make_user()
    with pytest.raises(PermissionDenied):
        services.verkenning_create(
            created_by=user,
            programme=ProgrammeFactory(),
            organisation=user.organisation,
            title="Sociaal domein",
        )
    assert not Verkenning.objects.exists()


def test_the_inventory_keeps_one_department_per_name_whatever_the_spelling():
    verkenning = VerkenningFactory()
    _update(
        verkenning,
        departments=["Veiligheid", " wijkteam  Noord", "veiligheid", "", "Werk en inkomen"],
        acquaintance="hardly_know",
        shared_goal="to_formulate",
        existing_knowledge="Weinig: ondermijning komt in de opleiding nauwelijks aan bod.",
    )
    assert list(verkenning.departments.values_list("name", flat=True)) == [
        "Veiligheid",
        "Werk en inkomen",
        "wijkteam Noord",
    ]
    _update(verkenning, departments=["Veiligheid", "Schuldhulp"])
    assert list(verkenning.departments.values_list("name", flat=True)) == [
        "Schuldhulp",
        "Veiligheid",
    ]
    verkenning.refresh_from_db()
    assert verkenning.acquaintance == "hardly_know"


def test_a_verkenning_without_verkenners_is_refused():
    verkenning = VerkenningFactory(title="Oud")
    with pytest.raises(ValidationError):
        _update(verkenning, title="Nieuw", verkenners=[])
    verkenning.refresh_from_db()
    assert verkenning.title == "Oud"
    assert verkenning.verkenners.count() == 1


def test_finishing_a_verkenning_dates_it_once_and_reopening_clears_the_date():
    verkenning = VerkenningFactory()

    _update(verkenning, status="done")
    verkenning.refresh_from_db()
    finished_at = verkenning.finished_at
    assert finished_at is not None

    _update(verkenning, title="Nieuwe titel", status="done")
    verkenning.refresh_from_db()
    assert verkenning.finished_at == finished_at

    _update(verkenning, status="design")
    verkenning.refresh_from_db()
    assert verkenning.finished_at is None
