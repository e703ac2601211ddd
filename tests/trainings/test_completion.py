"""The completion rule: pure edge cases, and the rule read from the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.portal.factories import add_totp, force_login_with_mfa
from tests.trainings.certificate_helpers import finished_run, participant_in
from tests.trainings.factories import EnrolmentFactory, RunFactory, SessionFactory, coordinator_of
from trainings import completion, selectors
from trainings.completion import Facts, evaluate, sessions_required
from trainings.models import Attendance, AttendanceStatus, EnrolmentStatus, RunStatus


def facts(**changes) -> Facts:
    base = dict(
        min_attendance_percent=80,
        end_review_required=True,
        sessions=5,
        sessions_ended=5,
        attended=4,
        end_review_written=True,
        holds_place=True,
    )
    return Facts(**(base | changes))


def test_four_of_five_at_80_percent_with_the_review_written_is_complete():
    outcome = evaluate(facts())
    assert outcome.is_complete and outcome.reasons == ()
    assert outcome.sessions_required == 4


@pytest.mark.parametrize(
    ("percent", "sessions", "needed"),
    [(67, 3, 3), (66, 3, 2), (80, 5, 4), (80, 4, 4), (75, 4, 3), (0, 4, 0), (100, 3, 3), (1, 7, 1)],
)
def test_the_sessions_needed_are_the_exact_percentage_rounded_up(percent, sessions, needed):
    assert sessions_required(percent=percent, sessions=sessions) == needed


def test_two_of_three_is_not_67_percent():
    outcome = evaluate(facts(min_attendance_percent=67, sessions=3, sessions_ended=3, attended=2))
    assert not outcome.is_complete
    assert outcome.reasons == (completion.ATTENDANCE_MISSED,)
    assert outcome.sessions_missing == 1


def test_a_percentage_outside_0_to_100_is_refused():
    with pytest.raises(ValueError):
        sessions_required(percent=101, sessions=3)


def test_a_run_without_sessions_is_never_complete_even_at_0_percent():
    outcome = evaluate(facts(min_attendance_percent=0, sessions=0, sessions_ended=0, attended=0))
    assert not outcome.is_complete
    assert outcome.reasons == (completion.NO_SESSIONS,)


def test_a_withdrawn_place_or_a_cancelled_run_is_not_eligible():
    assert evaluate(facts(holds_place=False)).reasons == (completion.NOT_ELIGIBLE,)
    assert evaluate(facts(run_cancelled=True)).reasons == (completion.NOT_ELIGIBLE,)
    assert not evaluate(facts(run_cancelled=True)).is_eligible


def test_a_run_not_yet_finished_shows_what_is_still_needed():
    outcome = evaluate(facts(sessions_ended=3, attended=3, end_review_written=False))
    assert not outcome.is_complete
    assert outcome.reasons == (
        completion.ATTENDANCE,
        completion.END_REVIEW,
        completion.RUN_NOT_FINISHED,
    )
    assert outcome.sessions_missing == 1 and outcome.attendance_still_possible


def test_attendance_that_can_no_longer_be_made_up_says_so_before_the_end():
    outcome = evaluate(facts(sessions_ended=3, attended=1))
    assert outcome.reasons[0] == completion.ATTENDANCE_MISSED
    assert not outcome.attendance_still_possible


def test_all_met_before_the_last_session_waits_for_the_end():
    outcome = evaluate(facts(sessions_ended=4, attended=4))
    assert outcome.reasons == (completion.RUN_NOT_FINISHED,)


def test_a_run_marked_completed_is_finished_even_if_a_session_end_lies_ahead():
    assert evaluate(facts(sessions_ended=4, attended=4, run_completed=True)).is_complete


def test_the_review_counts_only_where_the_training_asks_for_it():
    assert not evaluate(facts(end_review_written=False)).is_complete
    assert evaluate(facts(end_review_written=False, end_review_required=False)).is_complete


# --- from the database ---------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def _completion(enrolment):
    enrolment = selectors.own_enrolment_for_certificate(
        user=enrolment.participant, enrolment_id=enrolment.pk
    )
    return selectors.completion_of(enrolment=enrolment, sessions=list(enrolment.run.sessions.all()))


@pytestmark_db
def test_excused_counts_as_absent_and_a_cancelled_session_does_not_count():
    run = finished_run(sessions=5, training__min_attendance_percent=80)
    enrolment = participant_in(run, present=3)
    sessions = list(run.sessions.order_by("starts_at"))
    Attendance.objects.filter(enrolment=enrolment, session=sessions[3]).update(
        status=AttendanceStatus.EXCUSED
    )
    assert not _completion(enrolment).is_complete  # 3 of 5
    sessions[4].is_cancelled = True
    sessions[4].save()
    outcome = _completion(enrolment)  # 3 of 4 = 75 % < 80 %
    assert (outcome.attended, outcome.sessions, outcome.is_complete) == (3, 4, False)
    sessions[3].is_cancelled = True
    sessions[3].save()
    assert _completion(enrolment).is_complete  # 3 of 3


@pytestmark_db
def test_presence_at_a_cancelled_session_does_not_count():
    run = finished_run(sessions=2, training__min_attendance_percent=100)
    enrolment = participant_in(run, present=2)
    first = run.sessions.order_by("starts_at").first()
    first.is_cancelled = True
    first.save()
    outcome = _completion(enrolment)
    assert (outcome.attended, outcome.sessions) == (1, 1)


@pytestmark_db
def test_a_blank_review_is_not_written():
    run = finished_run(sessions=1)
    assert not _completion(participant_in(run, present=1, learned="   \n")).is_complete


@pytestmark_db
def test_withdrawn_and_waiting_participants_are_not_counted():
    run = finished_run(sessions=2)
    done = participant_in(run, present=2)
    participant_in(run, present=1)
    withdrawn = participant_in(run, present=2)
    withdrawn.status = EnrolmentStatus.CANCELLED
    withdrawn.save()
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED)
    assert selectors.completion_counts(run_ids=[run.pk]) == {run.pk: (1, 2)}
    assert _completion(done).is_complete


@pytestmark_db
def test_completion_counts_per_run_in_three_queries_whatever_the_number_of_runs(
    django_assert_num_queries,
):
    runs = [finished_run(sessions=2) for _ in range(4)]
    for index, run in enumerate(runs):
        for present in range(index + 1):
            participant_in(run, present=present)
    upcoming = RunFactory()
    cancelled = finished_run(sessions=1)
    participant_in(cancelled, present=1)
    cancelled.status = RunStatus.CANCELLED
    cancelled.save()
    ids = [run.pk for run in runs] + [upcoming.pk, cancelled.pk]
    with django_assert_num_queries(3):
        counts = selectors.completion_counts(run_ids=ids)
    assert counts == {
        runs[0].pk: (0, 1),
        runs[1].pk: (0, 2),
        runs[2].pk: (1, 3),
        runs[3].pk: (2, 4),
        upcoming.pk: (0, 0),
        cancelled.pk: (0, 1),
    }
    with django_assert_num_queries(0):
        assert selectors.completion_counts(run_ids=[]) == {}


@pytestmark_db
def test_a_run_still_under_way_is_not_complete_and_the_page_says_what_is_missing(client):
    start = timezone.now() - timedelta(days=3)
    run = RunFactory(
        starts_at=start, ends_at=start + timedelta(days=14, hours=3), with_session=False
    )
    SessionFactory(run=run, starts_at=start, ends_at=start + timedelta(hours=3))
    SessionFactory(run=run, starts_at=start + timedelta(days=14), ends_at=run.ends_at)
    enrolment = participant_in(run, present=1, learned="")
    client.force_login(enrolment.participant)
    page = client.get(f"/trainingen/uitvoeringen/{run.pk}/").content.decode()
    assert "nog 1 bijeenkomst bijwonen" in page
    assert "schrijf je eindreflectie" in page
    assert "Certificaat downloaden" not in page
    mine = client.get("/trainingen/mijn/").content.decode()
    assert "nog 1 bijeenkomst bijwonen" in mine


@pytestmark_db
def test_the_register_counts_places_waiting_and_completed_as_the_dashboard_does(client):
    run = finished_run(sessions=2)
    participant_in(run, present=2)
    participant_in(run, present=1)
    participant_in(run, present=2, learned=" ")
    withdrawn = participant_in(run, present=2)
    withdrawn.status = EnrolmentStatus.CANCELLED
    withdrawn.save()
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED, enrolled_at=None)
    boss = coordinator_of(run.training.programme)
    add_totp(boss)
    force_login_with_mfa(client, boss)

    page = client.get(f"/trainingen/uitvoeringen/{run.pk}/deelnemers/").content.decode()

    assert selectors.completion_counts(run_ids=[run.pk]) == {run.pk: (1, 3)}
    assert f"Ingeschreven (3 van {run.capacity})" in page
    assert "Voltooid: 1 van 3" in page
    assert "Wachtlijst (1)" in page
