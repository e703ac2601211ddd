"""Every trainings service a page calls checks the acting user itself, and a refusal writes nothing.

Each service is called twice from the same starting point: by someone not entitled (refused
with PermissionDenied, every table as it was) and by someone entitled (it goes through), so
the refusal is the permission check and not some other rule.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.models import PlannedReminder, Programme, User
from tests.portal.factories import UserFactory, coordinator, trainer
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    coordinator_of,
)
from trainings import services
from trainings.models import (
    Attendance,
    AttendanceStatus,
    DevelopmentPlan,
    Enrolment,
    Material,
    Reflection,
    Run,
    RunStatus,
    Session,
    Training,
)

pytestmark = pytest.mark.django_db

WRITTEN = (
    Training,
    Training.audience_organisations.through,
    Run,
    Run.trainers.through,
    Session,
    Enrolment,
    Attendance,
    DevelopmentPlan,
    Reflection,
    Material,
    PlannedReminder,
)


def snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WRITTEN}


@dataclass
class World:
    programme: Programme
    training: Training
    draft: Run  # a draft with one session to come: ready to publish
    run: Run  # published, one session to come
    past_run: Run  # published, its one session over: ready to complete and to mark
    enrolment: Enrolment  # the participant's place in the past run
    upcoming_enrolment: Enrolment  # the participant's place in the published run
    coordinator: User
    teacher: User
    participant: User
    other_coordinator: User
    other_trainer: User
    other_participant: User

    @property
    def past_session(self) -> Session:
        return self.past_run.sessions.get()


@pytest.fixture
def world() -> World:
    programme = ProgrammeFactory(name="Permissies")
    training = TrainingFactory(programme=programme)
    past = timezone.now() - timedelta(days=3)
    run = RunFactory(training=training)
    past_run = RunFactory(training=training, starts_at=past)
    teacher = trainer()
    run.trainers.add(teacher)
    past_run.trainers.add(teacher)
    participant = UserFactory()
    other_coordinator = coordinator(with_totp=False)
    ProgrammeFactory(name="Ander programma").coordinators.add(other_coordinator)
    return World(
        programme=programme,
        training=training,
        draft=RunFactory(training=training, status=RunStatus.DRAFT),
        run=run,
        past_run=past_run,
        enrolment=EnrolmentFactory(run=past_run, participant=participant),
        upcoming_enrolment=EnrolmentFactory(run=run, participant=participant),
        coordinator=coordinator_of(programme),
        teacher=teacher,
        participant=participant,
        other_coordinator=other_coordinator,
        other_trainer=trainer(),
        other_participant=UserFactory(),
    )


def _soon(days: int = 30):
    return timezone.now() + timedelta(days=days)


# (service, how to call it, who may, who may not)
MANAGERS_ONLY = ("other_coordinator", "teacher", "participant")
CALLS = [
    (
        "training_create",
        lambda w, actor: services.training_create(
            actor=actor,
            programme=w.programme,
            title="Nieuw",
            description="Nieuwe training.",
            provider=w.training.provider,
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "training_update",
        lambda w, actor: services.training_update(
            actor=actor,
            training=w.training,
            title="Andere titel",
            description=w.training.description,
            provider=w.training.provider,
            format=w.training.format,
            content_goals="",
            personal_goals="",
            default_capacity=12,
            audience_organisations=[w.participant.organisation],
            audience_disciplines=[],
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "run_create",
        lambda w, actor: services.run_create(
            actor=actor,
            training=w.training,
            capacity=8,
            enrolment_opens_at=timezone.now(),
            enrolment_closes_at=_soon(20),
            location="Zaal 2",
            trainers=[w.teacher],
            sessions=[(_soon(), _soon() + timedelta(hours=2))],
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "run_update",
        lambda w, actor: services.run_update(
            actor=actor,
            run=w.run,
            capacity=30,
            enrolment_opens_at=w.run.enrolment_opens_at,
            enrolment_closes_at=w.run.enrolment_closes_at,
            location="Elders",
            trainers=[],
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "run_publish",
        lambda w, actor: services.run_publish(actor=actor, run=w.draft),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "run_cancel",
        lambda w, actor: services.run_cancel(actor=actor, run=w.run, reason="Trainer ziek"),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "run_complete",
        lambda w, actor: services.run_complete(actor=actor, run=w.past_run),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "session_create",
        lambda w, actor: services.session_create(
            actor=actor, run=w.run, starts_at=_soon(), ends_at=_soon() + timedelta(hours=2)
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "session_update",
        lambda w, actor: services.session_update(
            actor=actor,
            session=w.run.sessions.get(),
            starts_at=_soon(),
            ends_at=_soon() + timedelta(hours=2),
            title="Verplaatst",
            location="",
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "session_cancel",
        lambda w, actor: services.session_cancel(actor=actor, session=w.run.sessions.get()),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "material_create",
        lambda w, actor: services.material_create(
            actor=actor, training=w.training, title="Leeswijzer", url="https://example.org/lees"
        ),
        "coordinator",
        MANAGERS_ONLY,
    ),
    (
        "attendance_register_save",
        lambda w, actor: services.attendance_register_save(
            actor=actor,
            session=w.past_session,
            marks=[(w.enrolment, AttendanceStatus.PRESENT)],
        ),
        "teacher",
        ("other_coordinator", "other_trainer", "participant"),
    ),
    (
        "development_plan_save",
        lambda w, actor: services.development_plan_save(
            enrolment=w.enrolment,
            author=actor,
            content_goals="Signalen herkennen.",
            personal_goals="",
            learned="",
            embedding="",
            needs="",
        ),
        "participant",
        ("teacher", "coordinator", "other_participant"),
    ),
    (
        "reflection_save",
        lambda w, actor: services.reflection_save(
            enrolment=w.enrolment,
            session=w.past_session,
            author=actor,
            struck_me="Hoe snel het ging.",
            will_apply="",
        ),
        "participant",
        ("teacher", "coordinator", "other_participant"),
    ),
    (
        "enrolment_cancel",
        lambda w, actor: services.enrolment_cancel(enrolment=w.upcoming_enrolment, actor=actor),
        "participant",
        ("coordinator", "other_participant"),
    ),
]

REFUSALS = [
    pytest.param(call, who, id=f"{name}-{who}")
    for name, call, _entitled, refused in CALLS
    for who in refused
]


@pytest.mark.parametrize(("call", "who"), REFUSALS)
def test_each_service_refuses_an_unentitled_actor_and_writes_nothing(world, call, who):
    before = snapshot()

    with pytest.raises(PermissionDenied):
        call(world, getattr(world, who))

    assert snapshot() == before


@pytest.mark.parametrize(
    ("call", "who"),
    [pytest.param(call, entitled, id=name) for name, call, entitled, _refused in CALLS],
)
def test_each_service_lets_the_entitled_actor_through(world, call, who):
    before = snapshot()

    call(world, getattr(world, who))

    assert snapshot() != before


def test_a_coordinator_without_the_coordinator_role_is_refused(world):
    """Being named on the programme is not enough once the role is gone."""
    named = UserFactory()
    world.programme.coordinators.add(named)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        services.run_publish(actor=named, run=world.draft)

    assert snapshot() == before
