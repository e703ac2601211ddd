"""The dashboard counters: kept by the services, equal to a fresh count, also concurrently."""

import random
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import services as portal_services
from portal.models import Organisation, Role
from signalen import selectors, services
from signalen.models import CloseReason, Signal, SignalTally
from signalen.tally import tally_differences
from tests.signalen.factories import CategoryFactory, meldpunt, report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_service_calls_the_counters_equal_a_fresh_count(seed):
    rng = random.Random(seed)
    gemeente, gemeente_people = meldpunt(people=2)
    riec, riec_people = meldpunt(kind=Organisation.Kind.RIEC, people=2)
    politie, politie_people = meldpunt(kind=Organisation.Kind.POLITIE)
    people = {gemeente.pk: gemeente_people, riec.pk: riec_people, politie.pk: politie_people}
    organisations = [gemeente, riec, politie]
    categories = [CategoryFactory(), CategoryFactory(name="Drugs", position=50)]
    signals = []
    for _step in range(40):
        move = rng.choice(
            ["report", "assign", "forward", "close", "revoke"] if signals else ["report"]
        )
        if move == "report":
            signals.append(
                report(organisation=rng.choice(organisations), category=rng.choice(categories))
            )
            continue
        signal = Signal.objects.get(pk=rng.choice(signals).pk)
        actor = people[signal.organisation_id][0]
        try:
            if move == "assign":
                services.signal_assign(
                    actor=actor, signal=signal, assignee=rng.choice(people[signal.organisation_id])
                )
            elif move == "forward":
                target = rng.choice([o for o in organisations if o.pk != signal.organisation_id])
                services.signal_forward(actor=actor, signal=signal, organisation=target)
            elif move == "close":
                services.signal_close(
                    actor=actor, signal=signal, reason=CloseReason.NO_GROUNDS, explanation="Klaar."
                )
            elif signal.assignee_id and signal.assignee_id != actor.pk:
                portal_services.role_revoke(
                    actor=actor,
                    user=signal.assignee,
                    role=Role.CONTACT_PERSON,
                    organisation=signal.organisation,
                )
                portal_services.role_assign(
                    user=signal.assignee,
                    role=Role.CONTACT_PERSON,
                    organisation=signal.organisation,
                )
        except (ValidationError, PermissionDenied):
            pass  # a refused move (a closed signal, the same organisation) changes nothing
    assert SignalTally.objects.exists()
    assert tally_differences() == []


def test_the_dashboard_figures_come_from_the_counters():
    gemeente, (contact,) = meldpunt()
    report(organisation=gemeente)
    stats = selectors.signal_statistics(user=contact, organisation=gemeente)
    assert stats.total == 1
    # A change that bypasses the services is not counted until the counters are repaired.
    Signal.objects.update(
        status="closed",
        closed_at=Signal.objects.get().received_at,
        close_reason=CloseReason.NO_GROUNDS,
        deadline_at=None,
    )
    assert (
        dict(selectors.signal_statistics(user=contact, organisation=gemeente).open_per_status)[
            "Nieuw"
        ]
        == 1
    )
    services.signal_tally_repair()
    assert (
        dict(selectors.signal_statistics(user=contact, organisation=gemeente).open_per_status)[
            "Nieuw"
        ]
        == 0
    )


def test_the_command_finds_and_repairs_counters_that_differ(capsys):
    gemeente, (contact,) = meldpunt()
    drugs = CategoryFactory(name="Drugs", position=50)
    report(organisation=gemeente)
    call_command("signalen_tally")
    assert "De tellingen kloppen." in capsys.readouterr().out

    Signal.objects.update(category=drugs)  # a bulk change past the services
    with pytest.raises(CommandError, match="2 tellingen wijken af"):
        call_command("signalen_tally")
    call_command("signalen_tally", "--repair")
    assert "2 tellingen hersteld." in capsys.readouterr().out
    assert tally_differences() == []
    call_command("signalen_tally")


def _wait_for_a_blocked_transaction(tries: int = 100) -> bool:
    with connection.cursor() as cursor:
        for _try in range(tries):
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            cursor.execute("SELECT pg_sleep(0.05)")
    return False


@pytest.mark.django_db(transaction=True)
def test_two_transactions_changing_signals_of_one_counter_at_once_both_count():
    gemeente, (contact,) = meldpunt()
    first, second = report(organisation=gemeente), report(organisation=gemeente)
    first_holds_lock = threading.Event()
    second_started = threading.Event()
    errors, blocked = [], []

    def close(signal, *, hold: bool):
        try:
            with transaction.atomic():
                services.signal_close(
                    actor=contact,
                    signal=signal,
                    reason=CloseReason.NO_GROUNDS,
                    explanation="Klaar.",
                )
                if hold:
                    # The first has moved the counter row; it commits only once the second
                    # waits for a lock (with a bound, so a design without the row lock
                    # commits anyway and loses the other's update).
                    first_holds_lock.set()
                    second_started.wait(timeout=10)
                    blocked.append(_wait_for_a_blocked_transaction())
        except Exception as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    def close_second():
        first_holds_lock.wait(timeout=10)
        second_started.set()
        close(second, hold=False)

    threads = [
        threading.Thread(target=close, args=(first,), kwargs={"hold": True}),
        threading.Thread(target=close_second),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert blocked == [True]  # the two transactions did overlap
    assert tally_differences() == []
    stats = selectors.signal_statistics(user=contact, organisation=gemeente)
    assert dict(stats.open_per_status)["Nieuw"] == 0
    assert stats.total == 2


def test_the_dashboard_takes_the_same_queries_at_two_volumes(client, django_assert_num_queries):
    gemeente, (contact,) = meldpunt()
    riec, _people = meldpunt(kind=Organisation.Kind.RIEC)
    client.force_login(contact)
    url = reverse("signalen:dashboard")
    report(organisation=gemeente)
    client.get(url)  # session and MFA flag settle on the first request
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    drugs = CategoryFactory(name="Drugs", position=50)
    for i in range(8):
        signal = report(organisation=gemeente, category=drugs if i % 2 else None)
        if i % 3 == 0:
            services.signal_forward(actor=contact, signal=signal, organisation=riec)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.context["stats"].total == 9
