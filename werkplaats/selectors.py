"""Reads for werkplaatsen, each filtered to what the user may see and joined for its page."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal import answer_links, links, sql
from portal import permissions as portal_permissions
from portal.cursor_pagination import CursorPage, Key, paginate
from portal.models import Discipline, User
from portal.pagination import BoundedCount

from . import grouping, permissions
from .models import (
    CaseSketch,
    Group,
    OrganisationalAction,
    PairingRule,
    Participation,
    PracticeLog,
    RugdekkingRequest,
    RugdekkingStatus,
    Session,
    Werkplaats,
)

DISCIPLINE_WEIGHT = 1
ORGANISATION_WEIGHT = 1


def _facilitated_ids(user: User) -> QuerySet:
    return (
        Werkplaats.facilitators.through.objects.filter(user_id=user.pk)
        .order_by()
        .values("werkplaats_id")
    )


def _taken_part_ids(user: User) -> QuerySet:
    return Participation.objects.filter(user_id=user.pk).order_by().values("werkplaats_id")


def _own_ids(user: User) -> QuerySet:
    """Taken part in or facilitated: one set (a UNION), so an index on the werkplaats
    column can be used for it, which an OR of two subqueries does not allow."""
    return _taken_part_ids(user).union(_facilitated_ids(user))


def _managed_condition(user: User) -> Q:
    """Facilitated or in a programme the user coordinates, as index lookups (no joins)."""
    condition = Q(pk__in=_facilitated_ids(user))
    programme_ids = portal_permissions.coordinated_programme_ids(user)
    if programme_ids:
        condition |= Q(programme_id__in=programme_ids)
    return condition


LIST_PAGE_SIZE = 25
LIST_CURSOR_SALT = "werkplaats.list"
# Newest first; the primary key makes the order total. Served by the index on
# (created_at, id) or, for one programme, (programme, created_at, id).
LIST_KEYS = (Key("created_at", descending=True), Key("pk", descending=True))


@dataclass(frozen=True)
class ListFilters:
    query: str = ""


def _visible_condition(user: User) -> Q:
    """Taken part in, facilitated, or in a programme the user coordinates; without joins,
    so every part is an index lookup and no row is repeated."""
    condition = Q(pk__in=_own_ids(user))
    programme_ids = portal_permissions.coordinated_programme_ids(user)
    if programme_ids:
        condition |= Q(programme_id__in=programme_ids)
    return condition


def _listed(*, user: User, filters: ListFilters) -> QuerySet[Werkplaats]:
    werkplaatsen = Werkplaats.objects.filter(_visible_condition(user))
    if filters.query:
        werkplaatsen = werkplaatsen.filter(
            Q(title__icontains=filters.query) | Q(organisation__name__icontains=filters.query)
        )
    return werkplaatsen


def werkplaats_list_page(
    *,
    user: User,
    filters: ListFilters,
    size: int = LIST_PAGE_SIZE,
    after: str | None = None,
    before: str | None = None,
) -> CursorPage:
    """One page of the werkplaatsen the user may see, newest first; one query however many.

    The participant count and the next session are correlated subqueries, which the
    database works out only for the rows of the page (after the LIMIT), each from the
    index on the werkplaats column. Raises ``CursorError`` for a cursor this list did not
    make.
    """
    now = timezone.now()
    participants = (
        Participation.objects.filter(werkplaats=OuterRef("pk"))
        .order_by()
        .values("werkplaats")
        .annotate(n=Count("pk"))
        .values("n")
    )
    next_session = (
        Session.objects.filter(werkplaats=OuterRef("pk"), starts_at__gt=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    werkplaatsen = (
        _listed(user=user, filters=filters)
        .select_related("organisation")
        .only("pk", "created_at", "title", "organisation", "organisation__name")
        .annotate(
            participant_count=Coalesce(Subquery(participants), 0),
            next_session_at=Subquery(next_session),
        )
    )
    return paginate(
        werkplaatsen, keys=LIST_KEYS, size=size, salt=LIST_CURSOR_SALT, after=after, before=before
    )


def werkplaats_list_count(*, user: User, filters: ListFilters) -> BoundedCount:
    """How many werkplaatsen the list holds, exact up to ``COUNT_LIMIT``; one query."""
    return BoundedCount.of(_listed(user=user, filters=filters))


def werkplaatsen_managed_by(*, user: User) -> QuerySet[Werkplaats]:
    return Werkplaats.objects.filter(_managed_condition(user))


def werkplaats_for(*, user: User, werkplaats_id: int) -> Werkplaats | None:
    """The werkplaats when the user may see it; None for a guessed id."""
    werkplaats = (
        Werkplaats.objects.select_related(
            "organisation", "programme", *links.select_related_for(Werkplaats._meta.label)
        )
        .filter(pk=werkplaats_id)
        .first()
    )
    if werkplaats is None or not permissions.can_view(user, werkplaats):
        return None
    return werkplaats


def participations(*, werkplaats: Werkplaats) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(werkplaats=werkplaats)
        .select_related("user", "user__organisation", "group")
        .order_by("user__full_name", "user__email")
    )


def has_groups(*, werkplaats: Werkplaats) -> bool:
    return Group.objects.filter(werkplaats=werkplaats).exists()


def practice_log_count(*, participation: Participation) -> int:
    """How many practice logs ``participation`` wrote; they go when the participation goes."""
    return participation.practice_logs.count()


def pairing_rules(*, werkplaats: Werkplaats) -> QuerySet[PairingRule]:
    return PairingRule.objects.filter(werkplaats=werkplaats).select_related(
        "first__user", "second__user"
    )


def sessions(*, werkplaats: Werkplaats) -> list[Session]:
    return list(Session.objects.filter(werkplaats=werkplaats).order_by("starts_at"))


def session_for(*, user: User, session_id: int) -> Session | None:
    session = (
        Session.objects.select_related("werkplaats", "werkplaats__organisation")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not permissions.can_view(user, session.werkplaats):
        return None
    return session


def next_session(session: Session) -> Session | None:
    return (
        Session.objects.filter(werkplaats_id=session.werkplaats_id, starts_at__gt=session.starts_at)
        .order_by("starts_at")
        .first()
    )


# --- groups and their scores -----------------------------------------------------------------


def person_attributes(participation: Participation) -> tuple:
    """Discipline and organisation; an unknown one is nobody's "same" (it counts as unique)."""
    user = participation.user
    discipline = user.discipline or ("unknown", participation.pk)
    organisation = user.organisation_id or ("unknown", participation.pk)
    return (discipline, organisation)


