"""Writes for trainings: the catalogue, runs and sessions, enrolment and what participants write.

Enrolment rules live here and nowhere else. Every change to who holds a place in a run
locks that run's row first, so concurrent enrolments, cancellations and capacity changes
are applied one after the other and capacity can never be exceeded.

Every service a view calls takes the acting user (``actor``; ``participant``, ``author`` or
``user`` where that person acts for themselves) and raises PermissionDenied itself. The two
building blocks that verkenning's design conversion composes, ``training_draft_create`` and
``run_draft_create``, check nothing and say so: their caller does.
"""

import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal import answer_links, workdays
from portal import services as portal_services
from portal.models import Organisation, Programme, User
from portal.retention import TEXT_REMOVED

from . import codes, evaluation, mailing, permissions, scheduling, selectors, team_addresses
from . import programme_stats as stats
from .completion import DEFAULT_MIN_ATTENDANCE_PERCENT
from .models import (
    AWARENESS_MAX_PLACES,
    ApprovalStatus,
    Attendance,
    AwarenessDefinition,
    AwarenessExample,
    AwarenessRoom,
    AwarenessStep,
    CalendarFeed,
    Certificate,
    DevelopmentPlan,
    Element,
    Enrolment,
    EnrolmentEpisode,
    EnrolmentStatus,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationRespondent,
    EvaluationSettings,
    ExampleTheme,
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
    SessionChange,
    Training,
    TrainingFormat,
)


