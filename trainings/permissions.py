"""Who may do what with programmes, trainings, runs and what participants write."""

from portal import permissions as portal_permissions
from portal.models import Programme, User
from portal.permissions import coordinates_programme

from .models import (
    Enrolment,
    EnrolmentStatus,
    Idea,
    Resource,
    ResourceStatus,
    Run,
    Training,
    TrainingFormat,
)


def can_manage_programme(user: User, programme: Programme) -> bool:
    return coordinates_programme(user, programme.pk)


def can_manage_training(user: User, training: Training) -> bool:
    return coordinates_programme(user, training.programme_id)


def can_manage_run(user: User, run: Run) -> bool:
    return coordinates_programme(user, run.training.programme_id)


def teaches_run(user: User, run: Run) -> bool:
    return portal_permissions.is_trainer(user) and run.trainers.filter(pk=user.pk).exists()


def can_view_participants(user: User, run: Run) -> bool:
    """The enrolled list, plans and attendance: the run's trainers and its coordinators."""
    return can_manage_run(user, run) or teaches_run(user, run)


def can_read_personal_writing(user: User, enrolment: Enrolment) -> bool:
    """Development plans and reflections: the author, the run's trainers, the coordinators."""
    if enrolment.participant_id == user.pk:
        return True
    return can_view_participants(user, enrolment.run)


def is_in_audience(
    user: User, training: Training, audience_organisation_ids: frozenset[int]
) -> bool:
    """Whether the user's organisation and discipline may enrol in the training.

    ``audience_organisation_ids`` is the training's audience, read by the caller
    (usually prefetched); empty means every partner but the provider.
    """
    if user.organisation_id is None:
        return False
    if audience_organisation_ids:
        if user.organisation_id not in audience_organisation_ids:
            return False
    elif user.organisation_id == training.provider_id:
        return False
    disciplines = training.audience_disciplines or []
    return not disciplines or user.discipline in disciplines


def can_curate_resource(user: User, resource: Resource) -> bool:
    """Publish, edit or reject a library resource: the coordinators of its programme."""
    return coordinates_programme(user, resource.programme_id)


def can_view_resource(user: User, resource: Resource) -> bool:
    """Published: everyone logged in; otherwise its suggester and its curators."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if resource.status == ResourceStatus.PUBLISHED:
        return True
    return resource.suggested_by_id == user.pk or can_curate_resource(user, resource)


def can_view_idea(user: User, idea: Idea) -> bool:
    """The proposer and the coordinators of the idea's programme."""
    return idea.proposer_id == user.pk or coordinates_programme(user, idea.programme_id)


def can_decide_idea(user: User, idea: Idea) -> bool:
    return coordinates_programme(user, idea.programme_id)


def can_edit_evaluation(user: User, programme_id: int) -> bool:
    """The programme's question set and evaluation settings: its coordinators."""
    return coordinates_programme(user, programme_id)


def sees_evaluation_details(user: User, run: Run) -> bool:
    """Open answers and who has not answered yet: the programme's coordinators only.

    Open answers are shown only from ``evaluation.MIN_ANSWERS`` answers on; who has not
    answered shows names, never answers.
    """
    return can_manage_run(user, run)


def sees_evaluation_aggregates(user: User, run: Run, *, trainers_allowed: bool) -> bool:
    """A run's means and counts per option (from 5 answers on): its coordinators, and its
    trainers where the programme allows (``EvaluationSettings.trainers_see_aggregates``)."""
    return can_manage_run(user, run) or (trainers_allowed and teaches_run(user, run))


def can_view_programme_dashboard(user: User, programme_id: int) -> bool:
    """The programme dashboard: the programme's coordinators, and beheerders for every one."""
    return coordinates_programme(user, programme_id) or portal_permissions.is_beheerder(user)


def leads_awareness_room(user: User, run: Run) -> bool:
    """Whoever moves the room on, writes down definitions and groups examples: the trainers."""
    return run.training.format == TrainingFormat.AWARENESS and teaches_run(user, run)


def is_in_awareness_room(user: User, run: Run) -> bool:
    """Who sees a bewustwordingssessie's room and may name examples in it.

    The run's trainers and the participants holding a place; not its coordinators, who see
    the programme's counts instead.
    """
    if run.training.format != TrainingFormat.AWARENESS:
        return False
    return (
        teaches_run(user, run)
        or run.enrolments.filter(participant_id=user.pk, status=EnrolmentStatus.ENROLLED).exists()
    )
