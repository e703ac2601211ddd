import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal import reminders, services
from portal.celery import app as celery_app
from portal.models import Organisation, PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders, send_reminder, send_reminders
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.portal.mailstack import celery_broker, free_port

pytestmark = pytest.mark.django_db

KIND = "tests.organisation_news"
SKIPPING_KIND = "tests.no_longer_relevant"
FAILING_KIND = "tests.always_fails"
SECRET_LINK_KIND = "tests.secret_link"


@reminders.register(KIND)
def render_news(reminder):
    organisation = Organisation.objects.get(pk=reminder.target_id)
    return reminders.ReminderMessage(
        subject=f"Nieuws van {organisation.name}", body=f"Beste {reminder.recipient_email},"
    )


@reminders.register(SKIPPING_KIND)
def render_nothing(reminder):
    return None


@reminders.register(FAILING_KIND)
def render_failure(reminder):
    raise RuntimeError("template kapot")


@reminders.register(SECRET_LINK_KIND, keep_body=False)
def render_secret_link(reminder):
    return reminders.ReminderMessage(
        subject="Je persoonlijke link", body="Klik op https://portaal.example/geheim-123/"
    )


def plan(*, kind=KIND, target=None, recipient=None, due_in=timedelta(minutes=-1)):
    return services.reminder_plan(
        kind=kind,
        target=target or OrganisationFactory(),
        due_at=timezone.now() + due_in,
        recipient=recipient or UserFactory(),
    )


def test_planning_the_same_reminder_again_moves_it_instead_of_adding_one():
    target, person = OrganisationFactory(), UserFactory()
    first = plan(target=target, recipient=person, due_in=timedelta(days=3))
    again = plan(target=target, recipient=person, due_in=timedelta(days=5))

    assert again.pk == first.pk
    assert PlannedReminder.objects.count() == 1
    again.refresh_from_db()
    assert again.due_at > timezone.now() + timedelta(days=4)


def test_planning_uses_the_recipients_address_in_lower_case():
    reminder = plan(recipient=UserFactory(email="Iemand@Voorbeeld.example"))
    assert reminder.recipient_email == "iemand@voorbeeld.example"


def test_planning_an_unregistered_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown reminder kind"):
        plan(kind="tests.never_registered")


def test_a_reminder_for_someone_without_an_account_goes_to_the_given_address():
    reminder = services.reminder_plan(
        kind=KIND,
        target=OrganisationFactory(),
        due_at=timezone.now(),
        recipient_email="Leidinggevende@Gemeente.example",
    )
    assert services.reminder_send(reminder_id=reminder.pk) == ReminderStatus.SENT
    assert mail.outbox[0].to == ["leidinggevende@gemeente.example"]


def test_replanning_a_sent_reminder_leaves_it_sent_and_sends_nothing_more():
    target, person = OrganisationFactory(), UserFactory()
    reminder = plan(target=target, recipient=person)
    services.reminder_send(reminder_id=reminder.pk)

    plan(target=target, recipient=person, due_in=timedelta(minutes=-5))
    dispatch_due_reminders()

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert len(mail.outbox) == 1


def test_planning_several_at_once_adds_new_ones_revives_cancelled_and_leaves_sent_alone(
    django_assert_num_queries,
):
    person = UserFactory()
    sent_target, cancelled_target = OrganisationFactory(), OrganisationFactory()
    sent = plan(target=sent_target, recipient=person)
    services.reminder_send(reminder_id=sent.pk)
    cancelled = plan(target=cancelled_target, recipient=person, due_in=timedelta(days=1))
    services.reminder_cancel(target=cancelled_target)
    new_targets = [OrganisationFactory() for _ in range(5)]
    due = timezone.now() + timedelta(days=2)
    plans = [
        services.ReminderPlan(kind=KIND, target=target, due_at=due, recipient=person)
        for target in [sent_target, cancelled_target, *new_targets]
    ]

    # Savepoint; the existing rows locked; the cancelled one revived; savepoint, the five
    # new ones inserted, release; release.
    with django_assert_num_queries(7):
        services.reminders_plan(plans=plans)

    rows = {r.target_id: r for r in PlannedReminder.objects.filter(recipient=person)}
    assert len(rows) == 7
    assert rows[sent_target.pk].status == ReminderStatus.SENT
    assert rows[cancelled_target.pk].pk == cancelled.pk
    assert rows[cancelled_target.pk].status == ReminderStatus.PLANNED
    assert rows[cancelled_target.pk].due_at == due
    assert all(rows[t.pk].status == ReminderStatus.PLANNED for t in new_targets)
    assert all(rows[t.pk].due_at == due for t in new_targets)