def _local(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _require_manages_programme(actor: User, programme_id: int) -> None:
    if not permissions.coordinates_programme(actor, programme_id):
        raise PermissionDenied


@transaction.atomic
def training_create(
    *,
    actor: User,
    programme: Programme,
    title: str,
    description: str,
    provider: Organisation,
    format: str = TrainingFormat.TRAINING,
    content_goals: str = "",
    personal_goals: str = "",
    default_capacity: int = 20,
    audience_organisations: Iterable[Organisation] = (),
    audience_disciplines: Sequence[str] = (),
    min_attendance_percent: int = DEFAULT_MIN_ATTENDANCE_PERCENT,
    end_review_required: bool = True,
    requires_manager_approval: bool = False,
) -> Training:
    """Add a training to a programme's catalogue; the programme's coordinators do this."""
    _require_manages_programme(actor, programme.pk)
    return training_draft_create(
        min_attendance_percent=min_attendance_percent,
        end_review_required=end_review_required,
        created_by=actor,
        programme=programme,
        title=title,
        description=description,
        provider=provider,
        format=format,
        content_goals=content_goals,
        personal_goals=personal_goals,
        default_capacity=default_capacity,
        audience_organisations=audience_organisations,
        audience_disciplines=audience_disciplines,
        requires_manager_approval=requires_manager_approval,
    )


@transaction.atomic
def training_draft_create(
    *,
    created_by: User,
    programme: Programme,
    title: str,
    description: str,
    provider: Organisation,
    format: str = TrainingFormat.TRAINING,
    content_goals: str = "",
    personal_goals: str = "",
    default_capacity: int = 20,
    audience_organisations: Iterable[Organisation] = (),
    audience_disciplines: Sequence[str] = (),
    min_attendance_percent: int = DEFAULT_MIN_ATTENDANCE_PERCENT,
    end_review_required: bool = True,
    requires_manager_approval: bool = False,
) -> Training:
    """Add a training to a programme's catalogue, checking no permission.

    A building block: composed by verkenning's ``training_design_convert_to_training``
    (the caller checks who may convert) and by ``training_create`` here.
    """
    _validate_awareness_capacity(format, default_capacity, field="default_capacity")
    training = Training(
        programme=programme,
        title=title,
        description=description,
        provider=provider,
        format=format,
        content_goals=content_goals,
        personal_goals=personal_goals,
        default_capacity=default_capacity,
        audience_disciplines=list(audience_disciplines),
        min_attendance_percent=min_attendance_percent,
        end_review_required=end_review_required,
        requires_manager_approval=requires_manager_approval,
        created_by=created_by,
    )
    training.full_clean()
    training.save()
    training.audience_organisations.set(audience_organisations)
    return training


@transaction.atomic
def training_update(
    *,
    actor: User,
    training: Training,
    title: str,
    description: str,
    provider: Organisation,
    format: str,
    content_goals: str,
    personal_goals: str,
    default_capacity: int,
    audience_organisations: Iterable[Organisation],
    audience_disciplines: Sequence[str],
    min_attendance_percent: int | None = None,
    end_review_required: bool | None = None,
    requires_manager_approval: bool | None = None,
) -> Training:
    """Change a training; the programme's coordinators do this.

    A changed completion rule applies to everyone not yet holding a certificate; certificates
    already issued stay as they are (trainings/completion.py). None leaves the rule as it is.
    ``requires_manager_approval`` None leaves it as it is. Switching it off or on changes
    only enrolments from then on: those pending stay pending until their manager answers.
    """
    _require_manages_programme(actor, training.programme_id)
    _validate_awareness_capacity(format, default_capacity, field="default_capacity")
    if format == TrainingFormat.AWARENESS:
        largest = max(training.runs.values_list("capacity", flat=True), default=0)
        if largest > AWARENESS_MAX_PLACES:
            raise ValidationError(
                {
                    "format": _(
                        "Een bewustwordingssessie heeft hoogstens %(max)d plaatsen; een "
                        "uitvoering van deze training heeft er %(count)d. Verlaag eerst het "
                        "aantal plaatsen van die uitvoering."
                    )
                    % {"max": AWARENESS_MAX_PLACES, "count": largest}
                }
            )
    training.title = title
    training.description = description
    training.provider = provider
    training.format = format
    training.content_goals = content_goals
    training.personal_goals = personal_goals
    training.default_capacity = default_capacity
    training.audience_disciplines = list(audience_disciplines)
    if min_attendance_percent is not None:
        training.min_attendance_percent = min_attendance_percent
    if end_review_required is not None:
        training.end_review_required = end_review_required
    if requires_manager_approval is not None:
        training.requires_manager_approval = requires_manager_approval
    training.full_clean()
    training.save()
    training.audience_organisations.set(audience_organisations)
    return training


def _validate_awareness_capacity(format: str, capacity: int, *, field: str) -> None:
    """A bewustwordingssessie is held with at most ``AWARENESS_MAX_PLACES`` people."""
    if format == TrainingFormat.AWARENESS and capacity > AWARENESS_MAX_PLACES:
        raise ValidationError(
            {
                field: _(
                    "Een bewustwordingssessie heeft hoogstens %(max)d plaatsen; je vulde "
                    "%(count)d in."
                )
                % {"max": AWARENESS_MAX_PLACES, "count": capacity}
            }
        )


def _lock_run(run: Run) -> Run:
    return Run.objects.select_for_update().select_related("training").get(pk=run.pk)


def _lock_managed_run(run: Run, actor: User) -> Run:
    """The run, locked, once ``actor`` is found to coordinate its programme."""
    run = _lock_run(run)
    _require_manages_programme(actor, run.training.programme_id)
    return run


def _lock_managed_session(session: Session, actor: User) -> Session:
    """The session, locked, once ``actor`` is found to coordinate its run's programme."""
    session = (
        Session.objects.select_for_update()
        .select_related("run", "run__training")
        .get(pk=session.pk)
    )
    _require_manages_programme(actor, session.run.training.programme_id)
    return session


def _sync_run_span(run: Run) -> None:
    """Keep the run's denormalised start and end in line with its sessions."""
    sessions = list(
        run.sessions.filter(is_cancelled=False).order_by("starts_at").values("starts_at", "ends_at")
    )
    if not sessions:
        sessions = list(run.sessions.order_by("starts_at").values("starts_at", "ends_at"))
    run.starts_at = sessions[0]["starts_at"] if sessions else None
    ends_at = max(s["ends_at"] for s in sessions) if sessions else None
    moved_end = ends_at != run.ends_at
    run.ends_at = ends_at
    run.save(update_fields=["starts_at", "ends_at", "updated_at"])
    if moved_end:
        # The evaluation and the follow-up are due after the last session: they follow it.
        scheduling.run_end_reminders_replan(run=run)


def _validate_session_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Het einde ligt vóór of op het begin.")})


# Unless the coordinator says otherwise, enrolment closes this long before the first session.
ENROLMENT_CLOSES_WORKING_DAYS_BEFORE = 2


def enrolment_window_default(
    *, now: datetime, first_session_starts_at: datetime | None
) -> tuple[datetime, datetime | None]:
    """Opens now; closes two working days before the first session (none known: no close)."""
    if first_session_starts_at is None:
        return now, None
    closes = workdays.working_days_before(
        first_session_starts_at, ENROLMENT_CLOSES_WORKING_DAYS_BEFORE
    )
    # A session sooner than that: enrolment stays open until the session begins.
    return now, closes if closes > now else first_session_starts_at


@transaction.atomic
def run_create(
    *,
    actor: User,
    training: Training,
    capacity: int,
    location: str,
    enrolment_opens_at: datetime | None = None,
    enrolment_closes_at: datetime | None = None,
    trainers: Iterable[User] = (),
    sessions: Sequence[tuple[datetime, datetime]] = (),
) -> Run:
    """Plan a draft run of a training; the programme's coordinators do this.

    A window left open follows the first session (``enrolment_window_default``); without a
    session to follow, the closing moment must be given.
    """
    _require_manages_programme(actor, training.programme_id)
    first = min((starts_at for starts_at, _ends_at in sessions), default=None)
    default_opens, default_closes = enrolment_window_default(
        now=timezone.now().replace(second=0, microsecond=0), first_session_starts_at=first
    )
    enrolment_opens_at = enrolment_opens_at or default_opens
    enrolment_closes_at = enrolment_closes_at or default_closes
    if enrolment_closes_at is None:
        raise ValidationError(
            {
                "enrolment_closes_at": _(
                    "Vul in wanneer de inschrijving sluit, of plan hieronder de eerste "
                    "bijeenkomst: dan sluit de inschrijving twee werkdagen daarvoor."
                )
            }
        )
    return run_draft_create(
        training=training,
        capacity=capacity,
        enrolment_opens_at=enrolment_opens_at,
        enrolment_closes_at=enrolment_closes_at,
        location=location,
        trainers=trainers,
        sessions=sessions,
    )


@transaction.atomic
def run_draft_create(
    *,
    training: Training,
    capacity: int,
    enrolment_opens_at: datetime,
    enrolment_closes_at: datetime,
    location: str,
    trainers: Iterable[User] = (),
    sessions: Sequence[tuple[datetime, datetime]] = (),
) -> Run:
    """Plan a draft run of a training, optionally with its sessions, checking no permission.

    A building block: composed by verkenning's ``training_design_convert_to_training``
    (the caller checks who may convert) and by ``run_create`` here.
    """
    _validate_awareness_capacity(training.format, capacity, field="capacity")
    run = Run(
        training=training,
        capacity=capacity,
        enrolment_opens_at=enrolment_opens_at,
        enrolment_closes_at=enrolment_closes_at,
        location=location,
        status=RunStatus.DRAFT,
    )
    _validate_window(run)
    run.full_clean()
    run.save()
    run.trainers.set(trainers)
    for starts_at, ends_at in sessions:
        _validate_session_times(starts_at, ends_at)
        session = Session(run=run, starts_at=starts_at, ends_at=ends_at)
        session.full_clean()
        session.save()
    _sync_run_span(run)
    return run


def _validate_window(run: Run) -> None:
    if run.enrolment_closes_at <= run.enrolment_opens_at:
        raise ValidationError(
            {"enrolment_closes_at": _("De inschrijving moet sluiten ná het moment van openen.")}
        )


@transaction.atomic
def run_update(
    *,
    actor: User,
    run: Run,
    capacity: int,
    enrolment_opens_at: datetime,
    enrolment_closes_at: datetime,
    location: str,
    trainers: Iterable[User],
) -> Run:
    """Change a run; raising its capacity moves people up from the waiting list."""
    run = _lock_managed_run(run, actor)
    if run.status in (RunStatus.CANCELLED, RunStatus.COMPLETED):
        raise ValidationError(
            _("Een geannuleerde of afgeronde uitvoering kun je niet meer wijzigen.")
        )
    enrolled = run.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    if capacity < enrolled:
        raise ValidationError(
            {
                "capacity": _(
                    "Er zijn al %(count)d deelnemers ingeschreven; het aantal plaatsen kan niet "
                    "lager worden dan dat."
                )
                % {"count": enrolled}
            }
        )
    _validate_awareness_capacity(run.training.format, capacity, field="capacity")
    location_changed = location != run.location
    run.capacity = capacity
    run.enrolment_opens_at = enrolment_opens_at
    run.enrolment_closes_at = enrolment_closes_at
    run.location = location
    _validate_window(run)
    run.full_clean()
    run.save()
    run.trainers.set(trainers)
    if location_changed:
        # Sessions without a room of their own take the run's place: calendars must update.
        for session in run.sessions.filter(location=""):
            _session_changed(session)
    _waitlist_promote(run=run)
    return run


@transaction.atomic
def run_publish(*, actor: User, run: Run) -> Run:
    """Put a draft run with at least one session in the catalogue."""
    run = _lock_managed_run(run, actor)
    if run.status != RunStatus.DRAFT:
        raise ValidationError(_("Alleen een concept kan gepubliceerd worden."))
    if not run.sessions.filter(is_cancelled=False).exists():
        raise ValidationError(_("Voeg eerst minstens één bijeenkomst toe."))
    run.status = RunStatus.PUBLISHED
    run.save(update_fields=["status", "updated_at"])
    return run


@transaction.atomic
def run_cancel(*, actor: User, run: Run, reason: str) -> Run:
    """Cancel a run; everyone enrolled or waiting is told, and their reminders are withdrawn."""
    run = _lock_managed_run(run, actor)
    if run.status in (RunStatus.CANCELLED, RunStatus.COMPLETED):
        raise ValidationError(_("Deze uitvoering is al geannuleerd of afgerond."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Geef een reden op; de deelnemers krijgen die te lezen.")}
        )
    was_published = run.status == RunStatus.PUBLISHED
    run.status = RunStatus.CANCELLED
    run.cancellation_reason = reason.strip()
    run.save(update_fields=["status", "cancellation_reason", "updated_at"])
    scheduling.run_reminders_cancel(run=run)
    if was_published:
        for enrolment in run.enrolments.filter(
            status__in=(
                EnrolmentStatus.ENROLLED,
                EnrolmentStatus.WAITLISTED,
                EnrolmentStatus.PENDING,
            )
        ).select_related("participant"):
            scheduling.run_cancelled_notice_plan(run=run, enrolment=enrolment)
    for session in run.sessions.all():
        _bump_sequence(session)
    return run


@transaction.atomic
def run_complete(*, actor: User, run: Run) -> Run:
    """Mark a published run whose last session is over as completed."""
    run = _lock_managed_run(run, actor)
    if run.status != RunStatus.PUBLISHED:
        raise ValidationError(_("Alleen een gepubliceerde uitvoering kan afgerond worden."))
    if run.ends_at and run.ends_at > timezone.now():
        raise ValidationError(_("De laatste bijeenkomst is nog niet voorbij."))
    run.status = RunStatus.COMPLETED
    run.save(update_fields=["status", "updated_at"])
    return run


def _bump_sequence(session: Session) -> None:
    session.sequence += 1
    session.save(update_fields=["sequence", "updated_at"])


def _session_changed(session: Session) -> None:
    """A session moved or was called off: calendars update, and whoever holds a place is told."""
    _bump_sequence(session)
    change = SessionChange.objects.create(
        session=session, sequence=session.sequence, is_cancellation=session.is_cancelled
    )
    scheduling.session_reminders_replan(session=session)
    scheduling.session_change_notice_plan(change=change)


@transaction.atomic
def session_create(
    *,
    actor: User,
    run: Run,
    starts_at: datetime,
    ends_at: datetime,
    title: str = "",
    location: str = "",
) -> Session:
    """Add a session to a run that is neither cancelled nor completed."""
    run = _lock_managed_run(run, actor)
    if run.status in (RunStatus.CANCELLED, RunStatus.COMPLETED):
        raise ValidationError(_("Aan een geannuleerde of afgeronde uitvoering voeg je niets toe."))
    _validate_session_times(starts_at, ends_at)
    session = Session(run=run, starts_at=starts_at, ends_at=ends_at, title=title, location=location)
    session.full_clean()
    session.save()
    _sync_run_span(run)
    scheduling.session_reminders_replan(session=session)
    return session


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    location: str,
) -> Session:
    """Move or rename a session; calendars and reminders follow when time or place change."""
    session = _lock_managed_session(session, actor)
    if session.is_cancelled:
        raise ValidationError(_("Deze bijeenkomst is vervallen."))
    _validate_session_times(starts_at, ends_at)
    moved = (
        starts_at != session.starts_at
        or ends_at != session.ends_at
        or location != session.location
        or title != session.title
    )
    session.starts_at, session.ends_at = starts_at, ends_at
    session.title, session.location = title, location
    session.full_clean()
    session.save()
    if moved:
        _session_changed(session)
        _sync_run_span(session.run)
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: Session) -> Session:
    """Call a session off; calendars and reminders follow."""
    session = _lock_managed_session(session, actor)
    if session.is_cancelled:
        raise ValidationError(_("Deze bijeenkomst is al vervallen."))
    session.is_cancelled = True
    session.save(update_fields=["is_cancelled", "updated_at"])
    _session_changed(session)
    _sync_run_span(session.run)
    return session


