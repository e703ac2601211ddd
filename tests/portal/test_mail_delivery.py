"""How the one mail path sends: batches over one connection, claims with a lease, the same
Message-ID on every attempt, backing off through an SMTP outage, a bounded wait on a hung
server, and the mail status page. Every mail server here is a real one on loopback."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal import reminders, services
from portal.digest import DAILY_DIGEST
from portal.models import MailDelivery, Organisation, PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders, send_reminders
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    add_totp,
    force_login_with_mfa,
)
from tests.portal.mailstack import SilentServer, SinkHandler, SmtpSink

pytestmark = pytest.mark.django_db

NEWS = "tests.delivery_news"
DYING = "tests.delivery_worker_dies"
SECRET = "Geheime inhoud 4711"


@reminders.register(NEWS)
def render_news(reminder):
    organisation = Organisation.objects.get(pk=reminder.target_id)
    return reminders.ReminderMessage(subject=f"Nieuws {organisation.pk}", body="Hallo")


DIGESTIBLE = "tests.delivery_digestible"


@reminders.register(DIGESTIBLE, label="Testoverzicht")
def render_digestible(reminder):
    return reminders.ReminderMessage(subject="In het overzicht", body="Hallo")


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: nothing after this point runs."""


_dying = threading.Event()


@reminders.register(DYING)
def render_or_die(reminder):
    if _dying.is_set():
        raise WorkerDied
    return reminders.ReminderMessage(subject="Na de herstart", body="Hallo")


@pytest.fixture
def sink(settings):
    server = SmtpSink().start()
    server.use_in(settings)
    yield server
    server.stop()


def plan_many(count, *, kind=NEWS):
    return [
        services.reminder_plan(
            kind=kind,
            target=OrganisationFactory(),
            due_at=timezone.now() - timedelta(minutes=1),
            recipient=UserFactory(),
        )
        for _ in range(count)
    ]


def statuses():
    return sorted(PlannedReminder.objects.values_list("status", flat=True))


def make_retries_due():
    PlannedReminder.objects.filter(status=ReminderStatus.RETRY).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# --- batches -----------------------------------------------------------------------------------


def test_the_dispatcher_sends_a_batch_over_one_smtp_connection(sink):
    planned = plan_many(60)

    assert dispatch_due_reminders() == 60

    assert sink.handler.sessions == 1
    assert len(sink.handler.messages) == 60
    rows = {r.pk: r for r in PlannedReminder.objects.all()}
    assert {r.status for r in rows.values()} == {ReminderStatus.SENT}
    # Every mail carries its row's own Message-ID.
    assert sorted(sink.handler.message_ids()) == sorted(rows[r.pk].message_id for r in planned)
    assert all(
        r.message_id.startswith(f"<reminder.{r.pk}.")
        and r.message_id.endswith("@werkendleren.example>")
        for r in rows.values()
    )


