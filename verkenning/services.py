"""Writes for verkenningen: the inventory, the snowball, interviews and the training design.

Every service takes the acting user and refuses with ``PermissionDenied`` whoever may not
work on the verkenning (``permissions.can_work_on``) or keep the themes; the views only
answer 404 early. The services also keep the data honest: contacts stay inside their
verkenning and the snowball never loops.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Organisation, Programme, User
from portal.retention import TEXT_REMOVED
from trainings import services as training_services
from trainings.models import Training
from werkplaats import services as werkplaats_services
from werkplaats.models import SessionLength, Werkplaats

from . import permissions
from .models import (
    Answer,
    Contact,
    ContactStatus,
    Interview,
    InventoryDepartment,
    Observation,
    Question,
    Theme,
    TrainingDesign,
    Verkenning,
    VerkenningStatus,
)

# A werkplaats session longer than this is a whole day rather than a dagdeel.
LONGEST_DAGDEEL = timedelta(hours=5)

# --- verkenning and inventory ----------------------------------------------------------------


def _clean_department_names(names: Iterable[str]) -> list[str]:
    """Trimmed, non-empty, first spelling wins when two differ only in case."""
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def _set_departments(verkenning: Verkenning, names: Iterable[str]) -> None:
    wanted = _clean_department_names(names)
    for name in wanted:
        if len(name) > InventoryDepartment._meta.get_field("name").max_length:
            raise ValidationError(
                {"departments": _("De afdelingsnaam “%(name)s” is te lang.") % {"name": name[:40]}}
            )
    existing = {d.name.casefold(): d for d in verkenning.departments.all()}
    keep = {name.casefold() for name in wanted}
    verkenning.departments.exclude(pk__in=[d.pk for k, d in existing.items() if k in keep]).delete()
    InventoryDepartment.objects.bulk_create(
        InventoryDepartment(verkenning=verkenning, name=name)
        for name in wanted
        if name.casefold() not in existing
    )


@transaction.atomic
def verkenning_create(
    *,
    created_by: User,
    programme: Programme,
    organisation: Organisation,
    title: str,
    purpose: str = "",
) -> Verkenning:
    """Start a verkenning; whoever starts it is its first verkenner."""
    if not permissions.can_create_verkenning(created_by):
        raise PermissionDenied
    verkenning = Verkenning(
        programme=programme,
        organisation=organisation,
        title=title,
        purpose=purpose,
        created_by=created_by,
    )
    verkenning.full_clean()
    verkenning.save()
    verkenning.verkenners.add(created_by)
    return verkenning


@transaction.atomic
def verkenning_update(
    *,
    actor: User,
    verkenning: Verkenning,
    title: str,
    purpose: str,
    status: str,
    organisation: Organisation,
    verkenners: Iterable[User],
    departments: Iterable[str],
    professionals: str,
    managers: str,
    policy_staff: str,
    acquaintance: str,
    shared_goal: str,
    existing_knowledge: str,
) -> Verkenning:
    """Save the verkenning's details and the inventory filled in before the conversations."""
    if not permissions.can_work_on(actor, verkenning):
        raise PermissionDenied
    verkenners = list(verkenners)
    if not verkenners:
        raise ValidationError({"verkenners": _("Een verkenning heeft minstens één verkenner.")})
    verkenning.title = title
    verkenning.purpose = purpose
    if status != VerkenningStatus.DONE:
        verkenning.finished_at = None
    elif verkenning.status != VerkenningStatus.DONE or verkenning.finished_at is None:
        verkenning.finished_at = timezone.now()
    verkenning.status = status
    verkenning.organisation = organisation
    verkenning.professionals = professionals
    verkenning.managers = managers
    verkenning.policy_staff = policy_staff
    verkenning.acquaintance = acquaintance
    verkenning.shared_goal = shared_goal
    verkenning.existing_knowledge = existing_knowledge
    verkenning.full_clean()
    verkenning.save()
    verkenning.verkenners.set(verkenners)
    _set_departments(verkenning, departments)
    return verkenning