def _refusal(run: Run, participant: User, now: datetime) -> str | None:
    """Why ``participant`` may not ask for a place in ``run`` now, or None."""
    return _run_refusal(run, now) or _audience_refusal(run, participant)


def _run_refusal(run: Run, now: datetime) -> str | None:
    """Why nobody may ask for a place in ``run`` now, or None."""
    if run.status == RunStatus.CANCELLED:
        return _("Deze uitvoering is geannuleerd.")
    if run.status != RunStatus.PUBLISHED:
        return _("Voor deze uitvoering kun je je niet inschrijven.")
    if now < run.enrolment_opens_at:
        return _("De inschrijving opent op %(moment)s.") % {
            "moment": _local(run.enrolment_opens_at)
        }
    if now >= run.enrolment_closes_at:
        return _("De inschrijving is gesloten sinds %(moment)s.") % {
            "moment": _local(run.enrolment_closes_at)
        }
    return None


def _audience_refusal(run: Run, participant: User) -> str | None:
    """Why ``participant``'s organisation or discipline may not follow the training, or None."""
    audience = frozenset(run.training.audience_organisations.values_list("pk", flat=True))
    if not permissions.is_in_audience(participant, run.training, audience):
        if participant.organisation_id == run.training.provider_id and not audience:
            return _(
                "Deze training is voor medewerkers van de andere partners; jouw organisatie "
                "geeft haar zelf."
            )
        return _("Deze training is niet bedoeld voor jouw organisatie of discipline.")
    return None


def _waitlist_is_empty(run: Run) -> bool:
    return not run.enrolments.filter(status=EnrolmentStatus.WAITLISTED).exists()


@transaction.atomic
def enrolment_create(
    *, run: Run, participant: User, manager_name: str = "", manager_email: str = ""
) -> Enrolment:
    """Take a place in a run, or a place on its waiting list when it is full.

    The participant acts for themselves. Refusals raise ValidationError with the reason in
    Dutch and change nothing. Someone enrolling again after cancelling reuses their row but
    starts a new episode, which gets its own confirmation or waiting-list mail.

    For a training that requires the manager's approval the enrolment is pending instead:
    no place, no waiting-list position, until the named manager approves through the link
    mailed to them (``enrolment_approval_answer``).
    """
    run = _lock_run(run)
    now = timezone.now()
    refusal = _refusal(run, participant, now)
    if refusal:
        raise ValidationError(refusal, code="refused")
    enrolment = Enrolment.objects.filter(run=run, participant=participant).first()
    if enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED:
        raise ValidationError(_("Je bent al ingeschreven voor deze uitvoering."), code="duplicate")
    if enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED:
        raise ValidationError(
            _("Je staat al op de wachtlijst van deze uitvoering."), code="duplicate"
        )
    if enrolment is not None and enrolment.status == EnrolmentStatus.PENDING:
        approval = ManagerApproval.objects.filter(episode__enrolment=enrolment).first()
        if approval is not None and not answer_links.is_expired(approval):
            raise ValidationError(
                _("Je aanvraag wacht al op het akkoord van je leidinggevende."), code="duplicate"
            )
    if run.training.requires_manager_approval:
        return _approval_request(run, participant, enrolment, manager_name, manager_email, now)
    return _place(run, participant, enrolment, has_place=_has_free_place(run), now=now)


def _has_free_place(run: Run) -> bool:
    """Whether a newcomer gets a place in the locked run rather than a waiting-list one."""
    counts = run.enrolments.aggregate(
        enrolled=Count("pk", filter=Q(status=EnrolmentStatus.ENROLLED)),
        waiting=Count("pk", filter=Q(status=EnrolmentStatus.WAITLISTED)),
    )
    # Strictly first come, first served: a free place goes to the waiting list first.
    return counts["enrolled"] < run.capacity and not counts["waiting"]


def _place(
    run: Run, participant: User, enrolment: Enrolment | None, *, has_place: bool, now: datetime
) -> Enrolment:
    """Give ``participant`` a place or a waiting-list place in the locked ``run``, and mail it.

    ``enrolment`` is their earlier (cancelled) row, reused, or None. A new episode starts.
    """
    if enrolment is None:
        enrolment = Enrolment(run=run, participant=participant)
    _admit(enrolment, has_place=has_place, now=now)
    EnrolmentEpisode.objects.create(enrolment=enrolment, started_at=now)
    _tell_admitted(enrolment)
    return enrolment


def _admit(enrolment: Enrolment, *, has_place: bool, now: datetime) -> None:
    """Save the enrolment as holding a place, or waiting from ``now`` on."""
    _requested(
        enrolment, EnrolmentStatus.ENROLLED if has_place else EnrolmentStatus.WAITLISTED, now
    )


def _requested(enrolment: Enrolment, status: str, now: datetime) -> None:
    """Save the enrolment as asked for at ``now``, in ``status`` (enrolled from then if so)."""
    enrolment.status = status
    enrolment.requested_at = now
    enrolment.enrolled_at = now if status == EnrolmentStatus.ENROLLED else None
    enrolment.cancelled_at = None
    # The run (locked) and the participant exist, and every caller has looked up the one
    # row per run and participant first; the database's keys and constraint still hold.
    enrolment.full_clean(exclude=["run", "participant"], validate_unique=False)
    enrolment.save()


