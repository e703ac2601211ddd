"""A Redis outage fails no request: a Redis server of the test's own carries the broker and
the cache; while it is down, login, enrolment, reporting and triage answer normally; when it
is back, the dispatcher sends every mail those actions planned, once."""

from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from signalen.models import Signal
from tests.portal.factories import PASSWORD, UserFactory
from tests.portal.mailstack import RedisServer, celery_broker
from tests.signalen.factories import CategoryFactory, meldpunt
from tests.trainings.factories import RunFactory
from trainings.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_redis(settings):
    server = RedisServer().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "outage",
            # Try Redis again on every call, so the test sees it return at once.
            "OPTIONS": {"RETRY_SECONDS": 0, "socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with celery_broker(server.url):
        yield server
    server.stop()


def test_with_redis_down_every_action_answers_and_its_mails_arrive_once_it_is_back(
    client, own_redis, caplog
):
    participant = UserFactory()
    run = RunFactory()
    organisation, (contact, colleague) = meldpunt(people=2)
    category = CategoryFactory()

    own_redis.stop()

    # Login: allauth's rate limiter counts in the cache.
    response = client.post(
        reverse("account_login"), {"login": participant.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(participant.pk)

    response = client.post(reverse("trainings:enrol", args=[run.pk]))
    assert response.status_code == 302
    assert Enrolment.objects.get(run=run, participant=participant).status == (
        EnrolmentStatus.ENROLLED
    )

    response = client.post(
        reverse("signalen:report"),
        {
            "description": "Kapperszaak zonder klanten, wel elke dag dure auto's voor de deur.",
            "location": "Stationsweg 12",
            "observed_on": "2026-01-15",
            "category": category.pk,
            "involved": "Kapsalon De Schaar",
            "organisation": organisation.pk,
        },
    )
    assert response.status_code == 302
    signal = Signal.objects.get()

    client.force_login(contact)
    response = client.post(reverse("signalen:assign", args=[signal.pk]), {"assignee": colleague.pk})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.assignee == colleague

    assert "not queued (broker unreachable)" in caplog.text
    assert mail.outbox == []
    # Mails due now (not the day-before reminders and deadlines planned for later).
    planned = list(
        PlannedReminder.objects.filter(status=ReminderStatus.PLANNED, due_at__lte=timezone.now())
    )
    expected = Counter((r.recipient_email, r.kind) for r in planned)
    assert (participant.email, "trainings.enrolment_confirmed") in expected
    assert (colleague.email, "signalen.assigned") in expected

    own_redis.start()
    dispatch_due_reminders()
    dispatch_due_reminders()

    delivered = Counter(message.to[0] for message in mail.outbox)
    assert delivered == Counter(email for email, _kind in expected.elements())
    sent = PlannedReminder.objects.filter(pk__in=[r.pk for r in planned])
    assert set(sent.values_list("status", flat=True)) == {ReminderStatus.SENT}
