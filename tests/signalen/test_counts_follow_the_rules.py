"""The counts written as SQL (``portal.sql``) count what the ORM rules they stand for select.

The badge counts ``_needs_attention``; the queue's and the dashboard's overdue counts count
``signals_visible_to`` (or the organisation's access) past the deadline. Each is checked
against its rule on one world with signals in every state, forwarded both ways, for contact
persons of one and of two organisations, at several moments.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Organisation, Role, RoleAssignment
from portal.selectors import contact_person_names, contact_persons_of
from signalen import selectors
from signalen.models import Signal
from signalen.states import Status
from tests.signalen.factories import meldpunt, report, signal_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    for _ in range(2):
        report(organisation=gemeente)
        report(organisation=riec)
    signal_in(Status.IN_PROGRESS, actor=contact)
    signal_in(Status.IN_PROGRESS, actor=riec_contact)
    signal_in(Status.FORWARDED, actor=contact, forward_to=riec)
    signal_in(Status.FORWARDED, actor=riec_contact, forward_to=gemeente)
    signal_in(Status.CLOSED, actor=contact)
    # Deadlines spread around now: some passed, some to come.
    now = timezone.now()
    for n, pk in enumerate(Signal.objects.order_by("pk").values_list("pk", flat=True)):
        Signal.objects.filter(pk=pk, deadline_at__isnull=False).update(
            deadline_at=now + timedelta(hours=12 * (n % 5) - 30)
        )
    # The RIEC's contact person serves the gemeente as well.
    RoleAssignment.objects.create(
        user=riec_contact, role=Role.CONTACT_PERSON, organisation=gemeente
    )
    return now, [contact, riec_contact], [gemeente, riec]


def _fresh(*users):
    """The people as read anew: their roles are cached on the objects of the fixture."""
    return [type(user).objects.get(pk=user.pk) for user in users]


@pytest.mark.parametrize("hours", [-48, 0, 30])
def test_the_badge_counts_the_attention_rule(world, hours):
    now, contacts, _organisations = world
    moment = now + timedelta(hours=hours)
    seen = []
    for user in _fresh(*contacts):
        expected = Signal.objects.filter(selectors._needs_attention(user, moment)).count()
        assert selectors.attention_count(user=user, now=moment) == expected
        # The queue reads the badge with its own counts, in the same statement.
        counts = selectors.queue_counts(user=user, filters=selectors.QueueFilters(), now=moment)
        assert counts.attention == expected
        seen.append(expected)
    assert any(seen), "the world holds signals that wait"


@pytest.mark.parametrize("hours", [-48, 0, 30])
def test_the_overdue_counts_count_the_visible_signals_past_their_deadline(world, hours):
    now, contacts, organisations = world
    moment = now + timedelta(hours=hours)
    seen = []
    for user in _fresh(*contacts):
        expected = selectors.signals_visible_to(user).filter(deadline_at__lt=moment).count()
        counts = selectors.queue_counts(user=user, filters=selectors.QueueFilters(), now=moment)
        assert (counts.overdue.n, counts.overdue.more) == (expected, False)
        seen.append(expected)
        for organisation in organisations:
            if organisation.pk not in {a.organisation_id for a in user.role_assignments.all()}:
                continue
            stats = selectors.signal_statistics(user=user, organisation=organisation, now=moment)
            assert stats.overdue.n == (
                Signal.objects.filter(
                    accesses__organisation=organisation, deadline_at__lt=moment
                ).count()
            )
    if hours > -48:
        assert any(seen), "some signals are past their deadline"


def test_the_filter_names_the_contact_persons_the_rule_selects(world):
    _now, contacts, organisations = world
    # Someone who no longer works here is no colleague to assign to.
    gone = contacts[0]
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    for user in _fresh(*contacts):
        ids = {a.organisation_id for a in user.role_assignments.all()}
        expected = [
            (pk, full_name or email)
            for pk, full_name, email in contact_persons_of(organisation_ids=ids)
            .exclude(pk=user.pk)
            .values_list("pk", "full_name", "email")
        ]
        assert contact_person_names(organisation_ids=ids, but=user) == expected
        if not user.is_active:
            continue  # has no queue to open
        # The queue's filter reads them with the categories, in one statement.
        choices = selectors.queue_choices(user=user)
        assert choices.colleagues == expected
        assert choices.categories == selectors.queue_categories()
    assert contact_person_names(organisation_ids=[organisations[1].pk], but=gone) != []
