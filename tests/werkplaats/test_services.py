"""Werkplaats writes: groups, hand moves, practice logs, case sketches, rugdekking, actions."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import Discipline
from portal.tokens import token_digest
from tests.portal.factories import OrganisationFactory, UserFactory, trainer
from tests.werkplaats.conftest import ask_rugdekking
from tests.werkplaats.factories import WerkplaatsFactory
from werkplaats import grouping, scheduling, selectors, services
from werkplaats.models import (
    ActionStatus,
    PairingRule,
    Participation,
    RugdekkingRequest,
    RugdekkingStatus,
)

pytestmark = pytest.mark.django_db

DISCIPLINES = [Discipline.SOCIAAL_DOMEIN, Discipline.VEILIGHEID, Discipline.HANDHAVING]


def filled_werkplaats(n: int, facilitator=None):
    facilitator = facilitator or trainer()
    werkplaats = WerkplaatsFactory(facilitators=[facilitator])
    organisations = [OrganisationFactory(name=f"Partner {i}") for i in range(4)]
    people = [
        UserFactory(discipline=DISCIPLINES[i % 3], organisation=organisations[i % 4])
        for i in range(n)
    ]
    services.participants_add(actor=facilitator, werkplaats=werkplaats, users=people)
    return werkplaats, facilitator


def test_making_groups_puts_everyone_in_a_group_of_the_planned_size_and_mixes_them():
    werkplaats, facilitator = filled_werkplaats(17)

    result = services.groups_make(actor=facilitator, werkplaats=werkplaats)

    sizes = Counter(
        Participation.objects.filter(werkplaats=werkplaats).values_list("group__number", flat=True)
    )
    assert sorted(sizes.values()) == sorted(grouping.group_sizes(17))
    assert None not in sizes
    overview = selectors.groups_overview(werkplaats=werkplaats)
    assert overview.score == result.score
    assert overview.gap == result.score - result.lower_bound
    for view in overview.groups:
        assert view.disciplines == 3


def test_making_groups_again_keeps_group_rows_and_renumbers_from_one():
    werkplaats, facilitator = filled_werkplaats(12)
    services.groups_make(actor=facilitator, werkplaats=werkplaats)
    first_ids = set(werkplaats.groups.values_list("pk", flat=True))

    services.groups_make(actor=facilitator, werkplaats=werkplaats, seed=3)

    assert set(werkplaats.groups.values_list("pk", flat=True)) == first_ids
    assert sorted(werkplaats.groups.values_list("number", flat=True)) == [1, 2]


def test_an_impossible_agreement_is_refused_with_a_dutch_message_naming_the_people():
    werkplaats, facilitator = filled_werkplaats(10)
    a, b, c = Participation.objects.filter(werkplaats=werkplaats)[:3]
    services.pairing_rule_add(
        actor=facilitator, werkplaats=werkplaats, kind=PairingRule.Kind.TOGETHER, first=a, second=b
    )
    services.pairing_rule_add(
        actor=facilitator, werkplaats=werkplaats, kind=PairingRule.Kind.TOGETHER, first=b, second=c
    )
    services.pairing_rule_add(
        actor=facilitator, werkplaats=werkplaats, kind=PairingRule.Kind.APART, first=a, second=c
    )

    with pytest.raises(ValidationError) as error:
        services.groups_make(actor=facilitator, werkplaats=werkplaats)

    message = error.value.messages[0]
    assert "zowel samen als apart" in message
    assert a.user.full_name in message and c.user.full_name in message
    assert not Participation.objects.filter(werkplaats=werkplaats, group__isnull=False).exists()


def test_more_people_apart_than_there_are_groups_is_refused():
    werkplaats, facilitator = filled_werkplaats(10)  # two groups
    a, b, c = Participation.objects.filter(werkplaats=werkplaats)[:3]
    for first, second in [(a, b), (b, c), (a, c)]:
        services.pairing_rule_add(
            actor=facilitator,
            werkplaats=werkplaats,
            kind=PairingRule.Kind.APART,
            first=first,
            second=second,
        )

    with pytest.raises(ValidationError, match="geen groepen te maken"):
        services.groups_make(actor=facilitator, werkplaats=werkplaats)


def test_agreements_are_honoured_by_the_groups():
    werkplaats, facilitator = filled_werkplaats(18)
    a, b, c = Participation.objects.filter(werkplaats=werkplaats)[:3]
    services.pairing_rule_add(
        actor=facilitator, werkplaats=werkplaats, kind=PairingRule.Kind.TOGETHER, first=a, second=b
    )
    services.pairing_rule_add(
        actor=facilitator, werkplaats=werkplaats, kind=PairingRule.Kind.APART, first=b, second=c
    )

    services.groups_make(actor=facilitator, werkplaats=werkplaats)

    a, b, c = (Participation.objects.get(pk=p.pk) for p in (a, b, c))
    assert a.group_id == b.group_id != c.group_id


def test_a_rule_between_the_same_two_people_is_refused_the_second_time():
    werkplaats, facilitator = filled_werkplaats(6)
    a, b = Participation.objects.filter(werkplaats=werkplaats)[:2]
    services.pairing_rule_add(
        actor=facilitator, werkplaats=werkplaats, kind=PairingRule.Kind.APART, first=a, second=b
    )

    with pytest.raises(ValidationError):
        services.pairing_rule_add(
            actor=facilitator,
            werkplaats=werkplaats,
            kind=PairingRule.Kind.TOGETHER,
            first=b,
            second=a,
        )


def test_a_hand_move_changes_the_scores_and_respects_apart_and_the_maximum():
    werkplaats, facilitator = filled_werkplaats(12)
    services.groups_make(actor=facilitator, werkplaats=werkplaats)
    one, two = werkplaats.groups.order_by("number")
    mover = Participation.objects.filter(group=one).first()
    before = selectors.groups_overview(werkplaats=werkplaats)

    services.participant_move(actor=facilitator, participation=mover, group=two)

    after = selectors.groups_overview(werkplaats=werkplaats)
    assert [len(v.members) for v in after.groups] == [5, 7]
    assert after.score >= before.score  # the optimiser's split was already best
    extra = Participation.objects.filter(group=one).first()
    with pytest.raises(ValidationError, match="vol"):
        services.participant_move(actor=facilitator, participation=extra, group=two)

    services.participant_move(actor=facilitator, participation=mover, group=one)
    rival = Participation.objects.filter(group=two).first()
    services.pairing_rule_add(
        actor=facilitator,
        werkplaats=werkplaats,
        kind=PairingRule.Kind.APART,
        first=mover,
        second=rival,
    )
    with pytest.raises(ValidationError, match="apart"):
        services.participant_move(actor=facilitator, participation=mover, group=two)


def test_someone_who_does_not_run_the_werkplaats_cannot_change_it():
    werkplaats, _facilitator = filled_werkplaats(6)

    with pytest.raises(PermissionDenied):
        services.groups_make(actor=trainer(), werkplaats=werkplaats)
    with pytest.raises(PermissionDenied):
        services.participants_add(actor=UserFactory(), werkplaats=werkplaats, users=[UserFactory()])


def test_a_participant_writes_and_rewrites_one_log_per_interval(world):
    services.practice_log_save(
        user=world.participant, after_session=world.first, tried="a", happened="b", bring_next=""
    )
    log = services.practice_log_save(
        user=world.participant, after_session=world.first, tried="c", happened="d", bring_next="e"
    )

    assert world.first.practice_logs.count() == 1
    assert (log.tried, log.happened, log.bring_next) == ("c", "d", "e")


def test_no_log_after_the_last_session_nor_once_the_next_one_has_started(world):
    with pytest.raises(ValidationError, match="laatste sessie"):
        services.practice_log_save(
            user=world.participant,
            after_session=world.second,
            tried="a",
            happened="b",
            bring_next="",
        )
    world.second.starts_at = timezone.now() - timedelta(hours=1)
    world.second.ends_at = timezone.now() + timedelta(hours=3)
    world.second.save()
    with pytest.raises(ValidationError, match="al begonnen"):
        services.practice_log_save(
            user=world.participant,
            after_session=world.first,
            tried="a",
            happened="b",
            bring_next="",
        )


def test_an_outsider_cannot_write_a_log_or_a_case(world):
    with pytest.raises(PermissionDenied):
        services.practice_log_save(
            user=world.outsider, after_session=world.first, tried="a", happened="b", bring_next=""
        )
    with pytest.raises(PermissionDenied):
        services.case_sketch_create(
            user=world.outsider, session=world.first, title="x", situation="y"
        )


def test_a_case_sketch_goes_to_the_authors_group(world):
    sketch = services.case_sketch_create(
        user=world.other_participant, session=world.second, title="Vergunning", situation="..."
    )

    assert sketch.group == world.werkplaats.participations.get(user=world.other_participant).group


def test_a_rugdekking_request_stores_only_a_hash_of_the_link_token(world):
    request = services.rugdekking_request_create(
        user=world.participant,
        werkplaats=world.werkplaats,
        manager_name="Mira Manager",
        manager_email="Mira@Gemeente.example",
        point="Tijd voor casusoverleg.",
    )

    token = scheduling.rugdekking_token(request)
    assert request.token_hash == token_digest(token)
    assert token not in str(RugdekkingRequest.objects.filter(pk=request.pk).values().get())
    assert request.manager_email == "mira@gemeente.example"


def test_the_manager_answers_once_and_an_expired_link_is_refused(world):
    request = ask_rugdekking(world, point="Tijd voor casusoverleg.")
    token = scheduling.rugdekking_token(request)

    answered = services.rugdekking_answer(token=token, granted=True, comment="Prima, doen.")

    assert answered.status == RugdekkingStatus.GRANTED
    with pytest.raises(ValidationError, match="al beantwoord"):
        services.rugdekking_answer(token=token, granted=False, comment="toch niet")
    answered.refresh_from_db()
    assert (answered.status, answered.answer_comment) == (RugdekkingStatus.GRANTED, "Prima, doen.")

    late = ask_rugdekking(world, point="Nog iets.")
    RugdekkingRequest.objects.filter(pk=late.pk).update(token_expires_at=timezone.now())
    with pytest.raises(ValidationError, match="verlopen"):
        services.rugdekking_answer(
            token=scheduling.rugdekking_token(late), granted=True, comment=""
        )
    with pytest.raises(PermissionDenied):
        services.rugdekking_answer(token="verzonnen", granted=True, comment="")


def test_asking_yourself_for_rugdekking_is_refused(world):
    with pytest.raises(ValidationError):
        services.rugdekking_request_create(
            user=world.participant,
            werkplaats=world.werkplaats,
            manager_name="Ik",
            manager_email=world.participant.email,
            point="x",
        )


def test_organisational_actions_are_written_by_managers_only(world):
    action = services.organisational_action_save(
        actor=world.coordinator,
        werkplaats=world.werkplaats,
        title="Vaste aanspreekpunten benoemen",
        owner="Directie",
        due_date=timezone.now().date(),
        status=ActionStatus.OPEN,
    )
    services.organisational_action_save(
        actor=world.facilitator,
        werkplaats=world.werkplaats,
        action=action,
        title=action.title,
        owner=action.owner,
        due_date=action.due_date,
        status=ActionStatus.DONE,
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    with pytest.raises(PermissionDenied):
        services.organisational_action_save(
            actor=world.participant,
            werkplaats=world.werkplaats,
            title="x",
            owner="y",
            due_date=timezone.now().date(),
            status=ActionStatus.OPEN,
        )


def test_a_session_ending_before_it_starts_is_refused(world):
    start = timezone.now() + timedelta(days=40)
    with pytest.raises(ValidationError):
        services.session_create(
            actor=world.facilitator,
            werkplaats=world.werkplaats,
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            location="Zaal",
            length="dagdeel",
        )


def test_a_participant_added_twice_is_added_once():
    werkplaats, facilitator = filled_werkplaats(3)
    person = Participation.objects.filter(werkplaats=werkplaats).first().user

    added = services.participants_add(actor=facilitator, werkplaats=werkplaats, users=[person])

    assert added == 0
    assert Participation.objects.filter(werkplaats=werkplaats).count() == 3
