"""Writes for verkenningen: the inventory, the snowball, interviews and the training design.

Roles are checked by the views (through ``permissions.can_work_on``); the services keep the
data honest: contacts stay inside their verkenning and the snowball never loops.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Organisation, User
from trainings import services as training_services
from trainings.models import Programme, Training

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
    verkenners = list(verkenners)
    if not verkenners:
        raise ValidationError({"verkenners": _("Een verkenning heeft minstens één verkenner.")})
    verkenning.title = title
    verkenning.purpose = purpose
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
# The theme list is shared by every verkenning; coordinators keep it (checked by the view).


@transaction.atomic
def theme_create(*, name: str) -> Theme:
    """Add a theme observations and designs can be tagged with."""
    name = " ".join(name.split())
    if Theme.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Dit thema bestaat al.")})
    theme = Theme(name=name)
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def theme_set_active(*, theme: Theme, is_active: bool) -> Theme:
    """Retire a theme from the forms (earlier observations keep it) or bring it back."""
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
    verkenning: Verkenning,
    name: str,
    organisation_name: str = "",
    department: str = "",
    role: str = "",
    referred_by: Contact | None = None,
    status: str = ContactStatus.TO_APPROACH,
) -> Contact:
    """Add a person to the snowball, optionally as referred by an earlier contact."""
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
    contact: Contact,
    name: str,
    organisation_name: str,
    department: str,
    role: str,
    referred_by: Contact | None,
    status: str,
) -> Contact:
    """Change a contact; the referral may not point to itself or close a loop."""
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
    referred by them.
    """
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
        contact_create(
            verkenning=verkenning,
            name=person.name,
            organisation_name=person.organisation_name,
            department=person.department,
            role=person.role,
            referred_by=contact,
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
    manager_approval: bool = False,
    budget: Decimal | None = None,
    planning: str = "",
    practicalities: str = "",
    capacity: int = 12,
    location: str = "",
    first_session_starts_at=None,
    first_session_ends_at=None,
) -> TrainingDesign:
    """Write (or rewrite) the trainingsopzet of a verkenning."""
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
    design.full_clean()
    design.save()
    design.themes.set(themes)
    if verkenning.status in (VerkenningStatus.PREPARING, VerkenningStatus.IN_CONVERSATIONS):
        verkenning.status = VerkenningStatus.DESIGN
        verkenning.save(update_fields=["status", "updated_at"])
    return design


def _training_description(design: TrainingDesign) -> str:
    parts = [design.description.strip()]
    if design.target_groups.strip():
        parts.append(_("Doelgroepen: %(groups)s") % {"groups": design.target_groups.strip()})
    themes = ", ".join(theme.name for theme in design.themes.all())
    if themes:
        parts.append(_("Thema's: %(themes)s") % {"themes": themes})
    return "\n\n".join(parts)


@transaction.atomic
def training_design_convert_to_training(*, design: TrainingDesign, actor: User) -> Training:
    """Turn the design into a draft training with one draft run, linked back to the design.

    The training belongs to the verkenning's programme and is meant for the employees of the
    verkenning's organisation; the run opens for enrolment now and closes when it starts.
    Coordinators then find it among the drafts in the calendar and publish it.
    """
    design = (
        TrainingDesign.objects.select_for_update()
        .select_related("verkenning", "verkenning__programme", "verkenning__organisation")
        .get(pk=design.pk)
    )
    verkenning = design.verkenning
    if not permissions.can_work_on(actor, verkenning):
        raise PermissionDenied
    if design.training_id is not None:
        raise ValidationError(_("Deze trainingsopzet is al omgezet in een concepttraining."))
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
        raise ValidationError(
            _("Vul eerst in: %(fields)s. Dan kan de training in de kalender komen.")
            % {"fields": ", ".join(missing)}
        )
    now = timezone.now()
    if design.first_session_starts_at <= now:
        raise ValidationError(
            _("De eerste bijeenkomst ligt in het verleden; kies een moment in de toekomst.")
        )
    training = training_services.training_create(
        created_by=actor,
        programme=verkenning.programme,
        title=design.title,
        description=_training_description(design),
        provider=design.provider,
        format=design.format,
        content_goals=design.content_goals,
        personal_goals=design.personal_goals,
        default_capacity=design.capacity,
        audience_organisations=[verkenning.organisation],
    )
    training_services.run_create(
        created_by=actor,
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
