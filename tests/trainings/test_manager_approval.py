"""A training that requires the manager's approval: the enrolment is pending, uncounted, until
the manager answers through the single-use link mailed to them (reminded once when silent)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import UserFactory, coordinator
from tests.trainings.factories import EnrolmentFactory, RunFactory, TrainingFactory
from tests.trainings.threads import at_once
from trainings import scheduling, selectors, services
from trainings.models import ApprovalStatus, Enrolment, EnrolmentStatus, ManagerApproval

pytestmark = pytest.mark.django_db

MANAGER = "chef@gemeente.example"


def approval_run(**kwargs):
    return RunFactory(training=TrainingFactory(requires_manager_approval=True), **kwargs)


def ask(run, person=None, manager_email=MANAGER) -> Enrolment:
    return services.enrolment_create(
        run=run,
        participant=person or UserFactory(),
        manager_name="Carla Chef",
        manager_email=manager_email,
    )


def token_of(enrolment) -> str:
    return scheduling.approval_token(selectors.latest_approval(enrolment=enrolment))


def test_asking_leaves_the_enrolment_pending_and_uncounted_and_mails_the_manager(
    django_capture_on_commit_callbacks,
):
    run = approval_run(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = ask(run)

    assert enrolment.status == EnrolmentStatus.PENDING
    assert enrolment.enrolled_at is None
    # Not counted: somebody else still gets the one place without approval... once approved.
    assert selectors.run_detail(user=enrolment.participant, run_id=run.pk).enrolled_count == 0
    [question] = mail.outbox
    assert question.to == [MANAGER]
    assert token_of(enrolment) in question.body
    stored = PlannedReminder.objects.get(kind=scheduling.APPROVAL_ASKED)
    assert stored.status == ReminderStatus.SENT
    assert token_of(enrolment) not in stored.body  # the link is mailed, never stored


def test_the_manager_and_own_address_are_required():
    run = approval_run()
    person = UserFactory()
    with pytest.raises(ValidationError) as refused:
        services.enrolment_create(run=run, participant=person)
    assert set(refused.value.message_dict) == {"manager_name", "manager_email"}
    with pytest.raises(ValidationError) as own:
        ask(run, person, manager_email=person.email.upper())
    assert "niet aan jezelf" in " ".join(own.value.message_dict["manager_email"])
    assert not Enrolment.objects.exists()
    assert not PlannedReminder.objects.exists()


def test_approval_gives_a_free_place_and_tells_the_participant(
    django_capture_on_commit_callbacks,
):
    run = approval_run(capacity=2)
    enrolment = ask(run)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_approval_answer(
            token=token_of(enrolment), granted=True, comment="Goed plan."
        )

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    approval = selectors.latest_approval(enrolment=enrolment)
    assert approval.status == ApprovalStatus.APPROVED and approval.answered_at
    told = {m.subject: m for m in mail.outbox if m.to == [enrolment.participant.email]}
    assert any("Akkoord" in subject for subject in told)
    assert any("Goed plan." in m.body for m in told.values())
    kinds = set(
        PlannedReminder.objects.filter(recipient=enrolment.participant).values_list(
            "kind", flat=True
        )
    )
    assert {scheduling.APPROVAL_ANSWERED, scheduling.ENROLMENT_CONFIRMED} <= kinds
    reminder = PlannedReminder.objects.get(kind=scheduling.APPROVAL_REMINDER)
    assert reminder.status == ReminderStatus.CANCELLED


def test_approval_at_full_capacity_goes_to_the_waiting_list_from_that_moment():
    run = approval_run(capacity=1)
    asked_first = ask(run)
    later = EnrolmentFactory(run=run)  # took the place while the manager thought it over
    waiting = EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED)

    services.enrolment_approval_answer(token=token_of(asked_first), granted=True, comment="")

    asked_first.refresh_from_db()
    assert asked_first.status == EnrolmentStatus.WAITLISTED
    assert asked_first.requested_at > waiting.requested_at  # queued behind, at approval time
    assert selectors.enrolment_of(user=asked_first.participant, run=run).waitlist_position == 2
    assert later.status == EnrolmentStatus.ENROLLED


def test_a_decline_cancels_the_enrolment_and_tells_the_participant_with_the_comment():
    run = approval_run()
    enrolment = ask(run)

    services.enrolment_approval_answer(
        token=token_of(enrolment), granted=False, comment="Niet dit kwartaal."
    )
    dispatch_due_reminders()

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    answered = [m for m in mail.outbox if m.to == [enrolment.participant.email]]
    assert len(answered) == 1
    assert "Geen akkoord" in answered[0].subject and "Niet dit kwartaal." in answered[0].body
    assert selectors.run_detail(user=enrolment.participant, run_id=run.pk).enrolled_count == 0


def test_the_link_answers_once():
    run = approval_run()
    token = token_of(ask(run))
    services.enrolment_approval_answer(token=token, granted=True, comment="")
    with pytest.raises(ValidationError, match="al beantwoord"):
        services.enrolment_approval_answer(token=token, granted=False, comment="toch niet")
    assert ManagerApproval.objects.get().status == ApprovalStatus.APPROVED
    with pytest.raises(PermissionDenied):
        services.enrolment_approval_answer(token="0" * 64, granted=True, comment="")


def test_an_expired_link_answers_nothing_and_the_participant_may_ask_again(settings):
    settings.TRAININGS_APPROVAL_LINK_VALID_DAYS = 2
    run = approval_run()
    enrolment = ask(run)
    old_token = token_of(enrolment)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        with pytest.raises(ValidationError, match="verlopen"):
            services.enrolment_approval_answer(token=old_token, granted=True, comment="")
        assert Enrolment.objects.get().status == EnrolmentStatus.PENDING
        again = ask(run, enrolment.participant)
        assert again.pk == enrolment.pk
        new_token = token_of(again)
        assert new_token != old_token
        services.enrolment_approval_answer(token=new_token, granted=True, comment="")
    assert Enrolment.objects.get().status == EnrolmentStatus.ENROLLED


def test_asking_twice_while_the_link_works_is_refused():
    run = approval_run()
    enrolment = ask(run)
    with pytest.raises(ValidationError, match="wacht al"):
        ask(run, enrolment.participant)
    assert ManagerApproval.objects.count() == 1


def test_a_withdrawn_request_can_no_longer_be_answered_and_stops_the_reminder():
    run = approval_run()
    enrolment = ask(run)
    token = token_of(enrolment)
    services.enrolment_cancel(enrolment=enrolment, actor=enrolment.participant)
    with pytest.raises(ValidationError):
        services.enrolment_approval_answer(token=token, granted=True, comment="")
    assert Enrolment.objects.get().status == EnrolmentStatus.CANCELLED
    reminder = PlannedReminder.objects.get(kind=scheduling.APPROVAL_REMINDER)
    assert reminder.status == ReminderStatus.CANCELLED


def test_the_silent_manager_is_reminded_exactly_once_after_working_days(settings):
    settings.TRAININGS_APPROVAL_WORKING_DAYS = 3
    run = approval_run()
    enrolment = ask(run)
    dispatch_due_reminders()
    assert [m.to for m in mail.outbox] == [[MANAGER]]
    reminder = PlannedReminder.objects.get(kind=scheduling.APPROVAL_REMINDER)
    assert reminder.due_at > timezone.now() + timedelta(days=2)

    with time_machine.travel(reminder.due_at + timedelta(minutes=1)):
        dispatch_due_reminders()
        dispatch_due_reminders()

    assert [m.to for m in mail.outbox] == [[MANAGER], [MANAGER]]
    assert "Herinnering" in mail.outbox[1].subject
    assert token_of(enrolment) in mail.outbox[1].body
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT
    assert token_of(enrolment) not in reminder.body


def test_a_reminder_after_an_answer_is_not_sent():
    run = approval_run()
    enrolment = ask(run)
    dispatch_due_reminders()
    services.enrolment_approval_answer(token=token_of(enrolment), granted=True, comment="")
    reminder = PlannedReminder.objects.get(kind=scheduling.APPROVAL_REMINDER)
    with time_machine.travel(reminder.due_at + timedelta(minutes=1)):
        dispatch_due_reminders()
    assert not [m for m in mail.outbox if "Herinnering" in m.subject]


def test_the_answer_page_works_without_login_once_and_sets_no_referrer(client):
    run = approval_run()
    enrolment = ask(run)
    url = reverse("trainings:approval_answer", args=[token_of(enrolment)])

    page = client.get(url)
    assert page.status_code == 200
    assert enrolment.participant.full_name in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    answered = client.post(url, {"granted": "no", "comment": "Te druk."})
    assert answered.status_code == 302
    again = client.post(url, {"granted": "yes", "comment": ""})
    assert again.status_code == 200
    assert "Geen akkoord" in again.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    assert client.get(reverse("trainings:approval_answer", args=["x" * 64])).status_code == 404


def test_the_participant_asks_through_the_run_page_and_sees_the_pending_state(
    client, django_assert_max_num_queries
):
    run = approval_run()
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("trainings:run_detail", args=[run.pk])).content.decode()
    assert "Akkoord aanvragen" in page

    client.post(
        reverse("trainings:enrol", args=[run.pk]),
        {"manager_name": "Carla Chef", "manager_email": MANAGER},
    )

    with django_assert_max_num_queries(20):
        page = client.get(reverse("trainings:run_detail", args=[run.pk])).content.decode()
    assert "wacht op het akkoord van Carla Chef" in page
    assert Enrolment.objects.get(participant=person).status == EnrolmentStatus.PENDING
    mine = client.get(reverse("trainings:my_trainings")).content.decode()
    assert "Wacht op akkoord leidinggevende" in mine


def test_coordinators_see_pending_requests_on_the_register_in_bounded_queries(
    client, django_assert_max_num_queries
):
    run = approval_run()
    boss = coordinator()
    run.training.programme.coordinators.add(boss)
    client.force_login(boss)
    url = reverse("trainings:register", args=[run.pk])
    ask(run)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(4):
        ask(run)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("gevraagd aan Carla Chef") == 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_fill_the_free_places_once():
    run = approval_run(capacity=3)
    tokens = [token_of(ask(run)) for _ in range(8)]
    errors = at_once(
        lambda token: services.enrolment_approval_answer(token=token, granted=True, comment=""),
        tokens,
    )

    assert errors == []
    enrolments = Enrolment.objects.filter(run=run)
    assert enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == 3
    assert enrolments.filter(status=EnrolmentStatus.WAITLISTED).count() == 5
