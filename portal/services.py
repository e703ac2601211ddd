"""Writes for people, organisations, programmes, roles, invitations, login records and reminders."""

import hashlib
import logging
import re
import secrets
import smtplib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import mfa_crypto, network, permissions, reminders, retention, role_hooks, selectors
from .account_data import PSEUDONYM_DOMAIN
from .celery import app as celery_app
from .digest import DAILY_DIGEST, DigestMessage, digest_moment
from .invitations import INVITATION_MAIL, invitation_token
from .models import (
    REVIEWED_ROLES,
    DailyDigest,
    DestructionRecord,
    FiguresSnapshot,
    Invitation,
    LoginEvent,
    MailDelivery,
    MailPreference,
    NetworkConsentEvent,
    NetworkProfile,
    Organisation,
    OrganisationEmailDomain,
    PlannedReminder,
    Programme,
    ReminderStatus,
    Role,
    RoleAssignment,
    RoleChange,
    RoleReview,
    RoleReviewLine,
    SubmissionKey,
    User,
    domain_validator,
)
from .reminders import ReminderMessage
from .role_reminders import ROLE_CHANGED, ROLE_REVIEW_OPENED, ROLE_REVIEW_REMINDER
from .selectors import beheerders
from .smtp_transaction import sendmail_with_commit_point
from .tokens import token_digest
from .workdays import add_working_days

logger = logging.getLogger(__name__)


@transaction.atomic
def invitation_create(
    *, invited_by: User, email: str, organisation: Organisation
) -> tuple[Invitation, str]:
    """Create an invitation and plan its e-mail, sent after commit; returns it with its token."""
    if not permissions.can_invite(invited_by):
        raise PermissionDenied
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Er bestaat al een account met dit e-mailadres.")})
    now = timezone.now()
    # An expired invitation no longer blocks a new one for the same address.
    Invitation.objects.filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
    ).update(revoked_at=now)
    if Invitation.objects.filter(
        email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError({"email": _("Dit e-mailadres heeft al een openstaande uitnodiging.")})
    invitation = Invitation(
        email=email,
        organisation=organisation,
        invited_by=invited_by,
        # Replaced below: the real token needs the row's id and creation moment.
        token_hash=secrets.token_hex(32),
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    token = invitation_token(invitation)
    invitation.token_hash = token_digest(token)
    invitation.save(update_fields=["token_hash"])
    reminder = reminder_plan(
        kind=INVITATION_MAIL, target=invitation, recipient_email=email, due_at=now
    )
    reminders_send_soon(reminder_ids=[reminder.pk])
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not permissions.can_invite(actor):
        raise PermissionDenied
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(_("Deze uitnodiging is al gebruikt."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at", "updated_at"])
    reminder_cancel(target=locked, kind=INVITATION_MAIL)
    return locked


def signup_organisation(*, email: str, invitation: Invitation | None) -> Organisation | None:
    """The organisation a new account joins, or None when sign-up is not allowed.

    An invitation for exactly this address wins; otherwise the e-mail domain must
    be registered by an organisation.
    """
    if invitation is not None and invitation.is_open() and invitation.email == email.lower():
        return invitation.organisation
    return selectors.organisation_for_email_domain(email=email)


@transaction.atomic
def user_complete_signup(
    *,
    user: User,
    full_name: str,
    discipline: str,
    department: str,
    job_title: str,
    invitation: Invitation | None,
) -> User:
    """Fill a new account's profile and organisation, consuming the invitation used."""
    organisation = signup_organisation(email=user.email, invitation=invitation)
    if organisation is None:
        raise ValidationError(_("Aanmelden is alleen mogelijk met een uitnodiging."))
    user.full_name = full_name
    user.discipline = discipline
    user.department = department
    user.job_title = job_title
    user.organisation = organisation
    user.full_clean(exclude=["password"])
    user.save()
    if invitation is not None and invitation.email == user.email:
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now())
        if not updated and organisation == invitation.organisation:
            raise ValidationError(_("Deze uitnodiging is al gebruikt."))
        if updated:
            # The invitation mail went to this address before the account existed; from now
            # on it is listed under the new account's "Mijn herinneringen".
            PlannedReminder.objects.filter(
                kind=INVITATION_MAIL,
                target_type=ContentType.objects.get_for_model(Invitation),
                target_id=invitation.pk,
                recipient_email=user.email,
                recipient__isnull=True,
            ).update(recipient=user, updated_at=timezone.now())
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, full_name: str, discipline: str, department: str, job_title: str
) -> User:
    user.full_name = full_name
    user.discipline = discipline
    user.department = department
    user.job_title = job_title
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "discipline", "department", "job_title"])
    return user


# What a findable person may choose to show, beyond name and organisation.
NETWORK_SHOWN_FLAGS = ("show_discipline", "show_job_title", "show_department", "show_email")
NETWORK_SHOWN_TEXTS = ("phone", "ask_me_about")


def _network_shown(profile: NetworkProfile) -> str:
    """The fields a profile shows, as recorded in the consent history."""
    shown = [name for name in NETWORK_SHOWN_FLAGS if getattr(profile, name)]
    shown += [name for name in NETWORK_SHOWN_TEXTS if getattr(profile, name)]
    return ",".join(shown)


@transaction.atomic
def network_profile_update(
    *,
    user: User,
    findable: bool,
    show_discipline: bool = True,
    show_job_title: bool = True,
    show_department: bool = False,
    show_email: bool = False,
    phone: str = "",
    ask_me_about: str = "",
) -> NetworkProfile:
    """Save the user's own netwerk choices; giving, changing or revoking consent is recorded.

    The defaults are the model's: name, organisation, discipline and job title shown.
    Becoming findable records consent to the current text (``network.CONSENT_VERSION``);
    turning it off revokes it, from the next request on everywhere. Saving the same choices
    again records nothing, so a repeated POST adds no history line.
    """
    NetworkProfile.objects.get_or_create(user=user)
    profile = NetworkProfile.objects.select_for_update().get(user=user)
    shown_before = _network_shown(profile)
    was_findable = profile.findable
    profile.findable = findable
    profile.show_discipline = show_discipline
    profile.show_job_title = show_job_title
    profile.show_department = show_department
    profile.show_email = show_email
    profile.phone = phone.strip()
    profile.ask_me_about = ask_me_about.strip()
    now = timezone.now()
    action = None
    if findable and not was_findable:
        action = NetworkConsentEvent.Action.GIVEN
    elif was_findable and not findable:
        action = NetworkConsentEvent.Action.REVOKED
    elif findable and (
        _network_shown(profile) != shown_before
        or profile.consent_version != network.CONSENT_VERSION
    ):
        action = NetworkConsentEvent.Action.CHANGED
    if action in (NetworkConsentEvent.Action.GIVEN, NetworkConsentEvent.Action.CHANGED):
        profile.consented_at = now
        profile.consent_version = network.CONSENT_VERSION
        profile.revoked_at = None
    elif action == NetworkConsentEvent.Action.REVOKED:
        profile.revoked_at = now
    profile.full_clean(exclude=["user"])
    profile.save()
    if action is not None:
        NetworkConsentEvent.objects.create(
            user=user,
            action=action,
            consent_version=profile.consent_version,
            shown=_network_shown(profile),
            created_at=now,
        )
    return profile


