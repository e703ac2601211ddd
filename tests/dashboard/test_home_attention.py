"""The home page's "Aandacht nodig" and "Binnenkort" for every role, each item with its link,
in a bounded number of queries."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from signalen.models import Signal
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    add_totp,
    contact_person,
    trainer,
)
from tests.signalen.factories import report
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    coordinator_of,
)
from tests.werkplaats.factories import (
    ParticipationFactory,
    PracticeLogFactory,
    WerkplaatsFactory,
)
from tests.werkplaats.factories import SessionFactory as WerkplaatsSessionFactory
from trainings import services as training_services
from werkplaats import selectors as werkplaats_selectors
from werkplaats import services as werkplaats_services

pytestmark = pytest.mark.django_db

# Per role, whatever the amount of data: each app's part is a fixed number of queries.
PARTICIPANT_QUERIES = 13
COORDINATOR_QUERIES = 20
CONTACT_PERSON_QUERIES = 18


def _page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def _attention(page: str) -> str:
    """The "Aandacht nodig" section's HTML."""
    return re.search(r'<section aria-labelledby="aandacht".*?</section>', page, re.S).group(0)


def _participant_world():
    """A participant with one of everything a participant can owe or be told."""
    now = timezone.now()
    person = UserFactory(job_title="Wijkagent")
    upcoming = RunFactory(training=TrainingFactory(title="Komende training"))
    training_services.enrolment_create(run=upcoming, participant=person)
    past = RunFactory(
        training=TrainingFactory(title="Afgelopen training"),
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=4),
    )
    finished = EnrolmentFactory(run=past, participant=person)
    full = RunFactory(capacity=1, training=TrainingFactory(title="Volle training"))
    EnrolmentFactory(run=full)
    training_services.enrolment_create(run=full, participant=person)
    popular = RunFactory(capacity=1, training=TrainingFactory(title="Populaire training"))
    holder = UserFactory()
    holding = training_services.enrolment_create(run=popular, participant=holder)
    training_services.enrolment_create(run=popular, participant=person)
    training_services.enrolment_cancel(enrolment=holding, actor=holder)
    werkplaats = WerkplaatsFactory(title="Werkplaats Noord")
    ParticipationFactory(werkplaats=werkplaats, user=person)
    before = WerkplaatsSessionFactory(
        werkplaats=werkplaats, starts_at=now - timedelta(days=1), location="Zaal 1"
    )
    soon = WerkplaatsSessionFactory(
        werkplaats=werkplaats, starts_at=now + timedelta(days=3), location="Zaal 2"
    )
    later = WerkplaatsSessionFactory(
        werkplaats=werkplaats, starts_at=now + timedelta(days=20), location="Zaal 3"
    )
    return {
        "person": person,
        "upcoming": upcoming,
        "finished": finished,
        "full": full,
        "popular": popular,
        "werkplaats": werkplaats,
        "sessions": (before, soon, later),
    }


def test_a_participant_sees_what_they_owe_and_what_changed_each_with_a_link(
    client, django_assert_max_num_queries
):
    world = _participant_world()
    client.force_login(world["person"])
    with django_assert_max_num_queries(PARTICIPANT_QUERIES):
        page = client.get(reverse("home")).content.decode()
    attention = _attention(page)
    finished = world["finished"]
    session = finished.run.sessions.get()
    before, soon, later = world["sessions"]

    assert reverse("trainings:reflection", args=[finished.pk, session.pk]) in attention
    assert reverse("trainings:development_plan", args=[finished.pk]) in attention
    assert "Afgelopen training” is afgelopen" in attention
    assert "doorgeschoven" in attention
    assert reverse("trainings:run_detail", args=[world["popular"].pk]) in attention
    assert reverse("werkplaats:practice_log", args=[before.pk]) in attention
    assert "Niets dat op je wacht" not in attention
    assert "Wachtlijst „Volle training”: plaats 1." in page

    # "Binnenkort": training and werkplaats sessions together, soonest first.
    upcoming = re.search(r'<section aria-labelledby="binnenkort".*?</section>', page, re.S)
    links = re.findall(r'<a href="([^"]+)">', upcoming.group(0))
    expected = [
        reverse("werkplaats:session_detail", args=[soon.pk]),
        reverse("trainings:run_detail", args=[world["upcoming"].pk]),
        reverse("trainings:run_detail", args=[world["popular"].pk]),
        reverse("werkplaats:session_detail", args=[later.pk]),
    ]
    assert links[: len(expected)] == expected