def test_planning_several_at_once_refuses_an_unregistered_kind_and_plans_none():
    person = UserFactory()
    plans = [
        services.ReminderPlan(
            kind=KIND, target=OrganisationFactory(), due_at=timezone.now(), recipient=person
        ),
        services.ReminderPlan(
            kind="tests.never_registered",
            target=OrganisationFactory(),
            due_at=timezone.now(),
            recipient=person,
        ),
    ]
    with pytest.raises(ValueError, match="Unknown reminder kind"):
        services.reminders_plan(plans=plans)
    assert not PlannedReminder.objects.filter(recipient=person).exists()


def test_cancel_stops_unsent_reminders_of_that_target_only():
    target, other = OrganisationFactory(), OrganisationFactory()
    cancelled = plan(target=target)
    kept = plan(target=other)

    assert services.reminder_cancel(target=target) == 1
    dispatch_due_reminders()

    cancelled.refresh_from_db()
    kept.refresh_from_db()
    assert cancelled.status == ReminderStatus.CANCELLED
    assert kept.status == ReminderStatus.SENT
    assert [m.to for m in mail.outbox] == [[kept.recipient_email]]


def test_cancel_can_be_limited_to_one_kind_and_one_person():
    target, person, colleague = OrganisationFactory(), UserFactory(), UserFactory()
    mine = plan(target=target, recipient=person)
    colleagues = plan(target=target, recipient=colleague)
    other_kind = plan(kind=SKIPPING_KIND, target=target, recipient=person)

    assert services.reminder_cancel(target=target, kind=KIND, recipient=person) == 1
    statuses = dict(PlannedReminder.objects.values_list("pk", "status"))
    assert statuses[mine.pk] == ReminderStatus.CANCELLED
    assert statuses[colleagues.pk] == ReminderStatus.PLANNED
    assert statuses[other_kind.pk] == ReminderStatus.PLANNED


def test_a_cancelled_reminder_planned_again_is_sent():
    target, person = OrganisationFactory(), UserFactory()
    plan(target=target, recipient=person)
    services.reminder_cancel(target=target)
    plan(target=target, recipient=person)

    dispatch_due_reminders()

    assert len(mail.outbox) == 1


def test_the_dispatcher_sends_due_reminders_and_leaves_future_ones_planned():
    due = plan(due_in=timedelta(minutes=-1))
    future = plan(due_in=timedelta(hours=1))

    assert dispatch_due_reminders() == 1

    due.refresh_from_db()
    future.refresh_from_db()
    assert due.status == ReminderStatus.SENT
    assert due.subject.startswith("Nieuws van ")
    assert future.status == ReminderStatus.PLANNED
    assert len(mail.outbox) == 1


def test_sending_a_reminder_before_its_time_does_nothing():
    reminder = plan(due_in=timedelta(hours=2))
    assert services.reminder_send(reminder_id=reminder.pk) == ReminderStatus.PLANNED
    assert mail.outbox == []


def test_sending_the_same_reminder_twice_mails_once():
    reminder = plan()

    assert send_reminder(reminder.pk) == ReminderStatus.SENT
    assert send_reminder(reminder.pk) == ReminderStatus.SENT
    dispatch_due_reminders()

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.attempts == 1


def test_a_reminder_that_is_no_longer_relevant_is_skipped_not_sent():
    reminder = plan(kind=SKIPPING_KIND)
    assert services.reminder_send(reminder_id=reminder.pk) == ReminderStatus.SKIPPED
    assert mail.outbox == []


def make_retry_due(reminder, *, first_attempt_ago=None):
    """Move a waiting retry's time (and optionally its first attempt) into the past."""
    now = timezone.now()
    changes = {"next_attempt_at": now - timedelta(seconds=1)}
    if first_attempt_ago is not None:
        changes["first_attempt_at"] = now - first_attempt_ago
    PlannedReminder.objects.filter(pk=reminder.pk).update(**changes)


def test_a_failing_reminder_waits_twice_as_long_after_each_attempt(settings):
    settings.REMINDER_RETRY_SECONDS, settings.REMINDER_RETRY_MAX_SECONDS = 60, 3600
    reminder = plan(kind=FAILING_KIND)

    delays = []
    for _attempt in range(8):
        dispatch_due_reminders()
        dispatch_due_reminders()  # not due again yet: no second attempt
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.RETRY
        delays.append((reminder.next_attempt_at - reminder.updated_at).total_seconds())
        make_retry_due(reminder)

    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert reminder.attempts == 8
    assert "template kapot" in reminder.last_error
    assert mail.outbox == []