@transaction.atomic
def network_consent_revoke(*, user: User) -> NetworkProfile:
    """Revoke the user's consent: from the next request on they are findable nowhere.

    Their choices stay, so giving consent again restores them. Nothing to revoke: no change.
    """
    profile = selectors.network_profile_of(user=user)
    choices = {name: getattr(profile, name) for name in NETWORK_SHOWN_FLAGS + NETWORK_SHOWN_TEXTS}
    return network_profile_update(user=user, findable=False, **choices)


def login_event_record(
    *,
    user: User | None,
    identifier: str,
    succeeded: bool,
    ip_address: str | None,
    user_agent: str,
) -> LoginEvent:
    return LoginEvent.objects.create(
        user=user,
        identifier=identifier[:254],
        succeeded=succeeded,
        ip_address=ip_address,
        user_agent=user_agent[:255],
    )


def login_events_purge(*, older_than_days: int | None = None) -> int:
    """Delete login records past their retention period; returns how many."""
    days = settings.LOGIN_EVENT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _details = LoginEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def role_assign(
    *, user: User, role: str, organisation: Organisation | None = None
) -> RoleAssignment:
    """Give a user a role (idempotent); a contact person needs the organisation they serve.

    A building block without a record or a mail, for demo seeding and test data. People's
    roles change through ``role_grant`` and ``role_revoke``, which record and mail.
    """
    if role == Role.CONTACT_PERSON and organisation is None:
        raise ValidationError(_("Een contactpersoon hoort bij een organisatie."))
    if role != Role.CONTACT_PERSON:
        organisation = None
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation
    )
    permissions.forget_roles(user)
    return assignment


# --- functional administration (beheer) ----------------------------------------------------


def _require_beheerder(actor: User | None) -> None:
    if actor is None or not permissions.can_administer(actor):
        raise PermissionDenied


def _clean_domains(domains: Sequence[str], *, organisation: Organisation | None) -> list[str]:
    """Lower-cased, validated, each once, and registered by no other organisation."""
    cleaned: list[str] = []
    errors: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().removeprefix("@")
        if not domain:
            continue
        if domain in cleaned:
            errors.append(_("%(domain)s staat er twee keer in.") % {"domain": domain})
            continue
        try:
            domain_validator(domain)
        except ValidationError:
            errors.append(
                _("%(domain)s is geen geldige domeinnaam (zoals gemeente.nl).") % {"domain": domain}
            )
            continue
        cleaned.append(domain)
    taken = OrganisationEmailDomain.objects.filter(domain__in=cleaned).select_related(
        "organisation"
    )
    if organisation is not None and organisation.pk:
        taken = taken.exclude(organisation=organisation)
    for match in taken:
        errors.append(
            _("%(domain)s is al geregistreerd door %(organisation)s.")
            % {"domain": match.domain, "organisation": match.organisation.name}
        )
    if errors:
        raise ValidationError({"domains": errors})
    return cleaned


def _check_parent(organisation: Organisation, parent: Organisation | None) -> None:
    ancestor = parent
    while ancestor is not None:
        if organisation.pk and ancestor.pk == organisation.pk:
            raise ValidationError(
                {"parent": _("Een organisatie kan geen onderdeel van zichzelf zijn.")}
            )
        ancestor = ancestor.parent


def _organisation_save(
    *,
    organisation: Organisation,
    name: str,
    kind: str,
    parent: Organisation | None,
    domains: Sequence[str],
    has_meldpunt: bool,
) -> Organisation:
    organisation.name = name.strip()
    organisation.kind = kind
    organisation.parent = parent
    organisation.has_meldpunt = has_meldpunt
    _check_parent(organisation, parent)
    cleaned = _clean_domains(domains, organisation=organisation)
    organisation.full_clean()
    organisation.save()
    domain_rows_replace(
        rows=organisation.email_domains,
        domains=cleaned,
        make=lambda domain: OrganisationEmailDomain(organisation=organisation, domain=domain),
    )
    return organisation


def domain_rows_replace(*, rows, domains: Sequence[str], make) -> None:
    """Make a set of domain rows (a related manager) hold exactly ``domains``: rows no longer
    listed are deleted, new ones are created with ``make(domain)``, kept ones stay as they are.
    Organisations' sign-up domains and identity providers' domains are kept this way."""
    rows.exclude(domain__in=domains).delete()
    existing = set(rows.values_list("domain", flat=True))
    rows.model.objects.bulk_create(make(domain) for domain in domains if domain not in existing)


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    domains: Sequence[str] = (),
    has_meldpunt: bool = False,
) -> Organisation:
    """A new partner organisation with the e-mail domains whose owners may sign up themselves."""
    _require_beheerder(actor)
    return _organisation_save(
        organisation=Organisation(),
        name=name,
        kind=kind,
        parent=parent,
        domains=list(domains),
        has_meldpunt=has_meldpunt,
    )


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    domains: Sequence[str] = (),
    has_meldpunt: bool = False,
) -> Organisation:
    """Change an organisation; its domains become exactly ``domains``."""
    _require_beheerder(actor)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    return _organisation_save(
        organisation=locked,
        name=name,
        kind=kind,
        parent=parent,
        domains=list(domains),
        has_meldpunt=has_meldpunt,
    )


@transaction.atomic
def programme_create(
    *, actor: User, name: str, description: str = "", is_active: bool = True
) -> Programme:
    """A new programme; name its coordinators with ``programme_coordinator_add``."""
    _require_beheerder(actor)
    programme = Programme(name=name.strip(), description=description, is_active=is_active)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_update(
    *, actor: User, programme: Programme, name: str, description: str, is_active: bool
) -> Programme:
    """Rename, describe, activate or deactivate a programme."""
    _require_beheerder(actor)
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    locked.name = name.strip()
    locked.description = description
    locked.is_active = is_active
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def programme_coordinator_add(
    *, actor: User, programme: Programme, user: User, reason: str = ""
) -> Programme:
    """Name someone coordinator of a programme; who lacks the coordinator role gets it, recorded."""
    _require_beheerder(actor)
    if not user.is_active:
        raise ValidationError({"user": _("Dit account is niet actief.")})
    if programme.coordinators.filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": _("%(name)s coördineert dit programma al.") % {"name": user}}
        )
    if not RoleAssignment.objects.filter(
        user=user, role=Role.COORDINATOR, organisation__isnull=True
    ).exists():
        role_grant(
            actor=actor,
            user=user,
            role=Role.COORDINATOR,
            reason=reason or _("Coördinator van %(programme)s") % {"programme": programme.name},
        )
    programme.coordinators.add(user)
    permissions.forget_roles(user)
    return programme


