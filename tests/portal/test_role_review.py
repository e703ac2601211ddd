"""The yearly role review (BIO 5.18): opened once, mailed, reminded, decided and recorded."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import (
    PlannedReminder,
    ReminderStatus,
    Role,
    RoleAssignment,
    RoleChange,
    RoleReview,
)
from portal.role_reminders import ROLE_REVIEW_OPENED, ROLE_REVIEW_REMINDER
from portal.tasks import dispatch_due_reminders, open_role_review_if_due
from portal.workdays import add_working_days
from tests.portal.factories import UserFactory, beheerder, contact_person, coordinator, trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "beheerder": beheerder(full_name="Bea Beheer"),
        "coordinator": coordinator(full_name="Sanne de Vries"),
        "contact": contact_person(full_name="Fatima el Amrani"),
        "trainer": trainer(full_name="Joost Bakker"),
        "participant": UserFactory(full_name="Lotte Jansen"),
    }


def test_the_review_lists_coordinators_contact_persons_and_beheerders(people):
    review = services.role_review_open()
    lines = {(line.user.full_name, line.role) for line in review.lines.select_related("user")}
    assert lines == {
        ("Bea Beheer", Role.BEHEERDER),
        ("Sanne de Vries", Role.COORDINATOR),
        ("Fatima el Amrani", Role.CONTACT_PERSON),
    }


def test_the_periodic_task_opens_one_review_when_run_twice(people, settings):
    settings.ROLE_REVIEW_INTERVAL_DAYS = 365
    first = open_role_review_if_due()
    second = open_role_review_if_due()
    assert first is not None
    assert second is None
    assert RoleReview.objects.count() == 1


def test_a_new_review_opens_only_after_the_interval(people, settings):
    settings.ROLE_REVIEW_INTERVAL_DAYS = 30
    review = services.role_review_open()
    for line in review.lines.all():
        services.role_review_decide(actor=people["beheerder"], line=line, decision="confirmed")
    assert services.role_review_open_if_due() is None
    later = timezone.now() + timedelta(days=31)
    assert services.role_review_open_if_due(now=later) is not None
    assert RoleReview.objects.count() == 2


def test_the_command_opens_one_review_now(people, capsys):
    call_command("open_role_review")
    call_command("open_role_review")
    assert RoleReview.objects.count() == 1
    assert "open already" in capsys.readouterr().out


def test_opening_mails_each_beheerder_and_plans_a_reminder_after_working_days(people, settings):
    settings.ROLE_REVIEW_REMINDER_WORKING_DAYS = 5
    second = beheerder(full_name="Bert Beheer")
    review = services.role_review_open()
    opened = PlannedReminder.objects.filter(kind=ROLE_REVIEW_OPENED, target_id=review.pk)
    assert {r.recipient for r in opened} == {people["beheerder"], second}
    reminder = PlannedReminder.objects.get(
        kind=ROLE_REVIEW_REMINDER, target_id=review.pk, recipient=people["beheerder"]
    )
    assert reminder.due_at == add_working_days(review.opened_at, 5)
    mail.outbox.clear()
    dispatch_due_reminders()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people["beheerder"].email, second.email])
    assert "rolreview" in mail.outbox[0].subject.lower()
    assert reverse("beheer_role_review_detail", args=[review.pk]) in mail.outbox[0].body


def test_an_unanswered_review_reminds_once_the_working_days_passed(people):
    review = services.role_review_open()
    dispatch_due_reminders()
    PlannedReminder.objects.filter(kind=ROLE_REVIEW_REMINDER).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    mail.outbox.clear()
    dispatch_due_reminders()
    [message] = mail.outbox
    assert message.to == [people["beheerder"].email]
    assert "nog niet afgerond" in message.subject
    assert review.opened_at.strftime("%Y") in message.body


def test_confirm_and_revoke_are_recorded_and_the_finished_review_cancels_its_reminder(
    client, people
):
    admin = people["beheerder"]
    client.force_login(admin)
    review = services.role_review_open(actor=admin)
    lines = {line.role: line for line in review.lines.all()}
    client.post(
        reverse("beheer_role_review_decide", args=[review.pk, lines[Role.COORDINATOR].pk]),
        {"decision": "confirmed"},
    )
    client.post(
        reverse("beheer_role_review_decide", args=[review.pk, lines[Role.CONTACT_PERSON].pk]),
        {"decision": "revoked"},
    )
    review.refresh_from_db()
    assert review.is_open
    assert (
        PlannedReminder.objects.get(kind=ROLE_REVIEW_REMINDER, recipient=admin).status
        == ReminderStatus.PLANNED
    )

    client.post(
        reverse("beheer_role_review_decide", args=[review.pk, lines[Role.BEHEERDER].pk]),
        {"decision": "confirmed"},
    )
    review.refresh_from_db()
    assert not review.is_open and review.closed_at is not None
    assert (
        PlannedReminder.objects.get(kind=ROLE_REVIEW_REMINDER, recipient=admin).status
        == ReminderStatus.CANCELLED
    )

    decided = {line.role: line for line in review.lines.all()}
    assert decided[Role.COORDINATOR].decision == "confirmed"
    assert decided[Role.CONTACT_PERSON].decision == "revoked"
    assert {line.decided_by for line in decided.values()} == {admin}
    assert all(line.decided_at for line in decided.values())

    # The revocation went through role_revoke: the role is gone, recorded and mailed.
    assert not RoleAssignment.objects.filter(user=people["contact"]).exists()
    change = RoleChange.objects.get(subject=people["contact"])
    assert change.action == "revoked" and "rolreview" in change.reason
    mail.outbox.clear()
    dispatch_due_reminders()
    assert [m.to[0] for m in mail.outbox if "ingetrokken" in m.subject] == [people["contact"].email]

    # A finished review is read-only and shows who decided what.
    page = client.get(reverse("beheer_role_review_detail", args=[review.pk])).content.decode()
    assert "afgerond" in page
    assert "Bevestigen" not in page
    assert "Bea Beheer" in page
    response = client.post(
        reverse("beheer_role_review_decide", args=[review.pk, lines[Role.COORDINATOR].pk]),
        {"decision": "revoked"},
        follow=True,
    )
    assert "is afgerond en kan niet meer worden gewijzigd" in response.content.decode()
    assert RoleAssignment.objects.filter(user=people["coordinator"]).exists()


def test_revoking_the_last_beheerder_in_a_review_is_refused_and_nothing_recorded(client, people):
    admin = people["beheerder"]
    client.force_login(admin)
    review = services.role_review_open()
    line = review.lines.get(role=Role.BEHEERDER)
    response = client.post(
        reverse("beheer_role_review_decide", args=[review.pk, line.pk]),
        {"decision": "revoked"},
        follow=True,
    )
    assert "de laatste beheerder" in response.content.decode()
    line.refresh_from_db()
    assert line.decision == ""
    assert not RoleChange.objects.exists()


def test_a_decided_line_cannot_be_decided_again(people):
    review = services.role_review_open()
    line = review.lines.get(role=Role.COORDINATOR)
    services.role_review_decide(actor=people["beheerder"], line=line, decision="confirmed")
    with pytest.raises(services.ValidationError):
        services.role_review_decide(actor=people["beheerder"], line=line, decision="revoked")


def test_only_beheerders_decide(people):
    review = services.role_review_open()
    line = review.lines.first()
    with pytest.raises(services.PermissionDenied):
        services.role_review_decide(actor=people["coordinator"], line=line, decision="revoked")
    with pytest.raises(services.PermissionDenied):
        services.role_review_open(actor=people["coordinator"])


def test_a_beheerder_opens_a_review_from_the_page(client, people):
    client.force_login(people["beheerder"])
    response = client.post(reverse("beheer_role_review_list"))
    review = RoleReview.objects.get()
    assert response.url == reverse("beheer_role_review_detail", args=[review.pk])
    assert review.opened_by == people["beheerder"]
    client.post(reverse("beheer_role_review_list"))
    assert RoleReview.objects.count() == 1


def test_the_review_task_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.tasks.open_role_review_if_due" in tasks
