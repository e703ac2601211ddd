"""Reads for trainings, each filtered to what the user may see and joined for its page."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal import permissions as portal_permissions
from portal.models import Organisation, User

from . import permissions, reflections, textsearch
from .models import (
    Attendance,
    CalendarFeed,
    DevelopmentPlan,
    Element,
    Enrolment,
    EnrolmentStatus,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    LibraryTheme,
    Material,
    Reflection,
    Resource,
    ResourceKind,
    ResourceStatus,
    Run,
    RunStatus,
    Session,
    Training,
)

# Older sessions no longer nag on the home page; the plan page still lists them.
REFLECTION_WINDOW_DAYS = 30
# How long after a run's end its development plan's look back is asked for on the home page.
PLAN_REVIEW_WINDOW_DAYS = 60
# Coordinators are pointed at runs whose enrolment closes within this period with places left.
CLOSING_SOON = timedelta(days=7)
# A move up from the waiting list is pointed out on the home page for this long.
MOVED_UP_WINDOW = timedelta(days=14)
VISIBLE_TO_EVERYONE = (RunStatus.PUBLISHED, RunStatus.CANCELLED, RunStatus.COMPLETED)


def runs_visible_to(user: User) -> QuerySet[Run]:
    """Published, cancelled and completed runs for everyone; drafts for their coordinators."""
    condition = Q(status__in=VISIBLE_TO_EVERYONE)
    programme_ids = portal_permissions.coordinated_programme_ids(user)
    if programme_ids:
        condition |= Q(training__programme_id__in=programme_ids)
    return Run.objects.filter(condition)


def _enrolment_count(status: str):
    """A correlated count: unlike a join, it cannot be multiplied by other joins of the query."""
    per_run = (
        Enrolment.objects.filter(run_id=OuterRef("pk"), status=status)
        .order_by()
        .values("run_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_run, output_field=IntegerField()), Value(0))


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


@dataclass(frozen=True)
class CatalogueFilters:
    organisation_id: int | None = None
    format: str = ""
    date_from: date | None = None
    date_to: date | None = None
    places_left: bool = False
    for_me: bool = True


def catalogue(*, user: User, filters: CatalogueFilters) -> QuerySet[Run]:
    """Upcoming published runs, with places taken and the user's own status."""
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
    runs = _with_my_status(_with_counts(runs), user)
    if filters.places_left:
        runs = runs.filter(enrolled_count__lt=F("capacity"))
    return runs.select_related("training", "training__provider").order_by("starts_at", "pk")


def run_detail(*, user: User, run_id: int) -> Run | None:
    """One run the user may see, with its sessions, trainers, materials and counts."""
    return (
        _with_my_status(_with_counts(runs_visible_to(user)), user)
        .select_related("training", "training__provider", "training__programme")
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")),
            Prefetch("trainers", queryset=User.objects.select_related("organisation")),
            Prefetch("training__materials", queryset=Material.objects.order_by("title")),
            "training__audience_organisations",
        )
        .filter(pk=run_id)
        .first()
    )


