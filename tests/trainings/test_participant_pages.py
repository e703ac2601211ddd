"""Participant pages: catalogue, run detail, enrolling, my trainings, plans and reflections."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation, PlannedReminder, ReminderStatus
from tests.portal.factories import OrganisationFactory, UserFactory, coordinator, trainer
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    SessionFactory,
    TrainingFactory,
)
from trainings import services
from trainings.models import (
    DevelopmentPlan,
    Enrolment,
    EnrolmentStatus,
    Reflection,
    Run,
    RunStatus,
    Session,
    TrainingFormat,
)
from trainings.views.participant import UPCOMING_PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(client):
    person = UserFactory()
    client.force_login(person)
    return person


def many_runs(count: int, **kwargs):
    providers = [
        OrganisationFactory(name=f"Aanbieder {i}", kind=Organisation.Kind.POLITIE) for i in range(3)
    ]
    return [
        RunFactory(training=TrainingFactory(provider=providers[i % 3]), **kwargs)
        for i in range(count)
    ]


def test_catalogue_lists_upcoming_published_runs_with_places_in_bounded_queries(
    client, participant, django_assert_max_num_queries
):
    runs = many_runs(25)
    for run in runs[:5]:
        for _ in range(3):
            EnrolmentFactory(run=run)
    RunFactory(status=RunStatus.DRAFT, training=TrainingFactory(title="Geheim concept"))

    with django_assert_max_num_queries(8):
        response = client.get(reverse("trainings:catalogue"))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 25
    assert "Geheim concept" not in response.content.decode()
    assert "3 van 20 plaatsen bezet" in response.content.decode()


def test_catalogue_hides_trainings_of_my_own_organisation_unless_asked(client, participant):
    own = RunFactory(
        training=TrainingFactory(provider=participant.organisation, title="Eigen club")
    )
    other = RunFactory(training=TrainingFactory(title="Bij de buren"))

    default = client.get(reverse("trainings:catalogue"))
    everything = client.get(reverse("trainings:catalogue"), {"alles": "on"})

    assert [run.pk for run in default.context["page"].object_list] == [other.pk]
    assert {run.pk for run in everything.context["page"].object_list} == {own.pk, other.pk}


def test_catalogue_filters_by_provider_format_date_and_places_left(client, participant):
    politie = OrganisationFactory(name="Politie Filter", kind=Organisation.Kind.POLITIE)
    soon = timezone.now() + timedelta(days=3)
    match = RunFactory(
        training=TrainingFactory(provider=politie, format=TrainingFormat.AWARENESS),
        starts_at=soon,
        capacity=2,
    )
    RunFactory(training=TrainingFactory(provider=politie), starts_at=soon)  # other format
    full = RunFactory(
        training=TrainingFactory(provider=politie, format=TrainingFormat.AWARENESS),
        starts_at=soon,
        capacity=1,
    )
    EnrolmentFactory(run=full)
    RunFactory(
        training=TrainingFactory(provider=politie, format=TrainingFormat.AWARENESS),
        starts_at=soon + timedelta(days=60),
    )

    response = client.get(
        reverse("trainings:catalogue"),
        {
            "aanbieder": politie.pk,
            "vorm": TrainingFormat.AWARENESS,
            "van": timezone.localdate(soon).isoformat(),
            "tot": (timezone.localdate(soon) + timedelta(days=7)).isoformat(),
            "plaatsen": "on",
        },
    )

    assert [run.pk for run in response.context["page"].object_list] == [match.pk]


def test_catalogue_with_an_end_before_the_start_says_so(client, participant):
    response = client.get(
        reverse("trainings:catalogue"), {"van": "2027-03-10", "tot": "2027-03-01"}
    )
    assert "De einddatum ligt vóór de begindatum." in response.content.decode()


def test_run_detail_shows_sessions_and_places_left_in_bounded_queries(
    client, participant, django_assert_max_num_queries
):
    run = RunFactory(capacity=10, with_session=False)
    start = timezone.now() + timedelta(days=20)
    for week in range(4):
        Session.objects.create(
            run=run,
            starts_at=start + timedelta(weeks=week),
            ends_at=start + timedelta(weeks=week, hours=3),
        )
    for _ in range(4):
        EnrolmentFactory(run=run)
    run.trainers.add(trainer(), trainer())

    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainings:run_detail", args=[run.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "4 van 10 bezet" in body
    assert "nog 6 plaatsen vrij" in body
    assert len(response.context["sessions"]) == 4


def test_run_detail_of_an_enrolled_participant_reads_the_run_once(client, participant):
    """The completion block names the run's training: from the run the page read, not from
    the enrolment's own foreign key (two more queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = RunFactory(capacity=10)
    EnrolmentFactory(run=run, participant=participant, status=EnrolmentStatus.ENROLLED)
    client.get(reverse("trainings:run_detail", args=[run.pk]))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("trainings:run_detail", args=[run.pk]))
    assert response.status_code == 200
    assert "completion" in response.content.decode()
    read_alone = [
        q["sql"]
        for q in captured
        if q["sql"].startswith(('SELECT "trainings_run"."id"', 'SELECT "trainings_training"'))
    ]
    assert len(read_alone) == 1, read_alone


