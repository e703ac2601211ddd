"""Whom a person met in werkplaatsen, for the netwerk (registered in ``apps.py``).

People meet in a werkplaats whose first session has begun: its participants and its
facilitators. Two queries whatever the number of werkplaatsen.
"""

from django.db.models import Min, OuterRef, QuerySet
from django.utils import timezone

from portal.network import Meeting

from .models import Participation, Werkplaats


def _werkplaatsen_of(user_id: int):
    # One small list, read through the user's participation and facilitator indexes: an OR
    # across the two joins makes the database read every participation.
    participating = Participation.objects.filter(user_id=user_id).values("werkplaats_id")
    facilitating = Werkplaats.facilitators.through.objects.filter(user_id=user_id).values(
        "werkplaats_id"
    )
    # Without the models' default ordering: a compound statement takes none in its parts.
    return Werkplaats.objects.filter(pk__in=participating.order_by().union(facilitating.order_by()))


def people_met(user_id: int) -> list[Meeting]:
    """Fellow participants and facilitators of the werkplaatsen the user took part in or led."""
    begun = (
        Werkplaats.objects.filter(pk__in=_werkplaatsen_of(user_id).values("pk"))
        .annotate(first_session=Min("sessions__starts_at"))
        .filter(first_session__lte=timezone.now())
    )
    rows = {w.pk: (w.title, w.first_session) for w in begun}
    if not rows:
        return []
    participants = Participation.objects.filter(werkplaats_id__in=rows).values_list(
        "user_id", "werkplaats_id"
    )
    facilitators = Werkplaats.facilitators.through.objects.filter(
        werkplaats_id__in=rows
    ).values_list("user_id", "werkplaats_id")
    return [
        Meeting(user_id=person, title=rows[werkplaats][0], when=rows[werkplaats][1])
        # Without the models' default ordering: a compound statement takes none in its parts.
        for person, werkplaats in participants.order_by().union(facilitators.order_by())
    ]


def programmes_of(user_id: int) -> list[int]:
    """Programmes of the werkplaatsen the user takes part in or facilitates."""
    return list(
        _werkplaatsen_of(user_id)
        .filter(programme__isnull=False)
        .order_by()
        .values_list("programme_id", flat=True)
        .distinct()
    )


def participants_of(programme_ids: frozenset[int]) -> list[QuerySet]:
    """Rows that exist when the outer User (``OuterRef("pk")``) takes part in or facilitates
    a werkplaats of these programmes."""
    return [
        Participation.objects.filter(
            user_id=OuterRef("pk"), werkplaats__programme_id__in=programme_ids
        ),
        Werkplaats.facilitators.through.objects.filter(
            user_id=OuterRef("pk"), werkplaats__programme_id__in=programme_ids
        ),
    ]
