"""Coordinator and trainer pages: trainings, runs, sessions, calendar, register and attendance."""

from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from portal.models import PlannedReminder
from tests.portal.factories import UserFactory, coordinator, trainer
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
)
from trainings import services
from trainings.models import Attendance, Run, RunStatus, Session, Training

pytestmark = pytest.mark.django_db


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Werkend leren test")


@pytest.fixture
def boss(client, programme):
    person = coordinator()
    programme.coordinators.add(person)
    client.force_login(person)
    return person


def test_a_coordinator_creates_a_training_a_run_and_a_session_and_publishes(
    client, boss, programme
):
    provider = UserFactory().organisation
    response = client.post(
        reverse("trainings:training_create"),
        {
            "programme": programme.pk,
            "title": "Hoe werkt het OM?",
            "description": "Van aangifte tot zitting.",
            "provider": provider.pk,
            "format": "training",
            "default_capacity": 12,
        },
    )
    training = Training.objects.get(title="Hoe werkt het OM?")
    assert response.status_code == 302

    opens = timezone.now()
    client.post(
        reverse("trainings:run_create", args=[training.pk]),
        {
            "capacity": 12,
            "enrolment_opens_at": local_input(opens),
            "enrolment_closes_at": local_input(opens + timedelta(days=20)),
            "location": "Parket, Voorbeeldstad",
        },
    )
    run = Run.objects.get(training=training)
    assert run.status == RunStatus.DRAFT

    client.post(reverse("trainings:run_publish", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT  # no session yet: refused

    start = timezone.now() + timedelta(days=30)
    client.post(
        reverse("trainings:session_create", args=[run.pk]),
        {"starts_at": local_input(start), "ends_at": local_input(start + timedelta(hours=3))},
    )
    client.post(reverse("trainings:run_publish", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert run.starts_at == Session.objects.get(run=run).starts_at


def test_a_session_ending_before_it_starts_is_refused_and_nothing_is_saved(client, boss, programme):
    run = RunFactory(training=TrainingFactory(programme=programme), with_session=False)
    start = timezone.now() + timedelta(days=30)

    response = client.post(
        reverse("trainings:session_create", args=[run.pk]),
        {"starts_at": local_input(start), "ends_at": local_input(start - timedelta(hours=1))},
    )

    assert response.status_code == 200
    assert "Het einde ligt vóór of op het begin." in response.content.decode()
    assert not Session.objects.exists()


def test_cancelling_a_run_needs_a_reason_and_tells_everyone(client, boss, programme):
    run = RunFactory(training=TrainingFactory(programme=programme), capacity=1)
    placed, waiting = UserFactory(), UserFactory()
    services.enrolment_create(run=run, participant=placed)
    services.enrolment_create(run=run, participant=waiting)
    url = reverse("trainings:run_cancel", args=[run.pk])

    empty = client.post(url, {"reason": ""})
    run.refresh_from_db()
    assert empty.status_code == 200 and run.status == RunStatus.PUBLISHED

    client.post(url, {"reason": "Trainer ziek"})
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    told = PlannedReminder.objects.filter(kind="trainings.run_cancelled")
    assert {r.recipient_id for r in told} == {placed.pk, waiting.pk}


def test_coordinators_of_another_programme_cannot_touch_the_run(client, programme):
    run = RunFactory(training=TrainingFactory(programme=programme))
    outsider = coordinator()
    ProgrammeFactory(name="Ander programma").coordinators.add(outsider)
    client.force_login(outsider)

    assert client.get(reverse("trainings:run_edit", args=[run.pk])).status_code == 404
    assert (
        client.post(reverse("trainings:run_cancel", args=[run.pk]), {"reason": "x"}).status_code
        == 404
    )
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED


def test_participants_cannot_open_management_pages(client):
    client.force_login(UserFactory())
    assert client.get(reverse("trainings:manage")).status_code == 403
    assert client.get(reverse("trainings:training_create")).status_code == 403


def _past_run(programme, participants: int = 3):
    run = RunFactory(training=TrainingFactory(programme=programme), with_session=False)
    session = Session.objects.create(
        run=run,
        starts_at=timezone.now() - timedelta(hours=4),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    enrolments = [EnrolmentFactory(run=run) for _ in range(participants)]
    return run, session, enrolments


def test_the_run_trainer_marks_attendance_for_a_whole_session(client, programme):
    run, session, enrolments = _past_run(programme)
    teacher = trainer()
    run.trainers.add(teacher)
    client.force_login(teacher)

    client.post(
        reverse("trainings:register", args=[run.pk]),
        {
            "session": session.pk,
            f"e{enrolments[0].pk}": "present",
            f"e{enrolments[1].pk}": "absent",
            f"e{enrolments[2].pk}": "excused",
        },
    )

    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        enrolments[0].pk: "present",
        enrolments[1].pk: "absent",
        enrolments[2].pk: "excused",
    }


def test_the_register_reads_a_bounded_number_of_queries(
    client, boss, programme, django_assert_max_num_queries
):
    # A first request settles the session and the second-factor check, which later requests
    # do not repeat.
    client.get(reverse("trainings:programme_dashboards"))
    counts = []
    for participants in (5, 25):
        run, session, enrolments = _past_run(programme, participants=participants)
        for enrolment in enrolments:
            Attendance.objects.create(enrolment=enrolment, session=session, status="present")

        with django_assert_max_num_queries(18) as queries:
            response = client.get(reverse("trainings:register", args=[run.pk]))

        assert response.status_code == 200
        assert len(response.context["rows"]) == participants
        counts.append(len(queries))
    # The register (with completion, certificates and pending approvals) reads the same
    # number of queries whatever the number of participants.
    assert counts[0] == counts[1]


@pytest.mark.parametrize("who", ["participant", "trainer_elsewhere"])
def test_others_do_not_see_the_register(client, programme, who):
    run, _session, _enrolments = _past_run(programme)
    person = UserFactory() if who == "participant" else trainer()
    client.force_login(person)
    assert client.get(reverse("trainings:register", args=[run.pk])).status_code == 404


def test_the_month_calendar_shows_runs_with_filters_in_bounded_queries(
    client, boss, programme, django_assert_max_num_queries
):
    month_start = timezone.localdate().replace(day=1) + timedelta(days=40)
    month_start = month_start.replace(day=1)
    for day in range(20):
        starts = timezone.make_aware(
            timezone.datetime.combine(
                month_start + timedelta(days=day), timezone.datetime.min.time()
            )
        ) + timedelta(hours=9)
        RunFactory(
            training=TrainingFactory(programme=programme, title=f"Training {day}"),
            starts_at=starts,
        )
    draft = RunFactory(
        training=TrainingFactory(programme=programme, title="Concept-training"),
        status=RunStatus.DRAFT,
        starts_at=timezone.make_aware(
            timezone.datetime.combine(month_start, timezone.datetime.min.time())
        )
        + timedelta(hours=13),
    )

    # The first request also settles the session; the sessions are two queries (which are
    # shown and how many a day, then their columns).
    with django_assert_max_num_queries(11):
        response = client.get(
            reverse("trainings:calendar"), {"maand": month_start.strftime("%Y-%m")}
        )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Training 0" in body and "Training 19" in body
    assert "Concept-training" in body  # coordinators see their drafts
    draft_url = reverse("trainings:run_detail", args=[draft.pk])
    assert (
        f'<li><a href="{draft_url}">Concept-training</a> 13:00 '
        '<span class="badge text-bg-secondary">Concept</span></li>'
    ) in body
    drafts = client.get(
        reverse("trainings:calendar"), {"maand": month_start.strftime("%Y-%m"), "status": "draft"}
    )
    assert [entry.run_id for entry, _url in drafts.context["entries"]] == [draft.pk]

    client.force_login(UserFactory())
    as_participant = client.get(
        reverse("trainings:calendar"), {"maand": month_start.strftime("%Y-%m")}
    ).content.decode()
    assert "Concept-training" not in as_participant


def test_the_week_and_list_views_show_the_sessions_of_that_period(client, boss, programme):
    run = RunFactory(training=TrainingFactory(programme=programme, title="Weektraining"))
    week = timezone.localtime(run.starts_at).strftime("%G-W%V")

    week_view = client.get(reverse("trainings:calendar"), {"week": week})
    other_week = client.get(
        reverse("trainings:calendar"),
        {"week": (timezone.localtime(run.starts_at) + timedelta(days=7)).strftime("%G-W%V")},
    )
    list_view = client.get(
        reverse("trainings:calendar"),
        {"maand": timezone.localtime(run.starts_at).strftime("%Y-%m"), "weergave": "lijst"},
    )

    assert "Weektraining" in week_view.content.decode()
    assert "Weektraining" not in other_week.content.decode()
    assert "Weektraining" in list_view.content.decode()


def test_a_trainer_sees_the_runs_they_teach(client):
    teacher = trainer()
    mine = RunFactory(training=TrainingFactory(title="Mijn les"))
    mine.trainers.add(teacher)
    RunFactory(training=TrainingFactory(title="Niet mijn les"))
    client.force_login(teacher)

    body = client.get(reverse("trainings:taught")).content.decode()

    assert "Mijn les" in body and "Niet mijn les" not in body


def _trainings_url_names() -> set[str]:
    namespace = get_resolver().namespace_dict["trainings"][1]
    return {name for name in namespace.reverse_dict if isinstance(name, str)}


def test_every_trainings_url_needs_login_except_the_feed_release_and_approval_links(client):
    run = RunFactory()
    args = {
        "run_id": run.pk,
        "training_id": run.training_id,
        "programme_id": run.training.programme_id,
        "session_id": run.sessions.get().pk,
        "enrolment_id": EnrolmentFactory(run=run).pk,
        "material_id": 1,
        "resource_id": 1,
        "idea_id": 1,
        "certificate_id": 1,
        "example_id": 1,
        "question_id": 1,
        "token": "onbekend",
    }
    open_to_anyone = {"feed", "release", "approval_answer"}
    for name in _trainings_url_names():
        pattern = get_resolver().namespace_dict["trainings"][1].reverse_dict.getlist(name)[0]
        params = pattern[0][0][1]
        url = reverse(f"trainings:{name}", kwargs={p: args[p] for p in params})
        response = client.get(url)
        if name in open_to_anyone:
            assert response.status_code in (200, 404), name
        else:
            assert response.status_code in (302, 405), name
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], name
