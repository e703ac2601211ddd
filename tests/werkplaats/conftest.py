from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Discipline, User
from tests.portal.factories import OrganisationFactory, UserFactory, coordinator, trainer
from tests.trainings.factories import ProgrammeFactory
from tests.werkplaats.factories import (
    GroupFactory,
    ParticipationFactory,
    SessionFactory,
    WerkplaatsFactory,
)
from werkplaats import services
from werkplaats.models import CaseSketch, Session, Werkplaats


@dataclass
class World:
    werkplaats: Werkplaats
    facilitator: User
    coordinator: User
    other_trainer: User
    participant: User
    other_participant: User
    outsider: User
    first: Session
    second: Session
    sketch: CaseSketch


@pytest.fixture
def world(db) -> World:
    """One werkplaats in full swing: first session over, the second in two weeks, two groups."""
    facilitator = trainer(full_name="Fenna Begeleider")
    boss = coordinator(full_name="Coby Coördinator")
    programme = ProgrammeFactory()
    programme.coordinators.add(boss)
    werkplaats = WerkplaatsFactory(facilitators=[facilitator], programme=programme)
    now = timezone.now()
    first = SessionFactory(werkplaats=werkplaats, starts_at=now - timedelta(days=14))
    second = SessionFactory(werkplaats=werkplaats, starts_at=now + timedelta(days=14))
    one, two = (
        GroupFactory(werkplaats=werkplaats, number=1),
        GroupFactory(werkplaats=werkplaats, number=2),
    )
    participant = UserFactory(full_name="Piet Deelnemer")
    other = UserFactory(full_name="Olga Anderegroep", discipline=Discipline.HANDHAVING)
    mine = ParticipationFactory(werkplaats=werkplaats, user=participant, group=one)
    ParticipationFactory(werkplaats=werkplaats, user=other, group=two)
    sketch = CaseSketch.objects.create(
        session=first, group=one, author=mine, title="Wisselende bewoners", situation="Een pand."
    )
    return World(
        werkplaats=werkplaats,
        facilitator=facilitator,
        coordinator=boss,
        other_trainer=trainer(full_name="Teun Anderetrainer"),
        participant=participant,
        other_participant=other,
        outsider=UserFactory(organisation=OrganisationFactory(name="Politie Test")),
        first=first,
        second=second,
        sketch=sketch,
    )


def ask_rugdekking(world: World, *, point: str = "Tijd voor casusoverleg.", **overrides):
    """The world's participant asks manager Mira for rugdekking."""
    arguments = {
        "user": world.participant,
        "werkplaats": world.werkplaats,
        "manager_name": "Mira Manager",
        "manager_email": "mira@gemeente.example",
        "point": point,
        **overrides,
    }
    return services.rugdekking_request_create(**arguments)
