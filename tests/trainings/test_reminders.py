"""Trainings mails: when they are planned, what a move or cancellation does, sending once."""

from datetime import timedelta
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders, send_reminder
from tests.portal.factories import UserFactory
from tests.trainings.factories import (
    EnrolmentFactory,
    RunFactory,
    SessionFactory,
    coordinator_of,
)
from trainings import scheduling, services
from trainings.models import Reflection, Run

pytestmark = pytest.mark.django_db


def planned(kind: str, person):
    return PlannedReminder.objects.get(kind=kind, recipient=person)


def test_the_confirmation_names_training_date_and_place_and_goes_out_once():
    run = RunFactory(location="Stadhuis, zaal 3")
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)

    dispatch_due_reminders()
    dispatch_due_reminders()

    confirmations = [m for m in mail.outbox if m.subject.startswith("Ingeschreven")]
    assert len(confirmations) == 1
    subject = confirmations[0].subject
    assert run.training.title in subject
    assert "Stadhuis, zaal 3" in subject
    assert str(timezone.localtime(run.starts_at).day) in subject


def test_the_day_before_reminder_is_due_24_hours_ahead_and_follows_a_moved_session():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
    assert reminder.due_at == session.starts_at - timedelta(hours=24)

    later = session.starts_at + timedelta(days=3)
    services.session_update(
        actor=coordinator_of(run.training.programme),
        session=session,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        title="",
        location="",
    )

    reminder.refresh_from_db()
    assert reminder.due_at == later - timedelta(hours=24)
    assert planned(scheduling.REFLECTION_INVITE, person).due_at == later + timedelta(hours=2)
    session.refresh_from_db()
    assert session.sequence == 1


def test_a_cancelled_session_withdraws_its_reminders():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)

    services.session_cancel(
        actor=coordinator_of(run.training.programme), session=run.sessions.get()
    )

    assert set(
        PlannedReminder.objects.filter(kind__in=scheduling.SESSION_KINDS).values_list(
            "status", flat=True
        )
    ) == {ReminderStatus.CANCELLED}


def test_cancelling_ones_place_withdraws_the_session_reminders():
    run = RunFactory()
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)

    services.enrolment_cancel(enrolment=enrolment, actor=person)

    assert planned(scheduling.SESSION_DAY_BEFORE, person).status == ReminderStatus.CANCELLED


def test_the_day_before_reminder_arrives_once_the_day_before():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

    dispatch_due_reminders()
    dispatch_due_reminders()

    reminders = [m for m in mail.outbox if m.subject.startswith("Morgen")]
    assert len(reminders) == 1
    assert run.training.title in reminders[0].subject


def test_no_reflection_invite_for_a_reflection_already_written():
    run = RunFactory()
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    Reflection.objects.create(enrolment=enrolment, session=session, struck_me="Al gedaan")
    reminder = planned(scheduling.REFLECTION_INVITE, person)
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

    assert send_reminder(reminder.pk) == ReminderStatus.SKIPPED