@transaction.atomic
def programme_coordinator_remove(*, actor: User, programme: Programme, user: User) -> Programme:
    """Take someone off a programme's coordinators; their coordinator role stays."""
    _require_beheerder(actor)
    if not programme.coordinators.filter(pk=user.pk).exists():
        raise ValidationError(_("%(name)s coördineert dit programma niet.") % {"name": user})
    programme.coordinators.remove(user)
    permissions.forget_roles(user)
    return programme


def _role_organisation(role: str, organisation: Organisation | None) -> Organisation | None:
    if role not in Role.values:
        raise ValidationError({"role": _("Onbekende rol.")})
    if role == Role.CONTACT_PERSON:
        if organisation is None:
            raise ValidationError(
                {"organisation": _("Een contactpersoon hoort bij een organisatie; kies er een.")}
            )
        return organisation
    return None


def _role_change_record(
    *,
    actor: User | None,
    user: User,
    role: str,
    organisation: Organisation | None,
    action: str,
    reason: str,
) -> RoleChange:
    change = RoleChange(
        actor=actor,
        subject=user,
        role=role,
        organisation=organisation,
        action=action,
        reason=reason.strip(),
    )
    change.full_clean()
    change.save()
    reminder_plan(kind=ROLE_CHANGED, target=change, recipient=user, due_at=change.created_at)
    return change


def _grant(
    *, actor: User | None, user: User, role: str, organisation: Organisation | None, reason: str
) -> RoleAssignment:
    organisation = _role_organisation(role, organisation)
    if RoleAssignment.objects.filter(user=user, role=role, organisation=organisation).exists():
        raise ValidationError(
            _("%(name)s heeft deze rol al.") % {"name": user.full_name or user.email}
        )
    assignment = RoleAssignment(user=user, role=role, organisation=organisation)
    assignment.full_clean()
    assignment.save()
    _role_change_record(
        actor=actor,
        user=user,
        role=role,
        organisation=organisation,
        action=RoleChange.Action.GRANTED,
        reason=reason,
    )
    permissions.forget_roles(user)
    return assignment


@transaction.atomic
def role_grant(
    *,
    actor: User,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    reason: str = "",
) -> RoleAssignment:
    """Give someone a role, record who did it and mail the person concerned."""
    _require_beheerder(actor)
    if not user.is_active:
        raise ValidationError({"user": _("Dit account is niet actief.")})
    return _grant(actor=actor, user=user, role=role, organisation=organisation, reason=reason)


@transaction.atomic
def role_revoke(
    *,
    actor: User,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    reason: str = "",
) -> RoleChange:
    """Take a role away, record it and mail the person; the last beheerder cannot be revoked."""
    _require_beheerder(actor)
    organisation = _role_organisation(role, organisation)
    if role == Role.BEHEERDER:
        # Lock every beheerder row: two beheerders revoking each other at once cannot
        # leave the portal without one.
        holders = list(
            RoleAssignment.objects.select_for_update()
            .filter(role=Role.BEHEERDER, user__is_active=True)
            .values_list("user_id", flat=True)
        )
        if user.pk in holders and len(holders) <= 1:
            raise ValidationError(
                _(
                    "%(name)s is de laatste beheerder. Maak eerst iemand anders beheerder; "
                    "daarna kan deze rol worden ingetrokken."
                )
                % {"name": user.full_name or user.email}
            )
    deleted, _details = RoleAssignment.objects.filter(
        user=user, role=role, organisation=organisation
    ).delete()
    if not deleted:
        raise ValidationError(
            _("%(name)s heeft deze rol niet (meer).") % {"name": user.full_name or user.email}
        )
    change = _role_change_record(
        actor=actor,
        user=user,
        role=role,
        organisation=organisation,
        action=RoleChange.Action.REVOKED,
        reason=reason,
    )
    permissions.forget_roles(user)
    # E.g. signalen hands the former contact person's open signals back to the queue.
    role_hooks.role_revoked(actor=actor, user=user, role=role, organisation=organisation)
    return change


@transaction.atomic
def beheerder_bootstrap(
    *, email: str, full_name: str, password: str, grant_existing: bool = False
) -> User:
    """The first beheerder of an install, from ``manage.py create_beheerder``: no actor to check.

    Creates the account with a verified address and the beheerder role, recorded with the
    system as actor. An existing address is refused unless ``grant_existing``: then that
    account gets the role.
    """
    email = email.strip().lower()
    validate_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and not grant_existing:
        raise ValidationError(_("Er bestaat al een account met dit e-mailadres."))
    if user is None:
        user = User(email=email, full_name=full_name.strip() or email.split("@")[0])
        user.set_password(password)
        user.full_clean()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    _grant(
        actor=None,
        user=user,
        role=Role.BEHEERDER,
        organisation=None,
        reason=_("Aangemaakt met manage.py create_beheerder"),
    )
    return user


# Above this many lines a paste is more likely a mistake than an invitation round.
BULK_INVITATION_LIMIT = 500
_SEPARATORS = re.compile(r"[,;\t]")


@dataclass(frozen=True)
class BulkAddress:
    line: int
    email: str


def invitation_addresses_parse(text: str) -> tuple[list[BulkAddress], list[str]]:
    """The addresses in a pasted or uploaded list, one a line (a CSV row's cell with an @).

    Returns the addresses and a Dutch error per line that holds none or something invalid.
    A first line without an @ is taken as a CSV header and skipped.
    """
    addresses: list[BulkAddress] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().strip("\ufeff")
        if not line:
            continue
        cells = [c.strip().strip('"').strip() for c in _SEPARATORS.split(line)]
        candidates = [c for c in cells if "@" in c]
        if not candidates:
            if number == 1:
                continue
            errors.append(
                _("Regel %(line)d: „%(text)s” is geen e-mailadres.")
                % {"line": number, "text": line[:80]}
            )
            continue
        if len(candidates) > 1:
            errors.append(_("Regel %(line)d: zet één e-mailadres per regel.") % {"line": number})
            continue
        email = candidates[0].lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Regel %(line)d: %(email)s is geen geldig e-mailadres.")
                % {"line": number, "email": email[:80]}
            )
            continue
        addresses.append(BulkAddress(line=number, email=email))
    return addresses, errors