# --- themes ----------------------------------------------------------------------------------
# The theme list is shared by every verkenning; coordinators keep it.


@transaction.atomic
def theme_create(*, actor: User, name: str, name_en: str = "") -> Theme:
    """Add a theme observations and designs can be tagged with, optionally named in English."""
    if not permissions.can_keep_themes(actor):
        raise PermissionDenied
    name = " ".join(name.split())
    if Theme.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Dit thema bestaat al.")})
    theme = Theme(name=name, name_en=" ".join(name_en.split()))
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_set_active(*, actor: User, theme: Theme, is_active: bool) -> Theme:
    """Retire a theme from the forms (earlier observations keep it) or bring it back."""
    if not permissions.can_keep_themes(actor):
        raise PermissionDenied
    theme.is_active = is_active
    theme.save(update_fields=["is_active", "updated_at"])
    return theme


# --- the snowball ----------------------------------------------------------------------------


def _check_referrer(verkenning: Verkenning, referred_by: Contact | None) -> None:
    if referred_by is not None and referred_by.verkenning_id != verkenning.pk:
        raise ValidationError(
            {"referred_by": _("Wie doorverwees hoort bij een andere verkenning.")}
        )


@transaction.atomic
def contact_create(
    *,
    actor: User,
    verkenning: Verkenning,
    name: str,
    organisation_name: str = "",
    department: str = "",
    role: str = "",
    referred_by: Contact | None = None,
    status: str = ContactStatus.TO_APPROACH,
) -> Contact:
    """Add a person to the snowball, optionally as referred by an earlier contact."""
    if not permissions.can_work_on(actor, verkenning):
        raise PermissionDenied
    return _contact_add(
        verkenning=verkenning,
        name=name,
        organisation_name=organisation_name,
        department=department,
        role=role,
        referred_by=referred_by,
        status=status,
    )


def _contact_add(
    *,
    verkenning: Verkenning,
    name: str,
    organisation_name: str,
    department: str,
    role: str,
    referred_by: Contact | None,
    status: str,
) -> Contact:
    """``contact_create`` once the actor is known to work on the verkenning."""
    _check_referrer(verkenning, referred_by)
    contact = Contact(
        verkenning=verkenning,
        name=name.strip(),
        organisation_name=organisation_name.strip(),
        department=" ".join(department.split()),
        role=role.strip(),
        referred_by=referred_by,
        status=status,
    )
    contact.full_clean()
    contact.save()
    return contact


def _would_loop(contact: Contact, referred_by: Contact | None) -> bool:
    """Whether ``contact`` appears in the "came from" chain above ``referred_by``."""
    parents = dict(
        Contact.objects.filter(verkenning_id=contact.verkenning_id).values_list(
            "pk", "referred_by_id"
        )
    )
    current = referred_by.pk if referred_by else None
    seen = set()
    while current is not None and current not in seen:
        if current == contact.pk:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


@transaction.atomic
def contact_update(
    *,
    actor: User,
    contact: Contact,
    name: str,
    organisation_name: str,
    department: str,
    role: str,
    referred_by: Contact | None,
    status: str,
) -> Contact:
    """Change a contact; the referral may not point to itself or close a loop."""
    if not permissions.can_work_on(actor, contact.verkenning):
        raise PermissionDenied
    # Lock the verkenning so two edits cannot each close half of a loop.
    Verkenning.objects.select_for_update().filter(pk=contact.verkenning_id).first()
    _check_referrer(contact.verkenning, referred_by)
    if referred_by is not None and referred_by.pk == contact.pk:
        raise ValidationError({"referred_by": _("Iemand kan niet naar zichzelf doorverwijzen.")})
    if _would_loop(contact, referred_by):
        raise ValidationError(
            {
                "referred_by": _(
                    "Dan zou de sneeuwbal rondlopen: %(name)s is zelf (direct of via "
                    "anderen) door %(other)s aangedragen."
                )
                % {"name": referred_by, "other": contact}
            }
        )
    contact.name = name.strip()
    contact.organisation_name = organisation_name.strip()
    contact.department = " ".join(department.split())
    contact.role = role.strip()
    contact.referred_by = referred_by
    contact.status = status
    contact.full_clean()
    contact.save()
    return contact