def test_the_promotion_mail_carries_a_working_release_link():
    run = RunFactory(capacity=1)
    holder, waiting = UserFactory(), UserFactory()
    first = services.enrolment_create(run=run, participant=holder)
    services.enrolment_create(run=run, participant=waiting)
    mail.outbox.clear()

    services.enrolment_cancel(enrolment=first, actor=holder)
    dispatch_due_reminders()

    (promotion,) = [m for m in mail.outbox if m.to == [waiting.email]]
    assert promotion.subject.startswith("Er is een plaats vrij")
    link = next(line for line in promotion.body.splitlines() if "/trainingen/vrijgeven/" in line)
    token = link.rsplit("/vrijgeven/", 1)[1].strip("/")
    # "Mijn herinneringen" keeps the subject; the body with the one-click link is not stored.
    stored = planned(scheduling.PROMOTED, waiting)
    assert (stored.status, stored.subject) == (ReminderStatus.SENT, promotion.subject)
    assert token not in stored.body and "/vrijgeven/" not in stored.body
    released = services.enrolment_release(token=token)
    assert released.participant == waiting


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
class TestWithARealWorker:
    @pytest.fixture
    def celery_worker_env(self, worker_mailbox):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(worker_mailbox),
        }

    def test_a_session_reminder_queued_twice_arrives_exactly_once(
        self, celery_worker_queue, worker_mailbox
    ):
        run = RunFactory(location="Politiebureau Noord")
        person = UserFactory()
        services.enrolment_create(run=run, participant=person)
        reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
        PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

        first = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)
        second = send_reminder.apply_async(args=[reminder.pk], queue=celery_worker_queue)

        assert first.get(timeout=90) == ReminderStatus.SENT
        assert second.get(timeout=90) == ReminderStatus.SENT
        texts = [path.read_text() for path in worker_mailbox.iterdir()]
        # The file backend writes every message with a separator line after it.
        messages = [m for t in texts for m in t.split("-" * 79) if m.strip()]
        assert len(messages) == 1
        subject = str(make_header(decode_header(message_from_string(messages[0])["Subject"])))
        assert "Politiebureau Noord" in subject
        assert run.training.title in subject
        reminder.refresh_from_db()
        assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)


def test_only_sessions_still_to_come_get_a_reminder_and_a_reflection_invite():
    run = RunFactory()
    past = timezone.now() - timedelta(days=1)
    gone = SessionFactory(run=run, starts_at=past, ends_at=past + timedelta(hours=2))
    person = UserFactory()
    enrolment = EnrolmentFactory(run=run, participant=person)

    scheduling.enrolment_reminders_plan(enrolment=enrolment)

    coming = run.sessions.exclude(pk=gone.pk).get()
    assert set(
        PlannedReminder.objects.filter(recipient=person)
        .exclude(kind__in=scheduling.RUN_END_KINDS)
        .values_list("kind", "target_id")
    ) == {(scheduling.SESSION_DAY_BEFORE, coming.pk), (scheduling.REFLECTION_INVITE, coming.pk)}


def test_enrolling_less_than_a_day_ahead_reminds_at_once():
    soon = timezone.now() + timedelta(hours=5)
    run = RunFactory(starts_at=soon)
    person = UserFactory()
    before = timezone.now()

    services.enrolment_create(run=run, participant=person)

    due = planned(scheduling.SESSION_DAY_BEFORE, person).due_at
    assert before <= due <= timezone.now()


def test_a_session_added_later_is_planned_for_everyone_enrolled():
    run = RunFactory()
    people = [UserFactory(), UserFactory()]
    for person in people:
        services.enrolment_create(run=run, participant=person)
    start = run.starts_at + timedelta(days=7)

    session = services.session_create(
        actor=coordinator_of(run.training.programme),
        run=run,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )

    assert sorted(
        PlannedReminder.objects.filter(
            kind=scheduling.SESSION_DAY_BEFORE, target_id=session.pk
        ).values_list("recipient_id", "due_at")
    ) == [(p.pk, start - timedelta(hours=24)) for p in people]


def test_the_confirmation_goes_out_at_commit_without_waiting_for_the_dispatcher(
    django_capture_on_commit_callbacks,
):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.enrolment_create(run=RunFactory(), participant=person)

    assert len(callbacks) == 1
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Ingeschreven"]
    assert planned(scheduling.ENROLMENT_CONFIRMED, person).status == ReminderStatus.SENT


def test_the_waiting_list_notice_tells_the_position():
    run = RunFactory(capacity=1, location="Belastingdienst Utrecht")
    services.enrolment_create(run=run, participant=UserFactory())
    first, second = UserFactory(), UserFactory()
    services.enrolment_create(run=run, participant=first)
    services.enrolment_create(run=run, participant=second)

    dispatch_due_reminders()

    (notice,) = [m for m in mail.outbox if m.to == [second.email]]
    assert notice.subject.startswith("Wachtlijst: " + run.training.title)
    assert "Belastingdienst Utrecht" in notice.subject
    assert "plaats 2 van de wachtlijst" in notice.body