@transaction.atomic
def invitations_create_bulk(
    *, actor: User, text: str, organisation: Organisation
) -> list[Invitation]:
    """Invite every address in a list for one organisation, or none of them.

    Every invalid, repeated, already registered or already invited address is named in
    one ValidationError; the invitations (and their mails, sent after commit) are created
    only when the whole list is right.
    """
    _require_beheerder(actor)
    addresses, errors = invitation_addresses_parse(text)
    if not addresses and not errors:
        raise ValidationError({"addresses": _("Vul minstens één e-mailadres in.")})
    if len(addresses) > BULK_INVITATION_LIMIT:
        errors.append(
            _("Nodig maximaal %(limit)d mensen tegelijk uit.") % {"limit": BULK_INVITATION_LIMIT}
        )
    seen: dict[str, int] = {}
    for address in addresses:
        if address.email in seen:
            errors.append(
                _("Regel %(line)d: %(email)s staat ook op regel %(first)d.")
                % {"line": address.line, "email": address.email, "first": seen[address.email]}
            )
        else:
            seen[address.email] = address.line
    now = timezone.now()
    registered = set(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=list(seen))
        .values_list("address", flat=True)
    )
    invited = set(
        Invitation.objects.filter(
            email__in=list(seen),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).values_list("email", flat=True)
    )
    for email, line in seen.items():
        if email in registered:
            errors.append(
                _("Regel %(line)d: %(email)s heeft al een account.")
                % {"line": line, "email": email}
            )
        elif email in invited:
            errors.append(
                _("Regel %(line)d: %(email)s heeft al een openstaande uitnodiging.")
                % {"line": line, "email": email}
            )
    if errors:
        raise ValidationError({"addresses": errors})
    return [
        invitation_create(invited_by=actor, email=email, organisation=organisation)[0]
        for email in seen
    ]


# --- the yearly role review (BIO 5.18) -----------------------------------------------------


def _review_open(*, actor: User | None, now: datetime) -> RoleReview:
    """Open a review with a line per sensitive role held now, and mail the beheerders."""
    try:
        with transaction.atomic():
            review = RoleReview.objects.create(opened_at=now, opened_by=actor)
    except IntegrityError:
        # Another process opened one a moment ago: that one is the review.
        return RoleReview.objects.get(is_open=True)
    assignments = RoleAssignment.objects.filter(role__in=REVIEWED_ROLES).order_by("pk")
    RoleReviewLine.objects.bulk_create(
        RoleReviewLine(
            review=review, user_id=a.user_id, role=a.role, organisation_id=a.organisation_id
        )
        for a in assignments
    )
    reminder_due = add_working_days(now, settings.ROLE_REVIEW_REMINDER_WORKING_DAYS)
    for beheerder in beheerders():
        reminder_plan(kind=ROLE_REVIEW_OPENED, target=review, recipient=beheerder, due_at=now)
        reminder_plan(
            kind=ROLE_REVIEW_REMINDER, target=review, recipient=beheerder, due_at=reminder_due
        )
    return review


@transaction.atomic
def role_review_open(*, actor: User | None = None) -> RoleReview:
    """Open a role review now (a beheerder's button or ``manage.py open_role_review``).

    Safe to call twice: while a review is open, that one is returned.
    """
    if actor is not None:
        _require_beheerder(actor)
    current = RoleReview.objects.filter(is_open=True).first()
    if current is not None:
        return current
    return _review_open(actor=actor, now=timezone.now())


@transaction.atomic
def role_review_open_if_due(*, now: datetime | None = None) -> RoleReview | None:
    """The periodic task's service: open a review when none is open and the last is old enough.

    Returns the review it opened, or None; running it twice opens one.
    """
    now = now or timezone.now()
    if RoleReview.objects.filter(is_open=True).exists():
        return None
    last = RoleReview.objects.order_by("-opened_at").values_list("opened_at", flat=True).first()
    if last is not None and last > now - timedelta(days=settings.ROLE_REVIEW_INTERVAL_DAYS):
        return None
    review = _review_open(actor=None, now=now)
    return review if review.opened_at == now else None


@transaction.atomic
def role_review_decide(
    *, actor: User, line: RoleReviewLine, decision: str, reason: str = ""
) -> RoleReviewLine:
    """Confirm or revoke one line of an open review; the last decision closes the review.

    Revoking goes through ``role_revoke``, so it is recorded and mailed like any revocation.
    """
    _require_beheerder(actor)
    if decision not in RoleReviewLine.Decision.values:
        raise ValidationError(_("Kies bevestigen of intrekken."))
    review = RoleReview.objects.select_for_update().get(pk=line.review_id)
    if not review.is_open:
        raise ValidationError(_("Deze rolreview is afgerond en kan niet meer worden gewijzigd."))
    locked = RoleReviewLine.objects.select_related("user", "organisation").get(pk=line.pk)
    if locked.decision:
        raise ValidationError(
            _("Over %(name)s is in deze review al besloten.")
            % {"name": locked.user.full_name or locked.user.email}
        )
    if (
        decision == RoleReviewLine.Decision.REVOKED
        and RoleAssignment.objects.filter(
            user=locked.user, role=locked.role, organisation=locked.organisation
        ).exists()
    ):
        role_revoke(
            actor=actor,
            user=locked.user,
            role=locked.role,
            organisation=locked.organisation,
            reason=reason or _("Ingetrokken bij de jaarlijkse rolreview"),
        )
    now = timezone.now()
    locked.decision = decision
    locked.decided_by = actor
    locked.decided_at = now
    locked.save(update_fields=["decision", "decided_by", "decided_at"])
    if not review.lines.filter(decision="").exists():
        review.is_open = False
        review.closed_at = now
        review.save(update_fields=["is_open", "closed_at", "updated_at"])
        reminder_cancel(target=review, kind=ROLE_REVIEW_REMINDER)
        reminder_cancel(target=review, kind=ROLE_REVIEW_OPENED)
    return locked


# --- reminders -----------------------------------------------------------------------------

# Queued by name: services never import tasks (``portal.tasks`` imports this module).
SEND_REMINDER_TASK = "portal.tasks.send_reminder"
SEND_REMINDERS_TASK = "portal.tasks.send_reminders"
_UNSENT = (
    ReminderStatus.PLANNED,
    ReminderStatus.CANCELLED,
    ReminderStatus.RETRY,
    ReminderStatus.FAILED,
)
# Rows claimed per transaction while a batch is sent: a worker killed mid-batch leaves at
# most this many claimed rows waiting for their lease to run out.
CLAIM_CHUNK = 25


def _reminder_email(kind: str, recipient: User | None, recipient_email: str) -> str:
    """The address a planned reminder goes to; refuses an unknown kind or no address."""
    if not reminders.is_registered(kind):
        raise ValueError(f"Unknown reminder kind {kind!r}; register a renderer for it.")
    email = (recipient_email or (recipient.email if recipient else "")).strip().lower()
    if not email:
        raise ValueError("A reminder needs a recipient or an e-mail address.")
    return email


def _replan(reminder: PlannedReminder, *, due_at: datetime, recipient: User | None) -> None:
    """Plan an existing row again, unless it was sent: so no one gets it twice."""
    if reminder.status not in _UNSENT:
        return
    # Planned again, it is a new mail: new attempts, a new retry period, its own Message-ID.
    reminder.due_at = due_at
    reminder.recipient = recipient
    reminder.status = ReminderStatus.PLANNED
    reminder.attempts = 0
    reminder.last_error = ""
    reminder.message_id = ""
    reminder.first_attempt_at = None
    reminder.next_attempt_at = None
    reminder.lease_expiries = 0
    reminder.digest = None
    reminder.save(
        update_fields=[
            "due_at",
            "recipient",
            "status",
            "attempts",
            "last_error",
            "message_id",
            "first_attempt_at",
            "next_attempt_at",
            "lease_expiries",
            "digest",
            "updated_at",
        ]
    )