def grouping_problem(people: list[Participation], rules=()) -> grouping.Problem:
    index = {p.pk: i for i, p in enumerate(people)}
    together = [
        (index[r.first_id], index[r.second_id])
        for r in rules
        if r.kind == PairingRule.Kind.TOGETHER
    ]
    apart = [
        (index[r.first_id], index[r.second_id]) for r in rules if r.kind == PairingRule.Kind.APART
    ]
    return grouping.Problem.build(
        [person_attributes(p) for p in people],
        (DISCIPLINE_WEIGHT, ORGANISATION_WEIGHT),
        together=together,
        apart=apart,
    )


@dataclass(frozen=True)
class GroupView:
    group: Group
    members: list[Participation]
    score: float
    disciplines: int
    organisations: int


@dataclass(frozen=True)
class GroupsOverview:
    groups: list[GroupView]
    ungrouped: list[Participation]
    score: float
    lower_bound: float
    hand_moves: int = 0
    # Everyone, by name: the options of the form that moves a person.
    people: tuple[Participation, ...] = ()

    @property
    def gap(self) -> float:
        return _whole(self.score - self.lower_bound)


def _whole(pairs: float) -> float | int:
    """Pair counts with whole weights are whole numbers: show 8, not 8,0."""
    return int(pairs) if float(pairs).is_integer() else pairs