def test_a_failing_reminder_is_retried_for_the_whole_retry_period_then_marked_failed():
    reminder = plan(kind=FAILING_KIND)
    dispatch_due_reminders()

    make_retry_due(reminder, first_attempt_ago=timedelta(hours=23, minutes=59))
    dispatch_due_reminders()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.RETRY

    make_retry_due(reminder, first_attempt_ago=timedelta(hours=24))
    dispatch_due_reminders()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.FAILED
    assert reminder.next_attempt_at is None
    assert reminder.attempts == 3

    make_retry_due(reminder)
    dispatch_due_reminders()
    reminder.refresh_from_db()
    assert reminder.attempts == 3  # given up: only a beheerder's retry sends it again


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_reminder_at_once_mail_it_once():
    reminder = plan()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(services.reminder_send(reminder_id=reminder.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert reminder.attempts == 1
    assert len(results) == 2


def test_my_reminders_page_lists_only_what_was_sent_to_me(client, django_assert_max_num_queries):
    me, someone_else = UserFactory(), UserFactory()
    for _ in range(30):
        plan(recipient=me)
    plan(recipient=someone_else)
    plan(recipient=me, due_in=timedelta(days=1))  # not sent yet
    dispatch_due_reminders()
    client.force_login(me)

    with django_assert_max_num_queries(8):
        first_page = client.get(reverse("reminder_list"))
    second_page = client.get(reverse("reminder_list"), {"pagina": 2})

    assert first_page.status_code == 200
    assert len(first_page.context["page"]) == 25
    assert len(second_page.context["page"]) == 5
    shown = {r.recipient_id for r in first_page.context["page"]} | {
        r.recipient_id for r in second_page.context["page"]
    }
    assert shown == {me.pk}
    assert "Nieuws van" in first_page.content.decode()


def test_my_reminders_page_needs_a_login(client):
    response = client.get(reverse("reminder_list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_kind_that_does_not_keep_its_body_stores_the_subject_and_a_note(client):
    me = UserFactory()
    reminder = plan(kind=SECRET_LINK_KIND, recipient=me)

    assert services.reminder_send(reminder_id=reminder.pk) == ReminderStatus.SENT

    assert "geheim-123" in mail.outbox[0].body
    reminder.refresh_from_db()
    assert reminder.subject == "Je persoonlijke link"
    assert "geheim-123" not in reminder.body
    assert reminder.body == str(reminders.BODY_NOT_KEPT)
    client.force_login(me)
    page = client.get(reverse("reminder_list")).content.decode()
    assert "Je persoonlijke link" in page and "geheim-123" not in page


def test_registering_a_kind_twice_from_another_place_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        reminders.register(KIND)(lambda reminder: None)


def test_send_soon_queues_the_send_by_name_after_the_commit(django_capture_on_commit_callbacks):
    reminder = plan()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminders_send_soon(reminder_ids=[reminder.pk, reminder.pk])
    assert mail.outbox == [] and len(callbacks) == 1

    callbacks[0]()

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (ReminderStatus.SENT, 1)


def test_the_send_tasks_are_registered_under_the_names_services_queue():
    assert celery_app.tasks[services.SEND_REMINDER_TASK] is send_reminder._get_current_object()
    assert celery_app.tasks[services.SEND_REMINDERS_TASK] is send_reminders._get_current_object()


def test_a_reminder_that_cannot_be_queued_stays_planned_for_the_dispatcher(
    django_capture_on_commit_callbacks, caplog
):
    reminder = plan()

    # A real broker address where nothing listens.
    with (
        celery_broker(f"redis://127.0.0.1:{free_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.reminders_send_soon(reminder_ids=[reminder.pk])
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PLANNED
    assert "not queued" in caplog.text

    dispatch_due_reminders()
    assert len(mail.outbox) == 1


def test_a_reminder_message_carries_its_attachments_into_the_mail():
    message = reminders.ReminderMessage(
        subject="Inschrijving",
        body="Je bent ingeschreven.",
        attachments=(reminders.MailAttachment("sessie.ics", "BEGIN:VCALENDAR", "text/calendar"),),
    )
    email = message.as_email(to="a@example.nl")
    assert email.to == ["a@example.nl"]
    assert email.attachments[0][0] == "sessie.ics"
    assert email.attachments[0][2] == "text/calendar"