# --- interviews ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservationInput:
    kind: str
    text: str
    themes: Sequence[Theme] = ()
    include_as_quote: bool = False


@dataclass(frozen=True)
class NewContactInput:
    name: str
    organisation_name: str = ""
    department: str = ""
    role: str = ""


@dataclass(frozen=True)
class InterviewInput:
    contact: Contact
    held_on: date
    duration_minutes: int
    notes: str = ""
    # Question → the notes taken on it; questions not asked are left out.
    answers: dict[Question, str] = field(default_factory=dict)
    observations: Sequence[ObservationInput] = ()
    new_contacts: Sequence[NewContactInput] = ()


@transaction.atomic
def interview_record(*, verkenning: Verkenning, verkenner: User, data: InterviewInput) -> Interview:
    """Record a conversation: notes per question, observations, and the contacts it named.

    The contact spoken to is marked as spoken; each person they named joins the snowball as
    referred by them. The verkenner is the acting user: refused unless they may work on it.
    """
    if not permissions.can_work_on(verkenner, verkenning):
        raise PermissionDenied
    contact = data.contact
    if contact.verkenning_id != verkenning.pk:
        raise ValidationError({"contact": _("Deze persoon hoort niet bij deze verkenning.")})
    if data.held_on > timezone.localdate() + timedelta(days=1):
        raise ValidationError({"held_on": _("Een gesprek dat nog moet komen, leg je later vast.")})
    interview = Interview(
        verkenning=verkenning,
        contact=contact,
        verkenner=verkenner,
        held_on=data.held_on,
        duration_minutes=data.duration_minutes,
        notes=data.notes,
    )
    interview.full_clean()
    interview.save()
    answers = [
        Answer(interview=interview, question=question, notes=notes.strip())
        for question, notes in data.answers.items()
        if notes.strip()
    ]
    Answer.objects.bulk_create(answers)
    for item in data.observations:
        observation = Observation(
            interview=interview,
            kind=item.kind,
            text=item.text.strip(),
            include_as_quote=item.include_as_quote,
        )
        observation.full_clean()
        observation.save()
        observation.themes.set(item.themes)
    for person in data.new_contacts:
        _contact_add(
            verkenning=verkenning,
            name=person.name,
            organisation_name=person.organisation_name,
            department=person.department,
            role=person.role,
            referred_by=contact,
            status=ContactStatus.TO_APPROACH,
        )
    if contact.status != ContactStatus.SPOKEN:
        contact.status = ContactStatus.SPOKEN
        contact.save(update_fields=["status", "updated_at"])
    if verkenning.status == VerkenningStatus.PREPARING:
        verkenning.status = VerkenningStatus.IN_CONVERSATIONS
        verkenning.save(update_fields=["status", "updated_at"])
    return interview


# --- the training design ---------------------------------------------------------------------


