"""Writes for signals: reporting, the triage lifecycle and retention.

Each change checks the transition table and, in the same transaction, writes its timeline
event, its audit entry (``audit``) and re-plans its deadline and e-mail (``scheduling``).
"""

import logging
import secrets
import uuid
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import permissions as portal_permissions
from portal.models import Organisation, Role, User
from portal.workdays import months_before

from . import audit, permissions, scheduling, selectors, tally
from .attachments import PreparedAttachment
from .models import (
    DESCRIPTION_MAX_LENGTH,
    INVOLVED_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    AuditEntry,
    Category,
    CloseReason,
    Signal,
    SignalAccess,
    SignalAttachment,
    SignalEvent,
    attachment_storage,
)
from .states import OPEN, Action, Status, TransitionNotAllowed, next_status

logger = logging.getLogger(__name__)

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


# --- reporting ---------------------------------------------------------------------------


def _new_reference() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        reference = f"HKIN-{code[:4]}-{code[4:]}"
        if not Signal.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find a free signal reference.")


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Dit veld is verplicht.")})
    if len(value) > max_length:
        raise ValidationError({field: _("Gebruik maximaal %(max)d tekens.") % {"max": max_length}})
    return value


def signal_create(
    *,
    reporter: User,
    organisation: Organisation,
    category: Category,
    description: str,
    location: str = "",
    observed_on: date | None = None,
    involved: str = "",
    reporter_anonymous: bool = False,
    attachments: list[PreparedAttachment] = (),
    ip_address: str | None = None,
) -> Signal:
    """Store a new signal with its attachments, all or nothing.

    The contact persons of the receiving organisation are e-mailed the reference and
    category (never the content) right after the commit.

    The whole write is one durable transaction: files are written inside it and
    removed again if it fails, so an attachment never exists without its signal.
    """
    if not permissions.can_report(reporter):
        raise PermissionDenied
    description = _clean_text(
        description, field="description", max_length=DESCRIPTION_MAX_LENGTH, required=True
    )
    involved = _clean_text(involved, field="involved", max_length=INVOLVED_MAX_LENGTH)
    location = _clean_text(location, field="location", max_length=200)
    if observed_on is not None and observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("Deze datum ligt in de toekomst.")})
    if not category.is_active:
        raise ValidationError({"category": _("Kies een categorie uit de lijst.")})
    if not selectors.organisations_with_meldpunt().filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"organisation": _("Deze organisatie heeft geen meldpunt in het portaal.")}
        )
    if len(attachments) > settings.SIGNALEN_MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("Je kunt maximaal %(max)d bestanden toevoegen.")
                % {"max": settings.SIGNALEN_MAX_ATTACHMENTS}
            }
        )
    written: list[str] = []
    try:
        with transaction.atomic(durable=True):
            now = timezone.now()
            signal = Signal(
                reference=_new_reference(),
                reporter=reporter,
                reporter_anonymous=reporter_anonymous,
                reported_to=organisation,
                organisation=organisation,
                category=category,
                description=description,
                location=location,
                observed_on=observed_on,
                involved=involved,
                status=Status.NEW,
                received_at=now,
                last_activity_at=now,
                deadline_at=scheduling.deadline_for(
                    status=Status.NEW, received_at=now, last_activity_at=now
                ),
            )
            signal.full_clean()
            signal.save()
            SignalAccess.objects.create(
                signal=signal,
                organisation=organisation,
                via=SignalAccess.Via.REPORTED,
                granted_at=now,
            )
            tally.tally_shift(
                organisation_ids=[organisation.pk], before=None, after=tally.state_of(signal)
            )
            reported = SignalEvent.objects.create(
                signal=signal,
                kind=SignalEvent.Kind.REPORTED,
                actor=reporter,
                organisation=organisation,
                shared_with_reporter=True,
                created_at=now,
            )
            for prepared in attachments:
                name = attachment_storage.save(
                    f"signalen/{now:%Y/%m}/{uuid.uuid4().hex}.{prepared.extension}",
                    ContentFile(prepared.data),
                )
                written.append(name)
                SignalAttachment.objects.create(
                    signal=signal,
                    file=name,
                    original_name=prepared.original_name,
                    content_type=prepared.content_type,
                    size=prepared.size,
                    created_at=now,
                )
            audit.audit_append(
                actor=reporter,
                action=AuditEntry.Act.SIGNAL_CREATE,
                object_id=signal.pk,
                ip_address=ip_address,
            )
            scheduling.sync_overdue_reminders(signal=signal)
            scheduling.event_mail_plan(event=reported)
    except BaseException:
        for name in written:
            try:
                attachment_storage.delete(name)
            except OSError:
                logger.exception("Could not remove attachment %s after a failed save", name)
        raise
    return signal


