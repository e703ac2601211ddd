"""Reads for trainings, each filtered to what the user may see and joined for its page."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal import answer_links
from portal import permissions as portal_permissions
from portal.models import User

from . import permissions, reflections
from .models import (
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    DevelopmentPlan,
    Enrolment,
    EnrolmentStatus,
    MailingAudience,
    ManagerApproval,
    Material,
    Reflection,
    Run,
    RunMailing,
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


# --- the manager's approval ------------------------------------------------------------------


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


def pending_approvals(*, run: Run) -> QuerySet[ManagerApproval]:
    """The run's enrolments waiting for a manager, oldest first, with whom they wait for.

    Only each enrolment's current request (its episode started when it was last requested).
    """
    return (
        ManagerApproval.objects.filter(
            episode__enrolment__run=run,
            episode__enrolment__status=EnrolmentStatus.PENDING,
            episode__started_at=F("episode__enrolment__requested_at"),
        )
        .select_related("episode__enrolment__participant__organisation")
        .order_by("created_at", "pk")
    )


# --- messages from the coordinators ----------------------------------------------------------


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


def run_mailings(*, run: Run) -> QuerySet[RunMailing]:
    """What the run's coordinators sent, newest first, with who sent it."""
    return RunMailing.objects.filter(run=run).select_related("sent_by").order_by("-created_at")
