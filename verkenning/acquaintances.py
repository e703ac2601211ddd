"""Whom a person met in verkenningen, for the netwerk (registered in ``apps.py``).

The verkenners of one verkenning work together; the people they interview are contacts
without an account, so they are not in the netwerk. The reads are SQL statements the kernel
joins into one with the other apps' (see ``portal.network``).
"""

from django.db.models import OuterRef, QuerySet

from .models import Verkenning

Verkenners = Verkenning.verkenners.through

# (person, title, began): the fellow verkenners of the verkenningen the user explores.
PEOPLE_MET_SQL = (
    "SELECT fellow.user_id, verkenning.title, verkenning.created_at"
    " FROM verkenning_verkenning_verkenners mine"
    " JOIN verkenning_verkenning_verkenners fellow ON fellow.verkenning_id = mine.verkenning_id"
    " JOIN verkenning_verkenning verkenning ON verkenning.id = mine.verkenning_id"
    " WHERE mine.user_id = %s"
)

# (programme,): the programmes of the verkenningen the user explores.
PROGRAMMES_SQL = (
    "SELECT DISTINCT verkenning.programme_id FROM verkenning_verkenning_verkenners mine"
    " JOIN verkenning_verkenning verkenning ON verkenning.id = mine.verkenning_id"
    " WHERE mine.user_id = %s"
)


def parameters(user_id: int, now) -> list:
    return [user_id]


def participants_of(programme_ids: frozenset[int]) -> list[QuerySet]:
    """Rows that exist when the outer User (``OuterRef("pk")``) is a verkenner of a
    verkenning of these programmes."""
    in_programmes = {"verkenning__programme_id__in": programme_ids}
    return [Verkenners.objects.filter(user_id=OuterRef("pk"), **in_programmes)]