# --- triage actions ----------------------------------------------------------------------


def _locked_for(*, actor: User, signal: Signal, action: str) -> tuple[Signal, Status]:
    """The signal locked for update, after checking who acts and the transition table."""
    locked = (
        Signal.objects.select_for_update(of=("self",))
        .select_related("organisation", "category")
        .get(pk=signal.pk)
    )
    if action == Action.REPORTER_REPLY:
        if not permissions.is_reporter(actor, locked):
            raise PermissionDenied
    elif not permissions.can_act_on(actor, locked):
        raise PermissionDenied(
            _("Alleen contactpersonen van %(org)s kunnen dit signaal wijzigen.")
            % {"org": locked.organisation}
        )
    if locked.is_anonymised:
        raise ValidationError(_("Dit signaal is geanonimiseerd en kan niet meer worden gewijzigd."))
    try:
        status = next_status(locked.status, action)
    except TransitionNotAllowed:
        raise ValidationError(
            _("Dit kan niet bij een signaal met status ‘%(status)s’.")
            % {"status": locked.get_status_display()}
        ) from None
    return locked, status


def _apply(signal: Signal, status: Status, now: datetime, **changes) -> None:
    """Move the signal to ``status``, recompute its deadline, save and re-plan reminders.

    Also moves the signal in the dashboard's counters of every organisation that sees it.
    """
    previous = signal.status
    counted = tally.state_of(signal)
    signal.status = status
    signal.last_activity_at = now
    for name, value in changes.items():
        setattr(signal, name, value)
    if status in (Status.NEW, Status.FORWARDED) and previous != status:
        signal.received_at = now
    signal.deadline_at = scheduling.deadline_for(
        status=status, received_at=signal.received_at, last_activity_at=now
    )
    signal.full_clean(
        exclude=["reporter", "reported_to", "organisation", "category", "assignee", "duplicate_of"]
    )
    signal.save()
    if tally.state_of(signal) != counted:
        tally.tally_shift(
            organisation_ids=signal.accesses.values_list("organisation_id", flat=True),
            before=counted,
            after=tally.state_of(signal),
        )
    scheduling.sync_overdue_reminders(signal=signal)


@transaction.atomic
def signal_assign(
    *, actor: User, signal: Signal, assignee: User, ip_address: str | None = None
) -> Signal:
    """Give the signal to a contact person of its organisation (picking it up if new)."""
    signal, status = _locked_for(actor=actor, signal=signal, action=Action.ASSIGN)
    if not assignee.is_active or not portal_permissions.is_contact_person(
        assignee, signal.organisation_id
    ):
        raise ValidationError(
            {"assignee": _("Kies een contactpersoon van %(org)s.") % {"org": signal.organisation}}
        )
    if signal.assignee_id == assignee.pk and signal.status == Status.IN_PROGRESS:
        raise ValidationError({"assignee": _("Het signaal is al aan deze persoon toegewezen.")})
    now = timezone.now()
    _apply(
        signal,
        status,
        now,
        assignee=assignee,
        first_picked_up_at=signal.first_picked_up_at or now,
    )
    event = SignalEvent.objects.create(
        signal=signal,
        kind=SignalEvent.Kind.ASSIGNED,
        actor=actor,
        assignee=assignee,
        organisation=signal.organisation,
        created_at=now,
    )
    audit.audit_append(
        actor=actor, action=AuditEntry.Act.SIGNAL_ASSIGN, object_id=signal.pk, ip_address=ip_address
    )
    scheduling.event_mail_plan(event=event)
    return signal


