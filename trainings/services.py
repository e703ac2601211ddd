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
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Value
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal import workdays
from portal.models import Organisation, Programme, User

from . import permissions, scheduling
from .models import (
    Attendance,
    CalendarFeed,
    DevelopmentPlan,
    Element,
    Enrolment,
    EnrolmentEpisode,
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
    SessionChange,
    Training,
    TrainingFormat,
)


def _local(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- trainings -------------------------------------------------------------------------------
# Trainings, runs and sessions are written by the programme's coordinators (checked here) and
# by the verkenning app turning a design into a draft (checked there, through the building
# blocks below).


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
) -> Training:
    """Add a training to a programme's catalogue; the programme's coordinators do this."""
    _require_manages_programme(actor, programme.pk)
    return training_draft_create(
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
) -> Training:
    """Add a training to a programme's catalogue, checking no permission.

    A building block: composed by verkenning's ``training_design_convert_to_training``
    (the caller checks who may convert) and by ``training_create`` here.
    """
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
) -> Training:
    """Change a training; the programme's coordinators do this."""
    _require_manages_programme(actor, training.programme_id)
    training.title = title
    training.description = description
    training.provider = provider
    training.format = format
    training.content_goals = content_goals
    training.personal_goals = personal_goals
    training.default_capacity = default_capacity
    training.audience_disciplines = list(audience_disciplines)
    training.full_clean()
    training.save()
    training.audience_organisations.set(audience_organisations)
    return training


# --- runs and sessions -----------------------------------------------------------------------


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
    run.ends_at = max(s["ends_at"] for s in sessions) if sessions else None
    run.save(update_fields=["starts_at", "ends_at", "updated_at"])


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
            status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
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


# --- enrolment -------------------------------------------------------------------------------


def _refusal(run: Run, participant: User, now: datetime) -> str | None:
    """Why ``participant`` may not ask for a place in ``run`` now, or None."""
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
def enrolment_create(*, run: Run, participant: User) -> Enrolment:
    """Take a place in a run, or a place on its waiting list when it is full.

    The participant acts for themselves. Refusals raise ValidationError with the reason in
    Dutch and change nothing. Someone enrolling again after cancelling reuses their row but
    starts a new episode, which gets its own confirmation or waiting-list mail.
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
    enrolled = run.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    # Strictly first come, first served: a free place goes to the waiting list first.
    has_place = enrolled < run.capacity and _waitlist_is_empty(run)
    if enrolment is None:
        enrolment = Enrolment(run=run, participant=participant)
    enrolment.status = EnrolmentStatus.ENROLLED if has_place else EnrolmentStatus.WAITLISTED
    enrolment.requested_at = now
    enrolment.enrolled_at = now if has_place else None
    enrolment.cancelled_at = None
    enrolment.full_clean(validate_unique=False)
    enrolment.save()
    EnrolmentEpisode.objects.create(enrolment=enrolment, started_at=now)
    if has_place:
        scheduling.enrolment_confirmation_plan(enrolment=enrolment)
        scheduling.enrolment_reminders_plan(enrolment=enrolment)
    else:
        scheduling.waitlisted_notice_plan(enrolment=enrolment)
    return enrolment


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


# --- attendance ------------------------------------------------------------------------------


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


# --- what participants write -----------------------------------------------------------------


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


# --- calendar feed ---------------------------------------------------------------------------


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


# --- the library (middelen) ------------------------------------------------------------------
# Anyone logged in suggests a resource; the coordinators of its programme publish, edit or
# reject it (a coordinator's own resource is published at once). Every write refreshes the
# resource's full-text vector here, on PostgreSQL: no save() logic, no signals.


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


# --- ideas for knowledge exchange ------------------------------------------------------------


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
