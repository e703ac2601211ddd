"""Werkplaats reminders through the portal's one mechanism: planned, moved, skipped, sent once."""

from datetime import datetime, timedelta
from email import message_from_string
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders, send_reminder
from tests.portal.factories import UserFactory, trainer
from tests.werkplaats.conftest import ask_rugdekking
from tests.werkplaats.factories import PracticeLogFactory, WerkplaatsFactory
from werkplaats import scheduling, services
from werkplaats.models import Participation

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _werkplaats_with_two_sessions(gap_days: int = 28):
    facilitator = trainer()
    werkplaats = WerkplaatsFactory(facilitators=[facilitator])
    person = UserFactory()
    services.participants_add(actor=facilitator, werkplaats=werkplaats, users=[person])
    start = timezone.now() + timedelta(days=7)
    first = services.session_create(
        actor=facilitator,
        werkplaats=werkplaats,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        location="Stadhuis",
        length="dagdeel",
    )
    later = start + timedelta(days=gap_days)
    second = services.session_create(
        actor=facilitator,
        werkplaats=werkplaats,
        starts_at=later,
        ends_at=later + timedelta(hours=4),
        location="Politiebureau",
        length="dagdeel",
    )
    return facilitator, werkplaats, person, first, second


def _due(kind, target, person):
    return PlannedReminder.objects.get(kind=kind, target_id=target.pk, recipient=person)


def _make_due(reminder):
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())


def test_each_session_invites_and_the_interval_gets_a_halfway_and_a_two_day_reminder():
    _facilitator, _werkplaats, person, first, second = _werkplaats_with_two_sessions()

    kinds = set(PlannedReminder.objects.filter(recipient=person).values_list("kind", "target_id"))

    assert kinds == {
        (scheduling.SESSION_INVITATION, first.pk),
        (scheduling.SESSION_INVITATION, second.pk),
        (scheduling.PRACTICE_LOG_HALFWAY, first.pk),
        (scheduling.PRACTICE_LOG_MISSING, first.pk),
    }
    halfway = _due(scheduling.PRACTICE_LOG_HALFWAY, first, person).due_at
    assert halfway == first.ends_at + (second.starts_at - first.ends_at) / 2
    assert _due(scheduling.PRACTICE_LOG_MISSING, first, person).due_at == second.starts_at - (
        timedelta(days=2)
    )


def test_moving_the_next_session_moves_the_reminders_around_it():
    facilitator, _werkplaats, person, first, second = _werkplaats_with_two_sessions()
    moved = second.starts_at + timedelta(days=7)

    services.session_update(
        actor=facilitator,
        session=second,
        starts_at=moved,
        ends_at=moved + timedelta(hours=4),
        location=second.location,
        length=second.length,
        aim_bewustwording="",
        aim_inzicht="",
        aim_helicopterview="",
        aim_vaardigheid="",
    )

    assert _due(scheduling.PRACTICE_LOG_MISSING, first, person).due_at == moved - timedelta(days=2)
    halfway = _due(scheduling.PRACTICE_LOG_HALFWAY, first, person).due_at
    assert halfway == first.ends_at + (moved - first.ends_at) / 2


def test_someone_who_leaves_gets_no_more_reminders():
    facilitator, werkplaats, person, first, _second = _werkplaats_with_two_sessions()

    services.participant_remove(
        actor=facilitator,
        participation=Participation.objects.get(werkplaats=werkplaats, user=person),
    )

    assert not PlannedReminder.objects.filter(
        recipient=person, status=ReminderStatus.PLANNED
    ).exists()


def test_the_two_day_reminder_is_skipped_when_the_log_is_written():
    _facilitator, werkplaats, person, first, _second = _werkplaats_with_two_sessions()
    PracticeLogFactory(
        participation=Participation.objects.get(werkplaats=werkplaats, user=person),
        after_session=first,
    )
    missing = _due(scheduling.PRACTICE_LOG_MISSING, first, person)
    _make_due(missing)

    assert send_reminder(missing.pk) == ReminderStatus.SKIPPED
    assert mail.outbox == []


def test_the_two_day_reminder_goes_once_when_the_log_is_still_empty():
    _facilitator, werkplaats, person, first, _second = _werkplaats_with_two_sessions()
    PlannedReminder.objects.filter(recipient=person).exclude(
        kind=scheduling.PRACTICE_LOG_MISSING
    ).update(status=ReminderStatus.CANCELLED)
    _make_due(_due(scheduling.PRACTICE_LOG_MISSING, first, person))

    dispatch_due_reminders()
    dispatch_due_reminders()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert werkplaats.title in mail.outbox[0].subject
    assert "nog leeg" in mail.outbox[0].subject


