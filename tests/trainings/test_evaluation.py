"""The evaluation after a run: anonymous answers, the threshold of 5, mails once, snapshots."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import UserFactory, coordinator, trainer
from tests.trainings.factories import EnrolmentFactory, RunFactory
from trainings import evaluation, scheduling, selectors, services
from trainings.models import (
    Attendance,
    AttendanceStatus,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationRespondent,
    QuestionKind,
    RunQuestion,
)

pytestmark = pytest.mark.django_db

OPEN_MARK = "Het rollenspel was goud waard"


def finished_run(participants: int = 0, **kwargs):
    """A run whose one session ended two days ago, with ``participants`` enrolled."""
    now = timezone.now()
    run = RunFactory(
        starts_at=now - timedelta(days=2, hours=4),
        ends_at=now - timedelta(days=2),
        enrolment_opens_at=now - timedelta(days=30),
        enrolment_closes_at=now - timedelta(days=5),
        **kwargs,
    )
    run.trainers.add(trainer())
    people = [EnrolmentFactory(run=run).participant for _ in range(participants)]
    return run, people


def answer(run, person, score: int = 4, text: str = OPEN_MARK):
    questions = services.run_evaluation_open(run=run)
    services.evaluation_submit(
        participant=person,
        run=run,
        scores={q.pk: score for q in questions if q.kind == QuestionKind.SCALE},
        texts={q.pk: text for q in questions if q.kind == QuestionKind.OPEN},
    )


def coordinator_of_programme(programme):
    """A coordinator of ``programme`` with a second factor, as coordinators have."""
    person = coordinator()
    programme.coordinators.add(person)
    return person


# --- the pure rule -----------------------------------------------------------------------------


def test_the_threshold_is_five():
    assert not evaluation.shown(4)
    assert evaluation.shown(5)
    assert evaluation.scale_summary({4: 4}).mean is None
    assert evaluation.scale_summary({4: 4}).counts is None
    summary = evaluation.scale_summary({3: 1, 5: 4})
    assert summary.mean == 4.6
    assert summary.counts == (0, 0, 1, 0, 4)


def test_combined_figures_count_only_runs_at_the_threshold():
    combined = evaluation.combine(
        [
            evaluation.GroupTotals(answers=4, score_sum=16, score_count=4),
            evaluation.GroupTotals(answers=5, score_sum=10, score_count=5),
        ]
    )
    assert (combined.runs, combined.answers, combined.hidden_runs) == (1, 5, 1)
    assert combined.mean == 2.0
    assert evaluation.quarter_of(timezone.localdate().replace(month=11)).endswith("-K4")


# --- answering ---------------------------------------------------------------------------------


def test_answers_are_stored_without_the_person_and_once_only():
    run, (person, *_rest) = finished_run(2)
    answer(run, person)
    assert EvaluationRespondent.objects.filter(run=run, participant=person).exists()
    answer_fields = {field.name for field in EvaluationAnswer._meta.get_fields()}
    assert not answer_fields & {"participant", "enrolment", "created_at", "user", "run"}
    with pytest.raises(ValidationError):
        answer(run, person)
    assert EvaluationRespondent.objects.filter(run=run).count() == 1


def test_only_participants_of_a_finished_run_may_answer():
    run, (person,) = finished_run(1)
    with pytest.raises(PermissionDenied):
        answer(run, UserFactory())
    future = RunFactory()
    EnrolmentFactory(run=future, participant=person)
    with pytest.raises(ValidationError):
        answer(future, person)


def test_someone_recorded_absent_at_every_session_is_not_asked():
    run, (came, stayed_away) = finished_run(2)
    session = run.sessions.get()
    Attendance.objects.create(
        enrolment=came.enrolments.get(), session=session, status=AttendanceStatus.PRESENT
    )
    Attendance.objects.create(
        enrolment=stayed_away.enrolments.get(), session=session, status=AttendanceStatus.ABSENT
    )
    invited = set(selectors.evaluation_invitees(run_ids=[run.pk]).values_list("participant_id"))
    assert invited == {(came.pk,)}
    with pytest.raises(PermissionDenied):
        answer(run, stayed_away)


def test_bad_input_is_refused_and_writes_nothing():
    run, (person,) = finished_run(1)
    questions = services.run_evaluation_open(run=run)
    scale = [q for q in questions if q.kind == QuestionKind.SCALE]
    for scores in ({scale[0].pk: 9}, {q.pk: 0 for q in scale}, {}, {999999: 3}):
        with pytest.raises(ValidationError):
            services.evaluation_submit(participant=person, run=run, scores=scores, texts={})
    assert not EvaluationRespondent.objects.exists()
    assert not EvaluationAnswer.objects.exists()


def test_the_form_page_refuses_a_missing_score_with_a_message(client):
    run, (person,) = finished_run(1)
    client.force_login(person)
    url = reverse("trainings:evaluation", args=[run.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Kies een waarde van 1 tot en met 5" in response.content.decode()
    assert not EvaluationRespondent.objects.exists()


def test_the_run_keeps_the_questions_it_was_asked():
    run, people = finished_run(1)
    programme = run.training.programme
    coordinator = coordinator_of_programme(programme)
    answer(run, people[0])
    first = [q.text for q in RunQuestion.objects.filter(run=run)]
    question = EvaluationQuestion.objects.filter(programme=programme).first()
    services.evaluation_question_update(
        actor=coordinator, question=question, kind=question.kind, text="Een heel andere vraag"
    )
    services.evaluation_question_create(
        actor=coordinator, programme=programme, kind=QuestionKind.OPEN, text="Nog iets?"
    )
    assert [q.text for q in RunQuestion.objects.filter(run=run)] == first
    later, _people = finished_run(0, training=run.training)
    texts = [q.text for q in services.run_evaluation_open(run=later)]
    assert "Een heel andere vraag" in texts and "Nog iets?" in texts


def test_only_coordinators_edit_questions_and_the_last_scale_question_stays():
    run, _people = finished_run(0)
    programme = run.training.programme
    services.evaluation_default_questions_seed(programme=programme)
    with pytest.raises(PermissionDenied):
        services.evaluation_question_create(
            actor=trainer(), programme=programme, kind=QuestionKind.OPEN, text="Hack"
        )
    coordinator = coordinator_of_programme(programme)
    scale = list(EvaluationQuestion.objects.filter(programme=programme, kind=QuestionKind.SCALE))
    for question in scale[:-1]:
        services.evaluation_question_set_active(
            actor=coordinator, question=question, is_active=False
        )
    with pytest.raises(ValidationError):
        services.evaluation_question_set_active(
            actor=coordinator, question=scale[-1], is_active=False
        )
    first, second = EvaluationQuestion.objects.filter(programme=programme).order_by("position")[:2]
    services.evaluation_question_move(actor=coordinator, question=second, up=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.position < first.position


# --- who sees what -----------------------------------------------------------------------------


def test_below_five_answers_nobody_sees_any_figure_or_open_answer(client):
    run, people = finished_run(6)
    for person in people[:4]:
        answer(run, person, score=2)
    coordinator = coordinator_of_programme(run.training.programme)
    results = selectors.run_evaluation_results(user=coordinator, run=run)
    assert results.answers == 4 and not results.shown
    assert all(item.scale is None and not item.texts for item in results.questions)
    assert selectors.evaluation_scores_by_run(run_ids=[run.pk])[run.pk].mean is None
    client.force_login(coordinator)
    page = client.get(reverse("trainings:evaluation_results", args=[run.pk])).content.decode()
    assert OPEN_MARK not in page
    assert "vanaf 5 ingevulde" in page
    # The non-respondents are listed by name, still without answers.
    assert people[5].full_name in page


def test_from_five_answers_coordinators_see_figures_open_answers_and_non_respondents(client):
    run, people = finished_run(6)
    for index, person in enumerate(people[:5]):
        answer(run, person, score=5 if index else 3, text=f"{OPEN_MARK} {index}")
    coordinator = coordinator_of_programme(run.training.programme)
    results = selectors.run_evaluation_results(user=coordinator, run=run)
    assert results.shown and results.shows_texts
    scale = next(item.scale for item in results.questions if item.scale)
    assert scale.mean == 4.6 and scale.counts == (0, 0, 1, 0, 4)
    assert [p.pk for p in results.non_respondents] == [people[5].pk]
    client.force_login(coordinator)
    page = client.get(reverse("trainings:evaluation_results", args=[run.pk])).content.decode()
    assert f"{OPEN_MARK} 4" in page
    # A name never stands next to an answer: only the one who did not answer is named.
    for person in people[:5]:
        assert person.full_name not in page
    assert selectors.evaluation_scores_by_run(run_ids=[run.pk])[run.pk].answers == 5


def test_a_trainer_never_sees_an_open_or_single_answer(client):
    run, people = finished_run(6)
    for person in people[:5]:
        answer(run, person)
    run_trainer = run.trainers.get()
    client.force_login(run_trainer)
    url = reverse("trainings:evaluation_results", args=[run.pk])
    assert client.get(url).status_code == 404  # not allowed by the programme (the default)
    services.evaluation_settings_update(
        actor=coordinator_of_programme(run.training.programme),
        programme=run.training.programme,
        followup_weeks=8,
        trainers_see_aggregates=True,
    )
    page = client.get(url).content.decode()
    assert "Gemiddeld" in page
    assert OPEN_MARK not in page
    assert "Nog niet ingevuld" not in page
    results = selectors.run_evaluation_results(user=run_trainer, run=run)
    assert not results.shows_texts and results.non_respondents is None
    assert all(not item.texts for item in results.questions)
    # Another trainer, a participant and a stranger see nothing at all.
    for person in (trainer(), people[0], UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_a_trainer_below_five_sees_no_figure_even_when_allowed():
    run, people = finished_run(5)
    for person in people[:4]:
        answer(run, person)
    services.evaluation_settings_update(
        actor=coordinator_of_programme(run.training.programme),
        programme=run.training.programme,
        followup_weeks=8,
        trainers_see_aggregates=True,
    )
    results = selectors.run_evaluation_results(user=run.trainers.get(), run=run)
    assert not results.shown and all(item.scale is None for item in results.questions)


def test_training_and_quarter_figures_leave_out_small_runs(client):
    big, people = finished_run(5)
    for person in people:
        answer(big, person, score=4)
    small, few = finished_run(4, training=big.training)
    for person in few:
        answer(small, person, score=1)
    training_results = selectors.training_evaluation_results(training=big.training)
    assert training_results.combined.runs == 1
    assert training_results.combined.hidden_runs == 1
    assert training_results.combined.mean == 4.0
    assert all(summary.mean == 4.0 for _text, summary in training_results.questions)
    periods = selectors.programme_evaluation_over_time(programme_id=big.training.programme_id)
    assert sum(row.combined.answers for row in periods) == 5
    client.force_login(coordinator_of_programme(big.training.programme))
    for url in (
        reverse("trainings:evaluation_training_results", args=[big.training_id]),
        reverse("trainings:evaluation_programme_results", args=[big.training.programme_id]),
    ):
        assert client.get(url).status_code == 200


# --- mails -------------------------------------------------------------------------------------


def test_invitation_after_the_last_session_and_one_reminder_only_to_non_respondents():
    run = RunFactory()
    people = [UserFactory() for _ in range(2)]
    for person in people:
        services.enrolment_create(run=run, participant=person)
    invitation = PlannedReminder.objects.get(kind=scheduling.EVALUATION, recipient=people[0])
    assert invitation.due_at == run.ends_at
    with time_machine.travel(run.ends_at + timedelta(minutes=5), tick=False):
        dispatch_due_reminders()
        invites = [m for m in mail.outbox if "evaluatie" in m.subject.lower()]
        assert sorted(m.to[0] for m in invites) == sorted(p.email for p in people)
        assert reverse("trainings:evaluation", args=[run.pk]) in invites[0].body
        answer(run, people[0])
    mail.outbox.clear()
    later = run.ends_at + timedelta(days=evaluation.REMINDER_AFTER_DAYS, hours=1)
    with time_machine.travel(later, tick=False):
        dispatch_due_reminders()
        dispatch_due_reminders()
    reminders = [m for m in mail.outbox if m.subject.startswith("Herinnering: de evaluatie")]
    assert [m.to[0] for m in reminders] == [people[1].email]
    skipped = PlannedReminder.objects.get(kind=scheduling.EVALUATION_REMINDER, recipient=people[0])
    assert skipped.status == ReminderStatus.SKIPPED
    # The invitation itself is listed under "Mijn herinneringen" with its link.
    assert PlannedReminder.objects.get(kind=scheduling.EVALUATION, recipient=people[1]).body.count(
        reverse("trainings:evaluation", args=[run.pk])
    )


def test_the_evaluation_mails_follow_a_moved_last_session_and_a_cancellation():
    run = RunFactory()
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    later = session.starts_at + timedelta(days=7)
    services.session_update(
        actor=coordinator_of_programme(run.training.programme),
        session=session,
        starts_at=later,
        ends_at=later + timedelta(hours=3),
        title="",
        location="",
    )
    for kind, due in (
        (scheduling.EVALUATION, later + timedelta(hours=3)),
        (
            scheduling.EVALUATION_REMINDER,
            later + timedelta(hours=3, days=evaluation.REMINDER_AFTER_DAYS),
        ),
        (scheduling.FOLLOWUP, later + timedelta(hours=3, weeks=8)),
    ):
        assert PlannedReminder.objects.get(kind=kind, recipient=person).due_at == due
    enrolment = person.enrolments.get()
    services.enrolment_cancel(enrolment=enrolment, actor=person)
    assert set(
        PlannedReminder.objects.filter(kind__in=scheduling.RUN_END_KINDS).values_list(
            "status", flat=True
        )
    ) == {ReminderStatus.CANCELLED}


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("runs", [2, 8])
def test_scores_by_run_take_a_constant_number_of_queries(runs, django_assert_num_queries):
    run_ids = []
    for _ in range(runs):
        run, people = finished_run(5)
        for person in people:
            answer(run, person)
        run_ids.append(run.pk)
    with django_assert_num_queries(2):
        scores = selectors.evaluation_scores_by_run(run_ids=run_ids)
    assert all(score.answers == 5 and score.mean == 4.0 for score in scores.values())


@pytest.mark.parametrize("volume", [5, 15])
def test_the_results_page_takes_a_constant_number_of_queries(
    volume, client, django_assert_max_num_queries
):
    run, people = finished_run(volume)
    for person in people:
        answer(run, person)
    for _ in range(volume):
        finished_run(2, training=run.training)
    client.force_login(coordinator_of_programme(run.training.programme))
    with django_assert_max_num_queries(24):
        assert client.get(reverse("trainings:evaluation_results", args=[run.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        url = reverse("trainings:evaluation_training_results", args=[run.training_id])
        assert client.get(url).status_code == 200