def groups_overview(*, werkplaats: Werkplaats) -> GroupsOverview:
    """Groups with members and their mix: weighted same-discipline/organisation pairs."""
    people = list(participations(werkplaats=werkplaats))
    # Each label translated once, not once a person (``get_discipline_display`` hashes
    # every lazy label of the choices on each call).
    labels = {value: str(label) for value, label in Discipline.choices}
    for person in people:
        person.discipline_label = labels.get(person.user.discipline, "")
    problem = grouping_problem(people)
    position = {p.pk: i for i, p in enumerate(people)}
    groups = list(Group.objects.filter(werkplaats=werkplaats).order_by("number"))
    by_group: dict[int, list[Participation]] = {g.pk: [] for g in groups}
    ungrouped = []
    for person in people:
        if person.group_id in by_group:
            by_group[person.group_id].append(person)
        else:
            ungrouped.append(person)
    views = []
    for group in groups:
        members = by_group[group.pk]
        views.append(
            GroupView(
                group=group,
                members=members,
                score=_whole(grouping.group_score(problem, [position[m.pk] for m in members])),
                disciplines=len({m.user.discipline for m in members if m.user.discipline}),
                organisations=len(
                    {m.user.organisation_id for m in members if m.user.organisation_id}
                ),
            )
        )
    total = sum(v.score for v in views)
    return GroupsOverview(
        groups=views,
        ungrouped=ungrouped,
        score=_whole(total),
        lower_bound=_whole(grouping.lower_bound(problem, len(groups))),
        hand_moves=sum(1 for person in people if person.placed_by_hand),
        people=tuple(people),
    )


# --- practice logs and case sketches ---------------------------------------------------------


@dataclass(frozen=True)
class GroupLogs:
    group: Group | None
    rows: list[tuple[Participation, PracticeLog | None]]


def practice_logs_by_group(*, user: User, session: Session) -> list[GroupLogs]:
    """Per group, who wrote what after this session; a participant gets only their own group."""
    people = list(participations(werkplaats=session.werkplaats))
    if not permissions.can_manage(user, session.werkplaats):
        own = next((p for p in people if p.user_id == user.pk), None)
        if own is None or own.group_id is None:
            people = [own] if own else []
        else:
            people = [p for p in people if p.group_id == own.group_id]
    logs = {
        log.participation_id: log
        for log in PracticeLog.objects.filter(
            after_session=session, participation__in=[p.pk for p in people]
        )
    }
    grouped: dict[int | None, GroupLogs] = {}
    for person in sorted(people, key=lambda p: p.group.number if p.group else 10_000):
        entry = grouped.setdefault(person.group_id, GroupLogs(group=person.group, rows=[]))
        entry.rows.append((person, logs.get(person.pk)))
    return list(grouped.values())


def case_sketches_for(*, user: User, session: Session) -> QuerySet[CaseSketch]:
    sketches = CaseSketch.objects.filter(session=session).select_related("group", "author__user")
    if permissions.can_manage(user, session.werkplaats):
        return sketches
    own = permissions.participation_of(user, session.werkplaats)
    if own is None or own.group_id is None:
        return sketches.none()
    return sketches.filter(group_id=own.group_id)


def case_sketch_for(*, user: User, sketch_id: int) -> CaseSketch | None:
    sketch = (
        CaseSketch.objects.select_related("session__werkplaats", "group", "author__user")
        .filter(pk=sketch_id)
        .first()
    )
    if sketch is None or not permissions.can_see_group(
        user, sketch.session.werkplaats, sketch.group_id
    ):
        return None
    return sketch


# --- rugdekking and organisational actions ---------------------------------------------------


def open_rugdekking_requests(*, user: User) -> QuerySet[RugdekkingRequest]:
    """Unanswered requests in the werkplaatsen the user runs, oldest first."""
    return (
        RugdekkingRequest.objects.filter(
            status=RugdekkingStatus.OPEN,
            participation__werkplaats__in=werkplaatsen_managed_by(user=user),
        )
        .select_related("participation__user", "participation__werkplaats")
        .order_by("created_at")
    )


def own_rugdekking_requests(*, participation: Participation) -> QuerySet[RugdekkingRequest]:
    return RugdekkingRequest.objects.filter(participation=participation).order_by("-created_at")


def rugdekking_by_token(*, token: str) -> RugdekkingRequest | None:
    """The request this answer link belongs to; the link is the manager's only credential."""
    return answer_links.find(
        RugdekkingRequest.objects.select_related(
            "participation__user", "participation__user__organisation", "participation__werkplaats"
        ),
        token,
    )


def organisational_actions(*, werkplaats: Werkplaats) -> QuerySet[OrganisationalAction]:
    return OrganisationalAction.objects.filter(werkplaats=werkplaats).order_by("due_date", "title")


# --- home page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeOverview:
    logs_due: list[Session]
    open_requests: int
    # The user's next sessions, as participant or facilitator, soonest first.
    next_sessions: list[Session]


