"""Whom a person met in trainings, for the netwerk (registered in ``apps.py``).

People meet in a run that has begun and was not cancelled: its enrolled participants and
its trainers. Two queries whatever the number of runs (one when the user has none).
"""

from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone

from portal.network import Meeting

from .models import Enrolment, EnrolmentStatus, Run, RunStatus

TAKEN_PLACE = (RunStatus.PUBLISHED, RunStatus.COMPLETED)


def _runs_of(user_id: int) -> Q:
    # One small list of runs, read through the user's enrolment and trainer indexes: an OR
    # of the two makes the database walk every run that has begun (or every enrolment).
    enrolled = Enrolment.objects.filter(
        participant_id=user_id, status=EnrolmentStatus.ENROLLED
    ).values("run_id")
    trained = Run.trainers.through.objects.filter(user_id=user_id).values("run_id")
    # Without the models' default ordering: a compound statement takes none in its parts.
    return Q(pk__in=enrolled.order_by().union(trained.order_by()))


def people_met(user_id: int) -> list[Meeting]:
    """Co-participants and trainers of the runs the user took part in or gave."""
    runs = {
        pk: (title, starts_at)
        for pk, title, starts_at in Run.objects.filter(
            _runs_of(user_id), status__in=TAKEN_PLACE, starts_at__lte=timezone.now()
        ).values_list("pk", "training__title", "starts_at")
    }
    if not runs:
        return []
    # The runs as a list: the database then reads their people through the run indexes.
    participants = Enrolment.objects.filter(
        run_id__in=list(runs), status=EnrolmentStatus.ENROLLED
    ).values_list("participant_id", "run_id")
    trainers = Run.trainers.through.objects.filter(run_id__in=list(runs)).values_list(
        "user_id", "run_id"
    )
    return [
        Meeting(user_id=person, title=runs[run][0], when=runs[run][1])
        for person, run in participants.order_by().union(trainers.order_by(), all=True)
    ]


def programmes_of(user_id: int) -> list[int]:
    """Programmes with a run the user is enrolled in or trains (published or held)."""
    return list(
        Run.objects.filter(_runs_of(user_id), status__in=TAKEN_PLACE)
        .order_by()
        .values_list("training__programme_id", flat=True)
        .distinct()
    )


def participants_of(programme_ids: frozenset[int]) -> list[QuerySet]:
    """Rows that exist when the outer User (``OuterRef("pk")``) is enrolled in or trains a
    published or held run of these programmes.

    Correlated rows rather than a list of ids, so a search walks its people in order and
    stops at a page instead of asking about every candidate first.
    """
    in_programmes = {
        "run__training__programme_id__in": programme_ids,
        "run__status__in": TAKEN_PLACE,
    }
    return [
        Enrolment.objects.filter(
            participant_id=OuterRef("pk"), status=EnrolmentStatus.ENROLLED, **in_programmes
        ),
        Run.trainers.through.objects.filter(user_id=OuterRef("pk"), **in_programmes),
    ]
