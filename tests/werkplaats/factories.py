from datetime import timedelta

import factory
from django.utils import timezone

from portal.models import Organisation
from tests.portal.factories import OrganisationFactory, UserFactory, trainer
from werkplaats.models import (
    Group,
    OrganisationalAction,
    Participation,
    PracticeLog,
    Session,
    Werkplaats,
)


class WerkplaatsFactory(factory.django.DjangoModelFactory):
    """A werkplaats facilitated by a fresh trainer (pass ``facilitators=[...]`` to choose)."""

    class Meta:
        model = Werkplaats
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Domeinoverstijgend samenwerken {n}")
    organisation = factory.SubFactory(
        OrganisationFactory, kind=Organisation.Kind.GEMEENTE, name="Gemeente Werkplaatsstad"
    )
    description = "Oefenruimte voor sociaal domein en veiligheid."

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create:
            self.facilitators.set(extracted if extracted is not None else [trainer()])


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    werkplaats = factory.SubFactory(WerkplaatsFactory)
    number = factory.Sequence(lambda n: n + 1)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    werkplaats = factory.SubFactory(WerkplaatsFactory)
    user = factory.SubFactory(UserFactory)


class SessionFactory(factory.django.DjangoModelFactory):
    """A half-day session in two weeks (pass ``starts_at`` to move it)."""

    class Meta:
        model = Session

    werkplaats = factory.SubFactory(WerkplaatsFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))
    location = "Stadskantoor, zaal 2"
    aim_bewustwording = "Welke visies op ondermijning zijn er in de groep?"


class PracticeLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeLog

    participation = factory.SubFactory(ParticipationFactory)
    after_session = factory.SubFactory(SessionFactory)
    tried = "Bij een melding de wijkagent meteen gebeld."
    happened = "Binnen een dag samen op huisbezoek."
    bring_next = "Een pand met steeds wisselende bewoners."


class OrganisationalActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationalAction

    werkplaats = factory.SubFactory(WerkplaatsFactory)
    title = "Meldpunt Ondermijning inrichten"
    owner = "Teamleider veiligheid"
    due_date = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=60)).date())