def test_the_subject_has_a_dutch_date():
    start = timezone.make_aware(timezone.datetime(2031, 3, 4, 9, 30))
    run = RunFactory(starts_at=start, enrolment_closes_at=start - timedelta(days=1))
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)

    dispatch_due_reminders()

    (confirmation,) = mail.outbox
    assert "4 maart 2031" in confirmation.subject


def test_a_cancelled_run_tells_everyone_and_withdraws_their_session_reminders():
    run = RunFactory(capacity=1)
    holder, waiting = UserFactory(), UserFactory()
    services.enrolment_create(run=run, participant=holder)
    services.enrolment_create(run=run, participant=waiting)
    mail.outbox.clear()
    PlannedReminder.objects.update(status=ReminderStatus.SENT)  # the earlier notices went out
    PlannedReminder.objects.filter(kind__in=scheduling.SESSION_KINDS).update(
        status=ReminderStatus.PLANNED
    )

    services.run_cancel(
        actor=coordinator_of(run.training.programme), run=run, reason="De trainer is ziek"
    )
    dispatch_due_reminders()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.email, waiting.email])
    assert all(m.subject.startswith("Geannuleerd: ") for m in mail.outbox)
    assert all("De trainer is ziek" in m.body for m in mail.outbox)
    assert set(
        PlannedReminder.objects.filter(kind__in=scheduling.SESSION_KINDS).values_list(
            "status", flat=True
        )
    ) == {ReminderStatus.CANCELLED}


def test_a_reminder_whose_session_was_cancelled_after_planning_is_skipped():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    reminder = planned(scheduling.SESSION_DAY_BEFORE, person)
    # Cancelled behind the services' back: the renderer still reads the current state.
    run.sessions.update(is_cancelled=True)
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())

    assert send_reminder(reminder.pk) == ReminderStatus.SKIPPED


def test_a_confirmation_for_a_place_already_given_up_is_skipped():
    person = UserFactory()
    enrolment = services.enrolment_create(run=RunFactory(), participant=person)
    services.enrolment_cancel(enrolment=enrolment, actor=person)

    assert send_reminder(planned(scheduling.ENROLMENT_CONFIRMED, person).pk) == (
        ReminderStatus.SKIPPED
    )


def test_the_release_token_is_deterministic_and_dies_with_a_new_enrolment():
    run = RunFactory()
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    token = scheduling.release_token(enrolment)
    assert scheduling.release_token(enrolment) == token
    assert scheduling.enrolment_id_from_release_token(token) == enrolment.pk
    assert scheduling.enrolment_id_from_release_token(token[:-2] + "xx") is None
    assert scheduling.enrolment_id_from_release_token("niets") is None

    services.enrolment_cancel(enrolment=enrolment, actor=person)
    again = services.enrolment_create(run=run, participant=person)

    assert again.pk == enrolment.pk
    assert scheduling.enrolment_id_from_release_token(token, enrolment=again) is None
    with pytest.raises(ValidationError):
        services.enrolment_release(token=token)
    assert services.enrolment_release(token=scheduling.release_token(again)).pk == again.pk


def test_the_reflection_invite_still_goes_out_when_the_run_was_just_completed():
    run = RunFactory(location="Politiebureau Zuid")
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    past = timezone.now() - timedelta(hours=3)
    run.sessions.update(starts_at=past, ends_at=past + timedelta(hours=2))
    Run.objects.filter(pk=run.pk).update(starts_at=past, ends_at=past + timedelta(hours=2))
    services.run_complete(
        actor=coordinator_of(run.training.programme), run=Run.objects.get(pk=run.pk)
    )
    reminder = planned(scheduling.REFLECTION_INVITE, person)
    PlannedReminder.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
    mail.outbox.clear()

    assert send_reminder(reminder.pk) == ReminderStatus.SENT

    (invite,) = mail.outbox
    assert run.training.title in invite.subject and "Politiebureau Zuid" in invite.subject
    assert f"/trainingen/inschrijvingen/{enrolment.pk}/bijeenkomsten/{session.pk}/reflectie/" in (
        invite.body
    )
