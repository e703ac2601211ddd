"""The count of new and overdue signals: the menu's badge and the home page's list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation
from signalen import selectors, services
from signalen.models import Signal, SignalAccess
from signalen.states import Status
from tests.portal.factories import UserFactory
from tests.signalen.factories import meldpunt, report, signal_in

pytestmark = pytest.mark.django_db


def _queue(contact):
    """Two new, one overdue in progress, one fresh in progress, one forwarded away, one closed."""
    fresh_new = report(organisation=contact.organisation)
    old_new = report(organisation=contact.organisation)
    overdue = signal_in(Status.IN_PROGRESS, actor=contact)
    signal_in(Status.IN_PROGRESS, actor=contact)
    riec, _persons = meldpunt(kind=Organisation.Kind.RIEC)
    signal_in(Status.FORWARDED, actor=contact, forward_to=riec)
    signal_in(Status.CLOSED, actor=contact)
    past = timezone.now() - timedelta(days=1)
    type(overdue).objects.filter(pk=overdue.pk).update(deadline_at=past)
    type(old_new).objects.filter(pk=old_new.pk).update(deadline_at=past)
    return fresh_new, old_new, overdue


def test_new_and_overdue_signals_of_the_own_meldpunt_count_and_nothing_else(
    django_assert_max_num_queries,
):
    gemeente, (contact,) = meldpunt()
    fresh_new, old_new, overdue = _queue(contact)
    elders, (other,) = meldpunt()
    report(organisation=elders)

    with django_assert_max_num_queries(2):
        assert selectors.attention_count(user=contact) == 3
    with django_assert_max_num_queries(2):
        listed = selectors.attention_signals(user=contact)
    # Overdue first (oldest first among them), then the rest.
    assert [s.pk for s in listed] == [old_new.pk, overdue.pk, fresh_new.pk]
    assert [s.is_overdue for s in listed] == [True, True, False]
    assert selectors.attention_count(user=other) == 1


def test_someone_without_a_meldpunt_counts_nothing_without_asking_for_signals(
    django_assert_max_num_queries,
):
    gemeente, (contact,) = meldpunt()
    report(organisation=gemeente)
    member = UserFactory(organisation=gemeente)
    with django_assert_max_num_queries(1):
        assert selectors.attention_count(user=member) == 0
    assert selectors.attention_signals(user=member) == []


def test_the_menu_shows_the_count_with_an_accessible_text(client):
    gemeente, (contact,) = meldpunt()
    _queue(contact)
    client.force_login(contact)
    page = client.get(reverse("signalen:my_list")).content.decode()
    assert (
        '<span class="badge rounded-pill text-bg-danger">3'
        '<span class="visually-hidden"> nieuw of te laat</span></span>' in page
    )


def test_the_menu_shows_no_badge_when_nothing_waits(client):
    gemeente, (contact,) = meldpunt()
    client.force_login(contact)
    page = client.get(reverse("signalen:my_list")).content.decode()
    assert "nieuw of te laat" not in page


def test_the_badge_counts_only_signals_the_person_may_see():
    """The badge counts the signals of the person's own meldpunt without asking the access
    rows: the handling organisation always has access (given when a signal is made or
    forwarded to it, never taken away). Through every step of a signal's life, the count
    equals the count through the access rule."""
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    _queue(contact)
    back = signal_in(Status.FORWARDED, actor=contact, forward_to=riec)
    services.signal_forward(actor=riec_contact, signal=back, organisation=gemeente)
    signal_in(Status.IN_PROGRESS, actor=riec_contact, signal=report(organisation=riec))
    now = timezone.now()
    for person in (contact, riec_contact):
        through_access = (
            selectors.signals_visible_to(person)
            .filter(selectors._needs_attention(person, now))
            .count()
        )
        assert selectors.attention_count(user=person, now=now) == through_access
    for signal in Signal.objects.all():
        assert SignalAccess.objects.filter(
            signal=signal, organisation_id=signal.organisation_id
        ).exists()