def test_a_draft_run_is_not_found_by_participants(client, participant):
    run = RunFactory(status=RunStatus.DRAFT)
    assert client.get(reverse("trainings:run_detail", args=[run.pk])).status_code == 404


def test_enrolling_in_one_click_confirms_the_place(client, participant):
    run = RunFactory()

    response = client.post(reverse("trainings:enrol", args=[run.pk]), follow=True)

    assert Enrolment.objects.get(run=run, participant=participant).status == "enrolled"
    assert "Je bent ingeschreven" in response.content.decode()


def test_enrolling_in_a_full_run_shows_the_waiting_list_position(client, participant):
    run = RunFactory(capacity=1)
    EnrolmentFactory(run=run)

    response = client.post(reverse("trainings:enrol", args=[run.pk]), follow=True)

    body = response.content.decode()
    assert "plaats 1 van de wachtlijst" in body
    assert Enrolment.objects.get(run=run, participant=participant).status == "waitlisted"


@pytest.mark.parametrize("sessions", [1, 6])
def test_a_press_that_takes_a_place_plans_every_reminder_in_the_same_queries_however_many_sessions(
    client, participant, django_assert_num_queries, sessions
):
    run = RunFactory(capacity=5, with_session=False)
    for _ in range(sessions):
        SessionFactory(run=run)
    # Someone else first: the content types of the reminders' targets are then cached, as
    # in a running server.
    services.enrolment_create(run=run, participant=UserFactory())

    # Session, user and roles; the run; the locked run, audience, own row, counts, the row,
    # its episode, the confirmation planned; the sessions, run and follow-up weeks, and
    # every reminder of the sessions and the run's end planned at once.
    with django_assert_num_queries(28):
        response = client.post(reverse("trainings:enrol", args=[run.pk]))

    assert response.status_code == 302
    assert Enrolment.objects.get(run=run, participant=participant).status == "enrolled"
    planned = PlannedReminder.objects.filter(recipient=participant, status=ReminderStatus.PLANNED)
    # Per session the day before and the reflection; the evaluation, its reminder and the
    # follow-up; and the confirmation.
    assert planned.count() == 2 * sessions + 3 + 1
    assert planned.filter(kind="trainings.enrolment_confirmed").count() == 1


@pytest.mark.parametrize("waiting", [1, 25])
def test_a_press_that_lands_on_the_waiting_list_costs_the_same_queries_however_long_it_is(
    client, participant, django_assert_num_queries, waiting
):
    run = RunFactory(capacity=1)
    EnrolmentFactory(run=run)
    for _ in range(waiting):
        services.enrolment_create(run=run, participant=UserFactory())

    # Session, user and roles; the run; the locked run, audience, own row, counts, the row,
    # its episode and the waiting-list mail planned; the position for the message.
    with django_assert_num_queries(20):
        response = client.post(reverse("trainings:enrol", args=[run.pk]))

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert f"plaats {waiting + 1} van de wachtlijst" in page
    assert Enrolment.objects.get(run=run, participant=participant).status == "waitlisted"


def test_a_refused_enrolment_shows_the_reason_and_changes_nothing(client, participant):
    run = RunFactory(training=TrainingFactory(provider=participant.organisation))

    response = client.post(reverse("trainings:enrol", args=[run.pk]), follow=True)

    assert "jouw organisatie geeft haar zelf" in response.content.decode()
    assert not Enrolment.objects.filter(run=run).exists()


