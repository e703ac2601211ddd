"""Enrolment rules: capacity, the waiting list, refusals, cancelling and the mailed release link."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import Discipline, Organisation, PlannedReminder
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.trainings.factories import RunFactory, TrainingFactory, coordinator_of
from trainings import scheduling, selectors, services
from trainings.models import Enrolment, EnrolmentStatus, RunStatus

pytestmark = pytest.mark.django_db


def people(n: int, **kwargs) -> list:
    return [UserFactory(**kwargs) for _ in range(n)]


def statuses(run) -> dict[int, str]:
    return dict(Enrolment.objects.filter(run=run).values_list("participant_id", "status"))


def enrol_all(run, participants) -> list[Enrolment]:
    enrolments = []
    for person in participants:
        # Distinct request moments, as in real life; the queue order follows them.
        enrolments.append(services.enrolment_create(run=run, participant=person))
    return enrolments


def test_enrolling_in_an_open_run_takes_a_place_and_plans_the_confirmation():
    run = RunFactory(capacity=2)
    person = UserFactory()

    enrolment = services.enrolment_create(run=run, participant=person)

    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.enrolled_at is not None
    kinds = set(PlannedReminder.objects.filter(recipient=person).values_list("kind", flat=True))
    assert "trainings.enrolment_confirmed" in kinds
    assert "trainings.session_day_before" in kinds


def test_a_full_run_puts_newcomers_on_the_waiting_list_in_order_of_arrival():
    run = RunFactory(capacity=2)
    first, second, third, fourth = people(4)

    enrol_all(run, [first, second, third, fourth])

    assert statuses(run) == {
        first.pk: EnrolmentStatus.ENROLLED,
        second.pk: EnrolmentStatus.ENROLLED,
        third.pk: EnrolmentStatus.WAITLISTED,
        fourth.pk: EnrolmentStatus.WAITLISTED,
    }
    assert selectors.enrolment_of(user=third, run=run).waitlist_position == 1
    assert selectors.enrolment_of(user=fourth, run=run).waitlist_position == 2
    assert selectors.enrolment_of(user=first, run=run).waitlist_position is None


def test_cancelling_a_place_moves_the_first_waiting_person_up_and_tells_them():
    run = RunFactory(capacity=1)
    holder, waiting_first, waiting_second = people(3)
    first_enrolment, *_ = enrol_all(run, [holder, waiting_first, waiting_second])

    services.enrolment_cancel(enrolment=first_enrolment, actor=holder)

    assert statuses(run) == {
        holder.pk: EnrolmentStatus.CANCELLED,
        waiting_first.pk: EnrolmentStatus.ENROLLED,
        waiting_second.pk: EnrolmentStatus.WAITLISTED,
    }
    assert PlannedReminder.objects.filter(
        kind="trainings.promoted", recipient=waiting_first
    ).exists()
    assert not PlannedReminder.objects.filter(
        kind="trainings.promoted", recipient=waiting_second
    ).exists()


def test_leaving_the_waiting_list_frees_no_place_and_keeps_the_order():
    run = RunFactory(capacity=1)
    holder, waiting_first, waiting_second = people(3)
    _, first_waiting, _ = enrol_all(run, [holder, waiting_first, waiting_second])

    services.enrolment_cancel(enrolment=first_waiting, actor=waiting_first)

    assert statuses(run)[holder.pk] == EnrolmentStatus.ENROLLED
    assert statuses(run)[waiting_second.pk] == EnrolmentStatus.WAITLISTED
    assert selectors.enrolment_of(user=waiting_second, run=run).waitlist_position == 1


def test_raising_the_capacity_moves_as_many_people_up_as_there_are_new_places():
    run = RunFactory(capacity=1)
    participants = people(4)
    enrol_all(run, participants)

    services.run_update(
        actor=coordinator_of(run.training.programme),
        run=run,
        capacity=3,
        enrolment_opens_at=run.enrolment_opens_at,
        enrolment_closes_at=run.enrolment_closes_at,
        location=run.location,
        trainers=[],
    )

    assert [statuses(run)[p.pk] for p in participants] == [
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.WAITLISTED,
    ]


def test_capacity_cannot_drop_below_the_number_enrolled():
    run = RunFactory(capacity=3)
    enrol_all(run, people(3))

    with pytest.raises(ValidationError, match="al 3 deelnemers"):
        services.run_update(
            actor=coordinator_of(run.training.programme),
            run=run,
            capacity=2,
            enrolment_opens_at=run.enrolment_opens_at,
            enrolment_closes_at=run.enrolment_closes_at,
            location=run.location,
            trainers=[],
        )
    run.refresh_from_db()
    assert run.capacity == 3


def test_someone_cancelled_can_enrol_again_at_the_back_of_the_queue():
    run = RunFactory(capacity=1)
    holder, waiting = people(2)
    first, _ = enrol_all(run, [holder, waiting])
    services.enrolment_cancel(enrolment=first, actor=holder)

    again = services.enrolment_create(run=run, participant=holder)

    assert again.pk == first.pk
    assert again.status == EnrolmentStatus.WAITLISTED
    assert statuses(run)[waiting.pk] == EnrolmentStatus.ENROLLED


def _refused(run, person, message: str) -> None:
    before = list(Enrolment.objects.order_by("pk").values_list("pk", "status", "requested_at"))
    reminders_before = PlannedReminder.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.enrolment_create(run=run, participant=person)
    assert message in " ".join(excinfo.value.messages)
    after = list(Enrolment.objects.order_by("pk").values_list("pk", "status", "requested_at"))
    assert after == before
    assert PlannedReminder.objects.count() == reminders_before


def test_enrolment_before_the_window_opens_is_refused_with_the_opening_moment():
    run = RunFactory(
        enrolment_opens_at=timezone.now() + timedelta(days=1),
        enrolment_closes_at=timezone.now() + timedelta(days=5),
    )
    _refused(run, UserFactory(), "De inschrijving opent op")


def test_enrolment_after_the_window_closed_is_refused():
    run = RunFactory(
        enrolment_opens_at=timezone.now() - timedelta(days=5),
        enrolment_closes_at=timezone.now() - timedelta(minutes=1),
    )
    _refused(run, UserFactory(), "De inschrijving is gesloten")


def test_enrolment_in_a_cancelled_run_is_refused():
    run = RunFactory(status=RunStatus.CANCELLED)
    _refused(run, UserFactory(), "geannuleerd")


def test_enrolment_in_a_draft_run_is_refused():
    run = RunFactory(status=RunStatus.DRAFT)
    _refused(run, UserFactory(), "kun je je niet inschrijven")


def test_enrolling_twice_is_refused_whether_placed_or_waiting():
    run = RunFactory(capacity=1)
    placed, waiting = people(2)
    enrol_all(run, [placed, waiting])

    _refused(run, placed, "al ingeschreven")
    _refused(run, waiting, "al op de wachtlijst")


def test_staff_of_the_providing_organisation_cannot_enrol_in_its_own_training():
    run = RunFactory()
    _refused(run, UserFactory(organisation=run.training.provider), "andere partners")


def test_staff_of_an_organisation_outside_a_named_audience_are_refused():
    politie = OrganisationFactory(name="Politie Test", kind=Organisation.Kind.POLITIE)
    training = TrainingFactory()
    training.audience_organisations.set([politie])
    run = RunFactory(training=training)

    _refused(run, UserFactory(), "niet bedoeld voor jouw organisatie")
    assert services.enrolment_create(run=run, participant=UserFactory(organisation=politie))


def test_a_discipline_outside_the_audience_is_refused():
    training = TrainingFactory(audience_disciplines=[Discipline.RECHERCHE])
    run = RunFactory(training=training)
    _refused(run, UserFactory(discipline=Discipline.SOCIAAL_DOMEIN), "discipline")


def test_only_the_participant_may_cancel_their_enrolment():
    run = RunFactory()
    enrolment = services.enrolment_create(run=run, participant=UserFactory())

    with pytest.raises(PermissionDenied):
        services.enrolment_cancel(enrolment=enrolment, actor=UserFactory())
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_a_place_cannot_be_given_up_online_once_the_training_has_begun():
    run = RunFactory()
    enrolment = services.enrolment_create(run=run, participant=UserFactory())
    run.starts_at = timezone.now() - timedelta(hours=1)
    run.save()

    with pytest.raises(ValidationError, match="al begonnen"):
        services.enrolment_cancel(enrolment=enrolment, actor=enrolment.participant)


def test_the_release_link_frees_the_promoted_place_for_the_next_in_line():
    run = RunFactory(capacity=1)
    holder, promoted, next_in_line = people(3)
    first, second, _ = enrol_all(run, [holder, promoted, next_in_line])
    services.enrolment_cancel(enrolment=first, actor=holder)
    second.refresh_from_db()
    token = scheduling.release_token(second)

    services.enrolment_release(token=token)

    assert statuses(run)[promoted.pk] == EnrolmentStatus.CANCELLED
    assert statuses(run)[next_in_line.pk] == EnrolmentStatus.ENROLLED
    with pytest.raises(ValidationError, match="niet meer geldig"):
        services.enrolment_release(token=token)


def test_an_old_release_link_stops_working_after_enrolling_again():
    run = RunFactory(capacity=5)
    person = UserFactory()
    enrolment = services.enrolment_create(run=run, participant=person)
    old_token = scheduling.release_token(enrolment)
    services.enrolment_cancel(enrolment=enrolment, actor=person)
    services.enrolment_create(run=run, participant=person)

    with pytest.raises(ValidationError, match="niet meer geldig"):
        services.enrolment_release(token=old_token)
    assert statuses(run)[person.pk] == EnrolmentStatus.ENROLLED


def test_a_forged_release_link_changes_nothing():
    run = RunFactory(capacity=5)
    enrolment = services.enrolment_create(run=run, participant=UserFactory())

    with pytest.raises(ValidationError):
        services.enrolment_release(token=f"{enrolment.pk}:nagemaakt")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_cancelling_a_run_tells_everyone_enrolled_or_waiting_and_withdraws_reminders():
    run = RunFactory(capacity=1)
    placed, waiting = people(2)
    enrol_all(run, [placed, waiting])

    services.run_cancel(
        actor=coordinator_of(run.training.programme), run=run, reason="De trainer is ziek."
    )

    told = set(
        PlannedReminder.objects.filter(kind="trainings.run_cancelled").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {placed.pk, waiting.pk}
    assert not PlannedReminder.objects.filter(
        kind="trainings.session_day_before", status="planned"
    ).exists()
