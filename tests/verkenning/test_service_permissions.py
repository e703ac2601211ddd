"""Every verkenning service a page calls checks the acting user itself.

A refused actor gets ``PermissionDenied`` and the database is left exactly as it was; the
same call by one of the verkenning's verkenners goes through, so the refusal is the actor's.
"""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.portal.factories import UserFactory, coordinator, trainer
from trainings.models import Training
from verkenning import services
from verkenning.models import (
    Answer,
    Contact,
    ContactStatus,
    Interview,
    InventoryDepartment,
    Observation,
    ObservationKind,
    Theme,
    TrainingDesign,
    Verkenning,
)
from werkplaats.models import Werkplaats

from .factories import ContactFactory, TrainingDesignFactory, VerkenningFactory, theme

pytestmark = pytest.mark.django_db

WATCHED = [
    Verkenning,
    Verkenning.verkenners.through,
    InventoryDepartment,
    Contact,
    Interview,
    Answer,
    Observation,
    Observation.themes.through,
    TrainingDesign,
    TrainingDesign.themes.through,
    TrainingDesign.trainers.through,
    Theme,
    Training,
    Werkplaats,
]


def _snapshot() -> dict[str, list[dict]]:
    """Every row a verkenning service could write, field by field."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED}


def _update_verkenning(actor, verkenning):
    services.verkenning_update(
        actor=actor,
        verkenning=verkenning,
        title="Andere titel",
        purpose=verkenning.purpose,
        status=verkenning.status,
        organisation=verkenning.organisation,
        verkenners=[actor],
        departments=["Veiligheid", "Wijkteam Noord"],
        professionals="Wijkcoaches",
        managers="Teamleiders",
        policy_staff="",
        acquaintance="hardly_know",
        shared_goal="to_formulate",
        existing_knowledge="Weinig.",
    )


def _create_contact(actor, verkenning):
    services.contact_create(
        actor=actor,
        verkenning=verkenning,
        name="Wim de Boer",
        department="Wijkteam Noord",
        referred_by=verkenning.contacts.first(),
    )


def _update_contact(actor, verkenning):
    contact = verkenning.contacts.first()
    services.contact_update(
        actor=actor,
        contact=contact,
        name="Andere naam",
        organisation_name=contact.organisation_name,
        department=contact.department,
        role=contact.role,
        referred_by=None,
        status=ContactStatus.PLANNED,
    )


def _record_interview(actor, verkenning):
    services.interview_record(
        verkenning=verkenning,
        verkenner=actor,
        data=services.InterviewInput(
            contact=verkenning.contacts.first(),
            held_on=timezone.localdate(),
            duration_minutes=60,
            notes="Open gesprek.",
            observations=[
                services.ObservationInput(
                    kind=ObservationKind.ENERGY, text="Wil graag", themes=[theme("werkdruk")]
                )
            ],
            new_contacts=[services.NewContactInput(name="Els", department="Schuldhulp")],
        ),
    )


def _save_design(actor, verkenning):
    services.training_design_save(
        actor=actor,
        verkenning=verkenning,
        title="Signalen herkennen",
        description="Casussen bespreken.",
        format="workshop",
        provider=verkenning.organisation,
        themes=[theme("werkdruk")],
        trainers=[actor],
    )


def _convert_to_training(actor, verkenning):
    services.training_design_convert_to_training(design=verkenning.design, actor=actor)


def _convert_to_werkplaats(actor, verkenning):
    services.training_design_convert_to_werkplaats(design=verkenning.design, actor=actor)


VERKENNING_SERVICES: dict[str, Callable] = {
    "verkenning_update": _update_verkenning,
    "contact_create": _create_contact,
    "contact_update": _update_contact,
    "interview_record": _record_interview,
    "training_design_save": _save_design,
    "training_design_convert_to_training": _convert_to_training,
    "training_design_convert_to_werkplaats": _convert_to_werkplaats,
}


def _outsider():
    return UserFactory()


def _trainer_elsewhere():
    """A trainer who is verkenner of another verkenning, not of this one."""
    user = trainer()
    VerkenningFactory(verkenners=[user])
    return user


def _coordinator_of_another_programme():
    user = coordinator()
    VerkenningFactory().programme.coordinators.add(user)
    return user


def _former_verkenner(verkenning):
    user = verkenning.verkenners.get()
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


UNENTITLED = {
    "outsider": lambda verkenning: _outsider(),
    "trainer elsewhere": lambda verkenning: _trainer_elsewhere(),
    "coordinator of another programme": lambda verkenning: _coordinator_of_another_programme(),
    "deactivated verkenner": _former_verkenner,
}


@pytest.fixture
def verkenning():
    """A verkenning with one contact and a design whose first session is ahead."""
    verkenning = VerkenningFactory(verkenners=[trainer()])
    ContactFactory(verkenning=verkenning, name="Anna Jansen")
    TrainingDesignFactory(verkenning=verkenning)
    return Verkenning.objects.get(pk=verkenning.pk)


@pytest.mark.parametrize("who", UNENTITLED)
@pytest.mark.parametrize("service", VERKENNING_SERVICES)
def test_a_verkenning_service_refuses_an_actor_who_may_not_work_on_it_and_writes_nothing(
    verkenning, service, who
):
    actor = UNENTITLED[who](verkenning)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        VERKENNING_SERVICES[service](actor, verkenning)
    assert _snapshot() == before


@pytest.mark.parametrize("service", VERKENNING_SERVICES)
def test_the_same_call_goes_through_for_its_verkenner(verkenning, service):
    before = _snapshot()
    VERKENNING_SERVICES[service](verkenning.verkenners.get(), verkenning)
    assert _snapshot() != before


def test_a_coordinator_of_its_programme_may_work_on_it_without_being_verkenner(verkenning):
    boss = coordinator()
    verkenning.programme.coordinators.add(boss)
    _create_contact(boss, verkenning)
    assert verkenning.contacts.filter(name="Wim de Boer").exists()


THEME_SERVICES: dict[str, Callable] = {
    "theme_create": lambda actor: services.theme_create(actor=actor, name="Leren kijken"),
    "theme_set_active": lambda actor: services.theme_set_active(
        actor=actor, theme=theme("werkdruk"), is_active=False
    ),
}


@pytest.mark.parametrize("make_actor", [UserFactory, trainer], ids=["participant", "trainer"])
@pytest.mark.parametrize("service", THEME_SERVICES)
def test_only_a_coordinator_keeps_the_theme_list(service, make_actor):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        THEME_SERVICES[service](make_actor())
    assert _snapshot() == before

    THEME_SERVICES[service](coordinator())
    assert _snapshot() != before


def test_starting_a_verkenning_is_refused_to_a_participant():
    with pytest.raises(PermissionDenied):
        services.verkenning_create(
            created_by=UserFactory(),
            programme=VerkenningFactory().programme,
            organisation=UserFactory().organisation,
            title="Sociaal domein",
        )
    assert Verkenning.objects.filter(title="Sociaal domein").count() == 0