def _tell_admitted(enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.ENROLLED:
        scheduling.enrolment_confirmation_plan(enrolment=enrolment)
        scheduling.enrolment_reminders_plan(enrolment=enrolment)
    else:
        scheduling.waitlisted_notice_plan(enrolment=enrolment)


def _approval_request(
    run: Run,
    participant: User,
    enrolment: Enrolment | None,
    manager_name: str,
    manager_email: str,
    now: datetime,
) -> Enrolment:
    """A pending enrolment in the locked ``run`` and the question to the manager."""
    manager_name, manager_email = manager_name.strip(), manager_email.strip().lower()
    errors = {}
    if not manager_name:
        errors["manager_name"] = _("Vul de naam van je leidinggevende in.")
    try:
        validate_email(manager_email)
    except ValidationError:
        errors["manager_email"] = _("Vul het e-mailadres van je leidinggevende in.")
    if manager_email and manager_email == participant.email.lower():
        errors["manager_email"] = _("Vraag het akkoord aan je leidinggevende, niet aan jezelf.")
    if errors:
        raise ValidationError(errors)
    if enrolment is None:
        enrolment = Enrolment(run=run, participant=participant)
    else:
        # An earlier, expired request: it can no longer be answered.
        for earlier in ManagerApproval.objects.filter(episode__enrolment=enrolment):
            scheduling.approval_withdrawn(approval=earlier)
    _requested(enrolment, EnrolmentStatus.PENDING, now)
    episode = EnrolmentEpisode.objects.create(enrolment=enrolment, started_at=now)
    approval = ManagerApproval(
        episode=episode,
        manager_name=manager_name,
        manager_email=manager_email,
    )
    answer_links.save_new(
        approval,
        salt=scheduling.APPROVAL_TOKEN_SALT,
        valid_days=settings.TRAININGS_APPROVAL_LINK_VALID_DAYS,
    )
    scheduling.approval_mails_plan(approval=approval)
    return enrolment


def approval_is_open(approval: ManagerApproval) -> bool:
    """Whether the manager may still answer: unanswered, for the enrolment's current request.

    Reads ``approval.episode.enrolment``; false once the participant withdrew or asked anew.
    """
    enrolment = approval.episode.enrolment
    return (
        approval.status == ApprovalStatus.OPEN
        and enrolment.status == EnrolmentStatus.PENDING
        and enrolment.requested_at == approval.episode.started_at
    )


@transaction.atomic
def enrolment_approval_answer(*, token: str, granted: bool, comment: str) -> ManagerApproval:
    """The manager's answer through the mailed link: once, before the link expires.

    No acting user: the link is the manager's credential. Approved, the enrolment gets a
    place if one is free at this moment, else the waiting list (queued from this moment),
    under the run's lock like every other change of places. Declined, it is cancelled and
    never counted. Either way the participant is told.
    """
    found = selectors.approval_by_token(token=token)
    if found is None:
        raise PermissionDenied
    run = _lock_run(found.episode.enrolment.run)
    approval = (
        ManagerApproval.objects.select_for_update()
        .select_related("episode__enrolment__participant")
        .get(pk=found.pk)
    )
    answer_links.check_answerable(approval, is_open=approval_is_open(approval))
    enrolment = approval.episode.enrolment
    enrolment.run = run
    now = timezone.now()
    if granted:
        if run.status != RunStatus.PUBLISHED or (run.starts_at and run.starts_at <= now):
            raise ValidationError(
                _("Deze training is geannuleerd of al begonnen; een akkoord verandert niets meer.")
            )
        approval.status = ApprovalStatus.APPROVED
        answer_links.record_answer(approval, comment=comment, fields=["status"])
        _admit(enrolment, has_place=_has_free_place(run), now=now)
        _tell_admitted(enrolment)
    else:
        approval.status = ApprovalStatus.DECLINED
        answer_links.record_answer(approval, comment=comment, fields=["status"])
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.cancelled_at = now
        enrolment.save(update_fields=["status", "cancelled_at", "updated_at"])
    scheduling.approval_answered_plan(approval=approval, enrolment=enrolment)
    return approval


# A team is a handful of colleagues; a pasted address book is a mistake.
TEAM_MAX = 200


@transaction.atomic
def enrolment_team_create(*, actor: User, run: Run, addresses: str) -> list[Enrolment]:
    """Enrol a team from a pasted list of e-mail addresses: all of them, or none.

    The run's programme coordinators do this. Addresses may be separated by newlines, commas,
    semicolons or spaces; case does not matter and duplicates count once. Every address must
    belong to an active account whose organisation and discipline may follow the training,
    of someone not already enrolled or waiting; otherwise nothing is written and each bad
    address is named. The team is placed in the pasted order under the run's lock: places
    until the run is full, then the waiting list, each person mailed as if they enrolled.
    """
    run = _lock_managed_run(run, actor)
    now = timezone.now()
    refusal = _run_refusal(run, now)
    if refusal:
        raise ValidationError(refusal, code="refused")
    wanted = team_addresses.parse(addresses)
    if not wanted:
        raise ValidationError({"addresses": _("Vul minstens één e-mailadres in.")})
    if len(wanted) > TEAM_MAX:
        raise ValidationError(
            {"addresses": _("Schrijf ten hoogste %(max)d mensen tegelijk in.") % {"max": TEAM_MAX}}
        )
    people = {
        person.email.lower(): person
        for person in User.objects.annotate(lower_email=Lower("email")).filter(
            lower_email__in=wanted, is_active=True
        )
    }
    earlier = {
        enrolment.participant_id: enrolment
        for enrolment in Enrolment.objects.filter(run=run, participant__in=people.values())
    }
    audience = frozenset(run.training.audience_organisations.values_list("pk", flat=True))
    problems = []
    for address in wanted:
        problem = _team_member_problem(run, address, people.get(address), earlier, audience)
        if problem:
            problems.append(f"{address}: {problem}")
    if problems:
        raise ValidationError({"addresses": problems}, code="invalid")
    free = run.capacity - run.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    if not _waitlist_is_empty(run):
        free = 0  # first come, first served: those waiting go first
    placed = []
    for address in wanted:
        person = people[address]
        enrolment = earlier.get(person.pk)
        if enrolment is not None and enrolment.status == EnrolmentStatus.PENDING:
            # The coordinator enrols them: their own request to the manager is no longer asked.
            for approval in ManagerApproval.objects.filter(episode__enrolment=enrolment):
                scheduling.approval_withdrawn(approval=approval)
        placed.append(_place(run, person, enrolment, has_place=free > 0, now=now))
        free -= 1
    return placed


def _team_member_problem(
    run: Run,
    address: str,
    person: User | None,
    earlier: dict[int, Enrolment],
    audience: frozenset[int],
) -> str | None:
    """What is wrong with one address of a team, or None."""
    try:
        validate_email(address)
    except ValidationError:
        return _("geen geldig e-mailadres")
    if person is None:
        return _("geen actief account met dit e-mailadres; nodig deze persoon eerst uit")
    enrolment = earlier.get(person.pk)
    if enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED:
        return _("al ingeschreven")
    if enrolment is not None and enrolment.status == EnrolmentStatus.WAITLISTED:
        return _("staat al op de wachtlijst")
    if not permissions.is_in_audience(person, run.training, audience):
        return _("deze training is niet bedoeld voor de organisatie of discipline van deze persoon")
    return None


def _cancellable(enrolment: Enrolment, now: datetime) -> None:
    if enrolment.status == EnrolmentStatus.CANCELLED:
        raise ValidationError(_("Je bent al afgemeld voor deze uitvoering."))
    run = enrolment.run
    if run.status != RunStatus.PUBLISHED:
        raise ValidationError(_("Deze uitvoering is geannuleerd of afgerond."))
    if enrolment.status == EnrolmentStatus.ENROLLED and run.starts_at and run.starts_at <= now:
        raise ValidationError(
            _("De training is al begonnen; meld je af bij de trainer of de coördinator.")
        )


def _release(enrolment: Enrolment, now: datetime) -> None:
    was_enrolled = enrolment.status == EnrolmentStatus.ENROLLED
    if enrolment.status == EnrolmentStatus.PENDING:
        for approval in ManagerApproval.objects.filter(episode__enrolment=enrolment):
            scheduling.approval_withdrawn(approval=approval)
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.cancelled_at = now
    enrolment.save(update_fields=["status", "cancelled_at", "updated_at"])
    scheduling.enrolment_reminders_cancel(enrolment=enrolment)
    if was_enrolled:
        _waitlist_promote(run=enrolment.run)


@transaction.atomic
def enrolment_cancel(*, enrolment: Enrolment, actor: User) -> Enrolment:
    """Give up a place or a place on the waiting list; a freed place goes to the next in line."""
    if enrolment.participant_id != actor.pk:
        raise PermissionDenied
    run = _lock_run(enrolment.run)
    enrolment = Enrolment.objects.select_related("participant").get(pk=enrolment.pk)
    enrolment.run = run
    now = timezone.now()
    _cancellable(enrolment, now)
    _release(enrolment, now)
    return enrolment


@transaction.atomic
def enrolment_release(*, token: str) -> Enrolment:
    """The mailed one-click "ik kan toch niet": free the place someone moved up into.

    No acting user: the signed token, mailed to the participant, is the permission.
    """
    enrolment_id = scheduling.enrolment_id_from_release_token(token)
    invalid = ValidationError(_("Deze link is niet meer geldig; je plaats is niet gewijzigd."))
    if enrolment_id is None:
        raise invalid
    run_id = Enrolment.objects.filter(pk=enrolment_id).values_list("run_id", flat=True).first()
    if run_id is None:
        raise invalid
    run = Run.objects.select_for_update().select_related("training").get(pk=run_id)
    enrolment = Enrolment.objects.select_related("participant").get(pk=enrolment_id)
    # Checked again under the lock: a token from before a re-enrolment no longer matches.
    if (
        enrolment.status != EnrolmentStatus.ENROLLED
        or scheduling.enrolment_id_from_release_token(token, enrolment=enrolment) is None
    ):
        raise invalid
    enrolment.run = run
    now = timezone.now()
    _cancellable(enrolment, now)
    _release(enrolment, now)
    return enrolment


def _waitlist_promote(*, run: Run) -> list[Enrolment]:
    """Move people up, first come first served, into the free places of a locked run.

    Private to this module and only safe under the run's row lock: ``run`` must come from
    ``_lock_run`` in the caller's transaction (``run_update`` and ``_release`` do so). The
    lock is what keeps two promotions from filling the same place.
    """
    now = timezone.now()
    if run.status != RunStatus.PUBLISHED or (run.starts_at and run.starts_at <= now):
        return []
    free = run.capacity - run.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    if free <= 0:
        return []
    promoted = list(
        run.enrolments.filter(status=EnrolmentStatus.WAITLISTED)
        .select_related("participant")
        .order_by("requested_at", "pk")[:free]
    )
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.enrolled_at = now
        enrolment.save(update_fields=["status", "enrolled_at", "updated_at"])
        enrolment.run = run
        scheduling.promotion_notice_plan(enrolment=enrolment)
        scheduling.enrolment_reminders_plan(enrolment=enrolment)
    return promoted


@transaction.atomic
def attendance_register_save(
    *, session: Session, marks: Iterable[tuple[Enrolment, str]], actor: User
) -> list[Attendance]:
    """Note who was at one session, the whole register at once: every row is saved, or none.

    The run's trainers and coordinators do this. The run's row is locked, so nobody's place
    changes between checking the register and writing it.
    """
    run = _lock_run(session.run)
    if not permissions.can_view_participants(actor, run):
        raise PermissionDenied
    session = Session.objects.get(pk=session.pk, run=run)
    if session.is_cancelled:
        raise ValidationError(_("Deze bijeenkomst is vervallen."))
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise ValidationError(_("Aanwezigheid noteer je op of na de dag van de bijeenkomst."))
    enrolled = set(
        run.enrolments.filter(status=EnrolmentStatus.ENROLLED).values_list("pk", flat=True)
    )
    rows: dict[int, Attendance] = {}
    for enrolment, status in marks:
        if enrolment.pk not in enrolled:
            raise ValidationError(_("Deze persoon staat niet ingeschreven voor deze uitvoering."))
        attendance = Attendance(
            enrolment_id=enrolment.pk, session=session, status=status, recorded_by=actor
        )
        attendance.full_clean(
            exclude=["enrolment", "session", "recorded_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        rows[enrolment.pk] = attendance
    if rows:
        Attendance.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["enrolment", "session"],
            update_fields=["status", "recorded_by", "updated_at"],
        )
    return list(rows.values())


def _own_enrolment(enrolment: Enrolment, author: User) -> None:
    if enrolment.participant_id != author.pk:
        raise PermissionDenied
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ValidationError(_("Je schrijft dit voor een training waarvoor je ingeschreven bent."))


@transaction.atomic
def development_plan_save(
    *,
    enrolment: Enrolment,
    author: User,
    content_goals: str,
    personal_goals: str,
    learned: str,
    embedding: str,
    needs: str,
) -> DevelopmentPlan:
    """Write or update one's persoonlijk ontwikkelingsplan for a run."""
    _own_enrolment(enrolment, author)
    plan, _created = DevelopmentPlan.objects.select_for_update().get_or_create(enrolment=enrolment)
    plan.content_goals = content_goals
    plan.personal_goals = personal_goals
    plan.learned = learned
    plan.embedding = embedding
    plan.needs = needs
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def reflection_save(
    *, enrolment: Enrolment, session: Session, author: User, struck_me: str, will_apply: str
) -> Reflection:
    """Write or update the reflection on one session, once it has begun."""
    _own_enrolment(enrolment, author)
    if session.run_id != enrolment.run_id:
        raise ValidationError(_("Deze bijeenkomst hoort niet bij jouw training."))
    if session.is_cancelled:
        raise ValidationError(_("Deze bijeenkomst is vervallen."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("Je schrijft je reflectie zodra de bijeenkomst begonnen is."))
    if not struck_me.strip():
        raise ValidationError({"struck_me": _("Schrijf op wat je opviel.")})
    reflection, _created = Reflection.objects.select_for_update().get_or_create(
        enrolment=enrolment, session=session, defaults={"struck_me": struck_me}
    )
    reflection.struck_me = struck_me
    reflection.will_apply = will_apply
    reflection.full_clean()
    reflection.save()
    return reflection


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    """The user's own feed address; everyone has one, made on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": _new_feed_token()}
    )
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return calendar_feed_get_or_create(user=user)
    feed.token = _new_feed_token()
    feed.save(update_fields=["token", "updated_at"])
    return feed


@transaction.atomic
def material_create(
    *, actor: User, training: Training, title: str, file=None, url: str = ""
) -> Material:
    """Attach a file or a link to a training, exactly one of both; its coordinators do this."""
    _require_manages_programme(actor, training.programme_id)
    if bool(file) == bool(url):
        raise ValidationError(_("Kies een bestand óf een link."))
    material = Material(training=training, title=title, url=url or "")
    if file:
        material.file = file
    material.full_clean()
    material.save()
    return material


def _resource_index(resource: Resource) -> None:
    """Write the search vector: title (A), description (B), kind, themes, partners and elements
    (C), stemmed with PostgreSQL's Dutch configuration. SQLite has none and searches by
    substring (``selectors.library_search``)."""
    if connection.vendor != "postgresql":
        return
    with translation.override(settings.LANGUAGE_CODE):
        tags = " ".join(
            [
                str(resource.get_kind_display()),
                *resource.themes.values_list("name", flat=True),
                *resource.organisations.values_list("name", flat=True),
                *(str(label) for label in resource.get_elements_display()),
            ]
        )
    Resource.objects.filter(pk=resource.pk).update(
        search_vector=SearchVector(Value(resource.title), weight="A", config="dutch")
        + SearchVector(Value(resource.description), weight="B", config="dutch")
        + SearchVector(Value(tags), weight="C", config="dutch")
    )


def _resource_write(
    resource: Resource,
    *,
    kind: str,
    title: str,
    description: str,
    file,
    url: str,
    contact_details: str,
    organisations: Iterable[Organisation],
    themes: Iterable[LibraryTheme],
    elements: Iterable[str],
) -> Resource:
    elements = set(elements)
    unknown = elements - set(Element.values)
    if unknown:
        raise ValidationError({"elements": _("Onbekend element.")})
    resource.kind = kind
    resource.title = title
    resource.description = description
    resource.url = url or ""
    resource.contact_details = contact_details or ""
    if file:
        resource.file = file
    for element in Element.values:
        setattr(resource, f"element_{element}", element in elements)
    resource.full_clean(exclude=["search_vector"])
    resource.save()
    resource.organisations.set(organisations)
    resource.themes.set(themes)
    _resource_index(resource)
    return resource


@transaction.atomic
def resource_create(
    *,
    actor: User,
    programme: Programme,
    kind: str,
    title: str,
    description: str,
    file=None,
    url: str = "",
    contact_details: str = "",
    organisations: Iterable[Organisation] = (),
    themes: Iterable[LibraryTheme] = (),
    elements: Iterable[str] = (),
) -> Resource:
    """Suggest a resource; a coordinator of the programme publishes their own at once."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied
    curates = permissions.coordinates_programme(actor, programme.pk)
    resource = Resource(
        programme=programme,
        suggested_by=actor,
        status=ResourceStatus.PUBLISHED if curates else ResourceStatus.SUGGESTED,
        curated_by=actor if curates else None,
        curated_at=timezone.now() if curates else None,
    )
    return _resource_write(
        resource,
        kind=kind,
        title=title,
        description=description,
        file=file,
        url=url,
        contact_details=contact_details,
        organisations=organisations,
        themes=themes,
        elements=elements,
    )


def _locked_resource(actor: User, resource: Resource) -> Resource:
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not permissions.can_curate_resource(actor, resource):
        raise PermissionDenied
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: User,
    resource: Resource,
    kind: str,
    title: str,
    description: str,
    file=None,
    url: str = "",
    contact_details: str = "",
    organisations: Iterable[Organisation] = (),
    themes: Iterable[LibraryTheme] = (),
    elements: Iterable[str] = (),
) -> Resource:
    """Edit a resource (its curators); ``file`` None keeps the stored file."""
    resource = _locked_resource(actor, resource)
    return _resource_write(
        resource,
        kind=kind,
        title=title,
        description=description,
        file=file,
        url=url,
        contact_details=contact_details,
        organisations=organisations,
        themes=themes,
        elements=elements,
    )


@transaction.atomic
def resource_publish(*, actor: User, resource: Resource) -> Resource:
    """Publish a suggested (or earlier rejected) resource to everyone logged in."""
    resource = _locked_resource(actor, resource)
    if resource.status == ResourceStatus.PUBLISHED:
        raise ValidationError(_("Dit middel is al gepubliceerd."))
    resource.status = ResourceStatus.PUBLISHED
    resource.curated_by = actor
    resource.curated_at = timezone.now()
    resource.rejection_reason = ""
    resource.save(update_fields=["status", "curated_by", "curated_at", "rejection_reason"])
    return resource


@transaction.atomic
def resource_reject(*, actor: User, resource: Resource, reason: str) -> Resource:
    """Reject a suggestion, or take a published resource out of the library, with a reason the
    suggester reads."""
    resource = _locked_resource(actor, resource)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Geef een reden; de indiener leest die.")})
    if resource.status == ResourceStatus.REJECTED:
        raise ValidationError(_("Dit middel is al afgewezen."))
    resource.status = ResourceStatus.REJECTED
    resource.curated_by = actor
    resource.curated_at = timezone.now()
    resource.rejection_reason = reason
    resource.save(update_fields=["status", "curated_by", "curated_at", "rejection_reason"])
    return resource


@transaction.atomic
def resource_from_material(
    *,
    actor: User,
    material: Material,
    description: str,
    themes: Iterable[LibraryTheme] = (),
    elements: Iterable[str] = (),
) -> Resource:
    """Publish a training's material to the library: an explicit act of its coordinators.

    The library gets its own copy of the file (or the link), so it is downloadable by everyone
    who sees the library while the material itself stays behind the training's own check.
    """
    material = (
        Material.objects.select_for_update(of=("self",))
        .select_related("training", "training__provider")
        .get(pk=material.pk)
    )
    if not permissions.can_manage_training(actor, material.training):
        raise PermissionDenied
    if Resource.objects.filter(material=material).exists():
        raise ValidationError(_("Dit materiaal staat al in de bibliotheek."))
    training = material.training
    resource = Resource(
        programme_id=training.programme_id,
        material=material,
        suggested_by=actor,
        status=ResourceStatus.PUBLISHED,
        curated_by=actor,
        curated_at=timezone.now(),
    )
    copy = None
    if material.file:
        try:
            with material.file.open("rb") as handle:
                copy = ContentFile(handle.read(), name=material.file.name.rsplit("/", 1)[-1])
        except FileNotFoundError:
            raise ValidationError(
                _("Het bestand van dit materiaal is niet meer te vinden.")
            ) from None
    return _resource_write(
        resource,
        kind=ResourceKind.DOCUMENT if copy else ResourceKind.LINK,
        title=material.title,
        description=description,
        file=copy,
        url=material.url,
        contact_details="",
        organisations=[training.provider],
        themes=themes,
        elements=elements,
    )


@transaction.atomic
def idea_propose(
    *,
    proposer: User,
    programme: Programme,
    title: str,
    form: str,
    content: str,
    partners: Iterable[Organisation] = (),
) -> Idea:
    """Anyone logged in proposes an idea; the programme's coordinators are mailed."""
    if not (proposer.is_authenticated and proposer.is_active):
        raise PermissionDenied
    if not programme.is_active:
        raise ValidationError({"programme": _("Dit programma loopt niet meer.")})
    idea = Idea(programme=programme, proposer=proposer, title=title, form=form, content=content)
    idea.full_clean()
    idea.save()
    idea.partners.set(partners)
    scheduling.idea_proposed_notice_plan(idea=idea)
    return idea


@transaction.atomic
def idea_status_change(*, actor: User, idea: Idea, status: str, comment: str = "") -> Idea:
    """Give an idea a new status (its programme's coordinators); the proposer is mailed.

    The idea's row is locked, so two coordinators deciding at once are recorded one after
    the other and the history never loses a step.
    """
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not permissions.can_decide_idea(actor, idea):
        raise PermissionDenied
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Kies een status uit de lijst.")})
    if status == idea.status:
        raise ValidationError(
            {
                "status": _("Het idee heeft deze status al: %(status)s.")
                % {"status": idea.get_status_display()}
            }
        )
    change = IdeaStatusChange(
        idea=idea,
        from_status=idea.status,
        to_status=status,
        comment=(comment or "").strip(),
        changed_by=actor,
    )
    change.full_clean()
    change.save()
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    scheduling.idea_status_notice_plan(change=change)
    return idea


def run_mailing_check(*, audience: str, subject: str, body: str) -> None:
    """Refuse an empty message, an unknown group or a placeholder that does not exist."""
    errors: dict[str, list[str]] = {}
    if audience not in MailingAudience.values:
        errors["audience"] = [_("Kies aan wie het bericht gaat.")]
    for field, text in (("subject", subject), ("body", body)):
        if not text.strip():
            errors[field] = [_("Dit veld is verplicht.")]
        unknown = mailing.unknown_placeholders(text)
        if unknown:
            errors.setdefault(field, []).append(
                _("Onbekende invulplek: %(names)s. Gebruik alleen: %(known)s.")
                % {
                    "names": ", ".join(f"{{{name}}}" for name in unknown),
                    "known": ", ".join(f"{{{name}}}" for name in mailing.PLACEHOLDERS),
                }
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def run_mailing_send(
    *, actor: User, run: Run, audience: str, subject: str, body: str
) -> RunMailing:
    """Mail a message to one group of a run's people; the run's coordinators do this.

    The group is read under the run's lock, recorded with the message and the count, and
    each person gets one reminder, sent at once and listed under "Mijn herinneringen".
    """
    run = _lock_managed_run(run, actor)
    run_mailing_check(audience=audience, subject=subject, body=body)
    recipients = list(selectors.mailing_recipients(run=run, audience=audience))
    if not recipients:
        raise ValidationError(_("Niemand hoort bij deze groep; er is niets verstuurd."))
    sent = RunMailing(
        run=run,
        sent_by=actor,
        audience=audience,
        subject=subject.strip(),
        body=body,
        recipient_count=len(recipients),
    )
    sent.full_clean()
    sent.save()
    scheduling.run_mailing_plan(mailing=sent, recipients=recipients)
    return sent


DEFAULT_QUESTIONS = (
    (QuestionKind.SCALE, "De training was relevant voor mijn werk."),
    (QuestionKind.SCALE, "Ik weet nu beter wie ik kan benaderen bij de aanbiedende partner."),
    (QuestionKind.SCALE, "De trainer bracht de stof goed over."),
    (QuestionKind.SCALE, "Ik raad deze training aan aan collega's."),
    (QuestionKind.OPEN, "Wat vond je het waardevolst?"),
    (QuestionKind.OPEN, "Wat kan er beter?"),
)

OPEN_ANSWER_MAX_LENGTH = 2000


@transaction.atomic
def evaluation_default_questions_seed(*, programme: Programme) -> None:
    """Give a programme that never had evaluation questions the default Dutch set.

    A building block, checking nothing: it only adds the defaults, once per programme (the
    programme row is locked, so two first visits add them once).
    """
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    if EvaluationQuestion.objects.filter(programme=programme).exists():
        return
    EvaluationQuestion.objects.bulk_create(
        EvaluationQuestion(programme=programme, kind=kind, text=text, position=position)
        for position, (kind, text) in enumerate(DEFAULT_QUESTIONS, start=1)
    )


def _clean_question(kind: str, text: str) -> str:
    text = " ".join(text.split())
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Kies een schaalvraag of een open vraag.")})
    if not text:
        raise ValidationError({"text": _("Schrijf de vraag op.")})
    return text


@transaction.atomic
def evaluation_question_create(
    *, actor: User, programme: Programme, kind: str, text: str
) -> EvaluationQuestion:
    """Add a question at the end of a programme's default set (its coordinators)."""
    if not permissions.can_edit_evaluation(actor, programme.pk):
        raise PermissionDenied
    evaluation_default_questions_seed(programme=programme)
    last = (
        EvaluationQuestion.objects.filter(programme=programme)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    question = EvaluationQuestion(
        programme=programme,
        kind=kind,
        text=_clean_question(kind, text),
        position=(last or 0) + 1,
    )
    question.full_clean()
    question.save()
    return question


def _lock_question(question: EvaluationQuestion, actor: User) -> EvaluationQuestion:
    question = EvaluationQuestion.objects.select_for_update().get(pk=question.pk)
    if not permissions.can_edit_evaluation(actor, question.programme_id):
        raise PermissionDenied
    return question


@transaction.atomic
def evaluation_question_update(
    *, actor: User, question: EvaluationQuestion, kind: str, text: str
) -> EvaluationQuestion:
    """Reword a question or change its kind; runs already asked keep their own copy."""
    question = _lock_question(question, actor)
    question.text = _clean_question(kind, text)
    question.kind = kind
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def evaluation_question_move(
    *, actor: User, question: EvaluationQuestion, up: bool
) -> EvaluationQuestion:
    """Swap a question with its neighbour above (``up``) or below; at an end nothing moves."""
    question = _lock_question(question, actor)
    siblings = EvaluationQuestion.objects.select_for_update().filter(
        programme_id=question.programme_id
    )
    neighbour = (
        siblings.filter(position__lt=question.position).order_by("-position", "-pk")
        if up
        else siblings.filter(position__gt=question.position).order_by("position", "pk")
    ).first()
    if neighbour is None:
        return question
    question.position, neighbour.position = neighbour.position, question.position
    question.save(update_fields=["position", "updated_at"])
    neighbour.save(update_fields=["position", "updated_at"])
    return question


@transaction.atomic
def evaluation_question_set_active(
    *, actor: User, question: EvaluationQuestion, is_active: bool
) -> EvaluationQuestion:
    """Take a question out of use or back in; the last scale question stays in use."""
    question = _lock_question(question, actor)
    if not is_active and question.kind == QuestionKind.SCALE:
        Programme.objects.select_for_update().filter(pk=question.programme_id).first()
        others = EvaluationQuestion.objects.filter(
            programme_id=question.programme_id, kind=QuestionKind.SCALE, is_active=True
        ).exclude(pk=question.pk)
        if not others.exists():
            raise ValidationError(_("Er moet minstens één schaalvraag in gebruik blijven."))
    question.is_active = is_active
    question.save(update_fields=["is_active", "updated_at"])
    return question


@transaction.atomic
def evaluation_settings_update(
    *, actor: User, programme: Programme, followup_weeks: int, trainers_see_aggregates: bool
) -> EvaluationSettings:
    """Change when the samenwerkingsmeter is asked and whether trainers see their figures.

    Follow-ups not yet sent move to the new moment.
    """
    if not permissions.can_edit_evaluation(actor, programme.pk):
        raise PermissionDenied
    row, _created = EvaluationSettings.objects.select_for_update().get_or_create(
        programme=programme
    )
    weeks_changed = row.followup_weeks != followup_weeks
    row.followup_weeks = followup_weeks
    row.trainers_see_aggregates = trainers_see_aggregates
    row.full_clean()
    row.save()
    if weeks_changed:
        scheduling.programme_followups_replan(programme_id=programme.pk)
    return row


@transaction.atomic
def run_evaluation_open(*, run: Run) -> list[RunQuestion]:
    """The run's questions, copied from the programme's set the first time they are asked.

    A building block, checking nothing (the participant's answer page and the results page
    call it); later edits of the programme's set leave the copy alone, so results stay
    comparable. The run's row is locked, so the copy is made once.
    """
    run = _lock_run(run)
    existing = list(RunQuestion.objects.filter(run=run).order_by("position", "pk"))
    if existing:
        return existing
    programme = Programme.objects.get(pk=run.training.programme_id)
    evaluation_default_questions_seed(programme=programme)
    return RunQuestion.objects.bulk_create(
        RunQuestion(run=run, kind=question.kind, text=question.text, position=position)
        for position, question in enumerate(
            EvaluationQuestion.objects.filter(programme=programme, is_active=True).order_by(
                "position", "pk"
            ),
            start=1,
        )
    )


def _lock_invitee(run: Run, participant: User) -> Enrolment:
    """The participant's place in the run, locked, if they are asked; else a refusal."""
    enrolment = (
        selectors.evaluation_invitees(run_ids=[run.pk])
        .filter(participant=participant)
        .select_for_update()
        .first()
    )
    if enrolment is None or run.status == RunStatus.CANCELLED:
        raise PermissionDenied
    return enrolment


@transaction.atomic
def evaluation_submit(
    *, participant: User, run: Run, scores: dict[int, int], texts: dict[int, str]
) -> None:
    """Answer a run's evaluation once, anonymously, after its last session.

    ``scores`` and ``texts`` are by question id; every scale question needs a score from 1 to
    5, open questions may stay empty. Stored: that the participant answered, and the answers
    without them.
    """
    _lock_invitee(run, participant)
    if run.ends_at is None or run.ends_at > timezone.now():
        raise ValidationError(_("Je vult de evaluatie in na de laatste bijeenkomst."))
    if EvaluationRespondent.objects.filter(run=run, participant=participant).exists():
        raise ValidationError(_("Je hebt deze evaluatie al ingevuld; dat kan één keer."))
    questions = run_evaluation_open(run=run)
    known = {question.pk for question in questions}
    if set(scores) - known or set(texts) - known:
        raise ValidationError(_("Deze vraag hoort niet bij deze evaluatie."))
    answers, errors = [], {}
    for question in questions:
        if question.kind == QuestionKind.SCALE:
            score = scores.get(question.pk)
            if score not in evaluation.SCALE:
                errors[f"q{question.pk}"] = _("Kies een waarde van 1 tot en met 5.")
                continue
            answers.append(EvaluationAnswer(question=question, score=score))
        else:
            text = (texts.get(question.pk) or "").strip()
            if len(text) > OPEN_ANSWER_MAX_LENGTH:
                errors[f"q{question.pk}"] = _("Houd het antwoord onder de %(n)d tekens.") % {
                    "n": OPEN_ANSWER_MAX_LENGTH
                }
            elif text:
                answers.append(EvaluationAnswer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    EvaluationRespondent.objects.create(run=run, participant=participant)
    # Shuffled before writing: even the insertion order does not follow the form.
    EvaluationAnswer.objects.bulk_create(evaluation.shuffled(answers))


@transaction.atomic
def followup_submit(
    *,
    participant: User,
    run: Run,
    contacted: bool,
    organisations: Sequence[Organisation],
    outcome: str,
) -> None:
    """Answer a run's samenwerkingsmeter once, anonymously, once its weeks have passed.

    Organisations are the programme's partners other than one's own, never a person.
    """
    _lock_invitee(run, participant)
    opens_at = selectors.followup_opens_at(run)
    if opens_at is None or opens_at > timezone.now():
        raise ValidationError(_("Deze vragen komen later; je krijgt er een e-mail over."))
    if FollowupRespondent.objects.filter(run=run, participant=participant).exists():
        raise ValidationError(_("Je hebt deze vragen al beantwoord; dat kan één keer."))
    allowed = set(
        selectors.followup_partner_choices(run=run, user=participant).values_list("pk", flat=True)
    )
    organisation_ids = {organisation.pk for organisation in organisations}
    if organisation_ids - allowed:
        raise ValidationError({"organisations": _("Kies organisaties uit de lijst.")})
    if contacted and not organisation_ids:
        raise ValidationError({"organisations": _("Kies met welke organisatie je contact had.")})
    if not contacted and organisation_ids:
        raise ValidationError(
            {
                "organisations": _(
                    "Je gaf aan geen contact te hebben gehad; kies dan geen organisatie."
                )
            }
        )
    outcome = outcome.strip()
    if len(outcome) > OPEN_ANSWER_MAX_LENGTH:
        raise ValidationError(
            {
                "outcome": _("Houd het antwoord onder de %(n)d tekens.")
                % {"n": OPEN_ANSWER_MAX_LENGTH}
            }
        )
    FollowupRespondent.objects.create(run=run, participant=participant)
    answer = FollowupAnswer.objects.create(run=run, contacted=contacted, outcome=outcome)
    FollowupContact.objects.bulk_create(
        FollowupContact(answer=answer, organisation_id=pk) for pk in sorted(organisation_ids)
    )


def _lock_enrolment(enrolment: Enrolment) -> None:
    """Serialise issuing for one enrolment, so two downloads at once make one certificate."""
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()


def _certificate_create(*, enrolment: Enrolment, issued_by: User | None) -> Certificate:
    """A certificate for a complete enrolment read by ``selectors.own_enrolment_for_certificate``
    or ``managed_enrolment``; refuses when the rule is not met or a valid one exists."""
    outcome = selectors.completion_of(
        enrolment=enrolment, sessions=list(enrolment.run.sessions.all())
    )
    if not outcome.is_complete:
        raise ValidationError(
            _("Deze deelname voldoet (nog) niet aan de eisen voor een certificaat.")
        )
    if Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True).exists():
        raise ValidationError(_("Er is al een geldig certificaat voor deze deelname."))
    participant = enrolment.participant
    if not participant.full_name.strip():
        raise ValidationError(_("Vul eerst je naam in je profiel in; die komt op het certificaat."))
    run = enrolment.run
    code = codes.new_code()
    while Certificate.objects.filter(code=code).exists():
        code = codes.new_code()
    certificate = Certificate(
        enrolment=enrolment,
        code=code,
        participant_name=participant.full_name.strip(),
        training_title=run.training.title,
        programme_name=run.training.programme.name,
        issuer_name=run.training.provider.name,
        run_starts_on=timezone.localdate(run.starts_at),
        run_ends_on=timezone.localdate(run.ends_at),
        issued_at=timezone.now(),
        issued_by=issued_by,
    )
    certificate.full_clean(exclude=["enrolment", "issued_by"], validate_constraints=False)
    certificate.save()
    return certificate


@transaction.atomic
def certificate_get_or_issue(*, enrolment: Enrolment, participant: User) -> Certificate:
    """The participant's valid certificate for a run they completed, issued on first request.

    Only the participant themself; after a revocation only a coordinator issues a new one.
    """
    if enrolment.participant_id != participant.pk:
        raise PermissionDenied
    _lock_enrolment(enrolment)
    certificates = list(Certificate.objects.filter(enrolment=enrolment))
    valid = next((c for c in certificates if c.revoked_at is None), None)
    if valid is not None:
        return valid
    if certificates:
        raise ValidationError(
            _(
                "Je certificaat is ingetrokken. "
                "Neem contact op met de coördinator van het programma."
            )
        )
    return _certificate_create(enrolment=enrolment, issued_by=None)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Withdraw a certificate; its code then shows it as revoked. Coordinators, with a reason."""
    if not permissions.can_manage_run(actor, certificate.enrolment.run):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Geef een reden voor het intrekken.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ValidationError(_("Dit certificaat is al ingetrokken."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revocation_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "updated_at"])
    return certificate


@transaction.atomic
def certificate_reissue(*, enrolment: Enrolment, actor: User) -> Certificate:
    """A new certificate (new code) after a revocation, when the rule is still met."""
    if not permissions.can_manage_run(actor, enrolment.run):
        raise PermissionDenied
    _lock_enrolment(enrolment)
    return _certificate_create(enrolment=enrolment, issued_by=actor)


# Enough for twenty people naming a handful each; a room that reaches it is asked to stop.
AWARENESS_EXAMPLES_PER_SESSION = 200


def _lock_awareness_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("run", "run__training")
        .get(pk=session.pk)
    )


def _require_room_is_held(session: Session) -> None:
    if session.run.training.format != TrainingFormat.AWARENESS:
        raise ValidationError(_("Deze bijeenkomst is geen bewustwordingssessie."))
    if session.is_cancelled or session.run.status not in (
        RunStatus.PUBLISHED,
        RunStatus.COMPLETED,
    ):
        raise ValidationError(_("Deze bijeenkomst gaat niet door."))


def awareness_room_is_live(session: Session, now: datetime | None = None) -> bool:
    """The room takes examples on the day of the session."""
    now = now or timezone.now()
    return timezone.localdate(session.starts_at) == timezone.localdate(now)


def _require_leads_room(actor: User, session: Session) -> None:
    if not permissions.leads_awareness_room(actor, session.run):
        raise PermissionDenied
    _require_room_is_held(session)
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise ValidationError(_("De sessie is nog niet begonnen."))


@transaction.atomic
def awareness_step_set(*, actor: User, session: Session, step: str) -> AwarenessRoom:
    """Move the room to one of the four elements; everyone's page follows."""
    session = _lock_awareness_session(session)
    _require_leads_room(actor, session)
    if step not in AwarenessStep.values:
        raise ValidationError({"step": _("Kies netwerk, begrip, signaal of oppakken.")})
    room, _created = AwarenessRoom.objects.update_or_create(
        session=session, defaults={"step": step}
    )
    return room


@transaction.atomic
def awareness_definition_save(
    *, actor: User, session: Session, group: str, text: str
) -> AwarenessDefinition:
    """Write down (or rewrite) one small group's definition of ondermijning."""
    session = _lock_awareness_session(session)
    _require_leads_room(actor, session)
    group, text = group.strip(), text.strip()
    if not group:
        raise ValidationError({"group": _("Geef de groep een naam, bijvoorbeeld „Groep 1”.")})
    if not text:
        raise ValidationError({"text": _("Schrijf de definitie van de groep op.")})
    definition = AwarenessDefinition.objects.filter(session=session, group=group).first()
    if definition is None:
        definition = AwarenessDefinition(session=session, group=group)
    definition.text = text
    definition.full_clean()
    definition.save()
    return definition


@transaction.atomic
def awareness_example_submit(
    *, participant: User, session: Session, text: str, submission_key: str
) -> AwarenessExample:
    """Name an HKIN example in the room, anonymously: the row keeps no trace of who.

    Everyone in the room (its participants and trainers) may, on the day of the session.
    The same form sent twice (its one-time key) stores one example.
    """
    session = _lock_awareness_session(session)
    if not permissions.is_in_awareness_room(participant, session.run):
        raise PermissionDenied
    _require_room_is_held(session)
    if not awareness_room_is_live(session):
        raise ValidationError(_("Voorbeelden noem je op de dag van de sessie."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Beschrijf wat je zag of hoorde.")})
    existing = AwarenessExample.objects.filter(
        session=session, submission_key=submission_key
    ).first()
    if existing is not None:
        return existing
    if session.awareness_examples.count() >= AWARENESS_EXAMPLES_PER_SESSION:
        raise ValidationError(
            _("Deze sessie heeft al %(count)d voorbeelden; bespreek ze eerst.")
            % {"count": AWARENESS_EXAMPLES_PER_SESSION}
        )
    example = AwarenessExample(session=session, text=text, submission_key=submission_key)
    example.full_clean()
    example.save()
    return example


def _lock_example(example: AwarenessExample, actor: User) -> AwarenessExample:
    session = _lock_awareness_session(example.session)
    _require_leads_room(actor, session)
    example = AwarenessExample.objects.get(pk=example.pk, session=session)
    example.session = session
    return example


@transaction.atomic
def awareness_example_group(
    *, actor: User, example: AwarenessExample, theme: str
) -> AwarenessExample:
    """Put an example under a theme (empty: back to "not grouped yet"); the trainer does this."""
    example = _lock_example(example, actor)
    if theme and theme not in ExampleTheme.values:
        raise ValidationError({"theme": _("Kies een thema uit de lijst.")})
    example.theme = theme
    example.save(update_fields=["theme"])
    return example


@transaction.atomic
def awareness_example_remove(*, actor: User, example: AwarenessExample) -> None:
    """Take an example off the screen (a name, an insult, a test); the trainer does this."""
    _lock_example(example, actor).delete()


# --- retention (registered in ``trainings.retention``) ---------------------------------------


@transaction.atomic
def development_plans_anonymise(*, plan_ids: list[int]) -> int:
    """Remove the participant's text from these plans; returns how many.

    "Wat heb ik geleerd?" becomes a fixed note when it was filled in, not empty: the
    completion rule asks whether it was answered, and an old run's completion and
    certificates must not change when its plans pass their retention period.
    """
    plans = DevelopmentPlan.objects.filter(pk__in=plan_ids)
    plans.exclude(learned="").update(learned=TEXT_REMOVED)
    return plans.update(
        content_goals="", personal_goals="", embedding="", needs="", updated_at=timezone.now()
    )


@transaction.atomic
def followup_outcomes_anonymise(*, answer_ids: list) -> int:
    """Remove the outcome text of these samenwerkingsmeters; the answers and counts stay."""
    return FollowupAnswer.objects.filter(pk__in=answer_ids).update(outcome="")


# --- the programme dashboard's overview, counted away from the page ---------------------------


def programme_overview_count(*, programme_id: int, first: date, last: date) -> bool:
    """Count a programme's overview for the days ``first`` to ``last`` and keep it (the
    task calls this; safe to run twice). False when the programme no longer exists."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        return False
    period = stats.custom_period(first, last)
    now = timezone.now()
    overview = selectors.programme_overview(programme=programme, period=period, now=now)
    portal_services.figures_snapshot_store(
        key=selectors.overview_key(programme_id=programme_id, period=period),
        figures=overview.to_json(),
        computed_at=now,
    )
    return True


def programme_overview_request(
    *, programme: Programme, period: stats.Period, now: datetime
) -> None:
    """Ask for a new count of the programme's overview for ``period`` (queued after commit)."""
    portal_services.figures_snapshot_request(
        key=selectors.overview_key(programme_id=programme.pk, period=period),
        task=selectors.OVERVIEW_TASK,
        args=[programme.pk, period.first.isoformat(), period.last.isoformat()],
        now=now,
    )