@transaction.atomic
def training_design_save(
    *,
    actor: User,
    verkenning: Verkenning,
    title: str,
    description: str,
    format: str,
    provider: Organisation,
    themes: Iterable[Theme] = (),
    content_goals: str = "",
    personal_goals: str = "",
    target_groups: str = "",
    trainers_needed: str = "",
    trainers: Iterable[User] = (),
    manager_approval: bool = False,
    budget: Decimal | None = None,
    planning: str = "",
    practicalities: str = "",
    capacity: int = 12,
    location: str = "",
    first_session_starts_at: datetime | None = None,
    first_session_ends_at: datetime | None = None,
    werkplaats_session_count: int = 3,
    werkplaats_weeks_between_sessions: int = 4,
) -> TrainingDesign:
    """Write (or rewrite) the trainingsopzet of a verkenning."""
    if not permissions.can_work_on(actor, verkenning):
        raise PermissionDenied
    if (
        first_session_starts_at
        and first_session_ends_at
        and first_session_ends_at <= first_session_starts_at
    ):
        raise ValidationError(
            {"first_session_ends_at": _("De bijeenkomst moet eindigen ná het begin.")}
        )
    design = TrainingDesign.objects.filter(verkenning=verkenning).first() or TrainingDesign(
        verkenning=verkenning
    )
    design.title = title
    design.description = description
    design.format = format
    design.provider = provider
    design.content_goals = content_goals
    design.personal_goals = personal_goals
    design.target_groups = target_groups
    design.trainers_needed = trainers_needed
    design.manager_approval = manager_approval
    design.budget = budget
    design.planning = planning
    design.practicalities = practicalities
    design.capacity = capacity
    design.location = location
    design.first_session_starts_at = first_session_starts_at
    design.first_session_ends_at = first_session_ends_at
    design.werkplaats_session_count = werkplaats_session_count
    design.werkplaats_weeks_between_sessions = werkplaats_weeks_between_sessions
    design.full_clean()
    design.save()
    design.themes.set(themes)
    design.trainers.set(trainers)
    if verkenning.status in (VerkenningStatus.PREPARING, VerkenningStatus.IN_CONVERSATIONS):
        verkenning.status = VerkenningStatus.DESIGN
        verkenning.save(update_fields=["status", "updated_at"])
    return design


def _design_summary(design: TrainingDesign) -> str:
    """The design's description with its target groups and themes, for what it turns into."""
    parts = [design.description.strip()]
    if design.target_groups.strip():
        parts.append(_("Doelgroepen: %(groups)s") % {"groups": design.target_groups.strip()})
    themes = ", ".join(theme.name for theme in design.themes.all())
    if themes:
        parts.append(_("Thema's: %(themes)s") % {"themes": themes})
    return "\n\n".join(parts)


def _locked_design(design: TrainingDesign, actor: User) -> TrainingDesign:
    """The design locked for converting, once the actor is known to work on its verkenning."""
    design = (
        TrainingDesign.objects.select_for_update()
        .select_related("verkenning", "verkenning__programme", "verkenning__organisation")
        .get(pk=design.pk)
    )
    if not permissions.can_work_on(actor, design.verkenning):
        raise PermissionDenied
    return design


def _require_first_session_ahead(
    design: TrainingDesign, *, now: datetime, missing_message: str
) -> None:
    """Location and first session filled in (else ``missing_message`` names what is not),
    and that session still to come."""
    missing = [
        label
        for label, value in (
            (_("locatie"), design.location.strip()),
            (_("begin van de eerste bijeenkomst"), design.first_session_starts_at),
            (_("einde van de eerste bijeenkomst"), design.first_session_ends_at),
        )
        if not value
    ]
    if missing:
        raise ValidationError(missing_message % {"fields": ", ".join(missing)})
    if design.first_session_starts_at <= now:
        raise ValidationError(
            _("De eerste bijeenkomst ligt in het verleden; kies een moment in de toekomst.")
        )


