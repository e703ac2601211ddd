"""Whom a person met in verkenningen, for the netwerk (registered in ``apps.py``).

The verkenners of one verkenning work together; the people they interview are contacts
without an account, so they are not in the netwerk. One query.
"""

from portal.network import Meeting, place

from .models import Verkenning

Verkenners = Verkenning.verkenners.through


def people_met(user_id: int) -> list[Meeting]:
    """The fellow verkenners of the verkenningen the user explores."""
    mine = Verkenners.objects.filter(user_id=user_id).values("verkenning_id")
    rows = Verkenners.objects.filter(verkenning_id__in=mine).values_list(
        "user_id", "verkenning__title", "verkenning__created_at"
    )
    return [
        Meeting(user_id=person, place=place(title, created_at), when=created_at)
        for person, title, created_at in rows
    ]


def programmes_of(user_id: int) -> list[int]:
    """Programmes of the verkenningen the user explores."""
    return list(
        Verkenners.objects.filter(user_id=user_id)
        .values_list("verkenning__programme_id", flat=True)
        .distinct()
    )


def participants_of(programme_ids: frozenset[int], among: list[int]) -> list[int]:
    """Those ``among`` these people who are verkenners of these programmes' verkenningen."""
    return list(
        Verkenners.objects.filter(user_id__in=among, verkenning__programme_id__in=programme_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )
