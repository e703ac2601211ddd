"""Who met whom, and who takes part in which programme, without the kernel importing apps.

The netwerk shows a findable person to the people they shared a run, werkplaats or
verkenning with, and to the participants of the programmes they take part in. Only the apps
know those relations, and peers may not import each other (the signal form names the
contact persons a reporter met, but signalen must not import trainings). So each app
registers its reads here in its ``AppConfig.ready``, as SQL, and the kernel asks all apps in
one statement instead of one query or two per app:

- ``register_met(statement, parameters)``: rows ``(person id, title, when it began)`` for
  everyone the user met through that app; ``parameters(user_id, now)`` gives the values of
  its placeholders, in order;
- ``register_programmes(statement, parameters, taking_part)``: rows ``(programme id,)``
  for the programmes a user takes part in through the app, and the condition, on the outer
  ``User``, that someone takes part in any of some programmes through the app; the kernel
  joins them into one condition (``participation``) that its search combines with its own
  filters, so it reads people in name order and stops at a page.

``meetings`` asks every app whom the user met in one statement; ``acquaintances`` asks that
and the user's programmes together, in one statement too. The statements are plain SQL (see
``portal.sql``) that runs on PostgreSQL and on SQLite, values always as parameters, and
each reads through the user's indexes, whatever the number of runs or werkplaatsen. They
return ids, labels and conditions only; whether a person is shown at all is decided once, by
the kernel's selectors, on the consent in ``NetworkProfile``.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import sql

# The version of the consent text below. A new text gets a new version; the history keeps
# which version each person agreed to.
CONSENT_VERSION = "2026-11"
CONSENT_TEXT = _(
    "Als je vindbaar bent, zien deelnemers je naam en organisatie op de pagina Netwerk: de "
    "mensen met wie je een training, werkplaats of verkenning deelde (met waar je elkaar "
    "ontmoette), en de deelnemers van de programma's waaraan jij meedoet, als ze zoeken op "
    "organisatie of rol. Ben je contactpersoon ondermijning, dan noemt het meldformulier je "
    "aan melders die jou ontmoetten. Verder zien ze alleen wat je hieronder aanvinkt of "
    "invult. Je kunt dit altijd wijzigen of intrekken: dan ben je meteen overal onvindbaar. "
    "We bewaren wanneer je toestemming gaf, wijzigde of introk, als bewijs van je keuze."
)


@dataclass(frozen=True)
class Meeting:
    """The user met ``user_id`` at ``title`` when it began (``when``), e.g. "Hoe werkt de
    gemeente?" in the spring of 2026; ``place`` says it as people remember it."""

    user_id: int
    title: str
    # When it began, to list the most recent meeting first; None sorts last.
    when: datetime | None = None

    @property
    def place(self) -> str:
        """ "Hoe werkt de gemeente?, voorjaar 2026": worded only for the meetings shown."""
        return place(self.title, self.when)


# The values of a statement's placeholders, in order, from the user's id and the moment
# (``now``, as the database compares it: see ``sql.moment``).
Parameters = Callable[[int, object], Sequence]


@dataclass(frozen=True)
class TakingPart:
    """The condition that the outer user (``{user}``, their id) takes part in any of the
    programmes (``{programmes}``, an IN list) through an app, as SQL; ``parameters`` gives the
    values of its other placeholders and the programme ids, in the order the text has them.

    A condition, never a list of ids: a programme may have tens of thousands of participants,
    and reading all their ids (or asking about every candidate first) costs as much. Written
    as "the first such row is not null", a scalar subquery the database looks up per person
    through the user's index (see ``participation``)."""

    sql: str
    parameters: Callable[[list[int]], Sequence]


@dataclass(frozen=True)
class _Statement:
    sql: str
    parameters: Parameters


_met: dict[str, _Statement] = {}
_programmes: dict[str, tuple[_Statement, TakingPart]] = {}
# The outer user of a ``TakingPart`` condition: the people a netwerk query reads.
_OUTER_USER = '"portal_user"."id"'

# A branch of the combined statement (see ``_read``), tagged with what its rows are: someone
# met, or a programme of the user (without a title or a date). Each app's statement is a
# subquery, so it may itself be a compound statement (SQLite takes no parentheses around
# the parts of a UNION).
_MET, _PROGRAMME = 1, 2
_BRANCH = {
    _MET: "SELECT 1, part.* FROM ({statement}) part",
    _PROGRAMME: "SELECT 2, part.*, NULL, NULL FROM ({statement}) part",
}


def register_met(statement: str, parameters: Parameters) -> None:
    """``statement`` selects ``(person id, title, began)`` for everyone the user met through
    an app (the user themselves may be among them); registering a statement of the same
    ``parameters`` function again replaces it."""
    _met[_qualified(parameters)] = _Statement(statement, parameters)


