"""A coordinator mails a group of a run's people from a template: preview, then send once."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import UserFactory, coordinator
from tests.trainings.factories import EnrolmentFactory, RunFactory, coordinator_of
from trainings import mailing, scheduling, selectors, services
from trainings.models import Attendance, AttendanceStatus, EnrolmentStatus, RunMailing

pytestmark = pytest.mark.django_db


def page_boss(client, run):
    person = coordinator()
    run.training.programme.coordinators.add(person)
    client.force_login(person)
    return person


@pytest.fixture
def run_with_people():
    """Four enrolled (one present, one absent, one excused, one unmarked) and one waiting."""
    run = RunFactory(capacity=10)
    session = run.sessions.get()
    people = {}
    for name, mark in (
        ("aanwezig", AttendanceStatus.PRESENT),
        ("afwezig", AttendanceStatus.ABSENT),
        ("verontschuldigd", AttendanceStatus.EXCUSED),
        ("ongemarkeerd", None),
    ):
        enrolment = EnrolmentFactory(run=run, participant=UserFactory(full_name=f"Ann {name}"))
        if mark:
            Attendance.objects.create(enrolment=enrolment, session=session, status=mark)
        people[name] = enrolment.participant
    people["wachtend"] = EnrolmentFactory(
        run=run, status=EnrolmentStatus.WAITLISTED, participant=UserFactory(full_name="Ann wacht")
    ).participant
    return run, people


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("enrolled", {"aanwezig", "afwezig", "verontschuldigd", "ongemarkeerd"}),
        ("waiting", {"wachtend"}),
        ("attended", {"aanwezig"}),
        ("absent", {"afwezig"}),
    ],
)
def test_each_group_is_who_the_register_says(run_with_people, audience, expected):
    run, people = run_with_people
    found = set(selectors.mailing_recipients(run=run, audience=audience))
    assert found == {people[name] for name in expected}


def test_placeholders_are_filled_as_plain_text_and_nothing_else_is_evaluated():
    values = {"voornaam": "{training}", "training": "Hoe werkt het OM?"}
    text = "Hoi {voornaam}, {{ secret }} {% debug %} {training.__class__} {training}"
    assert mailing.fill(text, values) == (
        "Hoi {training}, {{ secret }} {% debug %} {training.__class__} Hoe werkt het OM?"
    )
    assert mailing.unknown_placeholders(text) == ["training.__class__"]


def test_an_unknown_placeholder_is_refused_and_nothing_is_sent(run_with_people):
    run, _people = run_with_people
    boss = coordinator_of(run.training.programme)
    with pytest.raises(ValidationError) as refused:
        services.run_mailing_send(
            actor=boss, run=run, audience="enrolled", subject="Hoi", body="Beste {voornam}"
        )
    assert "{voornam}" in " ".join(refused.value.message_dict["body"])
    assert not RunMailing.objects.exists() and not PlannedReminder.objects.exists()


def test_sending_mails_each_person_of_the_group_once_with_their_own_name(run_with_people):
    run, people = run_with_people
    boss = coordinator_of(run.training.programme)
    template = mailing.TEMPLATES["praktisch"]

    sent = services.run_mailing_send(
        actor=boss, run=run, audience="enrolled", subject=template.subject, body=template.body
    )
    dispatch_due_reminders()
    dispatch_due_reminders()

    assert sent.recipient_count == 4 and sent.sent_by == boss
    assert len(mail.outbox) == 4
    by_address = {m.to[0]: m for m in mail.outbox}
    message = by_address[people["afwezig"].email]
    assert message.subject == f"Praktische informatie: {run.training.title}"
    assert message.body.startswith("Beste Ann,")
    assert reverse("trainings:run_detail", args=[run.pk]) in message.body
    assert people["wachtend"].email not in by_address
    reminders = PlannedReminder.objects.filter(kind=scheduling.RUN_MAILING)
    assert reminders.count() == 4
    assert set(reminders.values_list("status", flat=True)) == {ReminderStatus.SENT}
    # Listed under "Mijn herinneringen" with its text.
    assert run.training.title in reminders.get(recipient=people["afwezig"]).subject


def test_only_the_runs_coordinators_send_and_an_empty_group_sends_nothing():
    run = RunFactory()
    other = coordinator_of(RunFactory().training.programme)
    with pytest.raises(PermissionDenied):
        services.run_mailing_send(actor=other, run=run, audience="enrolled", subject="a", body="b")
    boss = coordinator_of(run.training.programme)
    with pytest.raises(ValidationError, match="Niemand"):
        services.run_mailing_send(actor=boss, run=run, audience="waiting", subject="a", body="b")
    assert not RunMailing.objects.exists()


def test_the_page_previews_without_sending_then_sends_once_when_posted_twice(
    client, run_with_people, django_assert_max_num_queries
):
    run, people = run_with_people
    page_boss(client, run)
    url = reverse("trainings:run_mailing", args=[run.pk])
    with django_assert_max_num_queries(16):
        page = client.get(url + "?sjabloon=huiswerk")
    form = page.context["form"]
    assert form.initial["subject"] == mailing.TEMPLATES["huiswerk"].subject
    data = {
        "audience": "absent",
        "subject": "Gemist: {training}",
        "body": "Beste {voornaam}, we misten je op {datum}.",
        "submission_key": form["submission_key"].value(),
    }

    with django_assert_max_num_queries(20):
        preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Dit bericht gaat naar 1 persoon." in body
    assert "Beste Ann, we misten je op" in body
    assert not RunMailing.objects.exists() and not PlannedReminder.objects.exists()

    first = client.post(url, {**data, "send": "1"})
    second = client.post(url, {**data, "send": "1"})

    assert first.status_code == 302 and second.status_code == 302
    assert RunMailing.objects.count() == 1
    assert PlannedReminder.objects.filter(kind=scheduling.RUN_MAILING).count() == 1
    register = client.get(reverse("trainings:register", args=[run.pk])).content.decode()
    assert "Gemist: {training}" in register and "(1)" in register


def test_the_page_is_not_found_for_a_coordinator_of_another_programme(client):
    run = RunFactory()
    page_boss(client, RunFactory())
    assert client.get(reverse("trainings:run_mailing", args=[run.pk])).status_code == 404


def test_the_run_mailing_list_needs_a_fixed_number_of_queries(
    client, run_with_people, django_assert_max_num_queries
):
    run, _people = run_with_people
    boss = page_boss(client, run)
    url = reverse("trainings:run_mailing", args=[run.pk])
    services.run_mailing_send(actor=boss, run=run, audience="enrolled", subject="a", body="b")
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(5):
        services.run_mailing_send(actor=boss, run=run, audience="waiting", subject="c", body="d")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count("„c”") == 5
    assert timezone.now()
