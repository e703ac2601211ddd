"""A coordinator enrols a team from pasted addresses: all of them or, with one bad address, none."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.models import PlannedReminder
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import UserFactory, coordinator
from tests.trainings.factories import EnrolmentFactory, RunFactory, coordinator_of
from trainings import services, team_addresses
from trainings.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db


def statuses(run) -> dict[str, str]:
    return dict(Enrolment.objects.filter(run=run).values_list("participant__email", "status"))


def page_boss(client, run):
    """A coordinator of the run's programme with a second factor, logged in."""
    person = coordinator()
    run.training.programme.coordinators.add(person)
    client.force_login(person)
    return person


def test_parsing_splits_on_newlines_commas_semicolons_and_collapses_duplicates():
    text = "A@x.nl\nb@x.nl, c@x.nl;a@X.NL ;\n\n d@x.nl"
    assert team_addresses.parse(text) == ["a@x.nl", "b@x.nl", "c@x.nl", "d@x.nl"]
    assert team_addresses.parse(" ,;\n") == []


def test_a_team_fills_the_free_places_in_pasted_order_then_the_waiting_list():
    run = RunFactory(capacity=3)
    boss = coordinator_of(run.training.programme)
    EnrolmentFactory(run=run)
    team = [UserFactory() for _ in range(4)]
    pasted = "\n".join(person.email.upper() for person in team)

    placed = services.enrolment_team_create(actor=boss, run=run, addresses=pasted)

    assert [e.participant for e in placed] == team
    assert [e.status for e in placed] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert Enrolment.objects.filter(run=run, status=EnrolmentStatus.ENROLLED).count() == 3
    # Each is told through the ordinary enrolment mails, once.
    dispatch_due_reminders()
    dispatch_due_reminders()
    kinds = sorted(
        PlannedReminder.objects.filter(recipient__in=team, status="sent").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["trainings.enrolment_confirmed"] * 2 + ["trainings.waitlisted"] * 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in team)


def test_a_waiting_list_keeps_its_turn_before_a_team():
    run = RunFactory(capacity=1)
    boss = coordinator_of(run.training.programme)
    EnrolmentFactory(run=run)
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED)
    services.enrolment_cancel(
        enrolment=Enrolment.objects.get(run=run, status="enrolled"),
        actor=Enrolment.objects.get(run=run, status="enrolled").participant,
    )
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED)
    newcomer = UserFactory()

    [placed] = services.enrolment_team_create(actor=boss, run=run, addresses=newcomer.email)

    assert placed.status == EnrolmentStatus.WAITLISTED


def test_every_bad_address_is_named_and_nothing_is_written():
    run = RunFactory(capacity=10)
    boss = coordinator_of(run.training.programme)
    good = UserFactory()
    already = EnrolmentFactory(run=run).participant
    waiting = EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED).participant
    inactive = UserFactory(is_active=False)
    colleague_of_provider = UserFactory(organisation=run.training.provider)
    before = statuses(run)
    reminders = PlannedReminder.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.enrolment_team_create(
            actor=boss,
            run=run,
            addresses=(
                f"{good.email}; geen-adres; onbekend@example.org, {already.email}\n"
                f"{waiting.email} {inactive.email} {colleague_of_provider.email}"
            ),
        )

    named = " ".join(refused.value.message_dict["addresses"])
    assert "geen-adres: geen geldig e-mailadres" in named
    assert "onbekend@example.org: geen actief account" in named
    assert f"{already.email}: al ingeschreven" in named
    assert f"{waiting.email}: staat al op de wachtlijst" in named
    assert f"{inactive.email}: geen actief account" in named
    assert f"{colleague_of_provider.email}: deze training is niet bedoeld" in named
    assert good.email not in named
    assert statuses(run) == before
    assert PlannedReminder.objects.count() == reminders


def test_someone_who_cancelled_is_enrolled_again_on_their_old_row():
    run = RunFactory(capacity=5)
    boss = coordinator_of(run.training.programme)
    enrolment = EnrolmentFactory(run=run)
    services.enrolment_cancel(enrolment=enrolment, actor=enrolment.participant)

    [placed] = services.enrolment_team_create(
        actor=boss, run=run, addresses=enrolment.participant.email
    )

    assert placed.pk == enrolment.pk
    assert placed.status == EnrolmentStatus.ENROLLED


def test_only_the_runs_coordinators_enrol_a_team_and_only_in_a_published_run():
    run = RunFactory()
    other = coordinator_of(RunFactory().training.programme)
    with pytest.raises(PermissionDenied):
        services.enrolment_team_create(actor=other, run=run, addresses=UserFactory().email)
    draft = RunFactory(status="draft")
    boss = coordinator_of(draft.training.programme)
    with pytest.raises(ValidationError):
        services.enrolment_team_create(actor=boss, run=draft, addresses=UserFactory().email)
    assert not Enrolment.objects.exists()


def test_the_page_enrols_a_team_at_capacity_once_even_when_posted_twice(
    client, django_assert_max_num_queries
):
    run = RunFactory(capacity=2)
    page_boss(client, run)
    team = [UserFactory() for _ in range(3)]
    url = reverse("trainings:team_enrol", args=[run.pk])
    with django_assert_max_num_queries(13):
        page = client.get(url)
    assert page.status_code == 200
    key = page.context["form"]["submission_key"].value()
    data = {"addresses": ", ".join(p.email for p in team), "submission_key": key}

    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == 302
    assert first["Location"] == reverse("trainings:register", args=[run.pk])
    assert second.status_code == 302
    assert statuses(run) == {
        team[0].email: "enrolled",
        team[1].email: "enrolled",
        team[2].email: "waitlisted",
    }
    register = client.get(first["Location"])
    assert "2 ingeschreven, 1 op de wachtlijst" in register.content.decode()


def test_the_page_names_bad_addresses_and_keeps_the_text(client):
    run = RunFactory()
    page_boss(client, run)
    response = client.post(
        reverse("trainings:team_enrol", args=[run.pk]), {"addresses": "fout, niemand@example.org"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "fout: geen geldig e-mailadres" in body
    assert "niemand@example.org: geen actief account" in body
    assert not Enrolment.objects.exists()


def test_the_page_is_not_found_for_a_coordinator_of_another_programme(client):
    run = RunFactory()
    page_boss(client, RunFactory())
    assert client.get(reverse("trainings:team_enrol", args=[run.pk])).status_code == 404