def test_a_written_look_back_and_an_old_move_up_no_longer_wait(client):
    world = _participant_world()
    person, finished = world["person"], world["finished"]
    training_services.development_plan_save(
        enrolment=finished,
        author=person,
        content_goals="",
        personal_goals="",
        learned="Veel.",
        embedding="",
        needs="",
    )
    popular = world["popular"].enrolments.get(participant=person)
    type(popular).objects.filter(pk=popular.pk).update(
        enrolled_at=timezone.now() - timedelta(days=30),
        requested_at=timezone.now() - timedelta(days=31),
    )
    attention = _attention(_page(client, person))
    assert reverse("trainings:development_plan", args=[finished.pk]) not in attention
    assert "doorgeschoven" not in attention


def test_a_coordinator_sees_open_rugdekking_and_runs_closing_with_free_places(
    client, django_assert_max_num_queries
):
    programme = ProgrammeFactory()
    coordinator = coordinator_of(programme)
    add_totp(coordinator)  # coordinators work with a second factor
    now = timezone.now()
    closing = [
        RunFactory(
            training=TrainingFactory(programme=programme, title=f"Sluit bijna {n}"),
            enrolment_closes_at=now + timedelta(days=n + 1),
        )
        for n in range(3)
    ]
    full = RunFactory(
        capacity=1,
        training=TrainingFactory(programme=programme, title="Al vol"),
        enrolment_closes_at=now + timedelta(days=2),
    )
    EnrolmentFactory(run=full)
    RunFactory(
        training=TrainingFactory(programme=programme, title="Nog lang open"),
        enrolment_closes_at=now + timedelta(days=10),
    )
    RunFactory(
        training=TrainingFactory(title="Andermans programma"),
        enrolment_closes_at=now + timedelta(days=2),
    )
    werkplaats = WerkplaatsFactory(programme=programme)
    participant = UserFactory()
    ParticipationFactory(werkplaats=werkplaats, user=participant)
    werkplaats_services.rugdekking_request_create(
        user=participant,
        werkplaats=werkplaats,
        manager_name="Mevrouw de Baas",
        manager_email="baas@test.example",
        point="Een middag per maand voor de werkplaats.",
    )

    client.force_login(coordinator)
    with django_assert_max_num_queries(COORDINATOR_QUERIES):
        page = client.get(reverse("home")).content.decode()
    attention = _attention(page)

    assert "1 verzoek om rugdekking wacht op antwoord." in attention
    assert reverse("werkplaats:rugdekking_open") in attention
    for run in closing:
        assert reverse("trainings:run_edit", args=[run.pk]) in attention
    assert "er zijn nog 20 plaatsen vrij" in attention
    assert "Al vol" not in attention
    assert "Nog lang open" not in attention
    assert "Andermans programma" not in attention
    assert "Niets dat op je wacht" not in attention


def _partners(page: str) -> str:
    """The "Partners" card's HTML."""
    return re.search(r'<h3 class="h5 card-title">Partners</h3>.*?</a>', page, re.S).group(0)