@transaction.atomic
def reminder_plan(
    *,
    kind: str,
    target: models.Model,
    due_at: datetime,
    recipient: User | None = None,
    recipient_email: str = "",
) -> PlannedReminder:
    """Plan (or re-plan) one reminder; one already sent is left alone, so no one gets it twice."""
    email = _reminder_email(kind, recipient, recipient_email)
    reminder, created = PlannedReminder.objects.select_for_update().get_or_create(
        kind=kind,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        recipient_email=email,
        defaults={"recipient": recipient, "due_at": due_at},
    )
    if not created:
        _replan(reminder, due_at=due_at, recipient=recipient)
    return reminder


@dataclass(frozen=True)
class ReminderPlan:
    """One reminder for ``reminders_plan``: the arguments ``reminder_plan`` takes."""

    kind: str
    target: models.Model
    due_at: datetime
    recipient: User | None = None
    recipient_email: str = ""


@transaction.atomic
def reminders_plan(*, plans: Iterable[ReminderPlan]) -> None:
    """Plan (or re-plan) several reminders, each as ``reminder_plan`` does, in a few queries:
    the rows already there read and locked at once, the new ones inserted at once."""
    wanted: dict[tuple[str, int, int, str], ReminderPlan] = {}
    for plan in plans:
        email = _reminder_email(plan.kind, plan.recipient, plan.recipient_email)
        target_type = ContentType.objects.get_for_model(plan.target)
        wanted[(plan.kind, target_type.pk, plan.target.pk, email)] = plan
    if not wanted:
        return
    condition = Q(pk__in=[])
    for kind, target_type_id, target_id, email in wanted:
        condition |= Q(
            kind=kind, target_type_id=target_type_id, target_id=target_id, recipient_email=email
        )
    existing = {
        (row.kind, row.target_type_id, row.target_id, row.recipient_email): row
        for row in PlannedReminder.objects.select_for_update().filter(condition)
    }
    for key, row in existing.items():
        _replan(row, due_at=wanted[key].due_at, recipient=wanted[key].recipient)
    missing = {key: plan for key, plan in wanted.items() if key not in existing}
    try:
        with transaction.atomic():
            PlannedReminder.objects.bulk_create(
                PlannedReminder(
                    kind=kind,
                    target_type_id=target_type_id,
                    target_id=target_id,
                    recipient_email=email,
                    recipient=plan.recipient,
                    due_at=plan.due_at,
                )
                for (kind, target_type_id, target_id, email), plan in missing.items()
            )
    except IntegrityError:
        # Another transaction planned one of them meanwhile: one by one, as it settles that.
        for plan in missing.values():
            reminder_plan(
                kind=plan.kind,
                target=plan.target,
                due_at=plan.due_at,
                recipient=plan.recipient,
                recipient_email=plan.recipient_email,
            )


@transaction.atomic
def reminder_cancel(
    *,
    target: models.Model,
    kind: str | None = None,
    recipient: User | None = None,
    recipient_email: str | None = None,
) -> int:
    """Cancel the unsent reminders about ``target`` (optionally one kind or one person)."""
    reminders_qs = PlannedReminder.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        status__in=(ReminderStatus.PLANNED, ReminderStatus.RETRY, ReminderStatus.FAILED),
    )
    if kind is not None:
        reminders_qs = reminders_qs.filter(kind=kind)
    if recipient is not None:
        reminders_qs = reminders_qs.filter(recipient=recipient)
    if recipient_email is not None:
        reminders_qs = reminders_qs.filter(recipient_email=recipient_email.strip().lower())
    return reminders_qs.update(status=ReminderStatus.CANCELLED, updated_at=timezone.now())


class _SendSoon:
    """The reminders one transaction asked to send soon, queued as one task after its commit."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def add(self, ids: Iterable[int]) -> None:
        self.ids.extend(i for i in ids if i not in self.ids)

    def __call__(self) -> None:
        try:
            celery_app.signature(
                SEND_REMINDERS_TASK, args=(self.ids,), options={"ignore_result": True}
            ).delay()
        except Exception:  # noqa: BLE001  (broker down: the dispatcher sends them later)
            logger.warning(
                "Reminders %s not queued (broker unreachable); the dispatcher sends them",
                self.ids,
                exc_info=True,
            )


def reminders_send_soon(*, reminder_ids: Iterable[int]) -> None:
    """Send these planned reminders right after the current transaction commits.

    For mail that should not wait for the dispatcher's next round. All ids of one
    transaction go in one task (one SMTP connection). Each row stays the one source of
    truth: when the queue cannot be reached, the request still succeeds (the failure is
    logged), the reminder stays planned and the dispatcher sends it on its next round; a
    reminder queued twice is still sent once.
    """
    ids = list(dict.fromkeys(reminder_ids))
    if not ids:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Join a batch registered by a block that is still open (its savepoints enclose
        # ours); one registered by a block already closed belongs to other work. Ids from an
        # inner block that rolls back are harmless: their rows are gone, nothing is sent.
        current = set(connection.savepoint_ids)
        for savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _SendSoon) and savepoints <= current:
                callback.add(ids)
                return
    transaction.on_commit(_SendSoon(ids))


@dataclass
class SendReport:
    """What one batch did with the reminders it claimed."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.failed


def reminder_send(*, reminder_id: int) -> str:
    """Send one reminder if it is due, at most once; returns its status afterwards."""
    reminders_send(reminder_ids=[reminder_id])
    status = PlannedReminder.objects.filter(pk=reminder_id).values_list("status", flat=True)
    return status.first() or ""


def reminders_send(*, reminder_ids: Sequence[int]) -> SendReport:
    """Send those of these reminders that are due, over one mail server connection."""
    return _send_batch(list(dict.fromkeys(reminder_ids)))


def reminders_send_due(*, limit: int | None = None) -> SendReport:
    """The dispatcher's round: plan due digests, then send what is due (oldest first)."""
    now = timezone.now()
    reminders_plan_digests(now=now)
    limit = settings.REMINDER_DISPATCH_LIMIT if limit is None else limit
    return _send_batch(selectors.reminder_ids_due(limit=limit, now=now))