def test_session_invitations_go_out_at_once_and_only_once():
    _facilitator, werkplaats, person, _first, _second = _werkplaats_with_two_sessions()

    dispatch_due_reminders()
    dispatch_due_reminders()

    invitations = [m for m in mail.outbox if m.subject.startswith("Uitnodiging werkplaats")]
    assert len(invitations) == 2
    assert all(m.to == [person.email] for m in invitations)


def _friday_afternoon():
    # Friday 24 April 2026, with King's Day (Monday 27 April) after the weekend.
    return datetime(2026, 4, 24, 15, 0, tzinfo=AMSTERDAM)


def test_rugdekking_reminders_count_working_days_skipping_weekend_and_holidays(
    world, settings, monkeypatch
):
    settings.WERKPLAATS_RUGDEKKING_WORKING_DAYS = 5
    monkeypatch.setattr(timezone, "now", _friday_afternoon)
    request = ask_rugdekking(world, point="Tijd voor casusoverleg.")

    manager = PlannedReminder.objects.get(kind=scheduling.RUGDEKKING_MANAGER_REMINDER)
    facilitator = PlannedReminder.objects.get(kind=scheduling.RUGDEKKING_FACILITATOR_REMINDER)

    # Tue 28, Wed 29, Thu 30 April, Fri 1, Mon 4 May; King's Day and the weekend skipped.
    assert timezone.localtime(manager.due_at) == datetime(2026, 5, 4, 15, 0, tzinfo=AMSTERDAM)
    # Five more: Liberation Day is a day off only in lustrum years, so 5 May 2026 counts.
    assert timezone.localtime(facilitator.due_at) == datetime(2026, 5, 11, 15, 0, tzinfo=AMSTERDAM)
    assert manager.recipient_email == "mira@gemeente.example" and manager.recipient is None
    assert facilitator.recipient == world.facilitator
    assert request.status == "open"


def test_the_manager_reminder_goes_once_and_stops_after_an_answer(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask_rugdekking(world, point="Tijd voor casusoverleg.")
    asked = PlannedReminder.objects.get(kind=scheduling.RUGDEKKING_ASKED)
    assert asked.status == ReminderStatus.SENT  # sent straight after the commit
    link = scheduling.rugdekking_token(request)
    assert link in mail.outbox[0].body
    reminder = PlannedReminder.objects.get(kind=scheduling.RUGDEKKING_MANAGER_REMINDER)
    _make_due(reminder)

    dispatch_due_reminders()
    dispatch_due_reminders()

    assert [m.to for m in mail.outbox] == [["mira@gemeente.example"]] * 2
    assert link in mail.outbox[1].body
    # The answer link is mailed, never stored: the sent rows keep their subject only.
    for sent in PlannedReminder.objects.filter(pk__in=[asked.pk, reminder.pk]):
        assert sent.status == ReminderStatus.SENT and sent.subject
        assert link not in sent.body and "/rugdekking/" not in sent.body

    services.rugdekking_answer(token=link, granted=False, comment="Eerst na de reorganisatie.")

    escalation = PlannedReminder.objects.get(kind=scheduling.RUGDEKKING_FACILITATOR_REMINDER)
    assert escalation.status == ReminderStatus.CANCELLED
    dispatch_due_reminders()
    answered = mail.outbox[-1]
    assert answered.to == [world.participant.email]
    assert "Geen rugdekking" in answered.subject


def test_the_facilitator_hears_of_a_request_still_open_after_the_second_period(world):
    ask_rugdekking(world, point="Tijd voor casusoverleg.")
    escalation = PlannedReminder.objects.get(kind=scheduling.RUGDEKKING_FACILITATOR_REMINDER)
    _make_due(escalation)

    assert send_reminder(escalation.pk) == ReminderStatus.SENT

    assert mail.outbox[-1].to == [world.facilitator.email]
    assert world.participant.full_name in mail.outbox[-1].subject


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestWithARealWorker:
    @pytest.fixture
    def celery_worker_env(self, worker_mailbox):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(worker_mailbox),
        }

    def test_a_practice_log_reminder_sent_twice_arrives_exactly_once(
        self, celery_worker_queue, worker_mailbox
    ):
        _facilitator, werkplaats, person, first, _second = _werkplaats_with_two_sessions()
        reminder = _due(scheduling.PRACTICE_LOG_HALFWAY, first, person)
        _make_due(reminder)

        one = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)
        two = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)

        assert one.get(timeout=90) == ReminderStatus.SENT
        assert two.get(timeout=90) == ReminderStatus.SENT
        texts = [path.read_text() for path in worker_mailbox.iterdir()]
        messages = [m for t in texts for m in t.split("-" * 79) if m.strip()]
        assert len(messages) == 1
        message = message_from_string(messages[0])
        assert str(make_header(decode_header(message["To"]))) == person.email
        assert werkplaats.title in str(make_header(decode_header(message["Subject"])))
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)
