from datetime import timedelta
from importlib import import_module

import factory
from django.apps import apps
from django.utils import timezone

from tests.portal.factories import OrganisationFactory, UserFactory
from tests.trainings.factories import ProgrammeFactory
from verkenning.models import (
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


class VerkenningFactory(factory.django.DjangoModelFactory):
    """A verkenning with one verkenner unless ``verkenners=[...]`` is given."""

    class Meta:
        model = Verkenning
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Verkenning sociaal domein {n}")
    purpose = "Waar zit de energie om met ondermijning aan de slag te gaan?"

    @factory.post_generation
    def verkenners(self, create, extracted, **kwargs):
        if create:
            self.verkenners.set(extracted if extracted is not None else [UserFactory()])


class InventoryDepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryDepartment

    verkenning = factory.SubFactory(VerkenningFactory)
    name = factory.Sequence(lambda n: f"Afdeling {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    verkenning = factory.SubFactory(VerkenningFactory)
    name = factory.Faker("name", locale="nl_NL")
    department = "Werk en inkomen"
    role = "Consulent"
    status = ContactStatus.TO_APPROACH


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    verkenning = factory.SubFactory(VerkenningFactory)
    contact = factory.SubFactory(ContactFactory, verkenning=factory.SelfAttribute("..verkenning"))
    verkenner = factory.SubFactory(UserFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    duration_minutes = 60


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation
        skip_postgeneration_save = True

    interview = factory.SubFactory(InterviewFactory)
    kind = ObservationKind.ENERGY
    text = factory.Sequence(lambda n: f"Observatie {n}")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


def theme(name: str) -> Theme:
    """A seeded theme (from the data migration), or a new one."""
    return Theme.objects.get_or_create(name=name)[0]


class TrainingDesignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingDesign

    verkenning = factory.SubFactory(VerkenningFactory)
    title = "Ondermijning in het sociaal domein"
    description = "Casuïstiek bespreken met wijkteams en de afdeling Veiligheid."
    provider = factory.SelfAttribute("verkenning.organisation")
    capacity = 14
    location = "Stadskantoor, zaal 3"
    first_session_starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    )
    first_session_ends_at = factory.LazyAttribute(
        lambda o: o.first_session_starts_at + timedelta(hours=3)
    )


def ensure_question_bank() -> None:
    """Put back the question bank and themes the data migration seeds.

    Transactional tests (browser, worker, concurrency) empty every table when they end, data
    migrations included; tests that run after them need the seed again.
    """
    import_module("verkenning.migrations.0002_seed_questions_and_themes").seed(apps, None)
    import_module("verkenning.migrations.0005_english_names").name_in_english(apps, None)
