"""Reads for trainings, each filtered to what the user may see and joined for its page."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import answer_links, sql
from portal import permissions as portal_permissions
from portal import selectors as portal_selectors
from portal.models import Discipline, Organisation, Programme, User
from portal.retention import TEXT_REMOVED

from . import (
    codes,
    completion,
    evaluation,
    permissions,
    reflections,
    scheduling,
    textsearch,
)
from . import (
    programme_stats as stats,
)
from .models import (
    Attendance,
    AttendanceStatus,
    AwarenessDefinition,
    AwarenessExample,
    AwarenessStep,
    CalendarFeed,
    Certificate,
    DevelopmentPlan,
    Element,
    Enrolment,
    EnrolmentStatus,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationRespondent,
    EvaluationSettings,
    FollowupAnswer,
    FollowupContact,
    FollowupRespondent,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    LibraryTheme,
    MailingAudience,
    ManagerApproval,
    Material,
    QuestionKind,
    Reflection,
    Resource,
    ResourceKind,
    ResourceStatus,
    Run,
    RunMailing,
    RunQuestion,
    RunStatus,
    Session,
    Training,
    TrainingFormat,
)

# Older sessions no longer nag on the home page; the plan page still lists them.
REFLECTION_WINDOW_DAYS = 30

# How long after a run's end its development plan's look back is asked for on the home page.
PLAN_REVIEW_WINDOW_DAYS = 60

# Coordinators are pointed at runs whose enrolment closes within this period with places left.
CLOSING_SOON = timedelta(days=7)

# A move up from the waiting list is pointed out on the home page for this long.
MOVED_UP_WINDOW = timedelta(days=14)

# The calendar reads sessions by their start; see ``_calendar_queryset``.
LONGEST_SESSION = timedelta(days=1)

VISIBLE_TO_EVERYONE = (RunStatus.PUBLISHED, RunStatus.CANCELLED, RunStatus.COMPLETED)


def _visible_runs_condition(user: User, prefix: str = "") -> Q:
    """``runs_visible_to`` as a condition on the run at ``prefix`` (``"run__"`` from a session):
    a join the planner can follow from the rows it starts with, not a set of every run."""
    condition = Q(**{f"{prefix}status__in": VISIBLE_TO_EVERYONE})
    programme_ids = portal_permissions.coordinated_programme_ids(user)
    if programme_ids:
        condition |= Q(**{f"{prefix}training__programme_id__in": programme_ids})
    return condition


def runs_visible_to(user: User) -> QuerySet[Run]:
    """Published, cancelled and completed runs for everyone; drafts for their coordinators."""
    return Run.objects.filter(_visible_runs_condition(user))


def _count_per_run(rows: QuerySet, run_field: str):
    """A correlated count of ``rows`` per run: unlike a join, it cannot be multiplied by other
    joins of the query."""
    per_run = (
        rows.filter(**{run_field: OuterRef("pk")})
        .order_by()
        .values(run_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_run, output_field=IntegerField()), Value(0))


def _counted_enrolments(condition: Q):
    return _count_per_run(Enrolment.objects.filter(condition), "run_id")


def _enrolment_count(status: str):
    return _counted_enrolments(Q(status=status))


def _with_counts(runs: QuerySet[Run]) -> QuerySet[Run]:
    return runs.annotate(
        enrolled_count=_enrolment_count(EnrolmentStatus.ENROLLED),
        waitlist_count=_enrolment_count(EnrolmentStatus.WAITLISTED),
    )


def _with_my_status(runs: QuerySet[Run], user: User) -> QuerySet[Run]:
    mine = Enrolment.objects.filter(run=OuterRef("pk"), participant_id=user.pk)
    return runs.annotate(my_status=Subquery(mine.values("status")[:1]))


def _audience_filter(user: User) -> Q:
    """Runs of trainings meant for the user's organisation; disciplines are checked on enrolment."""
    if user.organisation_id is None:
        return Q(pk__in=[])
    audience = Training.audience_organisations.through.objects.filter(
        training_id=OuterRef("training_id")
    )
    open_to_others = ~Exists(audience) & ~Q(training__provider_id=user.organisation_id)
    named = Exists(audience.filter(organisation_id=user.organisation_id))
    return open_to_others | named


def training_providers() -> QuerySet[Organisation]:
    """The organisations offering a training, by name: a probe of the provider index per
    organisation instead of a pass over every training."""
    return Organisation.objects.filter(
        Exists(Training.objects.filter(provider_id=OuterRef("pk")))
    ).order_by("name")


# ``training_providers`` as (id, name) rows.
_PROVIDER_CHOICES_SQL = (
    "SELECT o.id, o.name FROM portal_organisation o WHERE EXISTS ("
    "SELECT 1 FROM trainings_training t WHERE t.provider_id = o.id) ORDER BY o.name"
)


def training_provider_choices() -> list[tuple[int, str]]:
    """``training_providers`` as (id, name) for a filter's options, read as a fixed
    statement: the calendar asks on every request."""
    return sql.fetch_all(_PROVIDER_CHOICES_SQL, [])


@dataclass(frozen=True)
class CatalogueFilters:
    organisation_id: int | None = None
    format: str = ""
    date_from: date | None = None
    date_to: date | None = None
    places_left: bool = False
    for_me: bool = True


def _catalogue_runs(*, user: User, filters: CatalogueFilters) -> QuerySet[Run]:
    """The catalogue's runs in its order, without what a card shows: the one definition of
    which upcoming runs the catalogue lists to whom."""
    runs = Run.objects.filter(status=RunStatus.PUBLISHED, starts_at__gte=timezone.now())
    if filters.for_me:
        runs = runs.filter(_audience_filter(user))
    if filters.organisation_id:
        runs = runs.filter(training__provider_id=filters.organisation_id)
    if filters.format:
        runs = runs.filter(training__format=filters.format)
    if filters.date_from:
        runs = runs.filter(starts_at__date__gte=filters.date_from)
    if filters.date_to:
        runs = runs.filter(starts_at__date__lte=filters.date_to)
    if filters.places_left:
        runs = runs.alias(places_taken=_enrolment_count(EnrolmentStatus.ENROLLED)).filter(
            places_taken__lt=F("capacity")
        )
    return runs.order_by("starts_at", "pk")


def catalogue(*, user: User, filters: CatalogueFilters) -> QuerySet[Run]:
    """Upcoming published runs, with places taken and the user's own status."""
    return _with_my_status(
        _with_counts(_catalogue_runs(user=user, filters=filters)), user
    ).select_related("training", "training__provider")


def catalogue_keys(*, user: User, filters: CatalogueFilters) -> QuerySet:
    """The ids of ``catalogue``'s runs in its order, for a page to be cut from: an offset
    skips rows, and the counts per run would be worked out for every row skipped."""
    return _catalogue_runs(user=user, filters=filters).values_list("pk", flat=True)


class CatalogueCard(NamedTuple):
    """What a card of the catalogue shows of a run, as plain values."""

    pk: int
    title: str
    provider: str
    format: str
    starts_at: datetime
    location: str
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    capacity: int
    enrolled_count: int
    waitlist_count: int
    my_status: str | None


# ``catalogue``'s runs by their ids (already chosen by ``catalogue_keys``, which holds the
# rule of who sees which run), with ``_with_counts`` and ``_with_my_status`` worked out for
# these rows only. The trainings are named by the runs' ids a second time: joined by the
# run alone, the planner hashes every training to find twenty (0.75 ms at 2,000 trainings);
# named, it reads each by its primary key.
_CATALOGUE_PAGE_SQL = (
    "SELECT r.id, t.title, o.name, t.format, r.starts_at, r.location,"
    " r.enrolment_opens_at, r.enrolment_closes_at, r.capacity,"
    " (SELECT COUNT(*) FROM trainings_enrolment e WHERE e.run_id = r.id AND e.status = %s),"
    " (SELECT COUNT(*) FROM trainings_enrolment e WHERE e.run_id = r.id AND e.status = %s),"
    " (SELECT e.status FROM trainings_enrolment e WHERE e.run_id = r.id"
    " AND e.participant_id = %s ORDER BY e.requested_at, e.id LIMIT 1)"
    " FROM trainings_run r"
    " JOIN trainings_training t ON t.id = r.training_id"
    " JOIN portal_organisation o ON o.id = t.provider_id"
    " WHERE r.id IN ({run_ids})"
    " AND t.id IN (SELECT r2.training_id FROM trainings_run r2 WHERE r2.id IN ({run_ids}))"
)


def catalogue_page(*, user: User, run_ids: list[int]) -> list[CatalogueCard]:
    """These runs of the catalogue, in the order of ``run_ids``, with their counts and the
    user's own status: one statement, counting only the runs shown."""
    if not run_ids:
        return []
    rows = sql.fetch_all(
        sql.expand(_CATALOGUE_PAGE_SQL, run_ids=run_ids),
        [EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED, user.pk, *run_ids, *run_ids],
    )
    by_id = {
        row[0]: CatalogueCard(
            *row[:4],
            sql.timestamp(row[4]),
            row[5],
            sql.timestamp(row[6]),
            sql.timestamp(row[7]),
            *row[8:],
        )
        for row in rows
    }
    return [by_id[pk] for pk in run_ids if pk in by_id]


def run_detail(*, user: User, run_id: int) -> Run | None:
    """One run the user may see, with its sessions, trainers, materials and counts."""
    found = list(
        _with_my_status(_with_counts(runs_visible_to(user).filter(pk=run_id)), user)
        .select_related("training", "training__provider", "training__programme")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")),
            Prefetch("trainers", queryset=User.objects.select_related("organisation")),
            Prefetch("training__materials", queryset=Material.objects.order_by("title")),
        )[:1]
    )
    return found[0] if found else None


def run_page(*, user: User, run_id: int) -> Run | None:
    """One run the user may see, with its training, counts and the user's own status: what
    the run's page reads with it; its lists are read apart (``run_sessions``,
    ``run_trainers``, ``run_materials``)."""
    found = list(
        _with_my_status(_with_counts(runs_visible_to(user).filter(pk=run_id)), user).select_related(
            "training", "training__provider"
        )[:1]
    )
    return found[0] if found else None


@dataclass(frozen=True)
class RunTrainer:
    full_name: str
    organisation: str  # "" without one


def run_trainers(*, run: Run) -> list[RunTrainer]:
    """The run's trainers as its page names them."""
    return [
        RunTrainer(full_name, organisation or "")
        for full_name, organisation in run.trainers.order_by("full_name", "email").values_list(
            "full_name", "organisation__name"
        )
    ]


@dataclass(frozen=True)
class RunMaterial:
    pk: int
    title: str
    url: str


def run_materials(*, run: Run) -> list[RunMaterial]:
    """The materials of the run's training, by title, as its page lists them."""
    return [
        RunMaterial(*values)
        for values in Material.objects.filter(training_id=run.training_id)
        .order_by("title")
        .values_list("pk", "title", "url")
    ]


def run_for_register(*, user: User, run_id: int) -> Run | None:
    """One run the user may see, with its training: what the register needs of it, its
    counts read by ``register_counts``."""
    found = list(runs_visible_to(user).filter(pk=run_id).select_related("training")[:1])
    return found[0] if found else None


@dataclass(frozen=True)
class RegisterCounts:
    """How many people a run has per state, and how many of those holding a place completed."""

    enrolled: int
    waiting: int
    pending: int
    completed: int


