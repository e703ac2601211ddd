"""Who met whom, and who takes part in which programme, without the kernel importing apps.

The netwerk shows a findable person to the people they shared a run, werkplaats or
verkenning with, and to the participants of the programmes they take part in. Only the apps
know those relations, and peers may not import each other (the signal form names the
contact persons a reporter met, but signalen must not import trainings). So each app
registers providers here in its ``AppConfig.ready``:

- ``register_met(provider)``: ``provider(user_id)`` returns the ``Meeting`` rows for
  everyone the user met through that app (the user themselves left out);
- ``register_programmes(programmes_of, participants_of)``: the programmes a user takes part
  in through the app, and the rows (querysets on the outer ``User``'s ``pk``) that exist
  when someone takes part in any of some programmes; the kernel turns them into a condition
  (``participation``) that its search combines with its own filters, so it reads people in
  name order and stops at a page.

Each provider does a bounded number of queries (one or two), whatever the number of runs or
werkplaatsen, so a page asking the registry costs a constant number of queries. Providers
return ids, labels and conditions only; whether a person is shown at all is decided once, by
the kernel's selectors, on the consent in ``NetworkProfile``.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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


MetProvider = Callable[[int], Iterable[Meeting]]
ProgrammesOf = Callable[[int], Iterable[int]]
# Querysets correlated to the outer User (``OuterRef("pk")``), never a list of ids: a
# programme may have tens of thousands of participants, and reading all their ids (or asking
# about every candidate first) costs as much.
ParticipantsOf = Callable[[frozenset[int]], Iterable[QuerySet]]

_met: dict[str, MetProvider] = {}
_programmes: dict[str, tuple[ProgrammesOf, ParticipantsOf]] = {}


def _qualified(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def register_met(provider: MetProvider) -> MetProvider:
    """Ask ``provider(user_id)`` whom the user met; registering it again replaces it."""
    _met[_qualified(provider)] = provider
    return provider


def register_programmes(programmes_of: ProgrammesOf, participants_of: ParticipantsOf) -> None:
    """Ask ``programmes_of(user_id)`` the programme ids the user takes part in, and
    ``participants_of(programme_ids)`` the rows, correlated to the outer User, that exist
    when someone takes part in any of them."""
    _programmes[_qualified(programmes_of)] = (programmes_of, participants_of)


def meetings(user_id: int) -> dict[int, list[Meeting]]:
    """Everyone the user met, through any app: per person their meetings, latest first."""
    found: dict[int, list[Meeting]] = {}
    for provider in list(_met.values()):
        for meeting in provider(user_id):
            if meeting.user_id != user_id:
                found.setdefault(meeting.user_id, []).append(meeting)
    floor = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    for rows in found.values():
        rows.sort(key=lambda m: m.when or floor, reverse=True)
    return found


def programmes_of(user_id: int) -> frozenset[int]:
    """The programmes the user takes part in, through any app."""
    return frozenset(
        programme_id
        for programmes, _participants in list(_programmes.values())
        for programme_id in programmes(user_id)
    )


def participation(programme_ids: frozenset[int]) -> Q:
    """On a User query: taking part in any of these programmes, through any app.

    Each check is "the first such row is not null", a scalar subquery the database looks up
    per person through the user's index. Written as EXISTS it may instead read every
    participation of the programmes into a hash first, which costs as much as the programme
    is large; a search reads its people in order and stops at a page, so per person is cheap.
    """
    condition = Q(pk__in=[])
    if programme_ids:
        for _programmes_of, participants in list(_programmes.values()):
            for rows in participants(programme_ids):
                condition |= has_a_row(rows)
    return condition


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
