"""The transition table, exhaustively: every (status, action) pair, in the table and through
the services that perform the actions."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from portal import permissions as portal_permissions
from portal.models import Role, RoleAssignment
from signalen import services
from signalen.models import CloseReason, Signal, SignalEvent
from signalen.states import (
    TRANSITIONS,
    Action,
    Status,
    TransitionNotAllowed,
    allowed_actions,
    next_status,
)
from tests.signalen.factories import meldpunt, report, signal_in

S, A = Status, Action

# Written out by hand on purpose: a change to the table must change this test too.
EXPECTED = {
    (S.NEW, A.ASSIGN): S.IN_PROGRESS,
    (S.NEW, A.NOTE): S.NEW,
    (S.NEW, A.FORWARD): S.FORWARDED,
    (S.NEW, A.CLOSE): S.CLOSED,
    (S.IN_PROGRESS, A.ASSIGN): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.NOTE): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.ASK_REPORTER): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.REPORTER_REPLY): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.SHARE_FEEDBACK): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.FORWARD): S.FORWARDED,
    (S.IN_PROGRESS, A.CLOSE): S.CLOSED,
    (S.IN_PROGRESS, A.RELEASE): S.IN_PROGRESS,
    (S.FORWARDED, A.ASSIGN): S.IN_PROGRESS,
    (S.FORWARDED, A.NOTE): S.FORWARDED,
    (S.FORWARDED, A.REPORTER_REPLY): S.FORWARDED,
    (S.FORWARDED, A.FORWARD): S.FORWARDED,
    (S.FORWARDED, A.CLOSE): S.CLOSED,
    (S.CLOSED, A.NOTE): S.CLOSED,
    (S.CLOSED, A.SHARE_FEEDBACK): S.CLOSED,
    (S.CLOSED, A.ANONYMISE): S.CLOSED,
}
ALL_PAIRS = list(itertools.product(Status, Action))


def test_the_table_is_exactly_the_expected_small_graph():
    assert dict(TRANSITIONS) == EXPECTED
    # Closed is final: nothing leads out of it.
    assert {target for (source, _a), target in TRANSITIONS.items() if source == S.CLOSED} == {
        S.CLOSED
    }


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_next_status_follows_the_table_for_every_pair(status, action):
    if (status, action) in EXPECTED:
        assert next_status(status, action) == EXPECTED[(status, action)]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(TransitionNotAllowed):
            next_status(status, action)
        assert action not in allowed_actions(status)


def test_unknown_status_or_action_is_refused():
    with pytest.raises(TransitionNotAllowed):
        next_status("archived", A.NOTE)
    with pytest.raises(TransitionNotAllowed):
        next_status(S.NEW, "reopen")


def _perform(action, signal, contact, colleague, target):
    """Carry out ``action`` on ``signal`` through its service."""
    if action == A.ASSIGN:
        return services.signal_assign(actor=contact, signal=signal, assignee=colleague)
    if action == A.NOTE:
        return services.signal_add_note(actor=contact, signal=signal, text="Notitie")
    if action == A.ASK_REPORTER:
        return services.signal_ask_reporter(actor=contact, signal=signal, question="Welk pand?")
    if action == A.REPORTER_REPLY:
        SignalEvent.objects.create(
            signal=signal,
            kind=SignalEvent.Kind.QUESTION,
            text="Welk pand?",
            shared_with_reporter=True,
            created_at=signal.created_at,
        )
        return services.signal_reporter_reply(reporter=signal.reporter, signal=signal, text="Nr 3")
    if action == A.SHARE_FEEDBACK:
        return services.signal_share_feedback(actor=contact, signal=signal, text="Dank je")
    if action == A.FORWARD:
        return services.signal_forward(actor=contact, signal=signal, organisation=target)
    if action == A.CLOSE:
        return services.signal_close(
            actor=contact, signal=signal, reason=CloseReason.HANDLED_INTERNALLY, explanation="Klaar"
        )
    if action == A.ANONYMISE:
        if not services.signal_anonymise(signal_id=signal.pk):
            raise ValidationError("not eligible")
        return None
    if action == A.RELEASE:
        # The assignee (or, without one, the acting contact person) loses the role.
        current = Signal.objects.select_related("organisation").get(pk=signal.pk)
        leaver = current.assignee or contact
        RoleAssignment.objects.filter(user=leaver, organisation=current.organisation).delete()
        portal_permissions.forget_roles(leaver)
        released = services.signals_release_from_former_contact(
            actor=None, user=leaver, role=Role.CONTACT_PERSON, organisation=current.organisation
        )
        if not released:
            raise ValidationError("nothing to hand back")
        return released
    raise AssertionError(action)


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action"), ALL_PAIRS)
def test_every_service_allows_exactly_the_pairs_in_the_table(status, action):
    organisation, (contact, colleague) = meldpunt(people=2)
    riec, (riec_contact,) = meldpunt(kind="riec")
    other, _people = meldpunt()
    signal = signal_in(status, actor=contact, forward_to=riec)
    # After a forward the receiving meldpunt acts; it forwards on to a third organisation.
    acting = riec_contact if status == S.FORWARDED else contact
    helper = riec_contact if status == S.FORWARDED else colleague
    before = Signal.objects.get(pk=signal.pk)

    if (status, action) in EXPECTED:
        _perform(action, signal, acting, helper, other)
        assert Signal.objects.get(pk=signal.pk).status == EXPECTED[(status, action)]
    else:
        with pytest.raises(ValidationError):
            _perform(action, signal, acting, helper, other)
        after = Signal.objects.get(pk=signal.pk)
        assert (after.status, after.assignee_id, after.organisation_id) == (
            before.status,
            before.assignee_id,
            before.organisation_id,
        )


@pytest.mark.django_db
def test_closing_a_new_signal_straight_away_needs_no_pickup():
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    closed = services.signal_close(
        actor=contact, signal=signal, reason=CloseReason.NO_GROUNDS, explanation="Niets aan de hand"
    )
    assert closed.status == S.CLOSED
    assert closed.deadline_at is None
    assert closed.first_picked_up_at is None