def enrolment_of(*, user: User, run: Run) -> Enrolment | None:
    return (
        Enrolment.objects.filter(run=run, participant=user)
        .annotate(waitlist_position=_waitlist_position())
        .first()
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


def _with_sessions_and_reflections(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Sessions and reflections as plain lists (``run.session_list``, ``reflection_list``).

    A long-time participant has dozens of enrolments, and a related manager's ``.all()``
    builds a new queryset on every call.
    """
    return enrolments.prefetch_related(
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


def my_enrolments(*, user: User) -> QuerySet[Enrolment]:
    """The user's enrolments and waiting-list places, newest run first, with what they wrote.

    Ready for ``reflections_owed``: sessions and reflections come prefetched.
    """
    return _with_sessions_and_reflections(
        Enrolment.objects.filter(participant=user)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .annotate(waitlist_position=_waitlist_position())
        .select_related("run", "run__training", "run__training__provider", "development_plan")
        .order_by("-run__starts_at", "-pk")
    )


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
        .select_related("training", "training__provider")
        .order_by("-starts_at", "-pk")
    )


def run_register(*, run: Run) -> QuerySet[Enrolment]:
    """Everyone enrolled or waiting in a run with their attendance, plan and reflections."""
    return (
        Enrolment.objects.filter(run=run)
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


def calendar_sessions(
    *,
    user: User,
    start: datetime,
    end: datetime,
    organisation_id: int | None = None,
    format: str = "",
    status: str = "",
) -> list[CalendarEntry]:
    """Sessions between ``start`` and ``end`` of the runs the user may see, for the calendar."""
    sessions = Session.objects.filter(
        run__in=runs_visible_to(user), starts_at__lt=end, ends_at__gt=start
    )
    if organisation_id:
        sessions = sessions.filter(run__training__provider_id=organisation_id)
    if format:
        sessions = sessions.filter(run__training__format=format)
    if status:
        sessions = sessions.filter(run__status=status)
    rows = sessions.order_by("starts_at", "pk").values_list(
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
    return [
        CalendarEntry(
            session_id=pk,
            run_id=run_id,
            starts_at=timezone.localtime(starts_at),
            ends_at=timezone.localtime(ends_at),
            title=title,
            provider=provider,
            place=location or run_location,
            run_status=run_status,
            is_cancelled=is_cancelled,
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
        ) in rows
    ]


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
    waiting: list[Enrolment]
    reflections_due: list[tuple[Enrolment, Session]]
    # Runs over whose development plan still lacks its look back ("wat heb ik geleerd?").
    plan_reviews_due: list[Enrolment]
    # Places taken over from the waiting list, in runs still to come.
    moved_up: list[Enrolment]


def participant_overview(*, user: User, limit: int = 5) -> ParticipantOverview:
    """For the home page: my next sessions, where I wait or moved up, and what I still owe.

    Five queries, whatever the number of enrolments.
    """
    now = timezone.now()
    next_sessions = list(
        Session.objects.filter(
            run__enrolments__participant=user,
            run__enrolments__status=EnrolmentStatus.ENROLLED,
            run__status=RunStatus.PUBLISHED,
            is_cancelled=False,
            starts_at__gte=now,
        )
        .select_related("run", "run__training")
        .order_by("starts_at")[:limit]
    )
    waiting = list(
        Enrolment.objects.filter(
            participant=user, status=EnrolmentStatus.WAITLISTED, run__status=RunStatus.PUBLISHED
        )
        .annotate(waitlist_position=_waitlist_position())
        .select_related("run", "run__training")
        .order_by("run__starts_at")
    )
    since = now - timedelta(days=REFLECTION_WINDOW_DAYS)
    # Only runs that were on within the window can hold a session begun within it.
    recent = _with_sessions_and_reflections(
        Enrolment.objects.filter(
            participant=user,
            status=EnrolmentStatus.ENROLLED,
            run__starts_at__lte=now,
            run__ends_at__gte=since,
        ).select_related("run", "run__training")
    )
    due = [
        (enrolment, session)
        for enrolment in recent
        for session in reflections_owed(enrolment=enrolment, now=now, since=since)
    ]
    due.sort(key=lambda pair: pair[1].starts_at, reverse=True)
    plan_reviews_due = list(
        Enrolment.objects.filter(
            participant=user,
            status=EnrolmentStatus.ENROLLED,
            run__status__in=(RunStatus.PUBLISHED, RunStatus.COMPLETED),
            run__ends_at__lte=now,
            run__ends_at__gte=now - timedelta(days=PLAN_REVIEW_WINDOW_DAYS),
        )
        .filter(Q(development_plan__isnull=True) | Q(development_plan__learned=""))
        .select_related("run", "run__training")
        .order_by("-run__ends_at", "-pk")[:limit]
    )
    moved_up = list(
        Enrolment.objects.filter(
            participant=user,
            status=EnrolmentStatus.ENROLLED,
            run__status=RunStatus.PUBLISHED,
            run__starts_at__gt=now,
            enrolled_at__gt=F("requested_at"),
            enrolled_at__gte=now - MOVED_UP_WINDOW,
        )
        .select_related("run", "run__training")
        .order_by("run__starts_at", "pk")[:limit]
    )
    return ParticipantOverview(
        next_sessions=next_sessions,
        waiting=waiting,
        reflections_due=due[:limit],
        plan_reviews_due=plan_reviews_due,
        moved_up=moved_up,
    )


def runs_closing_soon(*, user: User, limit: int = 5) -> list[Run]:
    """Published runs of the user's programmes whose enrolment closes within ``CLOSING_SOON``
    and that still have places; each with ``enrolled_count`` and ``free_places``. One query.
    """
    programme_ids = portal_permissions.coordinated_programme_ids(user)
    if not programme_ids:
        return []
    now = timezone.now()
    return list(
        _with_counts(
            Run.objects.filter(
                training__programme_id__in=programme_ids,
                status=RunStatus.PUBLISHED,
                enrolment_opens_at__lte=now,
                enrolment_closes_at__gt=now,
                enrolment_closes_at__lte=now + CLOSING_SOON,
            )
        )
        .annotate(free_places=F("capacity") - F("enrolled_count"))
        .filter(free_places__gt=0)
        .select_related("training")
        .order_by("enrolment_closes_at", "pk")[:limit]
    )


# --- the library (middelen) ------------------------------------------------------------------


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
    # Exact, or ``cap`` when more resources match than a list without search words counts.
    count: int
    more_than_count: bool


def library_page(
    *, user: User, filters: LibraryFilters, number: int, per_page: int, cap: int
) -> LibraryPage:
    """One page of ``library_search`` and how many resources match, in few queries.

    With search words, every match is read to rank it anyway, so the page query counts them
    in the same scan (``COUNT(*) OVER ()``). Without, the list comes in title order from the
    index and is counted up to ``cap`` only: a longer list is narrowed, not paged through.
    A page past the end gives the last page.
    """
    resources = library_search(user=user, filters=filters)
    number = max(number, 1)
    if filters.query.strip():
        # Ranked and counted on narrow rows (id, rank, title); the page's rows read after.
        ranked = resources.annotate(full_count=Window(Count("pk"))).values_list("pk", "full_count")
        hits = list(ranked[(number - 1) * per_page : number * per_page])
        if hits or number == 1:
            by_pk = {r.pk: r for r in resources.order_by().filter(pk__in=[pk for pk, _ in hits])}
            rows = [by_pk[pk] for pk, _ in hits]
            return LibraryPage(rows, number, hits[0][1] if hits else 0, False)
        count = resources.order_by().count()
    else:
        count = resources.order_by()[: cap + 1].count()
    more = count > cap
    count = min(count, cap)
    number = min(number, max(1, -(-count // per_page)))
    rows = list(resources[(number - 1) * per_page : number * per_page])
    return LibraryPage(rows, number, count, more)


# --- ideas for knowledge exchange ------------------------------------------------------------


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