def test_enrolling_needs_a_post(client, participant):
    run = RunFactory()
    assert client.get(reverse("trainings:enrol", args=[run.pk])).status_code == 405
    assert not Enrolment.objects.exists()


def test_cancelling_through_the_page_frees_the_place(client, participant):
    run = RunFactory(capacity=1)
    services.enrolment_create(run=run, participant=participant)
    waiting = UserFactory()
    services.enrolment_create(run=run, participant=waiting)

    client.post(reverse("trainings:cancel", args=[run.pk]))

    assert Enrolment.objects.get(run=run, participant=waiting).status == "enrolled"


def test_my_trainings_shows_places_and_positions_in_bounded_queries(
    client, participant, django_assert_max_num_queries
):
    for run in many_runs(12):
        services.enrolment_create(run=run, participant=participant)
    full = RunFactory(capacity=1)
    EnrolmentFactory(run=full)
    services.enrolment_create(run=full, participant=participant)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("trainings:my_trainings"))

    assert response.status_code == 200
    assert len(response.context["upcoming"]) == min(13, UPCOMING_PAGE_SIZE)
    assert response.context["upcoming"].paginator.count == 13
    # The full run starts after the others, so it may sit on a later page.
    pages = [
        client.get(reverse("trainings:my_trainings"), {"komend": number}).content.decode()
        for number in response.context["upcoming"].paginator.page_range
    ]
    assert any("Wachtlijst, plaats 1" in page for page in pages)


def test_my_trainings_pages_a_long_list_of_upcoming_trainings_apart_from_the_past_ones(
    client, participant
):
    for run in many_runs(UPCOMING_PAGE_SIZE + 5):
        services.enrolment_create(run=run, participant=participant)

    first = client.get(reverse("trainings:my_trainings"), {"pagina": "3"})
    second = client.get(reverse("trainings:my_trainings"), {"komend": "2", "pagina": "3"})

    assert len(first.context["upcoming"]) == UPCOMING_PAGE_SIZE
    assert len(second.context["upcoming"]) == 5
    assert {e.pk for e in first.context["upcoming"]}.isdisjoint(
        {e.pk for e in second.context["upcoming"]}
    )
    # The link to the next upcoming page keeps where the past list was.
    assert 'href="?pagina=3&amp;komend=2"' in first.content.decode()


def _past_session_enrolment(participant):
    run = RunFactory(with_session=False)
    past = Session.objects.create(
        run=run,
        starts_at=timezone.now() - timedelta(hours=5),
        ends_at=timezone.now() - timedelta(hours=2),
    )
    enrolment = EnrolmentFactory(run=run, participant=participant)
    return enrolment, past


def test_a_participant_writes_a_reflection_on_a_session_that_took_place(client, participant):
    enrolment, session = _past_session_enrolment(participant)
    url = reverse("trainings:reflection", args=[enrolment.pk, session.pk])

    response = client.post(url, {"struck_me": "Hoe snel de FIOD schakelt.", "will_apply": "Bellen"})

    assert response.status_code == 302
    reflection = Reflection.objects.get(enrolment=enrolment, session=session)
    assert reflection.struck_me == "Hoe snel de FIOD schakelt."


def test_an_empty_reflection_is_refused_with_a_message(client, participant):
    enrolment, session = _past_session_enrolment(participant)
    url = reverse("trainings:reflection", args=[enrolment.pk, session.pk])

    response = client.post(url, {"struck_me": "", "will_apply": ""})

    assert response.status_code == 200
    assert not Reflection.objects.exists()


def test_a_reflection_on_a_future_session_waits_until_it_began(client, participant):
    run = RunFactory()
    enrolment = EnrolmentFactory(run=run, participant=participant)
    session = run.sessions.get()
    url = reverse("trainings:reflection", args=[enrolment.pk, session.pk])

    response = client.post(url, {"struck_me": "Te vroeg", "will_apply": ""})

    assert "zodra de bijeenkomst begonnen is" in response.content.decode()
    assert not Reflection.objects.exists()


def test_the_development_plan_is_saved_by_its_author(client, participant):
    enrolment = EnrolmentFactory(run=RunFactory(), participant=participant)
    url = reverse("trainings:development_plan", args=[enrolment.pk])

    client.post(
        url,
        {
            "content_goals": "Weten wat de Belastingdienst mag delen",
            "personal_goals": "Durven doorvragen",
            "learned": "",
            "embedding": "",
            "needs": "",
        },
    )

    plan = DevelopmentPlan.objects.get(enrolment=enrolment)
    assert plan.personal_goals == "Durven doorvragen"


