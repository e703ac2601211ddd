"""Whom a person met in trainings, for the netwerk (registered in ``apps.py``).

People meet in a run that has begun and was not cancelled: its enrolled participants and
its trainers. Two queries whatever the number of runs.
"""

from itertools import chain

from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone

from portal.network import Meeting, place

from .models import Enrolment, EnrolmentStatus, Run, RunStatus

TAKEN_PLACE = (RunStatus.PUBLISHED, RunStatus.COMPLETED)


def _runs_of(user_id: int) -> Q:
    # Two small lists of runs, each read through its user index, rather than an OR across
    # joins, which makes the database walk every run with all its enrolments.
    enrolled = Enrolment.objects.filter(
        participant_id=user_id, status=EnrolmentStatus.ENROLLED
    ).values("run_id")
    trained = Run.trainers.through.objects.filter(user_id=user_id).values("run_id")
    return Q(pk__in=enrolled) | Q(pk__in=trained)


def people_met(user_id: int) -> list[Meeting]:
    """Co-participants and trainers of the runs the user took part in or gave."""
    runs = Run.objects.filter(
        _runs_of(user_id), status__in=TAKEN_PLACE, starts_at__lte=timezone.now()
    ).values("pk")
    participants = Enrolment.objects.filter(
        run__in=runs, status=EnrolmentStatus.ENROLLED
    ).values_list("participant_id", "run__training__title", "run__starts_at")
    trainers = Run.trainers.through.objects.filter(run__in=runs).values_list(
        "user_id", "run__training__title", "run__starts_at"
    )
    return [
        Meeting(user_id=person, place=place(title, starts_at), when=starts_at)
        for person, title, starts_at in chain(participants, trainers)
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