def test_a_coordinators_home_names_the_partners_without_a_contact_person_not_their_members(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    coordinator = coordinator_of(ProgrammeFactory())
    add_totp(coordinator)
    covered = contact_person(with_totp=False).organisation
    bare = [OrganisationFactory(name=f"Gemeente Zonder {n:02d}") for n in range(12)]
    client.force_login(coordinator)
    client.get(reverse("home"))
    with django_assert_max_num_queries(COORDINATOR_QUERIES) as small:
        page = client.get(reverse("home")).content.decode()
    queries = len(small.captured_queries)
    partners = _partners(page)
    organisations = 2 + len(bare)  # the coordinator's, the contact person's and the bare ones
    assert f"{organisations} aangesloten organisaties." in partners
    # The coordinator's own organisation has no contact person either.
    assert "Zonder ondermijningscontactpersoon (13):" in partners
    assert "Gemeente Zonder 00" in partners
    assert covered.name not in partners
    assert "en nog 3 andere" in partners
    assert reverse("organisation_list") in partners

    # More members and more organisations: the card reads no more.
    for _ in range(5):
        UserFactory(organisation=covered)
        UserFactory(organisation=bare[0])
    OrganisationFactory(name="Gemeente Nieuw")
    with django_assert_num_queries(queries):
        page = client.get(reverse("home")).content.decode()
    assert f"{organisations + 1} aangesloten organisaties." in _partners(page)


def test_a_facilitator_without_a_role_sees_open_rugdekking_of_their_werkplaats(client):
    facilitator = UserFactory(job_title="Begeleider")
    werkplaats = WerkplaatsFactory(facilitators=[facilitator])
    participant = UserFactory()
    ParticipationFactory(werkplaats=werkplaats, user=participant)
    werkplaats_services.rugdekking_request_create(
        user=participant,
        werkplaats=werkplaats,
        manager_name="Meneer de Baas",
        manager_email="baas2@test.example",
        point="Tijd om te oefenen.",
    )
    attention = _attention(_page(client, facilitator))
    assert "1 verzoek om rugdekking wacht op antwoord." in attention
    assert "1 verzoek om rugdekking" not in _attention(_page(client, trainer(job_title="X")))


def test_a_contact_person_sees_new_and_overdue_signals_with_links(
    client, django_assert_max_num_queries
):
    me = contact_person(job_title="Contactpersoon")
    signals = [report(organisation=me.organisation) for _ in range(7)]
    Signal.objects.filter(pk=signals[0].pk).update(deadline_at=timezone.now() - timedelta(hours=1))
    elsewhere = report()

    client.force_login(me)
    with django_assert_max_num_queries(CONTACT_PERSON_QUERIES):
        page = client.get(reverse("home")).content.decode()
    attention = _attention(page)

    linked = re.findall(r'href="/signalen/(\d+)/"', attention)
    assert len(linked) == 5
    assert linked[0] == str(signals[0].pk)  # the overdue one first
    assert f'Signaal <a href="/signalen/{signals[0].pk}/">{signals[0].reference}</a>' in attention
    assert "is over de termijn" in attention
    assert "7 signalen zijn nieuw of te laat." in attention
    assert reverse("signalen:queue") in attention
    assert elsewhere.reference not in page
    for signal in signals:
        assert signal.description not in page


def test_someone_with_nothing_waiting_is_told_so(client):
    person = UserFactory(job_title="Wijkagent")
    attention = _attention(_page(client, person))
    assert "Niets dat op je wacht." in attention


def test_a_long_waiting_list_shows_the_first_places_and_a_link_to_all(client):
    person = UserFactory(job_title="Wijkagent")
    for n in range(7):
        run = RunFactory(capacity=1, training=TrainingFactory(title=f"Volle training {n}"))
        EnrolmentFactory(run=run)
        training_services.enrolment_create(run=run, participant=person)

    page = _page(client, person)
    assert page.count("Wachtlijst „Volle training") == 5
    assert "Je staat op 7 wachtlijsten." in page
    assert reverse("trainings:my_trainings") in page


def test_a_written_practice_log_and_a_finished_werkplaats_ask_for_no_log(client):
    now = timezone.now()
    person = UserFactory(job_title="Wijkagent")
    written = WerkplaatsFactory(title="Werkplaats Oost")
    participation = ParticipationFactory(werkplaats=written, user=person)
    logged = WerkplaatsSessionFactory(werkplaats=written, starts_at=now - timedelta(days=1))
    written_next = WerkplaatsSessionFactory(werkplaats=written, starts_at=now + timedelta(days=6))
    PracticeLogFactory(participation=participation, after_session=logged)
    owed = WerkplaatsFactory(title="Werkplaats West")
    ParticipationFactory(werkplaats=owed, user=person)
    unlogged = WerkplaatsSessionFactory(werkplaats=owed, starts_at=now - timedelta(days=2))
    owed_next = WerkplaatsSessionFactory(werkplaats=owed, starts_at=now + timedelta(days=3))
    ended = WerkplaatsFactory(title="Werkplaats Afgelopen")
    ParticipationFactory(werkplaats=ended, user=person)
    WerkplaatsSessionFactory(werkplaats=ended, starts_at=now - timedelta(days=2))
    facilitated = WerkplaatsFactory(title="Werkplaats Begeleid", facilitators=[person])
    facilitating = WerkplaatsSessionFactory(
        werkplaats=facilitated, starts_at=now + timedelta(days=2)
    )
    WerkplaatsSessionFactory(starts_at=now + timedelta(days=1))  # not the person's

    overview = werkplaats_selectors.home_overview(user=person)

    assert overview.logs_due == [unlogged]
    assert overview.logs_due[0].next_starts_at == owed_next.starts_at
    assert overview.logs_due[0].werkplaats.title == "Werkplaats West"
    assert overview.next_sessions == [facilitating, owed_next, written_next]
    assert [s.werkplaats.title for s in overview.next_sessions] == [
        "Werkplaats Begeleid",
        "Werkplaats West",
        "Werkplaats Oost",
    ]
    attention = _attention(_page(client, person))
    assert reverse("werkplaats:practice_log", args=[unlogged.pk]) in attention
    assert reverse("werkplaats:practice_log", args=[logged.pk]) not in attention