@transaction.atomic
def training_design_convert_to_training(*, design: TrainingDesign, actor: User) -> Training:
    """Turn the design into a draft training with one draft run, linked back to the design.

    The training belongs to the verkenning's programme and is meant for the employees of the
    verkenning's organisation; the run opens for enrolment now and closes when it starts.
    Coordinators then find it among the drafts in the calendar and publish it.
    """
    design = _locked_design(design, actor)
    verkenning = design.verkenning
    if design.training_id is not None:
        raise ValidationError(_("Deze trainingsopzet is al omgezet in een concepttraining."))
    now = timezone.now()
    _require_first_session_ahead(
        design,
        now=now,
        missing_message=_("Vul eerst in: %(fields)s. Dan kan de training in de kalender komen."),
    )
    training = training_services.training_draft_create(
        created_by=actor,
        programme=verkenning.programme,
        title=design.title,
        description=_design_summary(design),
        provider=design.provider,
        format=design.format,
        content_goals=design.content_goals,
        personal_goals=design.personal_goals,
        default_capacity=design.capacity,
        audience_organisations=[verkenning.organisation],
    )
    training_services.run_draft_create(
        training=training,
        capacity=design.capacity,
        enrolment_opens_at=now,
        enrolment_closes_at=design.first_session_starts_at,
        location=design.location,
        sessions=[(design.first_session_starts_at, design.first_session_ends_at)],
    )
    design.training = training
    design.save(update_fields=["training", "updated_at"])
    return training


def werkplaats_session_times(design: TrainingDesign) -> list[tuple[datetime, datetime]]:
    """Start and end of each werkplaats session: the first session, then every N weeks.

    Counted on the local clock, so a session at 9:00 stays at 9:00 across summer time.
    """
    starts = timezone.localtime(design.first_session_starts_at)
    ends = timezone.localtime(design.first_session_ends_at)
    step = timedelta(weeks=design.werkplaats_weeks_between_sessions)
    return [
        (starts + index * step, ends + index * step)
        for index in range(design.werkplaats_session_count)
    ]


@transaction.atomic
def training_design_convert_to_werkplaats(*, design: TrainingDesign, actor: User) -> Werkplaats:
    """Turn the design into a werkplaats that has not started yet, linked back to the design.

    The werkplaats is for the verkenning's organisation and programme (so its coordinators
    manage it too), facilitated by the design's trainers and whoever converts it; its
    sessions are planned from the first session, the chosen number of weeks apart. Adding
    participants and making groups is left to the facilitators.
    """
    design = _locked_design(design, actor)
    verkenning = design.verkenning
    if design.werkplaats_id is not None:
        raise ValidationError(_("Deze trainingsopzet is al omgezet in een werkplaats."))
    _require_first_session_ahead(
        design,
        now=timezone.now(),
        missing_message=_(
            "Vul eerst in: %(fields)s. Dan kunnen de sessies van de werkplaats gepland worden."
        ),
    )
    werkplaats = werkplaats_services.werkplaats_create(
        created_by=actor,
        title=design.title,
        organisation=verkenning.organisation,
        programme=verkenning.programme,
        description=_design_summary(design),
        facilitators=design.trainers.filter(is_active=True),
    )
    first_length = design.first_session_ends_at - design.first_session_starts_at
    length = SessionLength.DAG if first_length > LONGEST_DAGDEEL else SessionLength.DAGDEEL
    for starts_at, ends_at in werkplaats_session_times(design):
        werkplaats_services.session_create(
            actor=actor,
            werkplaats=werkplaats,
            starts_at=starts_at,
            ends_at=ends_at,
            location=design.location,
            length=length,
        )
    design.werkplaats = werkplaats
    design.save(update_fields=["werkplaats", "updated_at"])
    return werkplaats


# --- retention (registered in ``verkenning.retention``) --------------------------------------


@transaction.atomic
def interviews_anonymise(*, interview_ids: list[int]) -> int:
    """Remove the verkenner's notes from these interviews; returns how many.

    The general notes are emptied and the notes per question deleted. An observation keeps
    its kind and themes (they count in the verkenning's overview and the design) but its
    text becomes a fixed note, and it is no longer quoted in the export. Who was spoken to,
    when and for how long stays: the verkenning's record of its conversations.
    """
    Answer.objects.filter(interview_id__in=interview_ids).delete()
    Observation.objects.filter(interview_id__in=interview_ids).update(
        text=TEXT_REMOVED, include_as_quote=False, updated_at=timezone.now()
    )
    return Interview.objects.filter(pk__in=interview_ids).update(
        notes="", updated_at=timezone.now()
    )