def register_programmes(statement: str, parameters: Parameters, taking_part: TakingPart) -> None:
    """``statement`` selects ``(programme id,)`` for the programmes the user takes part in
    through an app, and ``taking_part`` is the condition that the outer User takes part in
    any of some programmes through it."""
    _programmes[_qualified(parameters)] = (_Statement(statement, parameters), taking_part)


def _qualified(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _read(
    user_id: int, *, met: bool, programmes: bool
) -> tuple[dict[int, list[Meeting]], frozenset[int]]:
    """Whom the user met and the user's programmes, through every app, as asked: one
    statement, each app's part a branch tagged with what its rows are."""
    branches: list[tuple[int, _Statement]] = []
    if met:
        branches += [(_MET, statement) for statement in list(_met.values())]
    if programmes:
        branches += [(_PROGRAMME, statement) for statement, _ in list(_programmes.values())]
    if not branches:
        return {}, frozenset()
    now = sql.moment(timezone.now())
    parts, params = [], []
    for kind, statement in branches:
        parts.append(sql.expand(_BRANCH[kind], parts={"statement": statement.sql}))
        params.extend(statement.parameters(user_id, now))
    found: dict[int, list[Meeting]] = {}
    programme_ids = set()
    # Each moment read once: the people of one run share its start.
    moments: dict = {}
    for kind, value, title, began in sql.fetch_all(" UNION ALL ".join(parts), params):
        if kind == _PROGRAMME:
            if value is not None:
                programme_ids.add(value)
        elif value != user_id:
            when = moments.get(began)
            if when is None:
                when = moments[began] = sql.timestamp(began)
            found.setdefault(value, []).append(Meeting(value, title, when))
    floor = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    for rows in found.values():
        if len(rows) > 1:
            rows.sort(key=lambda m: m.when or floor, reverse=True)
    return found, frozenset(programme_ids)


def meetings(user_id: int) -> dict[int, list[Meeting]]:
    """Everyone the user met, through any app: per person their meetings, latest first."""
    return _read(user_id, met=True, programmes=False)[0]


def programmes_of(user_id: int) -> frozenset[int]:
    """The programmes the user takes part in, through any app."""
    return _read(user_id, met=False, programmes=True)[1]


def acquaintances(user_id: int) -> tuple[dict[int, list[Meeting]], frozenset[int]]:
    """``meetings(user_id)`` and ``programmes_of(user_id)``, read in one statement."""
    return _read(user_id, met=True, programmes=True)


def participation(programme_ids: frozenset[int]) -> Q:
    """On a User query: taking part in any of these programmes, through any app.

    Each check is "the first such row is not null", a scalar subquery the database looks up
    per person through the user's index. Written as EXISTS it may instead read every
    participation of the programmes into a hash first, which costs as much as the programme
    is large; a search reads its people in order and stops at a page, so per person is cheap.
    The checks are the apps' SQL, joined with OR into one condition.
    """
    ids = sorted(programme_ids)
    conditions, params = [], []
    if ids:
        for _statement, taking_part in list(_programmes.values()):
            conditions.append(
                sql.expand(taking_part.sql, parts={"user": _OUTER_USER}, programmes=ids)
            )
            params.extend(taking_part.parameters(ids))
    if not conditions:
        return Q(pk__in=[])
    condition = "(" + " OR ".join(conditions) + ")"
    # The apps' constant SQL; every value goes in as a parameter.
    return Q(RawSQL(condition, params, output_field=BooleanField()))  # noqa: S611


def has_a_row(rows: QuerySet) -> Q:
    """On the outer query: ``rows`` (correlated to it) has a row, looked up per outer row
    (see ``participation``)."""
    return Q(IsNull(Subquery(rows.order_by().values("pk")[:1]), False))


def season(moment: datetime | None) -> str:
    """ "voorjaar 2026": the season and year of a moment, as people remember a training."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    month, year = local.month, local.year
    if month in (3, 4, 5):
        return gettext("voorjaar %(year)d") % {"year": year}
    if month in (6, 7, 8):
        return gettext("zomer %(year)d") % {"year": year}
    if month in (9, 10, 11):
        return gettext("najaar %(year)d") % {"year": year}
    # December belongs to the winter of the year it is in; January and February too.
    return gettext("winter %(year)d") % {"year": year}


def place(title: str, moment: datetime | None) -> str:
    """ "Hoe werkt de gemeente?, voorjaar 2026", or the title alone without a date."""
    when = season(moment)
    return f"{title}, {when}" if when else title
