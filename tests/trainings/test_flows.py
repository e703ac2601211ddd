"""Safe flows and honest defaults: confirmations, the enrolment window, what pages say."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import workdays
from tests.portal.factories import UserFactory, coordinator
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    SessionFactory,
    TrainingFactory,
    coordinator_of,
)
from trainings import services
from trainings.models import Enrolment, EnrolmentStatus, Reflection, Run, RunStatus

pytestmark = pytest.mark.django_db


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def boss(client):
    person = coordinator()
    ProgrammeFactory().coordinators.add(person)
    client.force_login(person)
    return person


def _run_for(boss, **kwargs) -> Run:
    return RunFactory(
        training=TrainingFactory(programme=boss.coordinated_programmes.first()), **kwargs
    )


# --- one click, no way back ----------------------------------------------------------------


def test_calling_a_session_off_asks_first_and_says_who_hears(client, boss):
    run = _run_for(boss)
    EnrolmentFactory.create_batch(3, run=run)
    session = run.sessions.get()
    url = reverse("trainings:session_cancel", args=[session.pk])

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 ingeschreven deelnemers krijgen hiervan bericht" in html
    assert f'action="{url}"' in html
    assert reverse("trainings:run_edit", args=[run.pk]) in html
    session.refresh_from_db()
    assert not session.is_cancelled

    assert client.post(url).status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled


def test_the_run_page_links_to_the_confirmations_instead_of_acting(client, boss):
    run = _run_for(boss)
    session = run.sessions.get()
    html = client.get(reverse("trainings:run_edit", args=[run.pk])).content.decode()
    assert f'href="{reverse("trainings:session_cancel", args=[session.pk])}"' in html
    assert f'href="{reverse("trainings:run_complete", args=[run.pk])}"' in html


def test_completing_a_run_asks_first(client, boss):
    past = timezone.now() - timedelta(days=3)
    run = _run_for(boss, starts_at=past, ends_at=past + timedelta(hours=2))
    url = reverse("trainings:run_complete", args=[run.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "niet meer wijzigen" in page.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED

    client.post(url)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED


def test_giving_up_a_place_asks_first(client):
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.participant)
    url = reverse("trainings:cancel", args=[enrolment.run_id])

    page = client.get(url)
    assert page.status_code == 200
    assert "eerste op de wachtlijst" in page.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED

    client.post(url)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED


# --- the enrolment window follows the sessions -----------------------------------------------


def test_a_new_run_has_no_made_up_closing_date(client, boss):
    training = TrainingFactory(programme=boss.coordinated_programmes.first())
    form = client.get(reverse("trainings:run_create", args=[training.pk])).context["form"]
    assert form["enrolment_closes_at"].value() is None
    assert form["enrolment_opens_at"].value() is None


def test_the_window_closes_two_working_days_before_the_first_session(client, boss):
    training = TrainingFactory(programme=boss.coordinated_programmes.first())
    day = timezone.localdate() + timedelta(days=30)
    while not workdays.is_working_day(day):
        day += timedelta(days=1)
    starts = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))
    response = client.post(
        reverse("trainings:run_create", args=[training.pk]),
        {
            "capacity": 12,
            "location": "Stadhuis",
            "first_starts_at": local_input(starts),
            "first_ends_at": local_input(starts + timedelta(hours=3)),
        },
    )
    assert response.status_code == 302
    run = Run.objects.get(training=training)
    closes = timezone.localtime(run.enrolment_closes_at)
    assert closes == workdays.working_days_before(starts, 2)
    # Closing falls on a working day, with exactly one working day between it and the session.
    assert workdays.is_working_day(closes.date()) and (closes.hour, closes.minute) == (9, 30)
    between = [closes.date() + timedelta(days=n) for n in range(1, (day - closes.date()).days)]
    assert sum(workdays.is_working_day(d) for d in between) == 1
    assert run.enrolment_opens_at <= timezone.now()
    assert run.sessions.count() == 1


def test_without_a_session_or_a_closing_date_the_form_says_what_is_needed(client, boss):
    training = TrainingFactory(programme=boss.coordinated_programmes.first())
    response = client.post(
        reverse("trainings:run_create", args=[training.pk]),
        {"capacity": 12, "location": "Stadhuis"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["enrolment_closes_at"]
    assert "eerste bijeenkomst" in errors[0]
    assert not Run.objects.filter(training=training).exists()
    assert 'id="foutoverzicht"' in response.content.decode()


def test_the_service_derives_the_window_and_keeps_a_given_one():
    training = TrainingFactory()
    boss = coordinator_of(training.programme)
    starts = timezone.now() + timedelta(days=21)
    derived = services.run_create(
        actor=boss,
        training=training,
        capacity=10,
        location="Zaal 1",
        sessions=[(starts, starts + timedelta(hours=2))],
    )
    assert derived.enrolment_closes_at == workdays.working_days_before(starts, 2)
    given_close = timezone.now() + timedelta(days=5)
    kept = services.run_create(
        actor=boss,
        training=training,
        capacity=10,
        location="Zaal 1",
        enrolment_closes_at=given_close,
        sessions=[(starts, starts + timedelta(hours=2))],
    )
    assert kept.enrolment_closes_at == given_close


def test_a_session_sooner_than_two_working_days_keeps_enrolment_open_until_it_starts():
    now = timezone.now()
    starts = now + timedelta(hours=5)
    opens, closes = services.enrolment_window_default(now=now, first_session_starts_at=starts)
    assert opens == now and closes > now


# --- what the pages say ----------------------------------------------------------------------


def test_the_catalogue_says_when_enrolment_opens_instead_of_places_free(client):
    opens = timezone.now() + timedelta(days=3)
    RunFactory(enrolment_opens_at=opens, enrolment_closes_at=opens + timedelta(days=5))
    client.force_login(UserFactory())
    html = client.get(reverse("trainings:catalogue")).content.decode()
    assert "Inschrijving opent op" in html
    assert "Plaatsen vrij" not in html


def test_my_trainings_lists_the_soonest_run_first(client):
    person = UserFactory()
    now = timezone.now()
    far = RunFactory(starts_at=now + timedelta(days=60))
    near = RunFactory(starts_at=now + timedelta(days=5))
    middle = RunFactory(starts_at=now + timedelta(days=20))
    for run in (far, near, middle):
        EnrolmentFactory(run=run, participant=person)
    client.force_login(person)
    upcoming = client.get(reverse("trainings:my_trainings")).context["upcoming"].object_list
    assert [e.run_id for e in upcoming] == [near.pk, middle.pk, far.pk]


def test_a_written_reflection_is_offered_to_view_and_edit(client):
    past = timezone.now() - timedelta(days=2)
    run = RunFactory(starts_at=past, ends_at=past + timedelta(hours=2), with_session=False)
    written = SessionFactory(run=run, starts_at=past, ends_at=past + timedelta(hours=2))
    open_one = SessionFactory(
        run=run, starts_at=past + timedelta(hours=3), ends_at=past + timedelta(hours=4)
    )
    enrolment = EnrolmentFactory(run=run)
    Reflection.objects.create(
        enrolment=enrolment, session=written, struck_me="Veel geleerd", will_apply="Meer vragen"
    )
    client.force_login(enrolment.participant)
    html = client.get(reverse("trainings:run_detail", args=[run.pk])).content.decode()
    assert html.count("Reflectie bekijken/bewerken") == 1
    assert html.count("Reflectie schrijven") == 1
    assert open_one.pk


def test_an_empty_waiting_list_is_said_once(client, boss):
    run = _run_for(boss)
    html = client.get(reverse("trainings:register", args=[run.pk])).content.decode()
    assert "Niemand staat op de wachtlijst." in html
    assert "Wachtlijst (0)" not in html
    assert "Niemand.</li>" not in html
    assert Enrolment.objects.filter(run=run).count() == 0