def _text_event(
    *,
    actor: User,
    signal: Signal,
    action: str,
    kind: str,
    audit_action: str,
    text: str,
    shared: bool,
    ip_address: str | None,
) -> SignalEvent:
    signal, status = _locked_for(actor=actor, signal=signal, action=action)
    text = _clean_text(text, field="text", max_length=NOTE_MAX_LENGTH, required=True)
    now = timezone.now()
    if action == Action.ASK_REPORTER and signal.reporter_id is None:
        raise ValidationError(_("Van dit signaal is geen melder meer bekend."))
    if action == Action.REPORTER_REPLY:
        events = list(signal.events.filter(shared_with_reporter=True))
        if selectors.open_question_in(events) is None:
            raise ValidationError(_("Er staat geen vraag aan jou open."))
    _apply(signal, status, now)
    event = SignalEvent.objects.create(
        signal=signal,
        kind=kind,
        actor=actor,
        text=text,
        shared_with_reporter=shared,
        organisation=signal.organisation,
        created_at=now,
    )
    audit.audit_append(actor=actor, action=audit_action, object_id=signal.pk, ip_address=ip_address)
    return event


@transaction.atomic
def signal_add_note(
    *, actor: User, signal: Signal, text: str, ip_address: str | None = None
) -> SignalEvent:
    """An internal note: contact persons only, never shown to the reporter."""
    return _text_event(
        actor=actor,
        signal=signal,
        action=Action.NOTE,
        kind=SignalEvent.Kind.NOTE,
        audit_action=AuditEntry.Act.SIGNAL_NOTE,
        text=text,
        shared=False,
        ip_address=ip_address,
    )


@transaction.atomic
def signal_ask_reporter(
    *, actor: User, signal: Signal, question: str, ip_address: str | None = None
) -> SignalEvent:
    """A question the reporter sees on their own page and can answer there."""
    event = _text_event(
        actor=actor,
        signal=signal,
        action=Action.ASK_REPORTER,
        kind=SignalEvent.Kind.QUESTION,
        audit_action=AuditEntry.Act.SIGNAL_ASK,
        text=question,
        shared=True,
        ip_address=ip_address,
    )
    scheduling.event_mail_plan(event=event)
    return event


@transaction.atomic
def signal_reporter_reply(
    *, reporter: User, signal: Signal, text: str, ip_address: str | None = None
) -> SignalEvent:
    """The reporter answers the open question."""
    return _text_event(
        actor=reporter,
        signal=signal,
        action=Action.REPORTER_REPLY,
        kind=SignalEvent.Kind.REPLY,
        audit_action=AuditEntry.Act.SIGNAL_REPLY,
        text=text,
        shared=True,
        ip_address=ip_address,
    )


@transaction.atomic
def signal_share_feedback(
    *, actor: User, signal: Signal, text: str, ip_address: str | None = None
) -> SignalEvent:
    """Feedback the contact persons choose to share with the reporter, who is e-mailed a link."""
    event = _text_event(
        actor=actor,
        signal=signal,
        action=Action.SHARE_FEEDBACK,
        kind=SignalEvent.Kind.FEEDBACK,
        audit_action=AuditEntry.Act.SIGNAL_FEEDBACK,
        text=text,
        shared=True,
        ip_address=ip_address,
    )
    scheduling.event_mail_plan(event=event)
    return event


