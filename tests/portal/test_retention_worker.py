"""The periodic retention run, as beat queues it, in a real Celery worker."""

from datetime import timedelta

import pytest

from portal import retention
from portal.models import DestructionRecord
from portal.tasks import retention_run
from tests.portal import retention_world as world

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_real_worker_runs_the_retention_run_and_records_it(celery_worker_queue, settings, tmp_path):
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "bijlagen"
    now = world.now()
    for kind in ("trainings.reflections", "werkplaats.practice_logs", "portal.login_events"):
        cutoff = retention.rules([kind])[0].cutoff(now)
        world.plant(kind, cutoff - timedelta(days=2), f"GONE-{kind}")
        world.plant(kind, cutoff + timedelta(days=2), f"KEEP-{kind}")

    result = retention_run.apply_async(queue=celery_worker_queue)

    counts = result.get(timeout=90)
    assert {kind: count for kind, count in counts.items() if count} == {
        "trainings.reflections": 1,
        "werkplaats.practice_logs": 1,
        "portal.login_events": 1,
    }
    assert sorted(DestructionRecord.objects.values_list("kind", "count")) == [
        ("portal.login_events", 1),
        ("trainings.reflections", 1),
        ("werkplaats.practice_logs", 1),
    ]
    text = world.stored_text()
    assert "GONE-" not in text and text.count("KEEP-") >= 3
