"""Whom a person met in verkenningen, for the netwerk (registered in ``apps.py``).

The verkenners of one verkenning work together; the people they interview are contacts
without an account, so they are not in the netwerk. The reads are SQL statements the kernel
joins into one with the other apps' (see ``portal.network``).
"""

from portal.network import TakingPart

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


def _taking_part_parameters(programme_ids: list[int]) -> list:
    return programme_ids


# The outer user ({user}) is a verkenner of a verkenning of these programmes: the first such
# row, looked up through the user's index.
TAKING_PART = TakingPart(
    "(SELECT 1 FROM verkenning_verkenning_verkenners verkenner"
    " JOIN verkenning_verkenning verkenning ON verkenning.id = verkenner.verkenning_id"
    " WHERE verkenner.user_id = {user} AND verkenning.programme_id IN ({programmes})"
    " LIMIT 1) IS NOT NULL",
    _taking_part_parameters,
)