# The server refused this one mail and the session goes on (sender, recipient, content).
_REFUSED_MAIL = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class _Mailer:
    """One connection to the mail server for a batch, opened at its first mail.

    ``broken`` is set when the server cannot be reached (opening fails) or a fresh
    connection fails too: the round then stops. A connection the server drops mid-batch
    (a limit on mails per connection) is opened again once.
    """

    def __init__(self) -> None:
        self.connection = get_connection()
        self.opened = False
        self.broken: Exception | None = None
        self._fresh = False

    def send(self, email, *, record_sent: Callable[[], None]) -> None:
        """Send ``email``; ``record_sent`` commits the "sent" record at the commit point.

        Over SMTP that point is just before the end-of-data mark (portal/smtp_transaction.py),
        so a worker killed at any moment neither loses the mail nor sends it twice. Other
        backends (console, memory) deliver in-process and record after delivery.
        """
        if not self.opened:
            try:
                self.connection.open()
            except Exception as error:
                self.broken = error
                raise
            self.opened, self._fresh = True, True
        try:
            if isinstance(self.connection, SMTPBackend) and self.connection.connection:
                encoding = email.encoding or settings.DEFAULT_CHARSET
                sendmail_with_commit_point(
                    self.connection.connection,
                    sanitize_address(email.from_email, encoding),
                    [sanitize_address(address, encoding) for address in email.recipients()],
                    email.message().as_bytes(linesep="\r\n"),
                    before_end=record_sent,
                )
            else:
                self.connection.send_messages([email])
                record_sent()
        except _REFUSED_MAIL as error:
            if getattr(error, "smtp_code", None) == 421:
                self.close()  # "closing the connection": the next mail opens a new one
            raise
        except Exception as error:
            if self._fresh:
                self.broken = error
            self.close()
            raise
        self._fresh = False

    def close(self) -> None:
        if self.opened:
            self.opened = False
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001  (a broken connection may fail to say goodbye)
                logger.info("Closing the mail connection failed", exc_info=True)


def _send_batch(ids: list[int]) -> SendReport:
    """Claim due rows a chunk at a time and send each claimed row's mail.

    Not one transaction on purpose: a claim (status "sending", with a lease) is committed
    before the mail goes out, so a second worker or a retried task never sends a row twice.
    "Sent" is committed at the SMTP commit point, after the message and before its
    end-of-data mark (``_Mailer.send``), so a worker killed mid-batch leaves at most one chunk
    claimed, whose mails the server never finished taking; they are sent again when their
    lease runs out.
    """
    report = SendReport()
    mailer = _Mailer()
    try:
        for start in range(0, len(ids), CLAIM_CHUNK):
            claimed = _claim(ids[start : start + CLAIM_CHUNK])
            for position, reminder in enumerate(claimed):
                status = _deliver(reminder, mailer)
                if status == ReminderStatus.SENT:
                    report.sent += 1
                elif status == ReminderStatus.SKIPPED:
                    report.skipped += 1
                else:
                    report.failed += 1
                if mailer.broken is not None:
                    # The mail server is unreachable or stopped answering: the rest of the
                    # chunk waits for its retry, and nothing more is claimed this round.
                    logger.warning(
                        "Mail server unavailable (%s: %s); the round stops, its mails are "
                        "retried later",
                        type(mailer.broken).__name__,
                        mailer.broken,
                    )
                    for rest in claimed[position + 1 :]:
                        _record_failure(rest, mailer.broken)
                        report.failed += 1
                    return report
    finally:
        mailer.close()
    return report


def _claim(ids: list[int]) -> list[PlannedReminder]:
    """Mark the due ones among these rows "sending" (committed); returns them, claimed.

    One UPDATE for the chunk: the Message-ID of a row claimed for the first time is
    ``<reminder.<id>.<token of this claim>@<sender's domain>>``, unique by the row's id.
    """
    now = timezone.now()
    lease_ends = now + timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "portal.invalid"
    token = secrets.token_hex(6)
    with transaction.atomic():
        rows = list(
            PlannedReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(selectors.reminder_due_condition(now=now), pk__in=ids)
            .order_by("pk")
        )
        # A row still "sending" belongs to a worker that is gone; it may have sent the mail
        # or not. Within the retry period it is sent again (same Message-ID), after it not.
        expired = [r for r in rows if r.status == ReminderStatus.SENDING]
        given_up = {r.pk for r in expired if _retry_period_over(r, now)}
        if given_up:
            PlannedReminder.objects.filter(pk__in=given_up).update(
                status=ReminderStatus.FAILED,
                next_attempt_at=None,
                lease_expiries=F("lease_expiries") + 1,
                last_error="Claim expired after the retry period; not sent again.",
                updated_at=now,
            )
        claimed = [r for r in rows if r.pk not in given_up]
        if not claimed:
            return []
        PlannedReminder.objects.filter(pk__in=[r.pk for r in claimed]).update(
            status=ReminderStatus.SENDING,
            attempts=F("attempts") + 1,
            first_attempt_at=Coalesce(
                "first_attempt_at", Value(now), output_field=models.DateTimeField()
            ),
            message_id=Case(
                When(
                    message_id="",
                    then=Concat(
                        Value("<reminder."),
                        Cast("pk", output_field=models.CharField()),
                        Value(f".{token}@{domain}>"),
                        output_field=models.CharField(),
                    ),
                ),
                default=F("message_id"),
                output_field=models.CharField(),
            ),
            lease_expiries=Case(
                When(status=ReminderStatus.SENDING, then=F("lease_expiries") + 1),
                default=F("lease_expiries"),
                output_field=models.PositiveSmallIntegerField(),
            ),
            next_attempt_at=lease_ends,
            updated_at=now,
        )
        for row in claimed:
            first_claim = not row.message_id
            if row.status == ReminderStatus.SENDING:
                row.lease_expiries += 1
            row.status = ReminderStatus.SENDING
            row.attempts += 1
            row.first_attempt_at = row.first_attempt_at or now
            row.message_id = row.message_id or f"<reminder.{row.pk}.{token}@{domain}>"
            row.next_attempt_at = lease_ends
            if first_claim and row.kind == DAILY_DIGEST:
                _attach_digest_items(digest=row, now=now)
    return claimed


def _deliver(reminder: PlannedReminder, mailer: _Mailer) -> str:
    """Render and send one claimed reminder and record the outcome; returns its status."""
    if reminder.recipient_email.endswith(f"@{PSEUDONYM_DOMAIN}"):
        # An erased account (AVG): its pseudonym has no mailbox, e.g. a run's mailing to
        # everyone enrolled, the erased person's kept enrolment included.
        _record_skipped(reminder, None)
        return ReminderStatus.SKIPPED
    try:
        kind = reminders.kind_for(reminder.kind)
        message = kind.renderer(reminder)
    except Exception as error:  # noqa: BLE001  (any failure is recorded and retried)
        return _record_failure(reminder, error)
    if message is None or (isinstance(message, DigestMessage) and not message.included):
        _record_skipped(reminder, message)
        return ReminderStatus.SKIPPED
    recorded = False

    def record_sent() -> None:
        nonlocal recorded
        _record_sent(reminder, kind, message)
        recorded = True

    try:
        mailer.send(
            message.as_email(to=reminder.recipient_email, message_id=reminder.message_id),
            record_sent=record_sent,
        )
    except Exception as error:  # noqa: BLE001  (any failure is recorded and retried)
        if recorded:
            # Refused, or the connection broke, after the "sent" record was committed.
            return _record_unsent(reminder, message, error)
        return _record_failure(reminder, error)
    return ReminderStatus.SENT


