"""Two retention runs side by side: a row another transaction holds is skipped, not waited
for, and treated once by a later run."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from portal import retention, services
from portal.models import DestructionRecord
from tests.portal import retention_world as world
from trainings.models import Reflection

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_row_locked_elsewhere_is_skipped_and_treated_by_the_next_run():
    now = world.now()
    rule = retention.rules(["trainings.reflections"])[0]
    for n in range(2):
        world.plant(rule.kind, rule.cutoff(now) - timedelta(days=1), f"GONE-{n}")
    held = Reflection.objects.order_by("pk").first().pk
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        try:
            with transaction.atomic():
                Reflection.objects.select_for_update().get(pk=held)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=60)
        first = services.retention_rule_run(rule=rule, now=now)
    finally:
        release.set()
        holder.join(timeout=60)

    assert first.count == 1
    assert list(Reflection.objects.values_list("pk", flat=True)) == [held]
    assert services.retention_rule_run(rule=rule, now=now).count == 1
    assert services.retention_rule_run(rule=rule, now=now).count == 0
    assert sorted(DestructionRecord.objects.values_list("count", flat=True)) == [1, 1]