@transaction.atomic
def signal_forward(
    *,
    actor: User,
    signal: Signal,
    organisation: Organisation,
    note: str = "",
    ip_address: str | None = None,
) -> Signal:
    """Hand the signal to another organisation's meldpunt.

    The receiving organisation becomes the one that acts on it and its contact
    persons are e-mailed; every organisation that had it keeps read access.
    """
    signal, status = _locked_for(actor=actor, signal=signal, action=Action.FORWARD)
    if organisation.pk == signal.organisation_id:
        raise ValidationError({"organisation": _("Het signaal is al bij deze organisatie.")})
    if not selectors.organisations_with_meldpunt().filter(pk=organisation.pk).exists():
        raise ValidationError(
            {"organisation": _("Deze organisatie heeft geen meldpunt in het portaal.")}
        )
    note = _clean_text(note, field="note", max_length=NOTE_MAX_LENGTH)
    now = timezone.now()
    _apply(signal, status, now, organisation=organisation, assignee=None)
    _access, granted = SignalAccess.objects.get_or_create(
        signal=signal,
        organisation=organisation,
        defaults={"via": SignalAccess.Via.FORWARDED, "granted_at": now},
    )
    if granted:
        tally.tally_shift(
            organisation_ids=[organisation.pk], before=None, after=tally.state_of(signal)
        )
    event = SignalEvent.objects.create(
        signal=signal,
        kind=SignalEvent.Kind.FORWARDED,
        actor=actor,
        organisation=organisation,
        text=note,
        created_at=now,
    )
    audit.audit_append(
        actor=actor,
        action=AuditEntry.Act.SIGNAL_FORWARD,
        object_id=signal.pk,
        ip_address=ip_address,
    )
    scheduling.event_mail_plan(event=event)
    return signal


@transaction.atomic
def signal_close(
    *,
    actor: User,
    signal: Signal,
    reason: str,
    explanation: str,
    duplicate_of: Signal | None = None,
    feedback: str = "",
    ip_address: str | None = None,
) -> Signal:
    """Close with a reason and a required explanation; a duplicate links to its original.

    The reporter is e-mailed a link to their own signal page (which shows the feedback).
    """
    signal, status = _locked_for(actor=actor, signal=signal, action=Action.CLOSE)
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("Kies een reden.")})
    explanation = _clean_text(
        explanation, field="explanation", max_length=NOTE_MAX_LENGTH, required=True
    )
    feedback = _clean_text(feedback, field="feedback", max_length=NOTE_MAX_LENGTH)
    if reason == CloseReason.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError(
                {"duplicate_of": _("Geef het referentienummer van het oorspronkelijke signaal.")}
            )
        if duplicate_of.pk == signal.pk or duplicate_of.duplicate_of_id == signal.pk:
            raise ValidationError(
                {"duplicate_of": _("Een signaal kan geen dubbel van zichzelf zijn.")}
            )
        if not permissions.can_view_signal(actor, duplicate_of):
            raise ValidationError({"duplicate_of": _("Dit signaal is niet gevonden.")})
    else:
        duplicate_of = None
    now = timezone.now()
    _apply(
        signal,
        status,
        now,
        closed_at=now,
        close_reason=reason,
        close_explanation=explanation,
        duplicate_of=duplicate_of,
    )
    closed = SignalEvent.objects.create(
        signal=signal,
        kind=SignalEvent.Kind.CLOSED,
        actor=actor,
        text=explanation,
        organisation=signal.organisation,
        created_at=now,
    )
    if feedback:
        SignalEvent.objects.create(
            signal=signal,
            kind=SignalEvent.Kind.FEEDBACK,
            actor=actor,
            text=feedback,
            shared_with_reporter=True,
            organisation=signal.organisation,
            created_at=now,
        )
    audit.audit_append(
        actor=actor, action=AuditEntry.Act.SIGNAL_CLOSE, object_id=signal.pk, ip_address=ip_address
    )
    scheduling.event_mail_plan(event=closed)
    return signal


# --- when a contact person leaves -----------------------------------------------------