def test_a_batch_task_run_twice_sends_each_mail_once(sink):
    ids = [r.pk for r in plan_many(10)]

    assert send_reminders(ids) == 10
    assert send_reminders(ids) == 0
    dispatch_due_reminders()

    assert len(sink.handler.messages) == 10
    assert set(PlannedReminder.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_two_batches_of_the_same_rows_at_once_send_each_mail_once(sink):
    ids = [r.pk for r in plan_many(40)]
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            services.reminders_send(reminder_ids=ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sink.handler.message_ids()) == sorted(
        PlannedReminder.objects.values_list("message_id", flat=True)
    )
    assert len(sink.handler.messages) == 40


def test_send_soon_queues_one_task_for_all_ids_of_one_commit(
    sink, django_capture_on_commit_callbacks
):
    first, second, third = plan_many(3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        services.reminders_send_soon(reminder_ids=[first.pk])
        services.reminders_send_soon(reminder_ids=[second.pk, first.pk])
        with transaction.atomic():
            services.reminders_send_soon(reminder_ids=[third.pk])

    assert len(callbacks) == 1
    callbacks[0]()
    assert len(sink.handler.messages) == 3
    assert sink.handler.sessions == 1


def test_a_rolled_back_transaction_leaves_nothing_for_the_next_one(
    django_capture_on_commit_callbacks,
):
    first, second = plan_many(2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.reminders_send_soon(reminder_ids=[first.pk])
            raise RuntimeError
        with transaction.atomic():
            services.reminders_send_soon(reminder_ids=[second.pk])

    (callback,) = callbacks
    assert callback.ids == [second.pk]


# --- claims and their lease --------------------------------------------------------------------


def test_a_claim_whose_worker_died_is_sent_after_its_lease_with_the_same_message_id(sink, settings):
    (reminder,) = plan_many(1, kind=DYING)
    settings.REMINDER_CLAIM_LEASE_SECONDS = 300
    _dying.set()
    try:
        with pytest.raises(WorkerDied):
            dispatch_due_reminders()
    finally:
        _dying.clear()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENDING
    claimed_message_id = reminder.message_id

    # Within the lease nobody touches it: the claimer may still be sending.
    dispatch_due_reminders()
    assert sink.handler.messages == []

    PlannedReminder.objects.filter(pk=reminder.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    dispatch_due_reminders()

    reminder.refresh_from_db()
    assert (reminder.status, reminder.lease_expiries, reminder.attempts) == (
        ReminderStatus.SENT,
        1,
        2,
    )
    assert sink.handler.message_ids() == [claimed_message_id]


def test_a_claim_that_keeps_dying_is_given_up_after_the_retry_period(settings):
    (reminder,) = plan_many(1, kind=DYING)
    _dying.set()
    try:
        with pytest.raises(WorkerDied):
            dispatch_due_reminders()
    finally:
        _dying.clear()
    PlannedReminder.objects.filter(pk=reminder.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1),
        first_attempt_at=timezone.now() - timedelta(hours=25),
    )

    dispatch_due_reminders()

    reminder.refresh_from_db()
    assert (reminder.status, reminder.lease_expiries) == (ReminderStatus.FAILED, 1)
    assert mail.outbox == []


# --- an SMTP outage ----------------------------------------------------------------------------


def test_an_smtp_outage_longer_than_the_old_retry_budget_loses_no_mail(settings):
    sink = SmtpSink()
    sink.use_in(settings)  # the address of a mail server that is down
    plan_many(30)

    # The first failure stops the round: one connection attempt, not one per mail.
    dispatch_due_reminders()
    assert statuses() == [ReminderStatus.PLANNED] * 5 + [ReminderStatus.RETRY] * 25
    for _round in range(6):
        make_retries_due()
        dispatch_due_reminders()
    # Nothing is given up (the retry period is a day) and nothing pretends to be sent.
    assert set(statuses()) == {ReminderStatus.PLANNED, ReminderStatus.RETRY}
    retrying = PlannedReminder.objects.filter(status=ReminderStatus.RETRY).first()
    assert "ConnectionRefusedError" in retrying.last_error

    sink.start()
    try:
        make_retries_due()
        dispatch_due_reminders()
    finally:
        sink.stop()

    assert set(statuses()) == {ReminderStatus.SENT}
    assert sorted(sink.handler.message_ids()) == sorted(
        PlannedReminder.objects.values_list("message_id", flat=True)
    )


def test_a_server_that_closes_the_connection_mid_batch_gets_a_new_one(settings):
    sink = SmtpSink(SinkHandler(mails_per_connection=4)).start()
    sink.use_in(settings)
    try:
        plan_many(12)
        dispatch_due_reminders()
        assert sink.handler.sessions == 3
        assert statuses() == [ReminderStatus.RETRY] * 2 + [ReminderStatus.SENT] * 10
        make_retries_due()
        dispatch_due_reminders()
    finally:
        sink.stop()

    assert set(statuses()) == {ReminderStatus.SENT}
    assert len(set(sink.handler.message_ids())) == len(sink.handler.messages) == 12


def test_a_hung_mail_server_fails_the_attempt_after_the_timeout(settings):
    server = SilentServer()
    try:
        SmtpSink(port=server.port).use_in(settings, timeout=1)
        (reminder,) = plan_many(1)

        dispatch_due_reminders()
    finally:
        server.close()

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.RETRY
    assert "timed out" in reminder.last_error


def test_a_refused_recipient_fails_only_that_mail(sink, settings):
    plan_many(3)
    bad = services.reminder_plan(
        kind=NEWS,
        target=OrganisationFactory(),
        due_at=timezone.now() - timedelta(hours=1),
        recipient_email="bestaat-niet@",
    )

    dispatch_due_reminders()

    bad.refresh_from_db()
    assert bad.status == ReminderStatus.RETRY
    assert len(sink.handler.messages) == 3


def test_a_mail_refused_after_its_end_mark_is_retried_not_recorded_sent(settings):
    refused_person = UserFactory()
    server = SmtpSink(SinkHandler(refuse_data_to={refused_person.email})).start()
    server.use_in(settings)
    try:
        plan_many(2)
        refused = services.reminder_plan(
            kind=NEWS,
            target=OrganisationFactory(),
            due_at=timezone.now() - timedelta(minutes=1),
            recipient=refused_person,
        )
        dispatch_due_reminders()
    finally:
        server.stop()

    refused.refresh_from_db()
    assert refused.status == ReminderStatus.RETRY
    assert refused.sent_at is None
    assert "554" in refused.last_error
    assert len(server.handler.messages) == 2


def test_a_digest_refused_after_its_end_mark_gives_its_reminders_back(settings):
    person = UserFactory()
    services.mail_preferences_update(user=person, deliveries={DIGESTIBLE: MailDelivery.DIGEST})
    server = SmtpSink(SinkHandler(refuse_data_to={person.email})).start()
    server.use_in(settings)
    try:
        held = services.reminder_plan(
            kind=DIGESTIBLE,
            target=OrganisationFactory(),
            due_at=timezone.now() - timedelta(minutes=1),
            recipient=person,
        )
        services.reminders_plan_digests(now=timezone.now())
        PlannedReminder.objects.filter(kind=DAILY_DIGEST).update(
            due_at=timezone.now() - timedelta(seconds=1)
        )
        dispatch_due_reminders()
    finally:
        server.stop()

    digest = PlannedReminder.objects.get(kind=DAILY_DIGEST, recipient=person)
    held.refresh_from_db()
    assert digest.status == ReminderStatus.RETRY
    assert (held.status, held.digest_id, held.sent_at) == (ReminderStatus.PLANNED, digest.pk, None)
    assert server.handler.messages == []


# --- the mail status page ----------------------------------------------------------------------


@pytest.fixture
def admin_user():
    user = UserFactory(is_superuser=True, is_staff=True)
    add_totp(user)
    return user


def failed_reminders(count):
    rows = plan_many(count)
    PlannedReminder.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=ReminderStatus.FAILED,
        attempts=30,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        subject=f"Signaal HKIN-2026-0001: {SECRET}",
        body=SECRET,
    )
    return rows


def test_the_mail_status_page_lists_failures_and_lease_expiries_without_content(
    client, admin_user, django_assert_max_num_queries
):
    failed_reminders(60)
    resent = plan_many(1)[0]
    PlannedReminder.objects.filter(pk=resent.pk).update(
        status=ReminderStatus.SENT, lease_expiries=2, attempts=3
    )
    force_login_with_mfa(client, admin_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("mail_status"))

    assert response.status_code == 200
    status = response.context["status"]
    assert (status.failed_count, status.lease_expired_count) == (60, 1)
    assert len(status.failed) == 50
    page = response.content.decode()
    assert SECRET not in page
    assert "Connection refused" in page
    assert resent.recipient_email in page


def test_the_mail_status_page_is_for_administrators_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("mail_status")).status_code == 403
    assert client.post(reverse("mail_status_retry_all")).status_code == 403


def test_retrying_one_failed_mail_sends_it_with_its_message_id(client, admin_user, sink):
    first, second = failed_reminders(2)
    PlannedReminder.objects.filter(pk=first.pk).update(message_id="<vast@werkendleren.example>")
    force_login_with_mfa(client, admin_user)

    response = client.post(reverse("mail_status_retry", args=[first.pk]))
    assert response.status_code == 302
    dispatch_due_reminders()

    assert sink.handler.message_ids() == ["<vast@werkendleren.example>"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ReminderStatus.SENT, ReminderStatus.FAILED)


def test_retrying_all_failed_mails_sends_each_once(client, admin_user, sink):
    failed_reminders(4)
    force_login_with_mfa(client, admin_user)

    response = client.post(reverse("mail_status_retry_all"), follow=True)

    assert "4 mislukte e-mails worden opnieuw verstuurd" in response.content.decode()
    dispatch_due_reminders()
    assert len(sink.handler.messages) == 4
    assert set(statuses()) == {ReminderStatus.SENT}


def test_the_retry_services_check_the_actor():
    (row,) = failed_reminders(1)
    with pytest.raises(services.PermissionDenied):
        services.reminder_retry(actor=UserFactory(), reminder_id=row.pk)
    with pytest.raises(services.PermissionDenied):
        services.reminders_retry_failed(actor=UserFactory())


def test_the_admin_index_links_to_the_mail_status(client, admin_user):
    force_login_with_mfa(client, admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("mail_status") in page


def test_the_retry_delay_doubles_up_to_its_ceiling(settings):
    settings.REMINDER_RETRY_SECONDS, settings.REMINDER_RETRY_MAX_SECONDS = 60, 3600
    delays = [services.reminder_retry_delay(attempts=n).total_seconds() for n in range(1, 10)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
