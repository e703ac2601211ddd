"""Whom a person met in werkplaatsen, for the netwerk (registered in ``apps.py``).

People meet in a werkplaats whose first session has begun: its participants and its
facilitators. The reads are SQL statements the kernel joins into one with the other apps'
(see ``portal.network``), whatever the number of werkplaatsen.
"""

from portal import sql
from portal.network import TakingPart

# The werkplaatsen the user takes part in or facilitates, as one small list, read through
# the user's participation and facilitator indexes: an OR across the two joins makes the
# database read every participation.
_WERKPLAATSEN_OF = (
    "SELECT werkplaats_id FROM werkplaats_participation WHERE user_id = %s"
    " UNION SELECT werkplaats_id FROM werkplaats_werkplaats_facilitators WHERE user_id = %s"
)

# (person, title, began): the participants and facilitators of the user's werkplaatsen
# whose first session has begun; someone who is both is met once.
PEOPLE_MET_SQL = sql.expand(
    "SELECT DISTINCT people.person, werkplaats.title, begun.began FROM ("
    " SELECT werkplaats_id, MIN(starts_at) AS began FROM werkplaats_session"
    " WHERE werkplaats_id IN ({werkplaatsen})"
    " GROUP BY werkplaats_id HAVING MIN(starts_at) <= %s) begun"
    " JOIN werkplaats_werkplaats werkplaats ON werkplaats.id = begun.werkplaats_id"
    " JOIN (SELECT user_id AS person, werkplaats_id FROM werkplaats_participation"
    " UNION ALL SELECT user_id, werkplaats_id FROM werkplaats_werkplaats_facilitators) people"
    " ON people.werkplaats_id = begun.werkplaats_id",
    parts={"werkplaatsen": _WERKPLAATSEN_OF},
)


def people_met_parameters(user_id: int, now) -> list:
    return [user_id, user_id, now]


# (programme,): the programmes of the werkplaatsen the user takes part in or facilitates.
PROGRAMMES_SQL = sql.expand(
    "SELECT DISTINCT programme_id FROM werkplaats_werkplaats"
    " WHERE id IN ({werkplaatsen}) AND programme_id IS NOT NULL",
    parts={"werkplaatsen": _WERKPLAATSEN_OF},
)


def programmes_parameters(user_id: int, now) -> list:
    return [user_id, user_id]


def _taking_part_parameters(programme_ids: list[int]) -> list:
    return [*programme_ids, *programme_ids]


# The outer user ({user}) takes part in or facilitates a werkplaats of these programmes: per
# kind, the first such row, looked up through the user's index.
TAKING_PART = TakingPart(
    "(SELECT 1 FROM werkplaats_participation participation"
    " JOIN werkplaats_werkplaats werkplaats ON werkplaats.id = participation.werkplaats_id"
    " WHERE participation.user_id = {user} AND werkplaats.programme_id IN ({programmes})"
    " LIMIT 1) IS NOT NULL"
    " OR (SELECT 1 FROM werkplaats_werkplaats_facilitators facilitator"
    " JOIN werkplaats_werkplaats werkplaats ON werkplaats.id = facilitator.werkplaats_id"
    " WHERE facilitator.user_id = {user} AND werkplaats.programme_id IN ({programmes})"
    " LIMIT 1) IS NOT NULL",
    _taking_part_parameters,
)
