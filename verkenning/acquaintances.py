"""Whom a person met in verkenningen, for the netwerk (registered in ``apps.py``).

The verkenners of one verkenning work together; the people they interview are contacts
without an account, so they are not in the netwerk. One query.
"""

from django.db.models import OuterRef, QuerySet

from portal.network import Meeting

from .models import Verkenning

Verkenners = Verkenning.verkenners.through


def people_met(user_id: int) -> list[Meeting]:
    """The fellow verkenners of the verkenningen the user explores."""
    mine = Verkenners.objects.filter(user_id=user_id).values("verkenning_id")
    rows = Verkenners.objects.filter(verkenning_id__in=mine).values_list(
        "user_id", "verkenning__title", "verkenning__created_at"
    )
    return [
        Meeting(user_id=person, title=title, when=created_at) for person, title, created_at in rows
    ]


def programmes_of(user_id: int) -> list[int]:
    """Programmes of the verkenningen the user explores."""
    return list(
        Verkenners.objects.filter(user_id=user_id)
        .values_list("verkenning__programme_id", flat=True)
        .distinct()
    )


def participants_of(programme_ids: frozenset[int]) -> list[QuerySet]:
    """Rows that exist when the outer User (``OuterRef("pk")``) is a verkenner of a
    verkenning of these programmes."""
    in_programmes = {"verkenning__programme_id__in": programme_ids}
    return [Verkenners.objects.filter(user_id=OuterRef("pk"), **in_programmes)]