def register_counts(*, run: Run, sessions: list[Session]) -> RegisterCounts:
    """The register's counts in one query: the run's enrolments grouped by status and, for
    places held, by what the completion rule reads (as ``completion_counts``), the rule
    applied once per group. ``sessions`` are the run's sessions."""
    held = Q(status=EnrolmentStatus.ENROLLED)
    rows = (
        Enrolment.objects.filter(run_id=run.pk)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .annotate(
            attended=Case(When(held, then=_attended_count()), default=Value(0)),
            # The same test as ``_end_review_written``: something other than white space.
            # Asked per place through the plan's index: as a join, the planner read every
            # plan of every run.
            review_written=Case(
                When(
                    held,
                    then=Subquery(
                        DevelopmentPlan.objects.filter(enrolment_id=OuterRef("pk"))
                        .annotate(
                            written=ExpressionWrapper(
                                Q(learned__regex=r"\S"), output_field=BooleanField()
                            )
                        )
                        .values("written")[:1]
                    ),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by()
        .values_list("status", "attended", "review_written")
        .annotate(people=Count("pk"))
    )
    people = defaultdict(int)
    completed = 0
    for status, attended, written, n in rows:
        people[status] += n
        if status == EnrolmentStatus.ENROLLED and (
            completion.evaluate(
                _facts(
                    run=run,
                    sessions=sessions,
                    enrolment_status=status,
                    attended=attended,
                    end_review_written=bool(written),
                )
            ).is_complete
        ):
            completed += n
    return RegisterCounts(
        enrolled=people[EnrolmentStatus.ENROLLED],
        waiting=people[EnrolmentStatus.WAITLISTED],
        pending=people[EnrolmentStatus.PENDING],
        completed=completed,
    )


def run_sessions(*, run: Run) -> list[Session]:
    """The run's sessions in their order, each knowing its run without a query."""
    return list(run.sessions.order_by("starts_at", "pk"))


def run_to_enrol(*, user: User, run_id: int) -> Run | None:
    """One run the user may see, with its training: what pressing "Inschrijven" needs.

    The same runs as ``run_detail``, without its counts and prefetched lists.
    """
    return runs_visible_to(user).select_related("training").filter(pk=run_id).first()


def waitlist_position_of(*, user: User, run: Run) -> int | None:
    """The user's place on the waiting list of ``run``: 1 for the first waiting; else None."""
    return (
        Enrolment.objects.filter(run=run, participant=user)
        .annotate(waitlist_position=_waitlist_position())
        .values_list("waitlist_position", flat=True)
        .first()
    )


def enrolment_of(*, user: User, run: Run) -> Enrolment | None:
    """The user's enrolment in ``run``, ready for ``completion_of`` with the run's sessions
    and for ``listed_certificate``."""
    found = list(
        Enrolment.objects.filter(run=run, participant=user)
        .annotate(
            attended_count=_attended_count(),
            certificate_state=_newest_certificate_state(),
            waitlist_position=_waitlist_position(),
        )
        .select_related("development_plan")[:1]
    )
    if not found:
        return None
    # The run the caller read, with its training: the page names it with the enrolment.
    found[0].run = run
    return found[0]


# ``_waitlist_position`` in SQL, of the enrolment read as ``e`` (parameters: the waiting
# status, twice), for the statements of the home page and of "my trainings".
_WAITLIST_POSITION_SQL = (
    "CASE WHEN e.status = %s THEN (SELECT COUNT(*) FROM trainings_enrolment w "
    "WHERE w.run_id = e.run_id AND w.status = %s AND (w.requested_at < e.requested_at "
    "OR (w.requested_at = e.requested_at AND w.id < e.id))) + 1 END"
)


def _waitlist_position():
    """1 for the first person waiting; null when not waiting."""
    ahead = (
        Enrolment.objects.filter(
            run_id=OuterRef("run_id"),
            status=EnrolmentStatus.WAITLISTED,
        )
        .filter(
            Q(requested_at__lt=OuterRef("requested_at"))
            | Q(requested_at=OuterRef("requested_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("run_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Case(
        When(
            status=EnrolmentStatus.WAITLISTED,
            then=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1,
        ),
        default=None,
        output_field=IntegerField(),
    )


def _sessions_and_reflections() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch(
            "run__sessions",
            queryset=Session.objects.order_by("starts_at", "pk"),
            to_attr="session_list",
        ),
        Prefetch(
            "reflections",
            queryset=Reflection.objects.only("pk", "session_id", "enrolment_id"),
            to_attr="reflection_list",
        ),
    )


def _with_sessions_and_reflections(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Sessions and reflections as plain lists (``run.session_list``, ``reflection_list``).

    A long-time participant has dozens of enrolments, and a related manager's ``.all()``
    builds a new queryset on every call.
    """
    return enrolments.prefetch_related(*_sessions_and_reflections())


def my_enrolments(*, user: User) -> QuerySet[Enrolment]:
    """The user's enrolments and waiting-list places, newest run first, with what they wrote.

    Ready for ``reflections_owed`` and ``completion_of``: sessions and reflections come
    prefetched. The ORM form of what ``my_training_rows`` reads in SQL, which the tests
    hold it to.
    """
    return _with_sessions_and_reflections(
        _with_completion_data(
            _own_enrolments(user)
            .annotate(waitlist_position=_waitlist_position())
            .select_related("run", "run__training", "run__training__provider", "development_plan")
        ).order_by("-run__starts_at", "-pk")
    )


def _newest_certificate_state():
    """Of the enrolment's newest certificate: null without one, else whether it is revoked;
    all that a list's completion block reads of it."""
    newest = (
        Certificate.objects.filter(enrolment_id=OuterRef("pk"))
        .order_by("-issued_at", "-pk")
        .values(revoked=ExpressionWrapper(Q(revoked_at__isnull=False), BooleanField()))[:1]
    )
    return Subquery(newest, output_field=BooleanField())


@dataclass(frozen=True)
class CertificateState:
    """A certificate as the lists of "my trainings" show it: held, or held and revoked."""

    is_revoked: bool


def listed_certificate(enrolment: Enrolment) -> CertificateState | None:
    """The newest certificate of an enrolment read by ``enrolment_of``; None without one."""
    state = enrolment.certificate_state
    return None if state is None else CertificateState(is_revoked=state)


def _own_enrolments(user: User) -> QuerySet[Enrolment]:
    """The rule of "my trainings": the user's own enrolments and waiting-list places, without
    those they cancelled."""
    return Enrolment.objects.filter(participant=user).exclude(status=EnrolmentStatus.CANCELLED)


# The statements of "my trainings" read the user's enrolments as ``_own_enrolments`` selects
# them (participant and status), and a run is over once its end lies before the moment
# given; tests/trainings/test_my_trainings_rows.py holds them to the ORM rules.
# How many of those enrolments are in runs not over and over.
_MY_COUNTS_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN r.ends_at < %s THEN 0 ELSE 1 END), 0), "
    "COALESCE(SUM(CASE WHEN r.ends_at < %s THEN 1 ELSE 0 END), 0) "
    "FROM trainings_enrolment e JOIN trainings_run r ON r.id = e.run_id "
    "WHERE e.participant_id = %s AND e.status <> %s"
)
# What a row of "my trainings" shows of an enrolment, after its list flag (0 ahead, 1 over):
# the run and training, the provider, the end review, ``_attended_count``, whether the
# newest certificate is revoked (``_newest_certificate_state``: null without one), then
# per list either the place on the waiting list (``_waitlist_position``) or whether the
# user is asked to evaluate (``evaluation_invitees``), answered the evaluation and the
# samenwerkingsmeter, and the programme's follow-up weeks (``_questionnaires_owed``).
_MY_ROW_COLUMNS = (
    "e.id, e.run_id, e.status, r.status, r.starts_at, r.ends_at, r.location, t.title, o.name, "
    "t.min_attendance_percent, t.end_review_required, p.learned, "
    "(SELECT COUNT(*) FROM trainings_attendance a "
    "JOIN trainings_session s ON s.id = a.session_id "
    "WHERE a.enrolment_id = e.id AND a.status = %s AND s.is_cancelled = %s), "
    "(SELECT CASE WHEN c.revoked_at IS NULL THEN 0 ELSE 1 END FROM trainings_certificate c "
    "WHERE c.enrolment_id = e.id ORDER BY c.issued_at DESC, c.id DESC LIMIT 1), "
)
_MY_ROWS_FROM = (
    "FROM trainings_enrolment e JOIN trainings_run r ON r.id = e.run_id "
    "JOIN trainings_training t ON t.id = r.training_id "
    "JOIN portal_organisation o ON o.id = t.provider_id "
    "LEFT JOIN trainings_developmentplan p ON p.enrolment_id = e.id "
    "WHERE e.participant_id = %s AND e.status <> %s "
)
_MY_ROWS_SQL = sql.expand(
    "SELECT * FROM (SELECT 0, {columns}"
    "{waitlist_position}, "
    "CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), "
    "CAST(NULL AS INTEGER) {rows}AND (r.ends_at IS NULL OR r.ends_at >= %s) "
    "ORDER BY r.starts_at, e.id LIMIT %s OFFSET %s) ahead "
    "UNION ALL "
    "SELECT * FROM (SELECT 1, {columns}CAST(NULL AS INTEGER), "
    "CASE WHEN e.status = %s AND r.status <> %s AND NOT ("
    "EXISTS (SELECT 1 FROM trainings_attendance a WHERE a.enrolment_id = e.id) "
    "AND NOT EXISTS (SELECT 1 FROM trainings_attendance a "
    "WHERE a.enrolment_id = e.id AND a.status = %s)) THEN 1 ELSE 0 END, "
    "CASE WHEN EXISTS (SELECT 1 FROM trainings_evaluationrespondent x "
    "WHERE x.participant_id = e.participant_id AND x.run_id = e.run_id) THEN 1 ELSE 0 END, "
    "CASE WHEN EXISTS (SELECT 1 FROM trainings_followuprespondent x "
    "WHERE x.participant_id = e.participant_id AND x.run_id = e.run_id) THEN 1 ELSE 0 END, "
    "(SELECT es.followup_weeks FROM trainings_evaluationsettings es "
    "WHERE es.programme_id = t.programme_id) {rows}AND r.ends_at < %s "
    "ORDER BY r.starts_at DESC, e.id DESC LIMIT %s OFFSET %s) behind",
    parts={
        "columns": _MY_ROW_COLUMNS,
        "rows": _MY_ROWS_FROM,
        "waitlist_position": _WAITLIST_POSITION_SQL,
    },
)
# The sessions of the runs shown, soonest first, each with whether the user reflected on
# it (a run holds one enrolment per person, so the user's reflection is that enrolment's).
_MY_SESSIONS_SQL = (
    "SELECT s.id, s.run_id, s.starts_at, s.ends_at, s.location, s.is_cancelled, EXISTS ("
    "SELECT 1 FROM trainings_reflection f JOIN trainings_enrolment e ON e.id = f.enrolment_id "
    "WHERE f.session_id = s.id AND e.participant_id = %s) "
    "FROM trainings_session s WHERE s.run_id IN ({runs}) ORDER BY s.starts_at, s.id"
)


@dataclass(frozen=True)
class MySession:
    """A session as a row of "my trainings" lists it."""

    pk: int
    starts_at: datetime
    ends_at: datetime
    location: str
    is_cancelled: bool


@dataclass(frozen=True)
class MyTrainingRow:
    """One enrolment as "my trainings" shows it, worked out once for the page."""

    pk: int  # the enrolment
    run_id: int
    status: str
    run_status: str
    run_starts_at: datetime | None
    title: str
    provider: str
    location: str
    waitlist_position: int | None
    sessions: list[MySession]
    # The sessions on which a reflection is owed (``reflections.owed_sessions``).
    reflection_todo: list[MySession]
    # For a place held: the completion rule's outcome, and whether the newest certificate
    # is revoked (None without a certificate).
    completion: completion.Completion | None
    certificate_revoked: bool | None
    # "evaluation" and/or "followup" when the user may answer them now (past rows only).
    questionnaires: list[str]


def my_enrolment_counts(*, user: User, now: datetime) -> tuple[int, int]:
    """How many enrolments "my trainings" lists ahead and over at ``now``, in one query."""
    at = sql.moment(now)
    upcoming, past = sql.fetch_one(_MY_COUNTS_SQL, [at, at, user.pk, EnrolmentStatus.CANCELLED])
    return int(upcoming), int(past)


def my_training_rows(
    *, user: User, now: datetime, upcoming: tuple[int, int], past: tuple[int, int]
) -> tuple[list[MyTrainingRow], list[MyTrainingRow]]:
    """A page of each list of "my trainings" as rows: ``upcoming`` and ``past`` are (offset,
    limit). What is ahead soonest first, what is over newest first. Two queries for both
    pages, whatever they hold: the rows, then the sessions of their runs."""
    own_params = [user.pk, EnrolmentStatus.CANCELLED]
    at = sql.moment(now)
    present, enrolled = AttendanceStatus.PRESENT, EnrolmentStatus.ENROLLED
    columns = [present, False]
    fetched = sql.fetch_all(
        _MY_ROWS_SQL,
        [
            *columns,
            EnrolmentStatus.WAITLISTED,
            EnrolmentStatus.WAITLISTED,
            *own_params,
            at,
            upcoming[1],
            upcoming[0],
            *columns,
            enrolled,
            RunStatus.CANCELLED,
            present,
            *own_params,
            at,
            past[1],
            past[0],
        ],
    )
    run_ids = list({values[2] for values in fetched})
    sessions: dict[int, list[MySession]] = {run_id: [] for run_id in run_ids}
    written: set[int] = set()
    if run_ids:
        for pk, run_id, starts_at, ends_at, location, is_cancelled, reflected in sql.fetch_all(
            sql.expand(_MY_SESSIONS_SQL, runs=run_ids), [user.pk, *run_ids]
        ):
            sessions[run_id].append(
                MySession(
                    pk,
                    sql.timestamp(starts_at),
                    sql.timestamp(ends_at),
                    location,
                    bool(is_cancelled),
                )
            )
            if reflected:
                written.add(pk)
    rows: tuple[list[MyTrainingRow], list[MyTrainingRow]] = ([], [])
    for (
        is_past,
        pk,
        run_id,
        status,
        run_status,
        starts_at,
        ends_at,
        location,
        title,
        provider,
        min_percent,
        review_required,
        learned,
        attended,
        revoked,
        position,
        invited,
        evaluated,
        followed,
        followup_weeks,
    ) in fetched:
        run_sessions = sessions[run_id]
        holds_place = status == enrolled
        done = (
            completion.evaluate(
                _facts_of(
                    min_attendance_percent=min_percent,
                    end_review_required=bool(review_required),
                    run_status=run_status,
                    sessions=run_sessions,
                    enrolment_status=status,
                    attended=attended,
                    end_review_written=_end_review_written(learned),
                    now=now,
                )
            )
            if holds_place
            else None
        )
        ends_at = sql.timestamp(ends_at)
        rows[is_past].append(
            MyTrainingRow(
                pk=pk,
                run_id=run_id,
                status=status,
                run_status=run_status,
                run_starts_at=sql.timestamp(starts_at),
                title=title,
                provider=provider,
                location=location,
                waitlist_position=position,
                sessions=run_sessions,
                reflection_todo=reflections.owed_sessions(
                    holds_place=holds_place,
                    sessions=run_sessions,
                    written_session_ids=written,
                    now=now,
                ),
                completion=done,
                certificate_revoked=None if revoked is None else bool(revoked),
                questionnaires=_questionnaires_owed(
                    invited=bool(invited),
                    evaluated=bool(evaluated),
                    followed=bool(followed),
                    followup_weeks=followup_weeks,
                    ends_at=ends_at,
                    now=now,
                )
                if is_past
                else [],
            )
        )
    return rows


def reflected_session_ids(*, enrolment: Enrolment) -> set[int]:
    """The sessions of ``enrolment`` its participant has already written a reflection on."""
    return set(enrolment.reflections.values_list("session_id", flat=True))


def reflections_owed(
    *, enrolment: Enrolment, now: datetime, since: datetime | None = None
) -> list[Session]:
    """The sessions of ``enrolment`` on which its participant still owes a reflection.

    Reads the lists prefetched by ``my_enrolments`` (or ``participant_overview``); the rule
    itself is ``reflections.owes_reflection``.
    """
    return reflections.owed_sessions(
        holds_place=enrolment.status == EnrolmentStatus.ENROLLED,
        sessions=enrolment.run.session_list,
        written_session_ids={reflection.session_id for reflection in enrolment.reflection_list},
        now=now,
        since=since,
    )


def runs_taught_by(*, user: User) -> QuerySet[Run]:
    return (
        _with_counts(Run.objects.filter(trainers=user))
        .annotate(
            trainers_see_evaluation=Coalesce(
                F("training__programme__evaluation_settings__trainers_see_aggregates"),
                Value(False),
            )
        )
        .select_related("training", "training__provider")
        .order_by("-starts_at", "-pk")
    )


def run_register(*, run: Run) -> QuerySet[Enrolment]:
    """Everyone enrolled or waiting in a run with their attendance, plan and reflections,
    and what ``completion_of`` and the certificate column need."""
    return (
        _with_completion_data(Enrolment.objects.filter(run=run))
        .exclude(status=EnrolmentStatus.CANCELLED)
        .annotate(waitlist_position=_waitlist_position())
        .select_related("participant", "participant__organisation", "development_plan")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.only("pk", "session_id", "enrolment_id", "status"),
            ),
            Prefetch("reflections", queryset=Reflection.objects.order_by("session__starts_at")),
        )
        .order_by("status", "requested_at", "pk")
    )


def _named(enrolments: QuerySet[Enrolment], search: str) -> QuerySet[Enrolment]:
    """Enrolments whose participant's name or e-mail address contains ``search``."""
    search = search.strip()
    if not search:
        return enrolments
    return enrolments.filter(
        Q(participant__full_name__icontains=search) | Q(participant__email__icontains=search)
    )


def register_enrolled(*, run: Run, search: str = "") -> QuerySet:
    """The people holding a place in ``run`` (optionally found by name), in order of sign-up,
    as ``REGISTER_COLUMNS`` rows for ``register_rows``. Meant to be paged."""
    written = (
        Reflection.objects.filter(enrolment_id=OuterRef("pk"))
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _named(Enrolment.objects.filter(run=run, status=EnrolmentStatus.ENROLLED), search)
        .annotate(
            attended_count=_attended_count(),
            reflection_count=Coalesce(Subquery(written, output_field=IntegerField()), Value(0)),
        )
        .order_by("requested_at", "pk")
        .values_list(*REGISTER_COLUMNS)
    )


# What the register's page query reads of each person holding a place.
REGISTER_COLUMNS = (
    "pk",
    "participant__full_name",
    "participant__email",
    "participant__organisation__name",
    "development_plan__learned",
    "attended_count",
    "reflection_count",
)


@dataclass(frozen=True)
class RegisterCertificate:
    """The newest certificate of a person in the register, as its column shows it."""

    pk: int
    code: str
    issued_at: datetime
    revoked_at: datetime | None
    revocation_reason: str

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class RegisterRow:
    """One person holding a place, as a line of the register and of the attendance form."""

    enrolment_id: int
    name: str  # the full name, or the e-mail address without one
    full_name: str
    organisation: str
    reflection_count: int
    statuses: list  # the mark per session shown (None for no mark)
    mark: str | None  # the mark at the session chosen for the attendance form
    completion: completion.Completion
    certificate: RegisterCertificate | None


def register_rows(
    *, run: Run, sessions: list[Session], selected: Session | None, fetched: Iterable[tuple]
) -> list[RegisterRow]:
    """The register's rows for one page of ``register_enrolled``: their marks and newest
    certificates in one plain query each, the completion rule applied here."""
    fetched = list(fetched)
    if not fetched:
        return []
    ids = [values[0] for values in fetched]
    marks: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    for enrolment_id, session_id, status in Attendance.objects.filter(
        enrolment_id__in=ids
    ).values_list("enrolment_id", "session_id", "status"):
        marks[enrolment_id][session_id] = status
    certificates: dict[int, RegisterCertificate] = {}
    for enrolment_id, *columns in (
        Certificate.objects.filter(enrolment_id__in=ids)
        .order_by("-issued_at", "-pk")
        .values_list("enrolment_id", "pk", "code", "issued_at", "revoked_at", "revocation_reason")
    ):
        certificates.setdefault(enrolment_id, RegisterCertificate(*columns))
    shown = [session for session in sessions if not session.is_cancelled]
    selected_id = selected.pk if selected else None
    rows = []
    for pk, full_name, email, organisation, learned, attended, reflection_count in fetched:
        own = marks[pk]
        rows.append(
            RegisterRow(
                enrolment_id=pk,
                name=full_name or email,
                full_name=full_name,
                organisation=organisation or "",
                reflection_count=reflection_count,
                statuses=[own.get(session.pk) for session in shown],
                mark=own.get(selected_id),
                completion=completion.evaluate(
                    _facts(
                        run=run,
                        sessions=sessions,
                        enrolment_status=EnrolmentStatus.ENROLLED,
                        attended=attended,
                        end_review_written=_end_review_written(learned),
                    )
                ),
                certificate=certificates.get(pk),
            )
        )
    return rows


@dataclass(frozen=True)
class WaitingLine:
    """One person on the waiting list, with their place on the whole list."""

    position: int
    name: str
    organisation: str
    requested_at: datetime


def register_waiting(*, run: Run, search: str = "") -> QuerySet:
    """The waiting list of ``run`` (optionally found by name) in its order, as rows for
    ``waiting_lines``. Meant to be paged. Unsearched, a row's place follows from where the
    page starts; a person found by name has theirs worked out for the page's rows."""
    waiting = _named(
        Enrolment.objects.filter(run=run, status=EnrolmentStatus.WAITLISTED), search
    ).annotate(position=_waitlist_position() if search.strip() else Value(None, IntegerField()))
    return waiting.order_by("requested_at", "pk").values_list(
        "position",
        "participant__full_name",
        "participant__email",
        "participant__organisation__name",
        "requested_at",
    )


def waiting_lines(fetched: Iterable[tuple], *, first_position: int) -> list[WaitingLine]:
    """A page of ``register_waiting`` as lines; ``first_position`` is the place of the page's
    first row on the unsearched list (its start index)."""
    return [
        WaitingLine(
            position=position if position is not None else first_position + n,
            name=full_name or email,
            organisation=organisation or "",
            requested_at=requested_at,
        )
        for n, (position, full_name, email, organisation, requested_at) in enumerate(fetched)
    ]


def register_marking(*, run: Run, enrolment_ids: Iterable[int]) -> list[Enrolment]:
    """Of ``enrolment_ids``, the enrolments holding a place in ``run``: whom a posted
    attendance form may mark."""
    return list(
        Enrolment.objects.filter(
            run=run, status=EnrolmentStatus.ENROLLED, pk__in=list(enrolment_ids)
        ).only("pk", "run_id", "status")
    )


def enrolment_for_writing(*, user: User, enrolment_id: int) -> Enrolment | None:
    """An enrolment whose plan and reflections ``user`` may read: author, trainers, coordinators."""
    enrolment = (
        Enrolment.objects.select_related(
            "run", "run__training", "run__training__programme", "participant", "development_plan"
        )
        .prefetch_related(
            Prefetch("run__sessions", queryset=Session.objects.order_by("starts_at", "pk")),
            "reflections",
        )
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return None
    return enrolment if permissions.can_read_personal_writing(user, enrolment) else None


def development_plan_of(enrolment: Enrolment) -> DevelopmentPlan | None:
    try:
        return enrolment.development_plan
    except DevelopmentPlan.DoesNotExist:
        return None


@dataclass(frozen=True)
class CalendarEntry:
    """One session as the calendar shows it; plain values, so hundreds render quickly."""

    session_id: int
    run_id: int
    starts_at: datetime
    ends_at: datetime
    title: str
    provider: str
    place: str
    run_status: str
    is_cancelled: bool

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def time(self) -> str:
        return f"{self.starts_at:%H:%M}"

    @property
    def is_draft(self) -> bool:
        return self.run_status == RunStatus.DRAFT

    @property
    def is_off(self) -> bool:
        return self.is_cancelled or self.run_status == RunStatus.CANCELLED


def _calendar_queryset(
    *,
    user: User,
    start: datetime,
    end: datetime,
    organisation_id: int | None = None,
    format: str = "",
    status: str = "",
) -> QuerySet[Session]:
    sessions = Session.objects.filter(
        _visible_runs_condition(user, "run__"),
        # A session is a day or a dagdeel: one that overlaps the period started at most a
        # day before it, which bounds the index range read to the period.
        starts_at__gte=start - LONGEST_SESSION,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if organisation_id:
        sessions = sessions.filter(run__training__provider_id=organisation_id)
    if format:
        sessions = sessions.filter(run__training__format=format)
    if status:
        sessions = sessions.filter(run__status=status)
    return sessions


CALENDAR_COLUMNS = (
    "pk",
    "run_id",
    "starts_at",
    "ends_at",
    "run__training__title",
    "run__training__provider__name",
    "location",
    "run__location",
    "run__status",
    "is_cancelled",
)


def calendar_entries(rows: Iterable[tuple]) -> list[CalendarEntry]:
    """``CalendarEntry`` values of rows read with ``CALENDAR_COLUMNS`` (first in each row),
    through the ORM or as SQL (``calendar_days``)."""
    zone = timezone.get_current_timezone()
    return [
        CalendarEntry(
            session_id=pk,
            run_id=run_id,
            starts_at=sql.timestamp(starts_at).astimezone(zone),
            ends_at=sql.timestamp(ends_at).astimezone(zone),
            title=title,
            provider=provider,
            place=location or run_location,
            run_status=run_status,
            is_cancelled=bool(is_cancelled),
        )
        for (
            pk,
            run_id,
            starts_at,
            ends_at,
            title,
            provider,
            location,
            run_location,
            run_status,
            is_cancelled,
            *_rest,
        ) in rows
    ]


def calendar_sessions(
    *,
    user: User,
    start: datetime,
    end: datetime,
    organisation_id: int | None = None,
    format: str = "",
    status: str = "",
) -> list[CalendarEntry]:
    """Sessions between ``start`` and ``end`` of the runs the user may see, for the calendar.

    Every one of them: for a bounded period only (the week view, tests); the month and the
    list read ``calendar_days`` and ``calendar_rows``."""
    sessions = _calendar_queryset(
        user=user,
        start=start,
        end=end,
        organisation_id=organisation_id,
        format=format,
        status=status,
    )
    return calendar_entries(sessions.order_by("starts_at", "pk").values_list(*CALENDAR_COLUMNS))


def calendar_rows(
    *,
    user: User,
    start: datetime,
    end: datetime,
    organisation_id: int | None = None,
    format: str = "",
    status: str = "",
) -> QuerySet:
    """The rows of ``calendar_sessions`` as a queryset to page: ``calendar_entries`` turns a
    page of them into entries."""
    sessions = _calendar_queryset(
        user=user,
        start=start,
        end=end,
        organisation_id=organisation_id,
        format=format,
        status=status,
    )
    return sessions.order_by("starts_at", "pk").values_list(*CALENDAR_COLUMNS)


# The first sessions of each day (``{sessions}``: the calendar's sessions as ``session_id``
# and ``start``; ``{day}``: the local day of ``x.start``) with the columns of
# ``CALENDAR_COLUMNS`` and the number of sessions that day.
_CALENDAR_DAYS_SQL = (
    "SELECT s.id, s.run_id, s.starts_at, s.ends_at, t.title, o.name, s.location, r.location, "
    "r.status, s.is_cancelled, f.n FROM ("
    "SELECT session_id, n FROM ("
    "SELECT session_id, COUNT(*) OVER (PARTITION BY day) AS n, "
    "ROW_NUMBER() OVER (PARTITION BY day ORDER BY start, session_id) AS place FROM ("
    "SELECT x.session_id, x.start, {day} AS day FROM ({sessions}) x) c) w "
    "WHERE place <= %s LIMIT %s) f "
    "JOIN trainings_session s ON s.id = f.session_id "
    "JOIN trainings_run r ON r.id = s.run_id "
    "JOIN trainings_training t ON t.id = r.training_id "
    "JOIN portal_organisation o ON o.id = t.provider_id "
    "ORDER BY s.starts_at, s.id"
)


def calendar_days(
    *,
    user: User,
    start: datetime,
    end: datetime,
    organisation_id: int | None = None,
    format: str = "",
    status: str = "",
    per_day: int,
) -> tuple[list[CalendarEntry], dict[date, int]]:
    """The first ``per_day`` sessions of each day of the period and every day's number of
    sessions, in one query: however busy a month, the page shows ``per_day`` a day at most
    and links to the day for the rest. The day is the local day a session starts on."""
    # The sessions the calendar lists (``_calendar_queryset``, its rule compiled as it is)
    # are numbered and counted per day on two narrow columns; only the few shown are joined
    # to their run, training and provider for what the page writes.
    listed = (
        _calendar_queryset(
            user=user,
            start=start,
            end=end,
            organisation_id=organisation_id,
            format=format,
            status=status,
        )
        .order_by()
        .values(session_id=F("pk"), start=F("starts_at"))
    )
    try:
        sessions, params = sql.subquery(listed)
    except EmptyResultSet:  # a condition nothing can pass
        return [], {}
    day, day_params = connection.ops.datetime_cast_date_sql(
        "x.start", (), timezone.get_current_timezone_name()
    )
    fetched = sql.fetch_all(
        sql.expand(_CALENDAR_DAYS_SQL, parts={"day": day, "sessions": sessions}),
        # At most ``per_day`` a day: the bound tells the planner how few rows are joined.
        [*day_params, *params, per_day, per_day * ((end - start).days + 3)],
    )
    entries = calendar_entries(fetched)
    totals = {entry.day: values[-1] for entry, values in zip(entries, fetched, strict=True)}
    return entries, totals


def managed_runs(*, user: User, status: str = "") -> QuerySet[Run]:
    """The runs of the programmes a coordinator runs, for the management list."""
    runs = Run.objects.filter(
        training__programme_id__in=portal_permissions.coordinated_programme_ids(user)
    )
    if status:
        runs = runs.filter(status=status)
    return (
        _with_counts(runs)
        .select_related("training", "training__provider")
        .order_by("-starts_at", "-pk")
    )


def managed_trainings(*, user: User) -> QuerySet[Training]:
    return (
        Training.objects.filter(programme_id__in=portal_permissions.coordinated_programme_ids(user))
        .select_related("provider", "programme")
        .annotate(run_count=Count("runs"))
        .order_by("title")
    )


def feed_by_token(*, token: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )


def feed_sessions(*, user: User) -> QuerySet[Session]:
    """The sessions in a person's calendar: runs they hold a place in, and runs they teach."""
    runs = Run.objects.filter(
        Q(enrolments__participant=user, enrolments__status=EnrolmentStatus.ENROLLED)
        | Q(trainers=user)
    ).exclude(status=RunStatus.DRAFT)
    return (
        Session.objects.filter(run__in=runs.values("pk"))
        .select_related("run", "run__training")
        .order_by("starts_at", "pk")
    )


def material_for(*, user: User, material_id: int) -> Material | None:
    """A material of a training the user takes part in (enrolled), teaches or coordinates."""
    material = Material.objects.select_related("training").filter(pk=material_id).first()
    if material is None:
        return None
    training = material.training
    if permissions.coordinates_programme(user, training.programme_id):
        return material
    runs = Run.objects.filter(training=training).exclude(status=RunStatus.DRAFT)
    allowed = runs.filter(
        Q(enrolments__participant=user, enrolments__status=EnrolmentStatus.ENROLLED)
        | Q(trainers=user)
    ).exists()
    return material if allowed else None


@dataclass(frozen=True)
class ParticipantOverview:
    next_sessions: list[Session]
    # The first waiting-list places, soonest run first; ``waiting_count`` counts them all.
    waiting: list[Enrolment]
    reflections_due: list[tuple[Enrolment, Session]]
    # Runs over whose development plan still lacks its look back ("wat heb ik geleerd?").
    plan_reviews_due: list[Enrolment]
    # Places taken over from the waiting list, in runs still to come.
    moved_up: list[Enrolment]
    waiting_count: int = 0


def _is_waiting(enrolment: Enrolment) -> bool:
    """``waiting`` of ``participant_overview``, on a row read with its run."""
    return (
        enrolment.status == EnrolmentStatus.WAITLISTED
        and enrolment.run.status == RunStatus.PUBLISHED
    )


def _is_recent(enrolment: Enrolment, *, now: datetime, since: datetime) -> bool:
    """``recent`` of ``participant_overview``: a place in a run that was on since ``since``."""
    run = enrolment.run
    return (
        enrolment.status == EnrolmentStatus.ENROLLED
        and run.starts_at is not None
        and run.ends_at is not None
        and run.starts_at <= now
        and run.ends_at >= since
    )


def _is_plan_review(enrolment: Enrolment, *, now: datetime, plan_open: bool) -> bool:
    """``plan_review`` of ``participant_overview``: a place in a run that ended within
    ``PLAN_REVIEW_WINDOW_DAYS``, whose development plan is missing or lacks ``learned``."""
    run = enrolment.run
    return (
        enrolment.status == EnrolmentStatus.ENROLLED
        and run.status in (RunStatus.PUBLISHED, RunStatus.COMPLETED)
        and run.ends_at is not None
        and now - timedelta(days=PLAN_REVIEW_WINDOW_DAYS) <= run.ends_at <= now
        and plan_open
    )


def _is_moved_up(enrolment: Enrolment, *, now: datetime) -> bool:
    """``moved_up`` of ``participant_overview``: enrolled from the waiting list lately, in a
    published run still to come."""
    run = enrolment.run
    return (
        enrolment.status == EnrolmentStatus.ENROLLED
        and run.status == RunStatus.PUBLISHED
        and run.starts_at is not None
        and run.starts_at > now
        and enrolment.enrolled_at is not None
        and enrolment.enrolled_at > enrolment.requested_at
        and enrolment.enrolled_at >= now - MOVED_UP_WINDOW
    )


# The reads of ``participant_overview``, on every home page, so written as SQL (see
# ``portal.sql``); the tests of the home page and of this module run them.
#
# The user's next sessions: not called off, in published runs where the user holds a place
# (a run holds one enrolment per person).
_NEXT_SESSIONS_SQL = (
    "SELECT s.id, s.run_id, s.starts_at, s.location, r.location, t.id, t.title "
    "FROM trainings_session s JOIN trainings_run r ON r.id = s.run_id "
    "JOIN trainings_training t ON t.id = r.training_id "
    "WHERE r.status = %s AND s.is_cancelled = %s AND s.starts_at >= %s AND EXISTS ("
    "SELECT 1 FROM trainings_enrolment e WHERE e.run_id = s.run_id "
    "AND e.participant_id = %s AND e.status = %s) "
    "ORDER BY s.starts_at, s.id LIMIT %s"
)
# The user's enrolments that matter now (see ``_is_waiting``, ``_is_recent``,
# ``_is_plan_review``, ``_is_moved_up``: the same conditions, in the same order), each with
# whether its development plan still lacks its look back and, when waiting, its place on
# the waiting list as ``_waitlist_position`` counts it (1 for the first waiting).
_ENROLMENTS_SQL = sql.expand(
    "SELECT e.id, e.run_id, e.status, e.requested_at, e.enrolled_at, "
    "r.status, r.starts_at, r.ends_at, t.id, t.title, "
    "CASE WHEN p.id IS NULL OR p.learned = '' THEN 1 ELSE 0 END, {waitlist_position} "
    "FROM trainings_enrolment e JOIN trainings_run r ON r.id = e.run_id "
    "JOIN trainings_training t ON t.id = r.training_id "
    "LEFT JOIN trainings_developmentplan p ON p.enrolment_id = e.id "
    "WHERE e.participant_id = %s AND ("
    "(e.status = %s AND r.status = %s) "
    "OR (e.status = %s AND r.starts_at <= %s AND r.ends_at >= %s) "
    "OR (e.status = %s AND r.status IN (%s, %s) AND r.ends_at <= %s AND r.ends_at >= %s "
    "AND (p.id IS NULL OR p.learned = '')) "
    "OR (e.status = %s AND r.status = %s AND r.starts_at > %s "
    "AND e.enrolled_at > e.requested_at AND e.enrolled_at >= %s))",
    parts={"waitlist_position": _WAITLIST_POSITION_SQL},
)
# The sessions of these runs, each with whether the user wrote a reflection on it.
_RUN_SESSIONS_SQL = (
    "SELECT s.id, s.run_id, s.starts_at, s.is_cancelled, EXISTS ("
    "SELECT 1 FROM trainings_reflection f JOIN trainings_enrolment e ON e.id = f.enrolment_id "
    "WHERE f.session_id = s.id AND e.participant_id = %s) "
    "FROM trainings_session s WHERE s.run_id IN ({runs}) ORDER BY s.starts_at, s.id"
)
_SESSION_FIELDS = ("id", "run_id", "starts_at", "location")
_REFLECTION_SESSION_FIELDS = ("id", "run_id", "starts_at", "is_cancelled")
_ENROLMENT_FIELDS = ("id", "run_id", "participant_id", "status", "requested_at", "enrolled_at")
_RUN_FIELDS = ("id", "training_id", "status", "starts_at", "ends_at")
_RUN_PLACE_FIELDS = ("id", "training_id", "location")
_TRAINING_FIELDS = ("id", "title")


def _reflections_due(
    user: User, enrolments: list[Enrolment], *, now: datetime, since: datetime
) -> list[tuple[Enrolment, Session]]:
    """(enrolment, session) for each session of these enrolments (the user's own, with their
    run) on which a reflection is owed, as ``reflections_owed``. One query: the runs'
    sessions, each with whether the user wrote on it (a run holds one enrolment per person,
    so a reflection of the user on a session is this enrolment's)."""
    if not enrolments:
        return []
    by_run = {enrolment.run_id: enrolment for enrolment in enrolments}
    sessions: dict[int, list[Session]] = {run_id: [] for run_id in by_run}
    written: set[int] = set()
    run_ids = list(by_run)
    for pk, run_id, starts_at, is_cancelled, reflected in sql.fetch_all(
        sql.expand(_RUN_SESSIONS_SQL, runs=run_ids), [user.pk, *run_ids]
    ):
        session = Session.from_db(
            None,
            _REFLECTION_SESSION_FIELDS,
            (pk, run_id, sql.timestamp(starts_at), bool(is_cancelled)),
        )
        Session.run.field.set_cached_value(session, by_run[run_id].run)
        sessions[run_id].append(session)
        if reflected:
            written.add(pk)
    return [
        (enrolment, session)
        for enrolment in enrolments
        for session in reflections.owed_sessions(
            holds_place=enrolment.status == EnrolmentStatus.ENROLLED,
            sessions=sessions[enrolment.run_id],
            written_session_ids=written,
            now=now,
            since=since,
        )
    ]


def _next_sessions(user: User, *, now: datetime, limit: int) -> list[Session]:
    """What "Binnenkort" shows of the user's next sessions, each with its run and training."""
    next_sessions = []
    for pk, run_id, starts_at, location, run_location, training_id, title in sql.fetch_all(
        _NEXT_SESSIONS_SQL,
        [
            RunStatus.PUBLISHED,
            False,
            sql.moment(now),
            user.pk,
            EnrolmentStatus.ENROLLED,
            limit,
        ],
    ):
        session = Session.from_db(
            None, _SESSION_FIELDS, (pk, run_id, sql.timestamp(starts_at), location)
        )
        run = Run.from_db(None, _RUN_PLACE_FIELDS, (run_id, training_id, run_location))
        Run.training.field.set_cached_value(
            run, Training.from_db(None, _TRAINING_FIELDS, (training_id, title))
        )
        Session.run.field.set_cached_value(session, run)
        next_sessions.append(session)
    return next_sessions


def participant_overview(*, user: User, limit: int = 5) -> ParticipantOverview:
    """For the home page: my next sessions, where I wait or moved up, and what I still owe.

    Three queries, whatever the number of enrolments: the next sessions; one read of the
    enrolments that matter now, each sorted into the list it belongs to; and the sessions
    of the runs that were on within the reflection window, with whether the user reflected.
    """
    now = timezone.now()
    next_sessions = _next_sessions(user, now=now, limit=limit)
    since = now - timedelta(days=REFLECTION_WINDOW_DAYS)
    at_now = sql.moment(now)
    enrolled = EnrolmentStatus.ENROLLED
    published = RunStatus.PUBLISHED
    rows = sql.fetch_all(
        _ENROLMENTS_SQL,
        [
            EnrolmentStatus.WAITLISTED,
            EnrolmentStatus.WAITLISTED,
            user.pk,
            # waiting
            EnrolmentStatus.WAITLISTED,
            published,
            # recent: only runs that were on within the window can hold a session begun in it
            enrolled,
            at_now,
            sql.moment(since),
            # plan review
            enrolled,
            published,
            RunStatus.COMPLETED,
            at_now,
            sql.moment(now - timedelta(days=PLAN_REVIEW_WINDOW_DAYS)),
            # moved up
            enrolled,
            published,
            at_now,
            sql.moment(now - MOVED_UP_WINDOW),
        ],
    )
    enrolments = []
    plan_reviews = []
    runs: dict[int, Run] = {}
    for (
        pk,
        run_id,
        status,
        requested_at,
        enrolled_at,
        run_status,
        run_starts_at,
        run_ends_at,
        training_id,
        title,
        plan_open,
        waitlist_position,
    ) in rows:
        enrolment = Enrolment.from_db(
            None,
            _ENROLMENT_FIELDS,
            (
                pk,
                run_id,
                user.pk,
                status,
                sql.timestamp(requested_at),
                sql.timestamp(enrolled_at),
            ),
        )
        enrolment.waitlist_position = waitlist_position
        run = runs.get(run_id)
        if run is None:
            run = runs[run_id] = Run.from_db(
                None,
                _RUN_FIELDS,
                (
                    run_id,
                    training_id,
                    run_status,
                    sql.timestamp(run_starts_at),
                    sql.timestamp(run_ends_at),
                ),
            )
            Run.training.field.set_cached_value(
                run, Training.from_db(None, _TRAINING_FIELDS, (training_id, title))
            )
        Enrolment.run.field.set_cached_value(enrolment, run)
        enrolments.append(enrolment)
        if _is_plan_review(enrolment, now=now, plan_open=bool(plan_open)):
            plan_reviews.append(enrolment)
    waiting_places = sorted(
        (e for e in enrolments if _is_waiting(e)), key=lambda e: (e.run.starts_at, e.pk)
    )
    recent_enrolments = [e for e in enrolments if _is_recent(e, now=now, since=since)]
    due = _reflections_due(user, recent_enrolments, now=now, since=since)
    due.sort(key=lambda pair: pair[1].starts_at, reverse=True)
    plan_reviews_due = sorted(plan_reviews, key=lambda e: (e.run.ends_at, e.pk), reverse=True)
    moved_up_places = sorted(
        (e for e in enrolments if _is_moved_up(e, now=now)), key=lambda e: (e.run.starts_at, e.pk)
    )
    return ParticipantOverview(
        next_sessions=next_sessions,
        waiting=waiting_places[:limit],
        waiting_count=len(waiting_places),
        reflections_due=due[:limit],
        plan_reviews_due=plan_reviews_due[:limit],
        moved_up=moved_up_places[:limit],
    )


# ``runs_closing_soon``, on every coordinator's home page, so written as SQL (see
# ``portal.sql``): published runs of these programmes whose enrolment is open and closes
# soon, each with its places taken (enrolled) and left; those with places left, closing first.
_RUNS_CLOSING_SQL = (
    "SELECT id, training_id, capacity, enrolment_closes_at, title, enrolled_count FROM ("
    "SELECT r.id, r.training_id, r.capacity, r.enrolment_closes_at, t.title, "
    "(SELECT COUNT(*) FROM trainings_enrolment e WHERE e.run_id = r.id AND e.status = %s) "
    "AS enrolled_count FROM trainings_run r JOIN trainings_training t ON t.id = r.training_id "
    "WHERE t.programme_id IN ({programmes}) AND r.status = %s AND r.enrolment_opens_at <= %s "
    "AND r.enrolment_closes_at > %s AND r.enrolment_closes_at <= %s) closing "
    "WHERE capacity > enrolled_count ORDER BY enrolment_closes_at, id LIMIT %s"
)
_RUN_CLOSING_FIELDS = ("id", "training_id", "capacity", "enrolment_closes_at")


def runs_closing_soon(*, user: User, limit: int = 5) -> list[Run]:
    """Published runs of the user's programmes whose enrolment closes within ``CLOSING_SOON``
    and that still have places; each with ``enrolled_count`` and ``free_places``, and its
    training's title. One query.
    """
    programme_ids = sorted(portal_permissions.coordinated_programme_ids(user))
    if not programme_ids:
        return []
    now = timezone.now()
    runs = []
    for pk, training_id, capacity, closes_at, title, enrolled_count in sql.fetch_all(
        sql.expand(_RUNS_CLOSING_SQL, programmes=programme_ids),
        [
            EnrolmentStatus.ENROLLED,
            *programme_ids,
            RunStatus.PUBLISHED,
            sql.moment(now),
            sql.moment(now),
            sql.moment(now + CLOSING_SOON),
            limit,
        ],
    ):
        run = Run.from_db(
            None, _RUN_CLOSING_FIELDS, (pk, training_id, capacity, sql.timestamp(closes_at))
        )
        Run.training.field.set_cached_value(
            run, Training.from_db(None, _TRAINING_FIELDS, (training_id, title))
        )
        run.enrolled_count = enrolled_count
        run.free_places = capacity - enrolled_count
        runs.append(run)
    return runs


@dataclass(frozen=True)
class LibraryFilters:
    query: str = ""
    organisation_id: int | None = None
    theme_id: int | None = None
    element: str = ""
    kind: str = ""


def _with_tags(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    # The vector is for the database only: reading it back would cost more than the rest.
    return (
        resources.defer("search_vector")
        .select_related("programme")
        .prefetch_related(
            Prefetch("organisations", queryset=Organisation.objects.only("pk", "name")),
            Prefetch("themes", queryset=LibraryTheme.objects.only("pk", "name")),
        )
    )


def _ranked_postgres(resources: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    query = SearchQuery(text, config="dutch", search_type="websearch")
    return (
        resources.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "title", "pk")
    )


def _ranked_fallback(resources: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    terms = textsearch.fallback_terms(text)
    if not terms:
        return resources.none()
    in_title = Q()
    for term in terms:
        resources = resources.filter(Q(title__icontains=term) | Q(description__icontains=term))
        in_title &= Q(title__icontains=term)
    return resources.annotate(
        rank=Case(When(in_title, then=Value(2)), default=Value(1), output_field=IntegerField())
    ).order_by("-rank", "title", "pk")


def library_search(*, user: User, filters: LibraryFilters) -> QuerySet[Resource]:
    """The published resources matching the filters, best match first.

    On PostgreSQL a ``websearch`` query over the Dutch full-text vector, ranked by SearchRank
    (title before description before tags); on SQLite every stemmed word as a substring of
    title or description, title matches first. Without a query: by title.
    """
    resources = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    if filters.organisation_id:
        resources = resources.filter(
            Exists(
                Resource.organisations.through.objects.filter(
                    resource_id=OuterRef("pk"), organisation_id=filters.organisation_id
                )
            )
        )
    if filters.theme_id:
        resources = resources.filter(
            Exists(
                Resource.themes.through.objects.filter(
                    resource_id=OuterRef("pk"), librarytheme_id=filters.theme_id
                )
            )
        )
    if filters.element in Element.values:
        resources = resources.filter(**{f"element_{filters.element}": True})
    if filters.kind in ResourceKind.values:
        resources = resources.filter(kind=filters.kind)
    text = filters.query.strip()
    if text:
        if connection.vendor == "postgresql":
            resources = _ranked_postgres(resources, text)
        else:
            resources = _ranked_fallback(resources, text)
    else:
        resources = resources.order_by("title", "pk")
    return _with_tags(resources)


def resource_for(*, user: User, resource_id: int) -> Resource | None:
    """One resource the user may see: published, their own suggestion, or one they curate."""
    resource = (
        _with_tags(Resource.objects.all())
        .select_related("suggested_by", "curated_by", "material__training")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None or not permissions.can_view_resource(user, resource):
        return None
    return resource


def my_resource_suggestions(*, user: User) -> QuerySet[Resource]:
    """What the user suggested, newest first, with its status."""
    return (
        Resource.objects.filter(suggested_by=user)
        .select_related("programme")
        .order_by("-created_at", "-pk")
    )


def resources_to_curate(*, user: User) -> QuerySet[Resource]:
    """Suggestions waiting for a decision in the programmes the user coordinates."""
    return (
        Resource.objects.filter(
            status=ResourceStatus.SUGGESTED,
            programme_id__in=portal_permissions.coordinated_programme_ids(user),
        )
        .select_related("programme", "suggested_by")
        .order_by("created_at", "pk")
    )


def library_filter_options() -> tuple[list[Organisation], list[LibraryTheme]]:
    """The partners and themes offered as filters (both short lists)."""
    return (
        list(Organisation.objects.only("pk", "name").order_by("name")),
        list(LibraryTheme.objects.only("pk", "name").order_by("name")),
    )


@dataclass(frozen=True)
class LibraryPage:
    resources: list[Resource]
    number: int
    # Exact, or ``cap`` when more resources match than a page counts or ranks.
    count: int
    more_than_count: bool


# The page of a search's ranked matches, and how many there are (``_ranked_page_postgres``).
_RANKED_HITS_SQL = (
    "SELECT hit_pk, COUNT(*) OVER () FROM ({hits}) hits "
    "ORDER BY hit_rank DESC, hit_title, hit_pk LIMIT %s OFFSET %s"
)


def _ranked_page_postgres(
    resources: QuerySet[Resource], text: str, *, offset: int, limit: int, cap: int
) -> list[tuple[int, int]]:
    """(pk, matches) of one page of a search: at most ``cap + 1`` matches taken from the index,
    ranked, and the page cut from those.

    Ranking reads each match's vector, so ranking every match of a common word costs as
    much as the library is large. The candidates are taken first, unordered, with a limit
    (the scan stops there), and only they are ranked: a search matching ``cap`` or fewer
    ranks all its matches, a broader one ranks the first ``cap`` the index gives. ``matches``
    is how many candidates there were, ``cap + 1`` meaning more than ``cap``.
    """
    query = SearchQuery(text, config="dutch", search_type="websearch")
    # The extra candidate only tells that there are more: it is never shown.
    limit = max(0, min(limit, cap - offset))
    candidates = (
        resources.filter(search_vector=query)
        .order_by()
        .values(
            hit_pk=F("pk"), hit_title=F("title"), hit_rank=SearchRank(F("search_vector"), query)
        )[: cap + 1]
    )
    hits, params = sql.subquery(candidates)
    return sql.fetch_all(
        sql.expand(_RANKED_HITS_SQL, parts={"hits": hits}), [*params, limit, offset]
    )


def library_page(
    *, user: User, filters: LibraryFilters, number: int, per_page: int, cap: int
) -> LibraryPage:
    """One page of ``library_search`` and how many resources match (up to ``cap``), in few
    queries whatever the size of the library.

    With search words on PostgreSQL, at most ``cap + 1`` matches are ranked and counted, in
    the page query itself (see ``_ranked_page_postgres``); the page's rows are read after.
    Without, the list comes in title order from the index and is counted up to ``cap``
    only. Either way a longer list is narrowed (more words, a filter), not paged through.
    A page past the end gives the last page.
    """
    number = max(number, 1)
    text = filters.query.strip()
    if text and connection.vendor == "postgresql":
        # The filters without the words: the words are matched and ranked on the candidates.
        base = library_search(user=user, filters=replace(filters, query=""))
        number = min(number, -(-cap // per_page))
        hits = _ranked_page_postgres(
            base, text, offset=(number - 1) * per_page, limit=per_page, cap=cap
        )
        if hits or number == 1:
            matches = hits[0][1] if hits else 0
        else:
            # Past the last page: count the candidates and show the last page instead.
            first = _ranked_page_postgres(base, text, offset=0, limit=1, cap=cap)
            matches = first[0][1] if first else 0
            number = max(1, -(-min(matches, cap) // per_page))
            hits = _ranked_page_postgres(
                base, text, offset=(number - 1) * per_page, limit=per_page, cap=cap
            )
        by_pk = {r.pk: r for r in base.order_by().filter(pk__in=[pk for pk, _ in hits])}
        rows = [by_pk[pk] for pk, _ in hits if pk in by_pk]
        return LibraryPage(rows, number, min(matches, cap), matches > cap)
    resources = library_search(user=user, filters=filters)
    count = resources.order_by()[: cap + 1].count()
    more = count > cap
    count = min(count, cap)
    number = min(number, max(1, -(-count // per_page)))
    rows = list(resources[(number - 1) * per_page : number * per_page])
    return LibraryPage(rows, number, count, more)


def my_ideas(*, user: User) -> QuerySet[Idea]:
    return Idea.objects.filter(proposer=user).select_related("programme").order_by("-created_at")


def ideas_to_decide(
    *, user: User, programme_id: int | None = None, status: str = ""
) -> QuerySet[Idea]:
    """The ideas of the programmes the user coordinates, optionally one programme or status."""
    ideas = Idea.objects.filter(programme_id__in=portal_permissions.coordinated_programme_ids(user))
    if programme_id:
        ideas = ideas.filter(programme_id=programme_id)
    if status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    return ideas.select_related("programme", "proposer").order_by("-created_at", "-pk")


def idea_for(*, user: User, idea_id: int) -> Idea | None:
    """One idea, for its proposer and its programme's coordinators, with history and partners."""
    idea = (
        Idea.objects.select_related("programme", "proposer")
        .prefetch_related(
            Prefetch("partners", queryset=Organisation.objects.order_by("name")),
            Prefetch(
                "status_changes",
                queryset=IdeaStatusChange.objects.select_related("changed_by").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .filter(pk=idea_id)
        .first()
    )
    if idea is None or not permissions.can_view_idea(user, idea):
        return None
    return idea


def approval_by_token(*, token: str) -> ManagerApproval | None:
    """The approval this answer link belongs to; the link is the manager's only credential."""
    return answer_links.find(
        ManagerApproval.objects.select_related(
            "episode__enrolment__participant__organisation",
            "episode__enrolment__run__training__provider",
        ),
        token,
    )


def latest_approval(*, enrolment: Enrolment | None) -> ManagerApproval | None:
    """The newest request for the manager's approval of an enrolment, if any."""
    if enrolment is None:
        return None
    return (
        ManagerApproval.objects.filter(episode__enrolment=enrolment).order_by("-created_at").first()
    )


@dataclass(frozen=True)
class PendingApproval:
    """An enrolment waiting for a manager, as the register lists it."""

    name: str
    organisation: str
    manager_name: str
    created_at: datetime
    token_expires_at: datetime


def pending_approvals(*, run: Run) -> list[PendingApproval]:
    """The run's enrolments waiting for a manager, oldest first, with whom they wait for.

    Only each enrolment's current request (its episode started when it was last requested).
    """
    rows = (
        ManagerApproval.objects.filter(
            episode__enrolment__run=run,
            episode__enrolment__status=EnrolmentStatus.PENDING,
            episode__started_at=F("episode__enrolment__requested_at"),
        )
        .order_by("created_at", "pk")
        .values_list(
            "episode__enrolment__participant__full_name",
            "episode__enrolment__participant__email",
            "episode__enrolment__participant__organisation__name",
            "manager_name",
            "created_at",
            "token_expires_at",
        )
    )
    return [
        PendingApproval(full_name or email, organisation or "", manager, created, expires)
        for full_name, email, organisation, manager, created, expires in rows
    ]


def mailing_recipients(*, run: Run, audience: str) -> QuerySet[User]:
    """The people of a run a message to ``audience`` goes to, in name order.

    Attended and absent look at the register: enrolled people marked present, or absent
    without a reason (excused does not count), at one or more sessions of the run.
    """
    enrolments = Enrolment.objects.filter(run=run)
    if audience == MailingAudience.WAITING:
        enrolments = enrolments.filter(status=EnrolmentStatus.WAITLISTED)
    else:
        enrolments = enrolments.filter(status=EnrolmentStatus.ENROLLED)
    marks = {
        MailingAudience.ATTENDED: AttendanceStatus.PRESENT,
        MailingAudience.ABSENT: AttendanceStatus.ABSENT,
    }
    if audience in marks:
        enrolments = enrolments.filter(
            Exists(
                Attendance.objects.filter(
                    enrolment_id=OuterRef("pk"),
                    status=marks[audience],
                    session__is_cancelled=False,
                )
            )
        )
    return User.objects.filter(pk__in=enrolments.values("participant_id"), is_active=True).order_by(
        "full_name", "email"
    )


@dataclass(frozen=True)
class SentMailing:
    """A message sent to a run's people, as the run's pages list it."""

    created_at: datetime
    subject: str
    sender: str  # the sender's full name; "" when unknown
    audience: str  # the group in the active language
    recipient_count: int


def run_mailings(*, run: Run, limit: int) -> list[SentMailing]:
    """The newest ``limit`` messages the run's coordinators sent, newest first, with who sent
    them."""
    audiences = dict(MailingAudience.choices)
    return [
        SentMailing(created, subject, sender or "", audiences.get(audience, audience), count)
        for created, subject, sender, audience, count in RunMailing.objects.filter(run=run)
        .order_by("-created_at")
        .values_list("created_at", "subject", "sent_by__full_name", "audience", "recipient_count")[
            :limit
        ]
    ]


def evaluation_settings_of(programme_id: int) -> EvaluationSettings:
    """The programme's settings, or the defaults (unsaved) when it never changed them."""
    found = EvaluationSettings.objects.filter(programme_id=programme_id).first()
    return found or EvaluationSettings(programme_id=programme_id)


def _never_present() -> Q:
    """Attendance recorded for the enrolment, and not once present: they did not take part."""
    attendance = Attendance.objects.filter(enrolment=OuterRef("pk"))
    return Q(Exists(attendance)) & ~Q(Exists(attendance.filter(status=AttendanceStatus.PRESENT)))


def evaluation_invitees(*, run_ids) -> QuerySet[Enrolment]:
    """Who is asked to evaluate and to answer the samenwerkingsmeter: everyone holding a place
    at the end, except those whose recorded attendance shows they never came."""
    return Enrolment.objects.filter(run_id__in=run_ids, status=EnrolmentStatus.ENROLLED).exclude(
        _never_present()
    )


def programme_questions(*, programme_id: int) -> QuerySet[EvaluationQuestion]:
    return EvaluationQuestion.objects.filter(programme_id=programme_id).order_by("position", "pk")


def run_questions(*, run: Run) -> list[RunQuestion]:
    return list(RunQuestion.objects.filter(run=run).order_by("position", "pk"))


@dataclass(frozen=True)
class AnswerState:
    """Where a participant stands with a run's evaluation or samenwerkingsmeter."""

    enrolment: Enrolment | None
    is_invited: bool
    is_open: bool
    has_answered: bool

    @property
    def may_answer(self) -> bool:
        return self.is_invited and self.is_open and not self.has_answered


def _answer_state(user: User, run: Run, opens_at: datetime | None, respondents) -> AnswerState:
    enrolment = evaluation_invitees(run_ids=[run.pk]).filter(participant=user).first()
    return AnswerState(
        enrolment=enrolment,
        is_invited=enrolment is not None and run.status != RunStatus.CANCELLED,
        is_open=opens_at is not None and opens_at <= timezone.now(),
        has_answered=respondents.filter(run=run, participant=user).exists(),
    )


def evaluation_state(*, user: User, run: Run) -> AnswerState:
    """The evaluation opens when the run's last session is over."""
    return _answer_state(user, run, run.ends_at, EvaluationRespondent.objects)


def followup_opens_at(run: Run) -> datetime | None:
    if run.ends_at is None:
        return None
    return run.ends_at + timedelta(weeks=scheduling.followup_weeks(run.training.programme_id))


def followup_state(*, user: User, run: Run) -> AnswerState:
    """The samenwerkingsmeter opens the programme's number of weeks after the run's end."""
    return _answer_state(user, run, followup_opens_at(run), FollowupRespondent.objects)


def followup_partner_choices(*, run: Run, user: User) -> QuerySet[Organisation]:
    """The programme's partners other than one's own: the organisations that offer one of its
    trainings or whose people took part in one of its runs."""
    programme_id = run.training.programme_id
    offering = Training.objects.filter(programme_id=programme_id).values("provider_id")
    taking_part = Enrolment.objects.filter(
        run__training__programme_id=programme_id, status=EnrolmentStatus.ENROLLED
    ).values("participant__organisation_id")
    return (
        Organisation.objects.filter(Q(pk__in=offering) | Q(pk__in=taking_part))
        .exclude(pk=user.organisation_id or 0)
        .order_by("name")
    )


@dataclass(frozen=True)
class QuestionResult:
    question: RunQuestion
    scale: evaluation.ScaleSummary | None
    # Open answers: shuffled, unattributed, and only for coordinators from the threshold on.
    texts: list[str]


@dataclass(frozen=True)
class RunResults:
    run: Run
    answers: int
    invited: int
    shown: bool
    questions: list[QuestionResult]
    # Names of who was asked and has not answered: for coordinators only, never with answers.
    non_respondents: list[User] | None
    shows_texts: bool


def run_evaluation_results(*, user: User, run: Run) -> RunResults | None:
    """A run's results as ``user`` may see them, or None when they may see nothing.

    Coordinators: means, counts per option, open answers (from 5 answers) and non-respondents.
    Trainers, when the programme allows: means and counts per option (from 5 answers).
    """
    settings_row = evaluation_settings_of(run.training.programme_id)
    if not permissions.sees_evaluation_aggregates(
        user, run, trainers_allowed=settings_row.trainers_see_aggregates
    ):
        return None
    details = permissions.sees_evaluation_details(user, run)
    invitees = list(
        evaluation_invitees(run_ids=[run.pk])
        .select_related("participant")
        .order_by("participant__full_name", "participant__email")
    )
    answered_ids = set(
        EvaluationRespondent.objects.filter(run=run).values_list("participant_id", flat=True)
    )
    answers = len(answered_ids)
    shown = evaluation.shown(answers)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    texts: dict[int, list[str]] = defaultdict(list)
    if shown:
        for row in (
            EvaluationAnswer.objects.filter(question__run=run, score__isnull=False)
            .values("question_id", "score")
            .annotate(n=Count("pk"))
        ):
            counts[row["question_id"]][row["score"]] = row["n"]
        if details:
            for question_id, text in EvaluationAnswer.objects.filter(
                question__run=run, score__isnull=True
            ).values_list("question_id", "text"):
                texts[question_id].append(text)
    questions = [
        QuestionResult(
            question=question,
            scale=evaluation.scale_summary(counts[question.pk])
            if question.kind == QuestionKind.SCALE and shown
            else None,
            texts=evaluation.shuffled(texts[question.pk]),
        )
        for question in run_questions(run=run)
    ]
    return RunResults(
        run=run,
        answers=answers,
        invited=len(invitees),
        shown=shown,
        questions=questions,
        non_respondents=[e.participant for e in invitees if e.participant_id not in answered_ids]
        if details
        else None,
        shows_texts=details and shown,
    )


def _evaluation_totals(run_ids) -> dict[int, evaluation.GroupTotals]:
    """Per run: its number of answers and the sum and count of its scale answers (2 queries)."""
    answers = dict(
        EvaluationRespondent.objects.filter(run_id__in=run_ids)
        .values("run_id")
        .annotate(n=Count("pk"))
        .values_list("run_id", "n")
    )
    scores = {
        row["question__run_id"]: row
        for row in EvaluationAnswer.objects.filter(
            question__run_id__in=run_ids, score__isnull=False
        )
        .values("question__run_id")
        .annotate(total=Sum("score"), n=Count("pk"))
    }
    return {
        run_id: evaluation.GroupTotals(
            answers=answers.get(run_id, 0),
            score_sum=scores.get(run_id, {}).get("total") or 0,
            score_count=scores.get(run_id, {}).get("n") or 0,
        )
        for run_id in run_ids
    }


@dataclass(frozen=True)
class EvaluationScore:
    """A run's evaluation in one figure: ``mean`` of all its scale answers, None below 5."""

    answers: int
    mean: float | None


def evaluation_scores_by_run(*, run_ids) -> dict[int, EvaluationScore]:
    """Per run id: its number of answers and mean score (None below 5 answers). Two queries
    whatever the number of runs. The caller passes only runs its user may see figures of
    (a programme dashboard: the coordinator's runs)."""
    run_ids = list(run_ids)
    return {
        run_id: EvaluationScore(
            answers=totals.answers,
            mean=evaluation.mean_if_shown(totals.answers, totals.score_sum, totals.score_count),
        )
        for run_id, totals in _evaluation_totals(run_ids).items()
    }


@dataclass(frozen=True)
class RunRow:
    run: Run
    score: EvaluationScore


@dataclass(frozen=True)
class TrainingResults:
    training: Training
    runs: list[RunRow]
    combined: evaluation.Combined
    questions: list[tuple[str, evaluation.ScaleSummary]]


def _finished_runs(queryset: QuerySet[Run]) -> QuerySet[Run]:
    return queryset.filter(
        status__in=(RunStatus.PUBLISHED, RunStatus.COMPLETED), ends_at__lte=timezone.now()
    )


def training_evaluation_results(*, training: Training) -> TrainingResults:
    """A training's runs with their scores, and its figures over the runs with 5+ answers.

    Per question (by its text, as runs keep their own copy) only runs at the threshold count.
    Four queries whatever the number of runs. The caller checks the user coordinates it.
    """
    runs = list(_finished_runs(training.runs.all()).order_by("-ends_at", "-pk"))
    totals = _evaluation_totals([run.pk for run in runs])
    shown_ids = [run_id for run_id, t in totals.items() if evaluation.shown(t.answers)]
    per_question: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        EvaluationAnswer.objects.filter(question__run_id__in=shown_ids, score__isnull=False)
        .values("question__text", "score")
        .annotate(n=Count("pk"))
    ):
        per_question[row["question__text"]][row["score"]] += row["n"]
    return TrainingResults(
        training=training,
        runs=[
            RunRow(
                run=run,
                score=EvaluationScore(
                    answers=totals[run.pk].answers,
                    mean=evaluation.mean_if_shown(
                        totals[run.pk].answers, totals[run.pk].score_sum, totals[run.pk].score_count
                    ),
                ),
            )
            for run in runs
        ],
        combined=evaluation.combine(totals.values()),
        questions=[
            (text, evaluation.scale_summary(counts))
            for text, counts in sorted(per_question.items())
        ],
    )


@dataclass(frozen=True)
class PeriodRow:
    period: str
    combined: evaluation.Combined


def programme_evaluation_over_time(*, programme_id: int) -> list[PeriodRow]:
    """Per quarter of the runs' end: the figures over that quarter's runs with 5+ answers.

    Three queries whatever the number of runs. The caller checks the user coordinates it.
    """
    runs = list(
        _finished_runs(Run.objects.filter(training__programme_id=programme_id)).values_list(
            "pk", "ends_at"
        )
    )
    totals = _evaluation_totals([pk for pk, _ends in runs])
    by_quarter: dict[str, list[evaluation.GroupTotals]] = defaultdict(list)
    for pk, ends_at in runs:
        by_quarter[evaluation.quarter_of(timezone.localdate(ends_at))].append(totals[pk])
    return [
        PeriodRow(period=period, combined=evaluation.combine(groups))
        for period, groups in sorted(by_quarter.items(), reverse=True)
    ]


def _followup_due(ends_at: datetime | None, followup_weeks: int | None, now: datetime) -> bool:
    """Whether a run's follow-up moment has passed (the programme's weeks after its end)."""
    weeks = followup_weeks or evaluation.DEFAULT_FOLLOWUP_WEEKS
    return ends_at is not None and ends_at + timedelta(weeks=weeks) <= now


def followup_summary(
    *, run_ids, due: dict[int, bool] | None = None
) -> dict[int, evaluation.FollowupTotals]:
    """Per run id: how many were asked (invited, and the follow-up moment passed), answered,
    said they contacted another partner, and the count per organisation contacted; the last
    two None below 5 answers. Five queries whatever the number of runs; four when the caller
    passes ``due`` (run id to whether its follow-up moment passed, ``_followup_due``). The
    caller passes only runs its user may see figures of."""
    run_ids = list(run_ids)
    if due is None:
        now = timezone.now()
        due = {
            row["pk"]: _followup_due(
                row["ends_at"], row["training__programme__evaluation_settings__followup_weeks"], now
            )
            for row in Run.objects.filter(pk__in=run_ids).values(
                "pk", "ends_at", "training__programme__evaluation_settings__followup_weeks"
            )
        }
    asked = dict(
        evaluation_invitees(run_ids=[pk for pk, is_due in due.items() if is_due])
        .values("run_id")
        .annotate(n=Count("pk"))
        .values_list("run_id", "n")
    )
    answered = dict(
        FollowupRespondent.objects.filter(run_id__in=run_ids)
        .values("run_id")
        .annotate(n=Count("pk"))
        .values_list("run_id", "n")
    )
    contacted = dict(
        FollowupAnswer.objects.filter(run_id__in=run_ids, contacted=True)
        .values("run_id")
        .annotate(n=Count("pk"))
        .values_list("run_id", "n")
    )
    per_organisation: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        FollowupContact.objects.filter(answer__run_id__in=run_ids)
        .values("answer__run_id", "organisation__name")
        .annotate(n=Count("pk"))
    ):
        per_organisation[row["answer__run_id"]][row["organisation__name"]] = row["n"]
    return {
        run_id: evaluation.followup_totals(
            asked=asked.get(run_id, 0),
            answered=answered.get(run_id, 0),
            contacted=contacted.get(run_id, 0),
            per_organisation=per_organisation[run_id],
        )
        for run_id in run_ids
    }


def _questionnaires_owed(
    *,
    invited: bool,
    evaluated: bool,
    followed: bool,
    followup_weeks: int | None,
    ends_at: datetime | None,
    now: datetime,
) -> list[str]:
    """ "evaluation" and/or "followup" when the user may answer it now: invited
    (``evaluation_invitees``) to a run that ended, not yet answered, the samenwerkingsmeter
    from the programme's follow-up weeks after the end."""
    if not invited or ends_at is None or ends_at > now:
        return []
    kinds = []
    if not evaluated:
        kinds.append("evaluation")
    followup_at = ends_at + timedelta(
        weeks=evaluation.DEFAULT_FOLLOWUP_WEEKS if followup_weeks is None else followup_weeks
    )
    if not followed and followup_at <= now:
        kinds.append("followup")
    return kinds


def followup_outcomes(*, user: User, run: Run, answered: int) -> list[str]:
    """What came of the contacts, shuffled and unattributed: the programme's coordinators
    only, and only from 5 answers (``answered``, from ``followup_summary``)."""
    if not permissions.sees_evaluation_details(user, run) or not evaluation.shown(answered):
        return []
    return evaluation.shuffled(
        list(
            FollowupAnswer.objects.filter(run=run)
            .exclude(outcome="")
            .values_list("outcome", flat=True)
        )
    )


def _attended_count():
    """Sessions that count (not called off) at which the enrolment was marked present."""
    present = (
        Attendance.objects.filter(
            enrolment_id=OuterRef("pk"),
            status=AttendanceStatus.PRESENT,
            session__is_cancelled=False,
        )
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(present, output_field=IntegerField()), Value(0))


def _with_completion_data(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """``attended_count`` and ``certificate_list`` (newest first) on each enrolment."""
    return enrolments.annotate(attended_count=_attended_count()).prefetch_related(
        Prefetch(
            "certificates",
            queryset=Certificate.objects.order_by("-issued_at", "-pk"),
            to_attr="certificate_list",
        )
    )


def _end_review_written(learned: str | None) -> bool:
    return bool((learned or "").strip())


def _facts(
    *,
    run: Run,
    sessions: list[Session],
    enrolment_status: str,
    attended: int,
    end_review_written: bool,
) -> completion.Facts:
    counted, ended = _session_counts(sessions, timezone.now())
    return _counted_facts(
        run=run,
        sessions=counted,
        sessions_ended=ended,
        enrolment_status=enrolment_status,
        attended=attended,
        end_review_written=end_review_written,
    )


def _session_counts(sessions: Iterable, now: datetime) -> tuple[int, int]:
    """The sessions that count (not called off) and how many of them ended by ``now``;
    ``sessions`` need ``is_cancelled`` and ``ends_at``."""
    counting = [session for session in sessions if not session.is_cancelled]
    return len(counting), sum(1 for session in counting if session.ends_at <= now)


def _facts_of(
    *,
    min_attendance_percent: int,
    end_review_required: bool,
    run_status: str,
    sessions: Iterable,
    enrolment_status: str,
    attended: int,
    end_review_written: bool,
    now: datetime,
) -> completion.Facts:
    """The rule's facts from plain values (the rows of "my trainings" read in SQL)."""
    counted, ended = _session_counts(sessions, now)
    return _counted_facts_of(
        min_attendance_percent=min_attendance_percent,
        end_review_required=end_review_required,
        run_status=run_status,
        sessions=counted,
        sessions_ended=ended,
        enrolment_status=enrolment_status,
        attended=attended,
        end_review_written=end_review_written,
    )


def _counted_facts(
    *,
    run: Run,
    sessions: int,
    sessions_ended: int,
    enrolment_status: str,
    attended: int,
    end_review_written: bool,
) -> completion.Facts:
    """The facts of the completion rule from counts: ``sessions`` of the run not called off,
    ``sessions_ended`` of them ended; ``run`` with its training."""
    return _counted_facts_of(
        min_attendance_percent=run.training.min_attendance_percent,
        end_review_required=run.training.end_review_required,
        run_status=run.status,
        sessions=sessions,
        sessions_ended=sessions_ended,
        enrolment_status=enrolment_status,
        attended=attended,
        end_review_written=end_review_written,
    )


def _counted_facts_of(
    *,
    min_attendance_percent: int,
    end_review_required: bool,
    run_status: str,
    sessions: int,
    sessions_ended: int,
    enrolment_status: str,
    attended: int,
    end_review_written: bool,
) -> completion.Facts:
    """The one place the rule's facts are made: every other ``_facts`` comes here."""
    return completion.Facts(
        min_attendance_percent=min_attendance_percent,
        end_review_required=end_review_required,
        sessions=sessions,
        sessions_ended=sessions_ended,
        attended=attended,
        end_review_written=end_review_written,
        holds_place=enrolment_status == EnrolmentStatus.ENROLLED,
        run_cancelled=run_status == RunStatus.CANCELLED,
        run_completed=run_status == RunStatus.COMPLETED,
    )


def completion_of(
    *, enrolment: Enrolment, sessions: list[Session], run: Run | None = None
) -> completion.Completion:
    """The completion rule applied to an enrolment read by ``enrolment_of``, ``my_enrolments``
    or ``run_register`` (``attended_count`` annotated), with its run's ``sessions``; pass the
    ``run`` already read (with its training) where the enrolment did not join it.
    No query of its own beyond the development plan when that was not joined."""
    plan = development_plan_of(enrolment)
    return completion.evaluate(
        _facts(
            run=run or enrolment.run,
            sessions=sessions,
            enrolment_status=enrolment.status,
            attended=enrolment.attended_count,
            end_review_written=_end_review_written(plan.learned if plan else None),
        )
    )


def completion_counts(
    *,
    run_ids: Iterable[int],
    runs: Iterable[Run] | None = None,
    sessions: dict[int, list[Session]] | None = None,
) -> dict[int, tuple[int, int]]:
    """Per run: (participants who completed it, participants holding a place).

    For the programme dashboard. Three queries (runs, their sessions, places held), whatever
    the number of runs and participants. A run without places held is (0, 0); an unknown id
    is left out. The caller filters ``run_ids`` to what the user may see. Eligible means
    holding a place (enrolled); withdrawn and waiting participants are not counted. A caller
    that has read these runs with their training passes them as ``runs``: one query fewer;
    one that has read their sessions too passes them as ``sessions`` (run id to its list).
    """
    run_ids = list(run_ids)
    if not run_ids:
        return {}
    wanted = set(run_ids)
    read = (
        runs if runs is not None else Run.objects.filter(pk__in=run_ids).select_related("training")
    )
    runs_by_id = {run.pk: run for run in read if run.pk in wanted}
    # The sessions in one plain query grouped here: a prefetch builds a queryset per run,
    # which costs more than the rule itself once a period holds hundreds of runs.
    if sessions is None:
        sessions = {run_id: [] for run_id in runs_by_id}
        for session in Session.objects.filter(run_id__in=runs_by_id).only(
            "pk", "run_id", "is_cancelled", "ends_at"
        ):
            sessions[session.run_id].append(session)
    counts = {run_id: [0, 0] for run_id in runs_by_id}
    # The rule reads the run, the attendance and whether the end review is written, nothing
    # else of a participant: the database counts the participants per combination, and the
    # rule runs once per combination instead of once per participant.
    rows = (
        Enrolment.objects.filter(run_id__in=runs_by_id, status=EnrolmentStatus.ENROLLED)
        .annotate(
            attended_count=_attended_count(),
            # The same test as ``_end_review_written``: something other than white space.
            review_written=ExpressionWrapper(
                Q(development_plan__learned__regex=r"\S"), output_field=BooleanField()
            ),
        )
        .order_by()
        .values_list("run_id", "attended_count", "review_written")
        .annotate(people=Count("pk"))
    )
    for run_id, attended, written, people in rows:
        run = runs_by_id[run_id]
        complete = completion.evaluate(
            _facts(
                run=run,
                sessions=sessions[run_id],
                enrolment_status=EnrolmentStatus.ENROLLED,
                attended=attended,
                end_review_written=bool(written),
            )
        ).is_complete
        counts[run_id][1] += people
        counts[run_id][0] += people if complete else 0
    return {run_id: (done, eligible) for run_id, (done, eligible) in counts.items()}


def _certificate_enrolments() -> QuerySet[Enrolment]:
    """Enrolments with everything the completion rule and the certificate read."""
    return _with_completion_data(
        Enrolment.objects.select_related(
            "run",
            "run__training",
            "run__training__provider",
            "run__training__programme",
            "participant",
            "development_plan",
        ).prefetch_related(
            Prefetch("run__sessions", queryset=Session.objects.order_by("starts_at", "pk"))
        )
    )


def own_enrolment_for_certificate(*, user: User, enrolment_id: int) -> Enrolment | None:
    """The user's own enrolment with what the certificate needs; anyone else's is None."""
    return _certificate_enrolments().filter(pk=enrolment_id, participant_id=user.pk).first()


def managed_enrolment(*, user: User, enrolment_id: int) -> Enrolment | None:
    """An enrolment in a run of a programme the user coordinates, ready for the certificate."""
    enrolment = _certificate_enrolments().filter(pk=enrolment_id).first()
    if enrolment is None or not permissions.can_manage_run(user, enrolment.run):
        return None
    return enrolment


def managed_certificate(*, user: User, certificate_id: int) -> Certificate | None:
    """A certificate of a run of a programme the user coordinates."""
    certificate = (
        Certificate.objects.select_related(
            "enrolment", "enrolment__run", "enrolment__run__training", "enrolment__participant"
        )
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or not permissions.can_manage_run(user, certificate.enrolment.run):
        return None
    return certificate


def certificate_by_code(*, typed: str) -> Certificate | None:
    """The certificate a typed code names (case, dashes and spaces do not matter)."""
    code = codes.normalise(typed)
    if code is None:
        return None
    return Certificate.objects.filter(code=code).first()


def dashboard_programmes(*, user: User) -> QuerySet[Programme]:
    """The programmes whose dashboard the user may open: all for beheerders."""
    if portal_permissions.is_beheerder(user):
        return Programme.objects.order_by("name")
    return Programme.objects.filter(
        pk__in=portal_permissions.coordinated_programme_ids(user)
    ).order_by("name")


def dashboard_programme(*, user: User, programme_id: int) -> Programme | None:
    """The programme, or None when it does not exist or the user may not see its dashboard."""
    if not permissions.can_view_programme_dashboard(user, programme_id):
        return None
    # With its evaluation settings (none: the defaults): the runs page reads the follow-up
    # weeks from them.
    return Programme.objects.select_related("evaluation_settings").filter(pk=programme_id).first()


@dataclass(frozen=True)
class DashboardFigures:
    """What the dashboard counts for one programme and period (``programme_stats``)."""

    runs: list[stats.RunFigures]
    totals: stats.Totals
    matrix: list[stats.MatrixEntry]
    # Per run id: (completed, holding a place), as ``completion_counts`` returns.
    completion: dict[int, tuple[int, int]]
    # Per run id: its answers and the sum and count of its scale scores, and the runs at the
    # threshold added up by the evaluation rule (``evaluation.combine``).
    evaluations: dict[int, evaluation.GroupTotals]
    evaluations_combined: evaluation.Combined
    # Per run id: the samenwerkingsmeter, as ``followup_summary`` returns.
    followups: dict[int, evaluation.FollowupTotals]

    @property
    def run_ids(self) -> list[int]:
        return [run.run_id for run in self.runs]


# Runs that count: published or completed (drafts were never offered, cancelled runs held
# nothing). Sessions that count: not called off.
DASHBOARD_RUN_STATUSES = (RunStatus.PUBLISHED, RunStatus.COMPLETED)

# Someone waited for a place: never placed, or placed later than they asked (moved up).
EVER_WAITED = Q(enrolled_at__isnull=True) | Q(enrolled_at__gt=F("requested_at"))


def _day_bounds(period: stats.Period) -> tuple[datetime, datetime]:
    """The period's first moment and the first moment after it, in local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(period.first, time.min, tzinfo=zone),
        datetime.combine(period.end, time.min, tzinfo=zone),
    )


def _held_sessions(prefix: str, *, period: stats.Period, now: datetime) -> Q:
    """Sessions in the period that were not called off and have begun by ``now``."""
    start, end = _day_bounds(period)
    return Q(
        **{
            f"{prefix}is_cancelled": False,
            f"{prefix}starts_at__gte": start,
            f"{prefix}starts_at__lt": min(end, now),
        }
    )


def dashboard_runs(*, programme: Programme, period: stats.Period, now: datetime) -> QuerySet[Run]:
    """The programme's runs with a session in the period. One query; the counts per run are
    read by ``_dashboard_run_counts``."""
    start, end = _day_bounds(period)
    in_period = Session.objects.filter(
        run=OuterRef("pk"), is_cancelled=False, starts_at__gte=start, starts_at__lt=end
    )
    return (
        Run.objects.filter(training__programme=programme, status__in=DASHBOARD_RUN_STATUSES)
        .filter(Exists(in_period))
        .select_related("training", "training__provider")
        .order_by("starts_at", "pk")
    )


def _dashboard_run_counts(
    *, run_ids: list[int], period: stats.Period, now: datetime
) -> tuple[dict[int, dict], dict[int, dict]]:
    """Per run id: its enrolment counts and its attendance counts in the period. Two grouped
    queries, each reading the rows of these runs once (a count per run and per figure as a
    correlated subquery read them seven times)."""
    enrolments = {
        row["run_id"]: row
        for row in Enrolment.objects.filter(run_id__in=run_ids)
        .order_by()
        .values("run_id")
        .annotate(
            enrolled=Count("pk", filter=Q(status=EnrolmentStatus.ENROLLED)),
            waiting_now=Count("pk", filter=Q(status=EnrolmentStatus.WAITLISTED)),
            ever_waited=Count("pk", filter=EVER_WAITED),
            never_placed=Count("pk", filter=Q(enrolled_at__isnull=True)),
        )
    }
    attendance = {
        row["session__run_id"]: row
        for row in Attendance.objects.filter(
            _held_sessions("session__", period=period, now=now), session__run_id__in=run_ids
        )
        .order_by()
        .values("session__run_id")
        .annotate(
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
            absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
            excused=Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
        )
    }
    return enrolments, attendance


def _run_figures(
    shown: list[Run], *, period: stats.Period, now: datetime
) -> list[stats.RunFigures]:
    """The figures of these runs (read with their training and provider): two queries."""
    enrolments, attendance = _dashboard_run_counts(
        run_ids=[run.pk for run in shown], period=period, now=now
    )
    return [
        stats.RunFigures(
            run_id=run.pk,
            training=run.training.title,
            provider=run.training.provider.name,
            provider_id=run.training.provider_id,
            starts_on=timezone.localdate(run.starts_at) if run.starts_at else None,
            capacity=run.capacity,
            enrolled=enrolments.get(run.pk, {}).get("enrolled", 0),
            waiting_now=enrolments.get(run.pk, {}).get("waiting_now", 0),
            ever_waited=enrolments.get(run.pk, {}).get("ever_waited", 0),
            never_placed=enrolments.get(run.pk, {}).get("never_placed", 0),
            present=attendance.get(run.pk, {}).get("present", 0),
            absent=attendance.get(run.pk, {}).get("absent", 0),
            excused=attendance.get(run.pk, {}).get("excused", 0),
            finished=run.status == RunStatus.COMPLETED
            or (run.ends_at is not None and run.ends_at <= now),
        )
        for run in shown
    ]


def programme_dashboard(
    *, programme: Programme, period: stats.Period, now: datetime
) -> DashboardFigures:
    """Everything the dashboard counts, run by run, in fifteen queries whatever the number
    of runs: six for runs, their enrolments and attendance, waiting list, people trained and
    matrix, two for completion, two for the evaluations, five for the samenwerkingsmeter
    (fewer when there is nothing to ask). It reads every enrolment of the period: the page
    shows ``programme_overview`` counted by a task, the downloads call this."""
    shown = list(dashboard_runs(programme=programme, period=period, now=now))
    runs = _run_figures(shown, period=period, now=now)
    run_ids = [run.run_id for run in runs]
    waiting = Enrolment.objects.filter(run_id__in=run_ids).aggregate(
        waited=Count("participant", distinct=True, filter=EVER_WAITED),
        never_placed=Count("participant", distinct=True, filter=Q(enrolled_at__isnull=True)),
    )
    attended = Attendance.objects.filter(
        _held_sessions("session__", period=period, now=now),
        session__run_id__in=run_ids,
        status=AttendanceStatus.PRESENT,
    )
    trained = attended.aggregate(
        trained=Count("enrolment__participant", distinct=True),
        elsewhere=Count(
            "enrolment__participant",
            distinct=True,
            filter=Q(enrolment__participant__organisation__isnull=True)
            | ~Q(enrolment__participant__organisation=F("session__run__training__provider")),
        ),
    )
    matrix = [
        stats.MatrixEntry(
            row_id=entry["row_id"],
            row_name=entry["row_name"] or "",
            column_id=entry["column_id"],
            column_name=entry["column_name"],
            people=entry["people"],
        )
        for entry in attended.order_by()
        .values(
            row_id=F("enrolment__participant__organisation_id"),
            row_name=F("enrolment__participant__organisation__name"),
            column_id=F("session__run__training__provider_id"),
            column_name=F("session__run__training__provider__name"),
        )
        .annotate(people=Count("enrolment__participant", distinct=True))
    ]
    evaluation_groups = _evaluation_totals(run_ids)
    return DashboardFigures(
        runs=runs,
        totals=stats.Totals(
            waited=waiting["waited"],
            never_placed=waiting["never_placed"],
            trained=trained["trained"],
            trained_elsewhere=trained["elsewhere"],
        ),
        matrix=matrix,
        completion=completion_counts(run_ids=run_ids, runs=shown),
        evaluations=evaluation_groups,
        evaluations_combined=evaluation.combine(evaluation_groups.values()),
        followups=followup_summary(run_ids=run_ids),
    )


def programme_overview(
    *, programme: Programme, period: stats.Period, now: datetime
) -> stats.Overview:
    """The period's figures per providing partner, for the page: counted by a task
    (``services.programme_overview_count``), as it reads every enrolment of the period."""
    figures = programme_dashboard(programme=programme, period=period, now=now)
    none = evaluation.GroupTotals(answers=0, score_sum=0, score_count=0)
    per_run = {}
    contacts: dict[str, int] = defaultdict(int)
    for run_id in figures.run_ids:
        group = figures.evaluations.get(run_id, none)
        followup = figures.followups.get(run_id)
        per_run[run_id] = stats.RunEvaluation(
            answers=group.answers,
            score_sum=group.score_sum,
            score_count=group.score_count,
            evaluation_shown=evaluation.shown(group.answers),
            asked=followup.asked if followup else 0,
            answered=followup.answered if followup else 0,
            contacted=followup.contacted if followup else None,
        )
        if followup and followup.shown:
            for name, count in (followup.per_organisation or {}).items():
                contacts[name] += count
    return stats.Overview(
        partners=stats.partner_rows(figures.runs, figures.completion, per_run),
        totals=figures.totals,
        matrix=figures.matrix,
        contacts=dict(sorted(contacts.items(), key=lambda item: (-item[1], item[0].lower()))),
    )


# The task that counts the overview, queued by name (``trainings.tasks`` imports services).
OVERVIEW_TASK = "trainings.tasks.count_programme_overview"


def overview_key(*, programme_id: int, period: stats.Period) -> str:
    return f"trainings.programme_overview:{programme_id}:{period.first}:{period.last}"


@dataclass(frozen=True)
class OverviewState:
    """The overview last counted for a programme and period: None before the first count."""

    overview: stats.Overview | None
    computed_at: datetime | None
    # No count yet, or an old one and none asked for since: the page asks for one.
    due: bool


def programme_overview_state(
    *, programme: Programme, period: stats.Period, now: datetime
) -> OverviewState:
    """One query: the counted overview, however many runs and enrolments the period holds."""
    snapshot = portal_selectors.figures_snapshot(
        key=overview_key(programme_id=programme.pk, period=period)
    )
    counted = snapshot is not None and snapshot.figures is not None
    return OverviewState(
        overview=stats.Overview.from_json(snapshot.figures) if counted else None,
        computed_at=snapshot.computed_at if counted else None,
        due=portal_selectors.figures_snapshot_due(snapshot, now=now),
    )


RUN_PAGE_SIZE = 25


@dataclass(frozen=True)
class RunPage:
    """One page of the period's runs with their figures (no totals: those are the
    overview's); ``previous_before`` and ``next_after`` are the run ids the links page from."""

    figures: DashboardFigures
    provider: Organisation | None
    previous_before: int | None
    next_after: int | None


# The page of runs, on every view of it, written as SQL (see ``portal.sql``): building its
# counts with the ORM took longer than the database took to answer them. Each statement
# says which definition it follows; ``tests/trainings/test_programme_dashboard.py`` holds
# the figures of every run to those of ``programme_dashboard`` (the ORM) at two volumes.
#
# The organisations providing trainings of the programme, by name.
_DASHBOARD_PROVIDERS_SQL = (
    "SELECT o.id, o.name FROM portal_organisation o WHERE o.id IN ("
    "SELECT t.provider_id FROM trainings_training t WHERE t.programme_id = %s) ORDER BY o.name"
)
# A page of ``dashboard_runs`` (of one provider, after or before a run: the ``parts``), with
# what the figures and the completion rule read of each run and its training.
_DASHBOARD_RUN_PAGE_SQL = (
    "SELECT r.id, r.status, r.capacity, r.starts_at, r.ends_at, r.training_id, t.title, "
    "t.provider_id, o.name, t.min_attendance_percent, t.end_review_required "
    "FROM trainings_run r JOIN trainings_training t ON t.id = r.training_id "
    "JOIN portal_organisation o ON o.id = t.provider_id "
    "WHERE t.programme_id = %s AND r.status IN ({statuses}){provider}{anchor} AND EXISTS ("
    "SELECT 1 FROM trainings_session s WHERE s.run_id = r.id AND s.is_cancelled = %s "
    "AND s.starts_at >= %s AND s.starts_at < %s) ORDER BY {order} LIMIT %s"
)
_ONE_PROVIDER = " AND t.provider_id = %s"
_AFTER = " AND (r.starts_at > %s OR (r.starts_at = %s AND r.id > %s))"
_BEFORE = " AND (r.starts_at < %s OR (r.starts_at = %s AND r.id < %s))"
_FORWARD, _BACKWARD = "r.starts_at, r.id", "r.starts_at DESC, r.id DESC"
_RUN_START_SQL = "SELECT starts_at FROM trainings_run WHERE id = %s"
# Per run: the enrolments (``_dashboard_run_counts``, ``EVER_WAITED``) and the attendance at
# sessions held in the period (``_held_sessions``), each grouped once over these runs' rows;
# the sessions that count and those ended (``_facts``), the evaluations
# (``_evaluation_totals``) and the samenwerkingsmeter's answers (``followup_summary``), each a
# subquery on the run's own index (as joins they took the planner longer than the answer).
_DASHBOARD_RUN_FIGURES_SQL = (
    "SELECT r.id, COALESCE(e.enrolled, 0), COALESCE(e.waiting_now, 0), "
    "COALESCE(e.ever_waited, 0), COALESCE(e.never_placed, 0), COALESCE(a.present, 0), "
    "COALESCE(a.absent, 0), COALESCE(a.excused, 0), "
    "(SELECT COUNT(*) FROM trainings_session s WHERE s.run_id = r.id AND s.is_cancelled = %s), "
    "(SELECT COUNT(*) FROM trainings_session s WHERE s.run_id = r.id AND s.is_cancelled = %s "
    "AND s.ends_at <= %s), "
    "(SELECT COUNT(*) FROM trainings_evaluationrespondent v WHERE v.run_id = r.id), "
    "(SELECT COALESCE(SUM(x.score), 0) FROM trainings_evaluationanswer x "
    "JOIN trainings_runquestion q ON q.id = x.question_id "
    "WHERE q.run_id = r.id AND x.score IS NOT NULL), "
    "(SELECT COUNT(*) FROM trainings_evaluationanswer x "
    "JOIN trainings_runquestion q ON q.id = x.question_id "
    "WHERE q.run_id = r.id AND x.score IS NOT NULL), "
    "(SELECT COUNT(*) FROM trainings_followuprespondent f WHERE f.run_id = r.id), "
    "(SELECT COUNT(*) FROM trainings_followupanswer c WHERE c.run_id = r.id AND c.contacted = %s) "
    "FROM trainings_run r LEFT JOIN ("
    "SELECT run_id, SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) AS enrolled, "
    "SUM(CASE WHEN status = %s THEN 1 ELSE 0 END) AS waiting_now, "
    "SUM(CASE WHEN enrolled_at IS NULL OR enrolled_at > requested_at THEN 1 ELSE 0 END) "
    "AS ever_waited, SUM(CASE WHEN enrolled_at IS NULL THEN 1 ELSE 0 END) AS never_placed "
    "FROM trainings_enrolment WHERE run_id IN ({runs}) GROUP BY run_id) e ON e.run_id = r.id "
    "LEFT JOIN (SELECT s.run_id, SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS present, "
    "SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS absent, "
    "SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS excused "
    "FROM trainings_attendance a JOIN trainings_session s ON s.id = a.session_id "
    "WHERE s.run_id IN ({runs}) AND s.is_cancelled = %s AND s.starts_at >= %s "
    "AND s.starts_at < %s GROUP BY s.run_id) a ON a.run_id = r.id "
    "WHERE r.id IN ({runs})"
)
# The places held in these runs, counted per run and per what the completion rule reads of
# a participant (``completion_counts``: sessions attended that count, the end review written
# as ``_end_review_written``) and whether they never came (``_never_present``: attendance
# recorded, never present), which leaves them out of the invitees.
_DASHBOARD_RUN_PLACES_SQL = (
    "SELECT run_id, attended, written, never_came, COUNT(*) FROM ("
    "SELECT e.run_id, COALESCE(a.attended, 0) AS attended, "
    # The plan read per place through its index (an EXISTS the planner may turn into a
    # hash of every plan written).
    "CASE WHEN {written} THEN 1 ELSE 0 END AS written, "
    "CASE WHEN a.recorded > 0 AND a.present = 0 THEN 1 ELSE 0 END AS never_came "
    "FROM trainings_enrolment e LEFT JOIN ("
    "SELECT a.enrolment_id, COUNT(*) AS recorded, "
    "SUM(CASE WHEN a.status = %s THEN 1 ELSE 0 END) AS present, "
    "SUM(CASE WHEN a.status = %s AND s.is_cancelled = %s THEN 1 ELSE 0 END) AS attended "
    "FROM trainings_attendance a JOIN trainings_enrolment b ON b.id = a.enrolment_id "
    "JOIN trainings_session s ON s.id = a.session_id "
    "WHERE b.run_id IN ({runs}) GROUP BY a.enrolment_id) a ON a.enrolment_id = e.id "
    "WHERE e.run_id IN ({runs}) AND e.status = %s) places "
    "GROUP BY run_id, attended, written, never_came"
)
# The organisations named in the samenwerkingsmeter's answers of these runs, per run.
_DASHBOARD_RUN_CONTACTS_SQL = (
    "SELECT a.run_id, o.name, COUNT(*) FROM trainings_followupcontact c "
    "JOIN trainings_followupanswer a ON a.id = c.answer_id "
    "JOIN portal_organisation o ON o.id = c.organisation_id "
    "WHERE a.run_id IN ({runs}) GROUP BY a.run_id, o.name"
)
# In the order of the model's fields, as ``Model.from_db`` takes them.
_PAGE_RUN_FIELDS = ("id", "training_id", "capacity", "status", "starts_at", "ends_at")
_PAGE_TRAINING_FIELDS = (
    "id",
    "title",
    "provider_id",
    "min_attendance_percent",
    "end_review_required",
)
_PROVIDER_FIELDS = ("id", "name")


def _written(column: str) -> str:
    """``column`` holds something other than white space (``_end_review_written``), in the
    database's own words for a regular expression (the pattern a parameter)."""
    return f"{column} {connection.operators['regex'] % '%s'}"


def dashboard_providers(*, programme: Programme) -> list[Organisation]:
    """The organisations providing trainings of the programme, by name (id and name)."""
    return [
        Organisation.from_db(None, _PROVIDER_FIELDS, row)
        for row in sql.fetch_all(_DASHBOARD_PROVIDERS_SQL, [programme.pk])
    ]


def _dashboard_run_rows(
    *,
    programme: Programme,
    period: stats.Period,
    provider: Organisation | None,
    anchor: tuple[datetime, int] | None,
    backward: bool,
) -> list[Run]:
    """``RUN_PAGE_SIZE`` + 1 runs of ``dashboard_runs`` from ``anchor`` (start, id) on, or
    back from it, each with its training (and the training's provider's name)."""
    start, end = _day_bounds(period)
    params: list = [programme.pk, *DASHBOARD_RUN_STATUSES]
    if provider is not None:
        params.append(provider.pk)
    if anchor is not None:
        params += [sql.moment(anchor[0]), sql.moment(anchor[0]), anchor[1]]
    params += [False, sql.moment(start), sql.moment(end), RUN_PAGE_SIZE + 1]
    statement = sql.expand(
        _DASHBOARD_RUN_PAGE_SQL,
        statuses=DASHBOARD_RUN_STATUSES,
        parts={
            "provider": _ONE_PROVIDER if provider is not None else "",
            "anchor": "" if anchor is None else _BEFORE if backward else _AFTER,
            "order": _BACKWARD if backward else _FORWARD,
        },
    )
    runs = []
    for (
        pk,
        status,
        capacity,
        starts_at,
        ends_at,
        training_id,
        title,
        provider_id,
        provider_name,
        percent,
        review_required,
    ) in sql.fetch_all(statement, params):
        run = Run.from_db(
            None,
            _PAGE_RUN_FIELDS,
            (pk, training_id, capacity, status, sql.timestamp(starts_at), sql.timestamp(ends_at)),
        )
        training = Training.from_db(
            None,
            _PAGE_TRAINING_FIELDS,
            (training_id, title, provider_id, percent, bool(review_required)),
        )
        Training.provider.field.set_cached_value(
            training, Organisation.from_db(None, _PROVIDER_FIELDS, (provider_id, provider_name))
        )
        Run.training.field.set_cached_value(run, training)
        runs.append(run)
    return runs


def _dashboard_page_figures(
    shown: list[Run], *, period: stats.Period, now: datetime, followup_weeks: int | None
) -> DashboardFigures:
    """The figures of a page of runs (read by ``_dashboard_run_rows``) in three queries: the
    counts of every run, the places held grouped by what completion and the invitation read,
    and the organisations contacted. The same figures as ``programme_dashboard`` gives
    these runs."""
    if not shown:
        return DashboardFigures(
            runs=[],
            totals=stats.Totals(waited=0, never_placed=0, trained=0, trained_elsewhere=0),
            matrix=[],
            completion={},
            evaluations={},
            evaluations_combined=evaluation.combine([]),
            followups={},
        )
    run_ids = [run.pk for run in shown]
    start, end = _day_bounds(period)
    counts = {
        row[0]: row[1:]
        for row in sql.fetch_all(
            sql.expand(_DASHBOARD_RUN_FIGURES_SQL, runs=run_ids),
            [
                False,
                False,
                sql.moment(now),
                True,
                EnrolmentStatus.ENROLLED,
                EnrolmentStatus.WAITLISTED,
                *run_ids,
                AttendanceStatus.PRESENT,
                AttendanceStatus.ABSENT,
                AttendanceStatus.EXCUSED,
                *run_ids,
                False,
                sql.moment(start),
                sql.moment(min(end, now)),
                *run_ids,
            ],
        )
    }
    written = _written(
        "(SELECT d.learned FROM trainings_developmentplan d WHERE d.enrolment_id = e.id)"
    )
    places = sql.fetch_all(
        sql.expand(_DASHBOARD_RUN_PLACES_SQL, runs=run_ids, parts={"written": written}),
        [
            r"\S",
            AttendanceStatus.PRESENT,
            AttendanceStatus.PRESENT,
            False,
            *run_ids,
            *run_ids,
            EnrolmentStatus.ENROLLED,
        ],
    )
    per_organisation: dict[int, dict[str, int]] = defaultdict(dict)
    for run_id, name, n in sql.fetch_all(
        sql.expand(_DASHBOARD_RUN_CONTACTS_SQL, runs=run_ids), run_ids
    ):
        per_organisation[run_id][name] = n
    runs_by_id = {run.pk: run for run in shown}
    completed = {run_id: [0, 0] for run_id in run_ids}
    invited: dict[int, int] = defaultdict(int)
    for run_id, attended, is_written, never_came, people in places:
        run = runs_by_id[run_id]
        sessions, ended = counts[run_id][7:9]
        complete = completion.evaluate(
            _counted_facts(
                run=run,
                sessions=sessions,
                sessions_ended=ended,
                enrolment_status=EnrolmentStatus.ENROLLED,
                attended=attended,
                end_review_written=bool(is_written),
            )
        ).is_complete
        completed[run_id][1] += people
        completed[run_id][0] += people if complete else 0
        if not never_came:
            invited[run_id] += people
    runs, evaluations, followups = [], {}, {}
    for run in shown:
        (
            enrolled,
            waiting_now,
            ever_waited,
            never_placed,
            present,
            absent,
            excused,
            _sessions,
            _ended,
            answers,
            score_sum,
            score_count,
            answered,
            contacted,
        ) = counts[run.pk]
        runs.append(
            stats.RunFigures(
                run_id=run.pk,
                training=run.training.title,
                provider=run.training.provider.name,
                provider_id=run.training.provider_id,
                starts_on=timezone.localdate(run.starts_at) if run.starts_at else None,
                capacity=run.capacity,
                enrolled=enrolled,
                waiting_now=waiting_now,
                ever_waited=ever_waited,
                never_placed=never_placed,
                present=present,
                absent=absent,
                excused=excused,
                finished=run.status == RunStatus.COMPLETED
                or (run.ends_at is not None and run.ends_at <= now),
            )
        )
        evaluations[run.pk] = evaluation.GroupTotals(
            answers=answers, score_sum=score_sum, score_count=score_count
        )
        # Asked only once the follow-up moment passed, as ``followup_summary``.
        due = _followup_due(run.ends_at, followup_weeks, now)
        followups[run.pk] = evaluation.followup_totals(
            asked=invited[run.pk] if due else 0,
            answered=answered,
            contacted=contacted,
            per_organisation=per_organisation[run.pk],
        )
    return DashboardFigures(
        runs=runs,
        totals=stats.Totals(waited=0, never_placed=0, trained=0, trained_elsewhere=0),
        matrix=[],
        completion={run_id: (done, held) for run_id, (done, held) in completed.items()},
        evaluations=evaluations,
        evaluations_combined=evaluation.combine(evaluations.values()),
        followups=followups,
    )


def dashboard_run_page(
    *,
    programme: Programme,
    period: stats.Period,
    now: datetime,
    providers: list[Organisation],
    provider_id: int | None = None,
    after: int | None = None,
    before: int | None = None,
) -> RunPage:
    """``RUN_PAGE_SIZE`` runs of the period (of one provider, if given: one of
    ``providers``, read by ``dashboard_providers``) after or before the run with that id, in
    start order, with their figures. Four queries (five when paging), reading only these
    runs' rows: paged by the last run's start and id, not by an offset."""
    provider = next((p for p in providers if p.pk == provider_id), None)
    anchor_id = after if after is not None else before
    found = sql.fetch_one(_RUN_START_SQL, [anchor_id]) if anchor_id is not None else None
    starts_at = sql.timestamp(found[0]) if found else None
    backward = starts_at is not None and before is not None
    anchor = None
    if starts_at is not None:
        anchor = (starts_at, before if backward else after)
    shown = _dashboard_run_rows(
        programme=programme, period=period, provider=provider, anchor=anchor, backward=backward
    )
    if backward:
        has_previous, has_next = len(shown) > RUN_PAGE_SIZE, True
        shown = shown[:RUN_PAGE_SIZE][::-1]
    else:
        has_previous, has_next = anchor is not None, len(shown) > RUN_PAGE_SIZE
        shown = shown[:RUN_PAGE_SIZE]
    # Every run shown is of this programme: its follow-up weeks read with it.
    settings = getattr(programme, "evaluation_settings", None)
    return RunPage(
        figures=_dashboard_page_figures(
            shown,
            period=period,
            now=now,
            followup_weeks=settings.followup_weeks if settings is not None else None,
        ),
        provider=provider,
        previous_before=shown[0].pk if shown and has_previous else None,
        next_after=shown[-1].pk if shown and has_next else None,
    )


@dataclass(frozen=True)
class AwarenessRoomView:
    """One session of a bewustwordingssessie as someone in its room sees it."""

    session: Session
    step: str
    leads: bool


def awareness_room(*, user: User, session_id: int) -> AwarenessRoomView | None:
    """The room of a session, for its trainers and the participants holding a place; else None.

    Two queries (the trainer role is read once per request).
    """
    teaches = Run.trainers.through.objects.filter(run_id=OuterRef("run_id"), user_id=user.pk)
    holds_place = Enrolment.objects.filter(
        run_id=OuterRef("run_id"), participant_id=user.pk, status=EnrolmentStatus.ENROLLED
    )
    session = (
        Session.objects.filter(
            pk=session_id,
            is_cancelled=False,
            run__training__format=TrainingFormat.AWARENESS,
            run__status__in=(RunStatus.PUBLISHED, RunStatus.COMPLETED),
        )
        .select_related("run", "run__training", "run__training__provider", "awareness_room")
        .annotate(teaches=Exists(teaches), holds_place=Exists(holds_place))
        .first()
    )
    if session is None:
        return None
    leads = session.teaches and portal_permissions.is_trainer(user)
    if not (leads or session.holds_place):
        return None
    room = getattr(session, "awareness_room", None)
    return AwarenessRoomView(
        session=session, step=room.step if room else AwarenessStep.NETWERK, leads=leads
    )


def awareness_definitions(*, session: Session) -> list[AwarenessDefinition]:
    return list(AwarenessDefinition.objects.filter(session=session).order_by("group", "pk"))


def awareness_examples(*, session: Session) -> list[AwarenessExample]:
    """The examples named in the room, in the order they came in; never who named them."""
    return list(
        AwarenessExample.objects.filter(session=session).only("pk", "text", "theme", "session_id")
    )


def _took_part() -> Q:
    """Holding a place and not noted only as absent: who counts as having been there."""
    present = Attendance.objects.filter(enrolment=OuterRef("pk"), status=AttendanceStatus.PRESENT)
    away = Attendance.objects.filter(
        enrolment=OuterRef("pk"),
        status__in=(AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED),
    )
    return Q(status=EnrolmentStatus.ENROLLED) & (Q(Exists(present)) | ~Q(Exists(away)))


@dataclass(frozen=True)
class RoomNetwork:
    """Who is in the room, as counts: per partner organisation and per discipline."""

    total: int
    organisations: list[tuple[str, int]]
    disciplines: list[tuple[str, int]]


def awareness_network(*, session: Session) -> RoomNetwork:
    """The room's participants counted by organisation and by discipline. Two queries."""
    people = Enrolment.objects.filter(_took_part(), run_id=session.run_id)
    by_organisation = list(
        people.values("participant__organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "participant__organisation__name")
        .values_list("participant__organisation__name", "n")
    )
    labels = dict(Discipline.choices)
    by_discipline = [
        (labels.get(discipline, "") if discipline else _("Niet ingevuld"), n)
        for discipline, n in people.values("participant__discipline")
        .annotate(n=Count("pk"))
        .order_by("-n", "participant__discipline")
        .values_list("participant__discipline", "n")
    ]
    return RoomNetwork(
        total=sum(n for _name, n in by_organisation),
        organisations=[(name or _("Geen organisatie"), n) for name, n in by_organisation],
        disciplines=by_discipline,
    )


# What counts as "within three months" after a bewustwordingssessie: thirteen weeks.
AWARENESS_FOLLOW_UP = timedelta(weeks=13)


def awareness_runs_held(
    *, programme_ids, start: datetime, end: datetime, now: datetime | None = None
) -> QuerySet[Run]:
    """The bewustwordingssessies of these programmes that began in [start, end) and by now."""
    now = now or timezone.now()
    return Run.objects.filter(
        training__format=TrainingFormat.AWARENESS,
        training__programme_id__in=list(programme_ids),
        status__in=(RunStatus.PUBLISHED, RunStatus.COMPLETED),
        starts_at__gte=start,
        starts_at__lt=end,
        starts_at__lte=now,
    )


def awareness_follow_up_windows(*, runs: QuerySet[Run]) -> QuerySet[Enrolment]:
    """Per participant of these runs: ``person_id``, ``window_start`` and ``window_end``.

    The window runs from the session's start to ``AWARENESS_FOLLOW_UP`` after its end. A
    queryset, not a list: another app counts against it inside the database, so no person's
    id is read into the portal for it.
    """
    return Enrolment.objects.filter(_took_part(), run__in=runs).annotate(
        person_id=F("participant_id"),
        window_start=F("run__starts_at"),
        window_end=ExpressionWrapper(
            F("run__ends_at") + Value(AWARENESS_FOLLOW_UP), output_field=DateTimeField()
        ),
    )


@dataclass(frozen=True)
class AwarenessFigures:
    sessions: int
    participants: int
    examples: int
    # Whether a session's follow-up window is still open: its signal count may still grow.
    still_open: bool


def awareness_figures(*, runs: QuerySet[Run], now: datetime | None = None) -> AwarenessFigures:
    """Counts of the runs: sessions, people who took part, examples named. Three queries."""
    now = now or timezone.now()
    spans = list(runs.values_list("ends_at", flat=True))
    return AwarenessFigures(
        sessions=len(spans),
        participants=Enrolment.objects.filter(_took_part(), run__in=runs)
        .values("participant_id")
        .distinct()
        .count(),
        examples=AwarenessExample.objects.filter(session__run__in=runs).count(),
        still_open=any(ends and ends + AWARENESS_FOLLOW_UP > now for ends in spans),
    )


def awareness_example_led_by(*, user: User, example_id: int) -> AwarenessExample | None:
    """An example of a room ``user`` leads as its trainer; else None (a guessed id is a 404)."""
    example = AwarenessExample.objects.select_related("session").filter(pk=example_id).first()
    if example is None:
        return None
    view = awareness_room(user=user, session_id=example.session_id)
    return example if view is not None and view.leads else None


# --- retention (registered in ``trainings.retention``) ---------------------------------------
# The anchor of every trainings kind is the end of the run (``Run.ends_at``, the end of its
# last session): before then the data is in use; a run without sessions has none and waits.


def reflections_due_for_deletion(*, cutoff: datetime) -> QuerySet[Reflection]:
    """Reflections on runs that ended before ``cutoff``."""
    return Reflection.objects.filter(session__run__ends_at__lt=cutoff)


def development_plans_due_for_anonymisation(*, cutoff: datetime) -> QuerySet[DevelopmentPlan]:
    """Plans of runs that ended before ``cutoff`` that still hold a participant's text."""
    return DevelopmentPlan.objects.filter(enrolment__run__ends_at__lt=cutoff).exclude(
        content_goals="",
        personal_goals="",
        embedding="",
        needs="",
        learned__in=["", TEXT_REMOVED],
    )


def evaluation_texts_due_for_deletion(*, cutoff: datetime) -> QuerySet[EvaluationAnswer]:
    """Open (text) evaluation answers of runs that ended before ``cutoff``; scores stay."""
    return EvaluationAnswer.objects.filter(score__isnull=True, question__run__ends_at__lt=cutoff)


def followup_outcomes_due_for_anonymisation(*, cutoff: datetime) -> QuerySet[FollowupAnswer]:
    """Samenwerkingsmeters of runs that ended before ``cutoff`` that still hold an outcome text."""
    return FollowupAnswer.objects.filter(run__ends_at__lt=cutoff).exclude(outcome="")
