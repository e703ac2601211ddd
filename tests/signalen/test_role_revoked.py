"""A contact person who loses the role hands their open signals back to the meldpunt's queue."""

import pytest
from django.core import mail

from portal import services as portal_services
from portal.models import Organisation, PlannedReminder, ReminderStatus, Role
from portal.tasks import dispatch_due_reminders
from signalen import services
from signalen.models import AuditEntry, Signal, SignalEvent
from signalen.scheduling import OVERDUE_REMINDER
from signalen.states import Status
from tests.portal.factories import beheerder
from tests.signalen.factories import meldpunt, report
from tests.signalen.test_overdue_reminder import make_overdue

pytestmark = pytest.mark.django_db


def _planned_overdue(signal):
    return set(
        PlannedReminder.objects.filter(
            kind=OVERDUE_REMINDER, target_id=signal.pk, status=ReminderStatus.PLANNED
        ).values_list("recipient_id", flat=True)
    )


@pytest.fixture
def leaving():
    gemeente, (leaver, colleague, other) = meldpunt(people=3)
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    portal_services.role_assign(user=leaver, role=Role.CONTACT_PERSON, organisation=riec)
    mine = report(organisation=gemeente)
    services.signal_assign(actor=leaver, signal=mine, assignee=leaver)
    theirs = report(organisation=gemeente)
    services.signal_assign(actor=colleague, signal=theirs, assignee=colleague)
    closed = report(organisation=gemeente)
    services.signal_assign(actor=leaver, signal=closed, assignee=leaver)
    services.signal_close(actor=leaver, signal=closed, reason="no_grounds", explanation="Niets")
    at_riec = report(organisation=riec)
    services.signal_assign(actor=leaver, signal=at_riec, assignee=leaver)
    return gemeente, leaver, (colleague, other), mine, theirs, closed, at_riec


def test_revoking_the_role_hands_open_signals_back_to_the_queue(leaving):
    gemeente, leaver, remaining, mine, theirs, closed, at_riec = leaving
    admin = beheerder()
    assert _planned_overdue(mine) == {leaver.pk}

    portal_services.role_revoke(
        actor=admin, user=leaver, role=Role.CONTACT_PERSON, organisation=gemeente
    )

    mine.refresh_from_db()
    assert mine.assignee_id is None
    assert mine.status == Status.IN_PROGRESS  # the work done so far stays; a colleague picks up
    assert _planned_overdue(mine) == {p.pk for p in remaining}
    released = mine.events.get(kind=SignalEvent.Kind.RELEASED)
    assert (released.actor, released.assignee) == (admin, leaver)
    assert AuditEntry.objects.filter(
        object_id=mine.pk, action=AuditEntry.Act.SIGNAL_RELEASE, actor=admin
    ).exists()
    # Someone else's signal, a closed one and one at an organisation they still serve stay.
    for signal, assignee in ((theirs, remaining[0]), (closed, leaver), (at_riec, leaver)):
        assert Signal.objects.get(pk=signal.pk).assignee_id == assignee.pk


def test_an_overdue_signal_of_a_former_contact_person_reminds_the_others(leaving):
    gemeente, leaver, remaining, mine, *_rest = leaving
    make_overdue(mine)

    portal_services.role_revoke(
        actor=beheerder(), user=leaver, role=Role.CONTACT_PERSON, organisation=gemeente
    )
    mail.outbox.clear()
    dispatch_due_reminders()

    reminded = {m.to[0] for m in mail.outbox if mine.reference in m.subject}
    assert reminded == {p.email for p in remaining}


def test_the_yearly_review_hands_signals_back_too(leaving):
    gemeente, leaver, _remaining, mine, *_rest = leaving
    admin = beheerder()
    review = portal_services.role_review_open(actor=admin)
    line = review.lines.get(user=leaver, role=Role.CONTACT_PERSON, organisation=gemeente)
    portal_services.role_review_decide(actor=admin, line=line, decision="revoked")
    mine.refresh_from_db()
    assert mine.assignee_id is None