@transaction.atomic
def signals_release_from_former_contact(
    *, actor: User | None, user: User, role: str, organisation: Organisation | None
) -> list[Signal]:
    """Hand the open signals of someone who no longer serves ``organisation`` back to its queue.

    Registered in ``AppConfig.ready`` as a role-revoked hook, so it runs inside
    ``portal.services.role_revoke`` (a beheerder, or the yearly role review). Each signal
    the person was assignee of at that organisation loses its assignee and stays in
    progress: what was done and asked stays, a colleague picks it up from the queue
    ("niemand" as behandelaar). Its deadline is kept, so one already overdue reminds the
    remaining contact persons at once. Each gets a timeline event and an audit entry with
    the revoking beheerder as actor. Returns the signals handed back.
    """
    if role != Role.CONTACT_PERSON or organisation is None:
        return []
    if portal_permissions.is_contact_person(user, organisation.pk):
        return []
    released = []
    candidates = Signal.objects.filter(
        organisation=organisation, assignee=user, status__in=OPEN
    ).order_by("pk")
    for signal in candidates.select_for_update(of=("self",)):
        try:
            status = next_status(signal.status, Action.RELEASE)
        except TransitionNotAllowed:
            continue
        now = timezone.now()
        signal.status = status
        signal.assignee = None
        signal.save(update_fields=["status", "assignee", "updated_at"])
        scheduling.sync_overdue_reminders(signal=signal)
        SignalEvent.objects.create(
            signal=signal,
            kind=SignalEvent.Kind.RELEASED,
            actor=actor,
            assignee=user,
            organisation=organisation,
            created_at=now,
        )
        audit.audit_append(actor=actor, action=AuditEntry.Act.SIGNAL_RELEASE, object_id=signal.pk)
        released.append(signal)
    return released


# --- retention ---------------------------------------------------------------------------


@transaction.atomic
def signal_anonymise(*, signal_id: int) -> bool:
    """Remove the personal data of one closed signal; keeps what statistics need.

    Removed: free text (description, place, people involved, every note, question,
    answer, feedback and explanation), the reporter and the attachments. Kept:
    category, organisations, dates, status and outcome. Returns False when the
    signal is not (or no longer) eligible.
    """
    signal = Signal.objects.select_for_update().filter(pk=signal_id).first()
    if signal is None or signal.is_anonymised:
        return False
    try:
        status = next_status(signal.status, Action.ANONYMISE)
    except TransitionNotAllowed:
        return False
    now = timezone.now()
    files = list(signal.attachments.values_list("file", flat=True))
    signal.attachments.all().delete()
    signal.events.exclude(text="").update(text="")
    signal.description = ""
    signal.location = ""
    signal.involved = ""
    signal.close_explanation = ""
    signal.reporter = None
    signal.anonymised_at = now
    signal.status = status
    signal.save()
    SignalEvent.objects.create(signal=signal, kind=SignalEvent.Kind.ANONYMISED, created_at=now)
    audit.audit_append(actor=None, action=AuditEntry.Act.SIGNAL_ANONYMISE, object_id=signal.pk)

    def remove_files():
        for name in files:
            try:
                attachment_storage.delete(name)
            except OSError:
                logger.exception("Could not remove attachment %s of an anonymised signal", name)

    # Only once the database no longer points at them; a rollback keeps them.
    transaction.on_commit(remove_files)
    return True


def signals_anonymise(*, signal_ids: list[int]) -> int:
    """Anonymise these signals, each through ``signal_anonymise``; returns how many were."""
    return sum(signal_anonymise(signal_id=pk) for pk in signal_ids)


def signals_anonymise_expired(
    *, months: int | None = None, dry_run: bool = False, now: datetime | None = None
) -> list[str]:
    """Anonymise every closed signal past the retention period; returns their references.

    With ``dry_run`` nothing is changed and the references that would be treated
    are returned. Each signal is its own transaction, so one failure stops nothing else.
    """
    months = settings.SIGNALEN_RETENTION_MONTHS if months is None else months
    cutoff = months_before(now or timezone.now(), months)
    due = list(
        selectors.signals_due_for_anonymisation(cutoff=cutoff).values_list("pk", "reference")
    )
    if dry_run:
        return [reference for _pk, reference in due]
    done = []
    for pk, reference in due:
        if signal_anonymise(signal_id=pk):
            done.append(reference)
    return done


@transaction.atomic
def signal_tally_repair() -> list[tally.Difference]:
    """Count the dashboard's counters afresh; returns where they differed before.

    For after a bulk import or a restore, which bypass the services that keep them.
    """
    differences = tally.tally_differences()
    tally.tally_rebuild()
    return differences
