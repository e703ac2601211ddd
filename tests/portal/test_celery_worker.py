import pytest

from portal.models import LoginEvent
from portal.tasks import purge_login_events
from tests.portal.factories import LoginEventFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_real_worker_runs_the_periodic_purge_against_the_database(celery_worker_queue, settings):
    LoginEventFactory(days_ago=400)
    kept = LoginEventFactory(days_ago=1, succeeded=False)

    result = purge_login_events.apply_async(queue=celery_worker_queue)

    assert result.get(timeout=90) == 1
    assert list(LoginEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_beat_schedule_names_only_registered_tasks(settings):
    from portal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
