"""The participant list of a run as CSV for Dutch Excel: who may export it and what it holds."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import Discipline
from tests.portal.factories import OrganisationFactory, UserFactory, coordinator, trainer
from tests.trainings.factories import ProgrammeFactory, RunFactory, TrainingFactory
from trainings import services
from trainings.models import AttendanceStatus, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_with_people():
    """A run of one place that has taken place: one person in it, two waiting, one gone."""
    programme = ProgrammeFactory(name="CSV programma")
    run = RunFactory(training=TrainingFactory(programme=programme), capacity=1)
    placed = UserFactory(
        full_name='=HYPERLINK("http://kwaad")',
        job_title="+31 6 1234",
        organisation=OrganisationFactory(name="@Gemeente Kwaad"),
        discipline=Discipline.SOCIAAL_DOMEIN,
    )
    first_waiting = UserFactory(full_name="Wachtende Wim", job_title="-Analist")
    second_waiting = UserFactory(full_name="Wachtende Wanda")
    gone = UserFactory(full_name="Vertrokken Vera")
    services.enrolment_create(run=run, participant=placed)
    services.enrolment_create(run=run, participant=first_waiting)
    services.enrolment_create(run=run, participant=second_waiting)
    services.enrolment_cancel(
        enrolment=services.enrolment_create(run=run, participant=gone), actor=gone
    )
    boss = coordinator()
    programme.coordinators.add(boss)
    teacher = trainer()
    run.trainers.add(teacher)
    # The run took place: move its sessions into the past so attendance can be noted.
    past = timezone.now() - timedelta(days=2)
    Session.objects.filter(run=run).update(starts_at=past, ends_at=past + timedelta(hours=3))
    Session.objects.create(
        run=run, starts_at=past + timedelta(days=1), ends_at=past + timedelta(days=1, hours=3)
    )
    first, second = run.sessions.order_by("starts_at")
    enrolment = run.enrolments.get(participant=placed)
    services.attendance_register_save(
        session=first, marks=[(enrolment, AttendanceStatus.PRESENT)], actor=teacher
    )
    services.attendance_register_save(
        session=second, marks=[(enrolment, AttendanceStatus.EXCUSED)], actor=teacher
    )
    return run, boss, teacher


def export(client, run) -> tuple[str, list[list[str]]]:
    response = client.get(reverse("trainings:run_csv", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="deelnemers-')
    text = response.content.decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_csv_opens_in_dutch_excel_with_every_column(client, run_with_people):
    run, boss, _teacher = run_with_people
    client.force_login(boss)

    text, rows = export(client, run)

    assert text.startswith("\ufeffNaam;E-mail;Organisatie;Discipline;Functie;Status;")
    header, *people = rows
    assert header[:8] == [
        "Naam",
        "E-mail",
        "Organisatie",
        "Discipline",
        "Functie",
        "Status",
        "Aangevraagd op",
        "Positie wachtlijst",
    ]
    assert len(header) == 10  # one attendance column per session
    assert all(column.startswith("Aanwezig ") for column in header[8:])
    assert [row[0] for row in people] == [
        '\'=HYPERLINK("http://kwaad")',
        "Wachtende Wim",
        "Wachtende Wanda",
    ]
    placed, wim, wanda = people
    assert placed[2:6] == ["'@Gemeente Kwaad", "Sociaal domein", "'+31 6 1234", "Ingeschreven"]
    assert placed[7:] == ["", "Aanwezig", "Afgemeld met reden"]
    assert (wim[4], wim[5], wim[7]) == ("'-Analist", "Op de wachtlijst", "1")
    assert wanda[7] == "2"
    requested = timezone.localtime(
        run.enrolments.get(participant__full_name="Wachtende Wim").requested_at
    )
    assert wim[6] == requested.strftime("%d-%m-%Y %H:%M")


def test_every_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(client, run_with_people):
    run, boss, _teacher = run_with_people
    client.force_login(boss)

    _text, rows = export(client, run)

    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize(
    ("who", "status"), [("boss", 200), ("teacher", 200), ("other_coordinator", 404), ("other", 404)]
)
def test_only_the_programmes_coordinators_and_the_runs_trainers_export(
    client, run_with_people, who, status
):
    run, boss, teacher = run_with_people
    person = {
        "boss": boss,
        "teacher": teacher,
        "other_coordinator": coordinator(),
        "other": UserFactory(),
    }[who]
    client.force_login(person)
    assert client.get(reverse("trainings:run_csv", args=[run.pk])).status_code == status


def test_an_enrolled_participant_cannot_export_the_list(client, run_with_people):
    run, _boss, _teacher = run_with_people
    client.force_login(run.enrolments.filter(status="enrolled").get().participant)
    assert client.get(reverse("trainings:run_csv", args=[run.pk])).status_code == 404


def test_the_export_needs_a_login(client, run_with_people):
    run, _boss, _teacher = run_with_people
    assert client.get(reverse("trainings:run_csv", args=[run.pk])).status_code == 302


def test_the_export_reads_the_same_number_of_queries_for_3_or_18_people(
    client, run_with_people, django_assert_max_num_queries
):
    run, boss, _teacher = run_with_people
    client.force_login(boss)
    with CaptureQueriesContext(connection) as few:
        export(client, run)
    for _ in range(15):
        services.enrolment_create(run=run, participant=UserFactory())

    with django_assert_max_num_queries(len(few)):
        _text, rows = export(client, run)

    assert len(rows) == 1 + 3 + 15
    assert len(few) <= 20