@pytest.fixture
def written(participant):
    """A participant's plan and reflection in a run with a trainer and a programme coordinator."""
    programme = ProgrammeFactory(name="Werkend leren zichtbaarheid")
    run = RunFactory(training=TrainingFactory(programme=programme), with_session=False)
    session = Session.objects.create(
        run=run,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    enrolment = EnrolmentFactory(run=run, participant=participant)
    DevelopmentPlan.objects.create(enrolment=enrolment, personal_goals="Geheim doel")
    Reflection.objects.create(enrolment=enrolment, session=session, struck_me="Geheime reflectie")
    teacher = trainer()
    run.trainers.add(teacher)
    programme_coordinator = coordinator()
    programme.coordinators.add(programme_coordinator)
    other_programme = ProgrammeFactory(name="Ander programma")
    other_coordinator = coordinator()
    other_programme.coordinators.add(other_coordinator)
    return {
        "enrolment": enrolment,
        "author": participant,
        "trainer": teacher,
        "coordinator": programme_coordinator,
        "other_participant": EnrolmentFactory(run=run).participant,
        "trainer_elsewhere": trainer(),
        "coordinator_elsewhere": other_coordinator,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("author", 200),
        ("trainer", 200),
        ("coordinator", 200),
        ("other_participant", 404),
        ("trainer_elsewhere", 404),
        ("coordinator_elsewhere", 404),
    ],
)
def test_plans_and_reflections_are_read_only_by_author_trainers_and_coordinators(
    client, written, who, status
):
    client.force_login(written[who])

    response = client.get(reverse("trainings:development_plan", args=[written["enrolment"].pk]))

    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Geheim doel" in body
        assert "Geheime reflectie" in body


def test_a_trainer_cannot_change_someone_elses_plan(client, written):
    client.force_login(written["trainer"])
    url = reverse("trainings:development_plan", args=[written["enrolment"].pk])

    response = client.post(url, {"personal_goals": "Overschreven"})

    assert response.status_code == 403
    assert DevelopmentPlan.objects.get().personal_goals == "Geheim doel"


def test_the_release_page_asks_for_one_click_and_then_frees_the_place(client):
    from trainings import scheduling

    run = RunFactory(capacity=1)
    holder, promoted = UserFactory(), UserFactory()
    first = services.enrolment_create(run=run, participant=holder)
    services.enrolment_create(run=run, participant=promoted)
    services.enrolment_cancel(enrolment=first, actor=holder)
    enrolment = Enrolment.objects.get(run=run, participant=promoted)
    url = reverse("trainings:release", args=[scheduling.release_token(enrolment)])

    assert client.get(url).status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED  # a mail scanner's GET changes nothing

    response = client.post(url)
    assert "is vrijgegeven" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED
    assert client.post(url).status_code == 410


def test_the_home_page_shows_my_next_session_waiting_place_and_reflection_due(client, participant):
    upcoming = RunFactory(training=TrainingFactory(title="Komende training"))
    services.enrolment_create(run=upcoming, participant=participant)
    full = RunFactory(capacity=1, training=TrainingFactory(title="Volle training"))
    EnrolmentFactory(run=full)
    services.enrolment_create(run=full, participant=participant)
    enrolment, session = _past_session_enrolment(participant)
    Run.objects.filter(pk=enrolment.run_id).update(
        starts_at=session.starts_at, ends_at=session.ends_at
    )

    body = client.get(reverse("home")).content.decode()

    assert "Komende training" in body
    assert "Wachtlijst „Volle training”: plaats 1." in body
    assert reverse("trainings:reflection", args=[enrolment.pk, session.pk]) in body


def test_catalogue_counts_places_once_when_a_training_names_several_audiences(client, participant):
    politie = OrganisationFactory(name="Politie Publiek", kind=Organisation.Kind.POLITIE)
    training = TrainingFactory(title="Voor twee partners")
    training.audience_organisations.set([participant.organisation, politie])
    run = RunFactory(training=training, capacity=10)
    for _ in range(3):
        EnrolmentFactory(run=run)

    response = client.get(reverse("trainings:catalogue"))

    (listed,) = response.context["page"].object_list
    assert (listed.enrolled_count, listed.waitlist_count) == (3, 0)
