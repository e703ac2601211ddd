"""Every werkplaats service a page calls checks the acting user itself.

A refused actor gets ``PermissionDenied`` and nothing in the werkplaats (nor a reminder)
changes; the same call by someone entitled goes through, so the refusal is the actor's.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from portal.models import PlannedReminder
from tests.portal.factories import UserFactory
from werkplaats import services
from werkplaats.models import (
    ActionStatus,
    CaseSketch,
    Group,
    OrganisationalAction,
    PairingRule,
    Participation,
    PracticeLog,
    RugdekkingRequest,
    Session,
    SessionLength,
    Werkplaats,
)

from .conftest import World

pytestmark = pytest.mark.django_db

WATCHED = [
    Werkplaats,
    Werkplaats.facilitators.through,
    Group,
    Participation,
    PairingRule,
    Session,
    PracticeLog,
    CaseSketch,
    RugdekkingRequest,
    OrganisationalAction,
    PlannedReminder,
]


def _snapshot() -> dict[str, list[dict]]:
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WATCHED}


def _mine(world: World) -> Participation:
    return Participation.objects.get(werkplaats=world.werkplaats, user=world.participant)


def _theirs(world: World) -> Participation:
    return Participation.objects.get(werkplaats=world.werkplaats, user=world.other_participant)


# Each case prepares what it needs and returns the call, taking the actor.
Case = Callable[[World], Callable]


def _werkplaats_update(world):
    werkplaats = world.werkplaats
    werkplaats.created_by = world.facilitator  # full_clean needs it; the factory leaves it out
    werkplaats.save(update_fields=["created_by"])
    return lambda actor: services.werkplaats_update(
        actor=actor,
        werkplaats=werkplaats,
        title="Andere titel",
        organisation=werkplaats.organisation,
        description=werkplaats.description,
        programme=werkplaats.programme,
        facilitators=[world.facilitator],
    )


def _participants_add(world):
    newcomer = UserFactory()
    return lambda actor: services.participants_add(
        actor=actor, werkplaats=world.werkplaats, users=[newcomer]
    )


def _participant_remove(world):
    return lambda actor: services.participant_remove(actor=actor, participation=_theirs(world))


def _pairing_rule_add(world):
    return lambda actor: services.pairing_rule_add(
        actor=actor,
        werkplaats=world.werkplaats,
        kind=PairingRule.Kind.APART,
        first=_mine(world),
        second=_theirs(world),
    )


def _pairing_rule_remove(world):
    first, second = sorted((_mine(world), _theirs(world)), key=lambda p: p.pk)
    rule = PairingRule.objects.create(
        werkplaats=world.werkplaats, kind=PairingRule.Kind.APART, first=first, second=second
    )
    return lambda actor: services.pairing_rule_remove(actor=actor, rule=rule)


def _groups_make(world):
    return lambda actor: services.groups_make(actor=actor, werkplaats=world.werkplaats)


def _participant_move(world):
    group = Group.objects.get(werkplaats=world.werkplaats, number=2)
    return lambda actor: services.participant_move(
        actor=actor, participation=_mine(world), group=group
    )


def _session_create(world):
    starts = timezone.now() + timedelta(days=42)
    return lambda actor: services.session_create(
        actor=actor,
        werkplaats=world.werkplaats,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        location="Politiebureau, zaal 1",
        length=SessionLength.DAGDEEL,
    )


def _session_update(world):
    session = world.second
    return lambda actor: services.session_update(
        actor=actor,
        session=session,
        starts_at=session.starts_at + timedelta(days=1),
        ends_at=session.ends_at + timedelta(days=1),
        location=session.location,
        length=session.length,
        aim_bewustwording=session.aim_bewustwording,
        aim_inzicht=session.aim_inzicht,
        aim_helicopterview=session.aim_helicopterview,
        aim_vaardigheid=session.aim_vaardigheid,
    )


def _organisational_action_save(world):
    return lambda actor: services.organisational_action_save(
        actor=actor,
        werkplaats=world.werkplaats,
        title="Meldpunt inrichten",
        owner="Teamleider",
        due_date=timezone.localdate() + timedelta(days=30),
        status=ActionStatus.OPEN,
    )


MANAGER_SERVICES: dict[str, Case] = {
    "werkplaats_update": _werkplaats_update,
    "participants_add": _participants_add,
    "participant_remove": _participant_remove,
    "pairing_rule_add": _pairing_rule_add,
    "pairing_rule_remove": _pairing_rule_remove,
    "groups_make": _groups_make,
    "participant_move": _participant_move,
    "session_create": _session_create,
    "session_update": _session_update,
    "organisational_action_save": _organisational_action_save,
}


@pytest.mark.parametrize("who", ["other_trainer", "participant", "outsider"])
@pytest.mark.parametrize("service", MANAGER_SERVICES)
def test_only_who_runs_the_werkplaats_may_change_it(world, service, who):
    call = MANAGER_SERVICES[service](world)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        call(getattr(world, who))
    assert _snapshot() == before

    call(world.facilitator)
    assert _snapshot() != before


def _practice_log_save(world):
    return lambda actor: services.practice_log_save(
        user=actor, after_session=world.first, tried="Gebeld", happened="Samen", bring_next=""
    )


def _case_sketch_create(world):
    return lambda actor: services.case_sketch_create(
        user=actor, session=world.second, title="Nagelstudio", situation="Veel contant geld."
    )


def _rugdekking_request_create(world):
    return lambda actor: services.rugdekking_request_create(
        user=actor,
        werkplaats=world.werkplaats,
        manager_name="Mira Manager",
        manager_email="mira@gemeente.example",
        point="Tijd voor casusoverleg.",
    )


PARTICIPANT_SERVICES: dict[str, Case] = {
    "practice_log_save": _practice_log_save,
    "case_sketch_create": _case_sketch_create,
    "rugdekking_request_create": _rugdekking_request_create,
}


@pytest.mark.parametrize("who", ["facilitator", "other_trainer", "outsider"])
@pytest.mark.parametrize("service", PARTICIPANT_SERVICES)
def test_only_a_participant_writes_as_a_participant(world, service, who):
    call = PARTICIPANT_SERVICES[service](world)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        call(getattr(world, who))
    assert _snapshot() == before

    call(world.participant)
    assert _snapshot() != before


@pytest.mark.parametrize("who", ["other_participant", "other_trainer", "outsider"])
def test_only_the_group_and_the_managers_record_what_a_case_sketch_led_to(world, who):
    def call(actor):
        services.case_sketch_update(
            actor=actor, sketch=world.sketch, discussion="Besproken", follow_up="Bellen"
        )

    before = _snapshot()
    with pytest.raises(PermissionDenied):
        call(getattr(world, who))
    assert _snapshot() == before

    call(world.participant)
    assert _snapshot() != before


@pytest.mark.parametrize("who", ["participant", "outsider"])
def test_only_trainers_and_coordinators_start_a_werkplaats(world, who):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.werkplaats_create(
            created_by=getattr(world, who),
            title="Nieuwe werkplaats",
            organisation=world.werkplaats.organisation,
        )
    assert _snapshot() == before