def _retry_period_over(reminder: PlannedReminder, now: datetime) -> bool:
    return reminder.first_attempt_at is not None and now - reminder.first_attempt_at >= (
        timedelta(hours=settings.REMINDER_RETRY_HOURS)
    )


def reminder_retry_delay(*, attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: doubling, with a ceiling."""
    seconds = settings.REMINDER_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 20)
    return timedelta(seconds=min(seconds, settings.REMINDER_RETRY_MAX_SECONDS))


def _failure_fields(reminder: PlannedReminder, error: Exception, now: datetime) -> dict:
    if _retry_period_over(reminder, now):
        status, next_attempt_at = ReminderStatus.FAILED, None
    else:
        status = ReminderStatus.RETRY
        next_attempt_at = now + reminder_retry_delay(attempts=reminder.attempts)
    return {
        "status": status,
        "next_attempt_at": next_attempt_at,
        "last_error": f"{type(error).__name__}: {error}"[:2000],
        "updated_at": now,
    }


def _record_failure(reminder: PlannedReminder, error: Exception) -> str:
    fields = _failure_fields(reminder, error, timezone.now())
    PlannedReminder.objects.filter(pk=reminder.pk).update(**fields)
    logger.info("Reminder %s not sent: %s", reminder.pk, fields["last_error"])
    return fields["status"]


def _address_to_store(reminder: PlannedReminder, kind: reminders.ReminderKind | None) -> dict:
    """The address a finished row keeps: its own, or none for a ``keep_address=False`` kind."""
    if kind is None or kind.keep_address:
        return {}
    return {"recipient_email": reminders.forgotten_address(reminder.pk)}


def _record_skipped(reminder: PlannedReminder, message: ReminderMessage | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        PlannedReminder.objects.filter(pk=reminder.pk).update(
            status=ReminderStatus.SKIPPED,
            next_attempt_at=None,
            updated_at=now,
            **_address_to_store(reminder, reminders.kind_or_none(reminder.kind)),
        )
        if isinstance(message, DigestMessage):
            _record_digest_items(message, now)


def _record_sent(
    reminder: PlannedReminder, kind: reminders.ReminderKind, message: ReminderMessage
) -> None:
    now = timezone.now()
    is_digest = isinstance(message, DigestMessage)
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        PlannedReminder.objects.filter(pk=reminder.pk).update(
            status=ReminderStatus.SENT,
            sent_at=now,
            subject=message.subject,
            body=message.stored_body if is_digest else kind.body_to_store(message),
            last_error="",
            next_attempt_at=None,
            updated_at=now,
            **_address_to_store(reminder, kind),
        )
        if is_digest:
            _record_digest_items(message, now)


def _record_unsent(reminder: PlannedReminder, message: ReminderMessage, error: Exception) -> str:
    """Undo a "sent" record whose mail the server refused (or may not have received).

    The row becomes a failure to retry (same Message-ID); a digest's reminders that the
    record marked sent in it wait for the digest's next attempt again.
    """
    now = timezone.now()
    fields = _failure_fields(reminder, error, now)
    with transaction.atomic():
        PlannedReminder.objects.filter(pk=reminder.pk).update(sent_at=None, **fields)
        if isinstance(message, DigestMessage):
            PlannedReminder.objects.filter(
                pk__in=[item.reminder.pk for item in message.included],
                status=ReminderStatus.DIGESTED,
            ).update(status=ReminderStatus.PLANNED, sent_at=None, updated_at=now)
    logger.info("Reminder %s not sent after all: %s", reminder.pk, fields["last_error"])
    return fields["status"]


def _commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk.

    Only for marking a mail sent: should the database server crash in the next moment and
    lose the mark, the row is still claimed and is sent again after its lease, with the same
    Message-ID (a duplicate, never a lost mail). The claim itself is committed durably.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _record_digest_items(message: DigestMessage, now: datetime) -> None:
    """Mark what a digest held as sent in it, what it left out as skipped or to retry."""
    changed = []
    for item in message.included:
        row = item.reminder
        row.status = ReminderStatus.DIGESTED
        row.sent_at = now
        row.subject = item.message.subject
        row.body = reminders.kind_for(row.kind).body_to_store(item.message)
        changed.append(row)
    for row in message.skipped:
        row.status = ReminderStatus.SKIPPED
        changed.append(row)
    for row, error in message.broken:
        # Detached from the digest, it is retried on its own.
        row.attempts += 1
        row.first_attempt_at = row.first_attempt_at or now
        for field, value in _failure_fields(row, error, now).items():
            setattr(row, field, value)
        row.digest = None
        changed.append(row)
    for row in changed:
        row.updated_at = now
    PlannedReminder.objects.bulk_update(
        changed,
        [
            "status",
            "sent_at",
            "subject",
            "body",
            "attempts",
            "first_attempt_at",
            "next_attempt_at",
            "last_error",
            "digest",
            "updated_at",
        ],
    )


def _attach_digest_items(*, digest: PlannedReminder, now: datetime) -> int:
    """Attach the recipient's waiting reminders to their digest, on its first claim."""
    kinds = selectors.digest_kinds_of(user_id=digest.recipient_id)
    return PlannedReminder.objects.filter(
        recipient_id=digest.recipient_id,
        status=ReminderStatus.PLANNED,
        digest__isnull=True,
        due_at__lte=now,
        kind__in=kinds,
    ).update(digest=digest, updated_at=now)


def reminders_plan_digests(*, now: datetime | None = None) -> int:
    """Plan a digest for each person with reminders waiting for one and none planned yet.

    A reminder waits for the digest when its recipient chose the digest for its kind; it
    goes in the first digest at or after its due time that has not been sent yet.
    """
    now = now or timezone.now()
    planned = 0
    for user, earliest in selectors.digest_waiting(now=now):
        moment = digest_moment(after=earliest)
        while selectors.digest_sent(user=user, day=timezone.localdate(moment)):
            moment = digest_moment(after=moment + timedelta(minutes=1))
        day, _created = DailyDigest.objects.get_or_create(user=user, day=timezone.localdate(moment))
        reminder_plan(kind=DAILY_DIGEST, target=day, due_at=moment, recipient=user)
        planned += 1
    return planned


# --- mail status and preferences -------------------------------------------------------------


@transaction.atomic
def reminder_retry(*, actor: User, reminder_id: int) -> PlannedReminder:
    """Try a failed (or waiting) reminder again now, with a new retry period."""
    if not permissions.can_see_mail_status(actor):
        raise PermissionDenied
    reminder = (
        PlannedReminder.objects.select_for_update()
        .filter(pk=reminder_id, status__in=(ReminderStatus.FAILED, ReminderStatus.RETRY))
        .first()
    )
    if reminder is None:
        raise ValidationError(_("Deze e-mail wacht niet op een nieuwe poging."))
    _retry_now([reminder.pk])
    reminder.refresh_from_db()
    return reminder


@transaction.atomic
def reminders_retry_failed(*, actor: User) -> int:
    """Try every reminder that failed for good again now; returns how many."""
    if not permissions.can_see_mail_status(actor):
        raise PermissionDenied
    ids = list(
        PlannedReminder.objects.select_for_update()
        .filter(status=ReminderStatus.FAILED)
        .values_list("pk", flat=True)
    )
    _retry_now(ids)
    return len(ids)


def _retry_now(ids: list[int]) -> None:
    now = timezone.now()
    PlannedReminder.objects.filter(pk__in=ids).update(
        status=ReminderStatus.RETRY, next_attempt_at=now, first_attempt_at=None, updated_at=now
    )
    for start in range(0, len(ids), settings.REMINDER_DISPATCH_LIMIT):
        reminders_send_soon(reminder_ids=ids[start : start + settings.REMINDER_DISPATCH_LIMIT])


@transaction.atomic
def mail_preferences_update(*, user: User, deliveries: Mapping[str, str]) -> None:
    """Store how this person wants each kind of mail (at once or in the daily digest)."""
    offered = reminders.digestible_kinds()
    unknown = set(deliveries) - set(offered)
    if unknown:
        raise ValidationError(_("Onbekende soort e-mail: %(kinds)s") % {"kinds": sorted(unknown)})
    if set(deliveries.values()) - set(MailDelivery.values):
        raise ValidationError(_("Kies direct of dagelijks overzicht."))
    MailPreference.objects.bulk_create(
        [MailPreference(user=user, kind=kind, delivery=d) for kind, d in deliveries.items()],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["delivery", "updated_at"],
    )


# --- one-time submission keys --------------------------------------------------------------


def _submission_lock_id(user: User, key: str) -> int:
    digest = hashlib.blake2b(f"{user.pk}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def submission_key_lock(*, user: User, key: str) -> Iterator[None]:
    """Hold a lock on one form submission while the view handles it.

    A PostgreSQL session-level advisory lock, so it needs no transaction around the view
    (a service may insist on its own durable transaction) and is released if the process
    dies. A second request with the same key waits here until the first has answered.
    Other databases (the SQLite demo, one process) need no lock.
    """
    if connection.vendor != "postgresql":
        yield
        return
    lock_id = _submission_lock_id(user, key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [lock_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def submission_key_record(*, user: User, key: str, redirect_to: str) -> None:
    """Remember that a submission succeeded and where it led; once per key."""
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(user=user, key=key, redirect_to=redirect_to)
    except IntegrityError:
        pass  # recorded already: the first answer stands


@transaction.atomic
def mfa_secrets_reencrypt() -> int:
    """Encrypt every stored MFA secret with the current key; returns how many authenticators.

    Plain-text secrets (from before encryption at rest) and secrets under an old key
    (``MFA_ENCRYPTION_OLD_KEYS``) alike end up under ``MFA_ENCRYPTION_KEY``.
    """
    changed = []
    for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
        data = mfa_crypto.reencrypt_data(authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            changed.append(authenticator)
    Authenticator.objects.bulk_update(changed, ["data"])
    return len(changed)


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionOutcome:
    """What one rule found (dry run) or destroyed (run): counts only, never which rows."""

    kind: str
    label: str
    action: str
    period: int
    unit: str
    cutoff: datetime
    count: int


def _retention_outcome(rule: retention.RetentionRule, cutoff: datetime, count: int):
    return RetentionOutcome(
        kind=rule.kind,
        label=str(rule.label),
        action=rule.action,
        period=rule.period,
        unit=rule.unit,
        cutoff=cutoff,
        count=count,
    )


@transaction.atomic
def retention_rule_run(
    *, rule: retention.RetentionRule, now: datetime, dry_run: bool = False
) -> RetentionOutcome:
    """Destroy what one rule finds due, and record it; with ``dry_run`` only count.

    One transaction per rule. The due rows are locked with SKIP LOCKED, so a second run
    at the same time passes over them instead of treating them twice, and a run after this
    one finds nothing (the rule's selector no longer returns treated rows). The queries are
    a fixed number per rule, however many rows are due (signals excepted: each is
    anonymised by its own service, which also removes its files).
    """
    cutoff = rule.cutoff(now)
    due = rule.due(cutoff)
    if dry_run:
        return _retention_outcome(rule, cutoff, due.count())
    pks = list(
        due.order_by()
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )
    if not pks:
        return _retention_outcome(rule, cutoff, 0)
    if rule.destroy is None:
        due.model._default_manager.filter(pk__in=pks).delete()
        count = len(pks)
    else:
        count = rule.destroy(pks)
    if count:
        DestructionRecord.objects.create(
            run_at=now,
            kind=rule.kind,
            action=rule.action,
            count=count,
            period=rule.period,
            unit=rule.unit,
            cutoff=cutoff,
        )
    return _retention_outcome(rule, cutoff, count)


def retention_run(
    *, dry_run: bool = False, kinds: Iterable[str] | None = None, now: datetime | None = None
) -> list[RetentionOutcome]:
    """Run every registered retention rule (or only ``kinds``), each in its own transaction.

    Raises ValidationError for an unknown kind. With ``dry_run`` nothing changes and
    nothing is recorded: the counts are what a run at ``now`` would destroy.
    """
    try:
        rules = retention.rules(kinds)
    except KeyError as error:
        raise ValidationError(
            _("Onbekende soort gegevens: %(kind)s") % {"kind": error.args[0]}
        ) from error
    now = now or timezone.now()
    return [retention_rule_run(rule=rule, now=now, dry_run=dry_run) for rule in rules]


# --- figures counted away from the request ----------------------------------------------------


def figures_snapshot_store(*, key: str, figures, computed_at: datetime) -> FiguresSnapshot:
    """Keep the figures counted under ``key`` (the task that counted them calls this)."""
    snapshot, _created = FiguresSnapshot.objects.update_or_create(
        key=key, defaults={"figures": figures, "computed_at": computed_at}
    )
    return snapshot


class _QueueCount:
    """Queue one count after the commit; a broker that cannot be reached is only logged (the
    next page view asks again once ``FIGURES_FRESH_FOR`` has passed)."""

    def __init__(self, task: str, args: tuple) -> None:
        self.task, self.args = task, args

    def __call__(self) -> None:
        try:
            celery_app.signature(self.task, args=self.args, options={"ignore_result": True}).delay()
        except Exception:  # noqa: BLE001  (broker down: asked again on a later view)
            logger.warning("Count %s%s not queued", self.task, self.args, exc_info=True)


@transaction.atomic
def figures_snapshot_request(*, key: str, task: str, args: Sequence, now: datetime) -> None:
    """Ask for a new count of the figures under ``key``: the task ``task`` (by name, with
    ids and plain values as ``args``) is queued after the commit, and the request is noted
    so the pages opened meanwhile do not queue it again."""
    FiguresSnapshot.objects.update_or_create(key=key, defaults={"requested_at": now})
    transaction.on_commit(_QueueCount(task, tuple(args)))
