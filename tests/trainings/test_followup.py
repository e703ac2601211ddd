"""The samenwerkingsmeter weeks after a run: asked once, anonymous, organisations not names."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation, PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import OrganisationFactory, UserFactory, coordinator, trainer
from tests.trainings.factories import EnrolmentFactory, RunFactory, TrainingFactory
from trainings import scheduling, selectors, services
from trainings.models import DevelopmentPlan, FollowupAnswer, FollowupRespondent

pytestmark = pytest.mark.django_db

OUTCOME_MARK = "Samen een pand aangepakt"


@pytest.fixture
def partners():
    return [
        OrganisationFactory(name=name, kind=Organisation.Kind.GEMEENTE)
        for name in ("Gemeente Noord", "Gemeente Zuid")
    ]


def run_ended_weeks_ago(weeks: int, participants: int, organisation, training=None):
    now = timezone.now()
    ends = now - timedelta(weeks=weeks)
    run = RunFactory(
        training=training or TrainingFactory(),
        starts_at=ends - timedelta(hours=4),
        ends_at=ends,
        enrolment_opens_at=ends - timedelta(days=30),
        enrolment_closes_at=ends - timedelta(days=5),
    )
    people = [
        EnrolmentFactory(run=run, participant__organisation=organisation).participant
        for _ in range(participants)
    ]
    return run, people


def boss_of(programme):
    person = coordinator()
    programme.coordinators.add(person)
    return person


def submit(run, person, organisations, contacted=True, outcome=OUTCOME_MARK):
    services.followup_submit(
        participant=person,
        run=run,
        contacted=contacted,
        organisations=organisations,
        outcome=outcome,
    )


def test_choices_are_the_programme_partners_but_ones_own(partners):
    north, south = partners
    run, (person,) = run_ended_weeks_ago(9, 1, north)
    EnrolmentFactory(run=run, participant__organisation=south)
    choices = set(selectors.followup_partner_choices(run=run, user=person))
    assert choices == {south, run.training.provider}


def test_answer_is_stored_without_the_person_once_and_only_after_the_weeks(partners):
    north, south = partners
    early, (waiting,) = run_ended_weeks_ago(2, 1, north)
    with pytest.raises(ValidationError):
        submit(early, waiting, [early.training.provider])
    run, (person, _other) = run_ended_weeks_ago(9, 2, north)
    submit(run, person, [run.training.provider])
    assert FollowupRespondent.objects.filter(run=run, participant=person).exists()
    fields = {field.name for field in FollowupAnswer._meta.get_fields()}
    assert not fields & {"participant", "enrolment", "user", "created_at"}
    with pytest.raises(ValidationError):
        submit(run, person, [run.training.provider])
    with pytest.raises(PermissionDenied):
        submit(run, UserFactory(), [run.training.provider])


def test_bad_input_is_refused_and_writes_nothing(partners):
    north, _south = partners
    run, (person,) = run_ended_weeks_ago(9, 1, north)
    for organisations, contacted in (([north], True), ([], True), ([run.training.provider], False)):
        with pytest.raises(ValidationError):
            submit(run, person, organisations, contacted=contacted)
    with pytest.raises(ValidationError):
        submit(run, person, [run.training.provider], outcome="x" * 2001)
    assert not FollowupRespondent.objects.exists() and not FollowupAnswer.objects.exists()


def test_the_page_shows_the_end_review_and_refuses_bad_input(client, partners):
    north, _south = partners
    run, (person,) = run_ended_weeks_ago(9, 1, north)
    DevelopmentPlan.objects.create(
        enrolment=person.enrolments.get(), learned="Wie ik bij de fiscus bel"
    )
    client.force_login(person)
    url = reverse("trainings:followup", args=[run.pk])
    page = client.get(url).content.decode()
    assert "Wie ik bij de fiscus bel" in page
    assert reverse("trainings:development_plan", args=[person.enrolments.get().pk]) in page
    response = client.post(url, {"contacted": "ja"})
    assert response.status_code == 200
    assert "Kies met welke organisatie" in response.content.decode()
    response = client.post(
        url, {"contacted": "ja", "organisations": [run.training.provider_id], "outcome": "Veel"}
    )
    assert response["Location"] == reverse("trainings:followup_thanks", args=[run.pk])
    assert client.get(url).status_code == 200  # answered: says so, offers no form
    assert FollowupRespondent.objects.count() == 1


def test_counts_per_organisation_only_from_five_answers(partners, client):
    north, south = partners
    run, people = run_ended_weeks_ago(9, 6, north)
    EnrolmentFactory(run=run, participant__organisation=south)
    provider = run.training.provider
    for person in people[:4]:
        submit(run, person, [provider, south])
    summary = selectors.followup_summary(run_ids=[run.pk])[run.pk]
    assert (summary.asked, summary.answered) == (7, 4)
    assert summary.contacted is None and summary.per_organisation is None
    boss = boss_of(run.training.programme)
    assert selectors.followup_outcomes(user=boss, run=run, answered=4) == []
    submit(run, people[4], [], contacted=False)
    summary = selectors.followup_summary(run_ids=[run.pk])[run.pk]
    assert summary.contacted == 4
    assert summary.per_organisation == {provider.name: 4, south.name: 4}
    client.force_login(boss)
    page = client.get(reverse("trainings:evaluation_results", args=[run.pk])).content.decode()
    assert south.name in page
    assert OUTCOME_MARK in page  # unattributed, for the coordinator, from 5 answers


def test_a_trainer_never_sees_the_followup(partners, client):
    north, _south = partners
    run, people = run_ended_weeks_ago(9, 5, north)
    run.trainers.add(teacher := trainer())
    for person in people:
        submit(run, person, [run.training.provider])
    services.evaluation_settings_update(
        actor=boss_of(run.training.programme),
        programme=run.training.programme,
        followup_weeks=8,
        trainers_see_aggregates=True,
    )
    client.force_login(teacher)
    page = client.get(reverse("trainings:evaluation_results", args=[run.pk])).content.decode()
    assert "Samenwerkingsmeter" not in page and OUTCOME_MARK not in page


def test_the_followup_mail_goes_the_programme_weeks_after_the_run_once(partners):
    north, _south = partners
    run = RunFactory()
    person = UserFactory(organisation=north)
    services.enrolment_create(run=run, participant=person)
    reminder = PlannedReminder.objects.get(kind=scheduling.FOLLOWUP, recipient=person)
    assert reminder.due_at == run.ends_at + timedelta(weeks=8)
    services.evaluation_settings_update(
        actor=boss_of(run.training.programme),
        programme=run.training.programme,
        followup_weeks=6,
        trainers_see_aggregates=False,
    )
    reminder.refresh_from_db()
    assert reminder.due_at == run.ends_at + timedelta(weeks=6)
    with time_machine.travel(run.ends_at + timedelta(weeks=6, hours=1), tick=False):
        mail.outbox.clear()
        dispatch_due_reminders()
        dispatch_due_reminders()
        sent = [m for m in mail.outbox if m.subject.startswith("Samenwerkingsmeter")]
        assert [m.to[0] for m in sent] == [person.email]
        assert reverse("trainings:followup", args=[run.pk]) in sent[0].body
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT


def test_the_followup_mail_is_skipped_for_who_already_answered(partners):
    north, _south = partners
    run = RunFactory()
    person = UserFactory(organisation=north)
    services.enrolment_create(run=run, participant=person)
    with time_machine.travel(run.ends_at + timedelta(weeks=8), tick=False):
        submit(run, person, [run.training.provider])
    with time_machine.travel(run.ends_at + timedelta(weeks=8, hours=1), tick=False):
        dispatch_due_reminders()
    reminder = PlannedReminder.objects.get(kind=scheduling.FOLLOWUP, recipient=person)
    assert reminder.status == ReminderStatus.SKIPPED


@pytest.mark.parametrize("runs", [2, 8])
def test_followup_summary_takes_a_constant_number_of_queries(
    runs, partners, django_assert_num_queries
):
    north, _south = partners
    run_ids = []
    for _ in range(runs):
        run, people = run_ended_weeks_ago(9, 5, north)
        for person in people:
            submit(run, person, [run.training.provider])
        run_ids.append(run.pk)
    with django_assert_num_queries(5):
        summary = selectors.followup_summary(run_ids=run_ids)
    assert all(item.answered == 5 and item.contacted == 5 for item in summary.values())


@pytest.mark.parametrize("volume", [2, 10])
def test_my_trainings_lists_open_questionnaires_in_constant_queries(
    volume, partners, client, django_assert_max_num_queries
):
    north, _south = partners
    person = UserFactory(organisation=north)
    for _ in range(volume):
        run, _people = run_ended_weeks_ago(9, 0, north)
        EnrolmentFactory(run=run, participant=person)
    client.force_login(person)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("trainings:my_trainings")).content.decode()
    assert page.count("Samenwerkingsmeter invullen") == volume
    assert page.count("Evaluatie invullen") == volume