# The reads of ``home_overview``, on every home page: written out once (see ``portal.sql``),
# around the rules ``_taken_part_ids`` and ``_own_ids`` as the ORM writes them.
#
# Begun sessions of werkplaatsen the user takes part in whose next session is still to
# come, without the user's practice log after them; soonest next session first.
_LOGS_DUE_SQL = (
    "SELECT id, starts_at, title, next_starts_at FROM ("
    "SELECT s.id, s.starts_at, w.title, (SELECT MIN(f.starts_at) FROM werkplaats_session f "
    "WHERE f.werkplaats_id = s.werkplaats_id AND f.starts_at > s.starts_at) AS next_starts_at "
    "FROM werkplaats_session s JOIN werkplaats_werkplaats w ON w.id = s.werkplaats_id "
    "WHERE s.werkplaats_id IN ({taken_part}) AND s.starts_at <= %s AND NOT EXISTS ("
    "SELECT 1 FROM werkplaats_practicelog l "
    "JOIN werkplaats_participation p ON p.id = l.participation_id "
    "WHERE l.after_session_id = s.id AND p.user_id = %s)) due "
    "WHERE next_starts_at > %s ORDER BY next_starts_at, id LIMIT %s"
)
# The next sessions of werkplaatsen the user takes part in or facilitates.
_NEXT_SESSIONS_SQL = (
    "SELECT s.id, s.werkplaats_id, s.starts_at, s.location, w.title "
    "FROM werkplaats_session s JOIN werkplaats_werkplaats w ON w.id = s.werkplaats_id "
    "WHERE s.werkplaats_id IN ({own}) AND s.starts_at >= %s "
    "ORDER BY s.starts_at, s.id LIMIT %s"
)
_LOG_DUE_FIELDS = ("id", "starts_at")
_SESSION_FIELDS = ("id", "werkplaats_id", "starts_at", "location")
_TITLE_FIELDS = ("id", "title")


def home_overview(*, user: User, limit: int = 5) -> HomeOverview:
    """Practice logs to write, open rugdekking requests and next sessions; three queries.

    Open requests count for whoever runs the werkplaats: its facilitators and the
    coordinators of its programme (``werkplaatsen_managed_by``).
    """
    now = sql.moment(timezone.now())
    taken_part, taken_part_params = sql.subquery(_taken_part_ids(user))
    logs_due = []
    for pk, starts_at, title, next_starts_at in sql.fetch_all(
        sql.expand(_LOGS_DUE_SQL, parts={"taken_part": taken_part}),
        [*taken_part_params, now, user.pk, now, limit],
    ):
        session = Session.from_db(None, _LOG_DUE_FIELDS, (pk, sql.timestamp(starts_at)))
        session.next_starts_at = sql.timestamp(next_starts_at)
        Session.werkplaats.field.set_cached_value(
            session, Werkplaats.from_db(None, ("title",), (title,))
        )
        logs_due.append(session)
    open_requests = open_rugdekking_requests(user=user).count()
    own, own_params = sql.subquery(_own_ids(user))
    next_sessions = []
    for pk, werkplaats_id, starts_at, location, title in sql.fetch_all(
        sql.expand(_NEXT_SESSIONS_SQL, parts={"own": own}), [*own_params, now, limit]
    ):
        session = Session.from_db(
            None, _SESSION_FIELDS, (pk, werkplaats_id, sql.timestamp(starts_at), location)
        )
        Session.werkplaats.field.set_cached_value(
            session, Werkplaats.from_db(None, _TITLE_FIELDS, (werkplaats_id, title))
        )
        next_sessions.append(session)
    return HomeOverview(logs_due=logs_due, open_requests=open_requests, next_sessions=next_sessions)


# --- retention (registered in ``werkplaats.retention``) --------------------------------------


def practice_logs_due_for_deletion(*, cutoff: datetime) -> QuerySet[PracticeLog]:
    """Practice logs of werkplaatsen whose last session ended before ``cutoff``.

    The anchor is the end of the werkplaats (its last session), so a series that gets
    another session later keeps its logs until that one is over.
    """
    last_end = (
        Session.objects.filter(werkplaats=OuterRef("participation__werkplaats"))
        .order_by("-ends_at")
        .values("ends_at")[:1]
    )
    return PracticeLog.objects.annotate(werkplaats_ended_at=Subquery(last_end)).filter(
        werkplaats_ended_at__lt=cutoff
    )
