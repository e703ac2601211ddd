"""Reads for people, organisations, invitations and login records."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from . import network, permissions, reminders, sql
from .digest import DAILY_DIGEST
from .lookups import AnyOf
from .models import (
    DailyDigest,
    DeletionRequest,
    DestructionRecord,
    Discipline,
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
)
from .tokens import token_digest


def invitation_by_token(*, token: str) -> Invitation | None:
    """The open invitation behind a link, or None when unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if invitation is None or not invitation.is_open():
        return None
    return invitation


def organisation_for_email_domain(*, email: str) -> Organisation | None:
    domain = email.rsplit("@", 1)[-1].lower()
    match = (
        OrganisationEmailDomain.objects.select_related("organisation").filter(domain=domain).first()
    )
    return match.organisation if match else None


def invitation_list(*, user: User) -> QuerySet[Invitation]:
    """Invitations the user may manage: all of them for coordinators, none otherwise."""
    if not permissions.can_invite(user):
        return Invitation.objects.none()
    return Invitation.objects.select_related("organisation", "invited_by").order_by("-created_at")


def open_invitations(*, user: User) -> QuerySet[Invitation]:
    now = timezone.now()
    return invitation_list(user=user).filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )


def _count_per_organisation(rows: QuerySet, field: str) -> Coalesce:
    """How many of ``rows`` belong to the organisation of the outer query; 0 for none."""
    counted = (
        rows.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _organisations_with_counts() -> QuerySet[Organisation]:
    """Organisations with their domains, active members and contact persons counted."""
    return (
        Organisation.objects.select_related("parent")
        .prefetch_related(
            Prefetch("email_domains", queryset=OrganisationEmailDomain.objects.order_by("domain"))
        )
        # Counted in a subquery each, not over one join of members and role assignments:
        # that join multiplies an organisation's members by its assignments.
        .annotate(
            member_count=_count_per_organisation(
                User.objects.filter(is_active=True), "organisation"
            ),
            contact_person_count=_count_per_organisation(
                RoleAssignment.objects.filter(role=Role.CONTACT_PERSON), "organisation"
            ),
        )
        .order_by("name")
    )


def organisation_overview(*, user: User) -> QuerySet[Organisation]:
    """Organisations with member and contact-person counts, for coordinators."""
    if not permissions.can_view_partners(user):
        return Organisation.objects.none()
    return _organisations_with_counts()


# Organisations without a contact person named on a coordinator's home; the rest are on the
# partners page.
WITHOUT_CONTACT_SHOWN = 10


@dataclass(frozen=True)
class PartnerSummary:
    """The partners in brief, for a coordinator's home: how many, and which lack a contact
    person (the first ``WITHOUT_CONTACT_SHOWN`` by name, and how many in all)."""

    organisations: int
    without_contact: list[Organisation]
    without_contact_count: int

    @property
    def more_without_contact(self) -> int:
        return self.without_contact_count - len(self.without_contact)


def partner_summary(*, user: User) -> PartnerSummary | None:
    """Two queries that read the organisations and the contact-person roles, never the
    members: the member counts are on the partners page. None for who may not see partners."""
    if not permissions.can_view_partners(user):
        return None
    has_contact = Exists(
        RoleAssignment.objects.filter(role=Role.CONTACT_PERSON, organisation=OuterRef("pk"))
    )
    counts = Organisation.objects.aggregate(
        organisations=Count("pk"), without_contact=Count("pk", filter=~Q(has_contact))
    )
    return PartnerSummary(
        organisations=counts["organisations"],
        without_contact=list(
            Organisation.objects.filter(~Q(has_contact)).order_by("name")[:WITHOUT_CONTACT_SHOWN]
        ),
        without_contact_count=counts["without_contact"],
    )


def contact_persons_of(*, organisation_ids) -> QuerySet[User]:
    """Active ondermijning contact persons of any of these organisations, each once."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.CONTACT_PERSON,
            role_assignments__organisation_id__in=list(organisation_ids),
        )
        .select_related("organisation")
        .distinct()
        .order_by("full_name", "email")
    )


# ``contact_person_names``: one row per person, the full name or else the e-mail address, and
# the person's place in the list (so that a statement that takes this one in can keep it).
_CONTACT_PERSON_NAMES_SQL = (
    "SELECT u.id AS id, COALESCE(NULLIF(u.full_name, ''), u.email) AS name, "
    "ROW_NUMBER() OVER (ORDER BY u.full_name, u.email) AS place FROM portal_user u "
    "WHERE u.is_active AND u.id <> %s AND EXISTS (SELECT 1 FROM portal_roleassignment r "
    "WHERE r.user_id = u.id AND r.role = %s AND r.organisation_id IN ({organisations})) "
    "ORDER BY place"
)


def contact_person_names_statement(*, organisation_ids, but: User) -> tuple[str, list]:
    """``contact_person_names`` as a statement (``portal.sql``) with the columns ``id``,
    ``name`` and ``place``, for a page that reads it with other things in one query."""
    organisation_ids = sorted(organisation_ids) or [None]
    return (
        sql.expand(_CONTACT_PERSON_NAMES_SQL, organisations=organisation_ids),
        [but.pk, Role.CONTACT_PERSON, *organisation_ids],
    )


def contact_person_names(*, organisation_ids, but: User) -> list[tuple[int, str]]:
    """(id, name) of the people ``contact_persons_of`` gives, without ``but``, in the same
    order: for the queue's filter, on every request of it, so written as SQL (see
    ``portal.sql``)."""
    if not organisation_ids:
        return []
    rows = sql.fetch_all(
        *contact_person_names_statement(organisation_ids=organisation_ids, but=but)
    )
    return [(pk, name) for pk, name, _place in rows]


def active_trainers() -> QuerySet[User]:
    """Active people with the trainer role: who can give a training or facilitate a werkplaats."""
    return (
        User.objects.filter(role_assignments__role=Role.TRAINER, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("full_name")
    )


def user_has_totp(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


@dataclass(frozen=True)
class PreviousLogin:
    created_at: datetime
    ip_address: str | None


@dataclass(frozen=True)
class LoginSummary:
    previous_success: PreviousLogin | None
    failed_since_previous: int


# ``login_summary``: the user's two latest successful logins, newest first, each with the
# failed attempts after it; and, for a user with fewer than two, all failed attempts.
_LOGINS_SQL = (
    "SELECT e.created_at, e.ip_address, (SELECT COUNT(*) FROM portal_loginevent f "
    "WHERE f.user_id = e.user_id AND f.succeeded = %s AND f.created_at > e.created_at) "
    "FROM portal_loginevent e WHERE e.user_id = %s AND e.succeeded = %s "
    "ORDER BY e.created_at DESC LIMIT 2"
)
_FAILED_LOGINS_SQL = "SELECT COUNT(*) FROM portal_loginevent WHERE user_id = %s AND succeeded = %s"


def login_summary(*, user: User) -> LoginSummary:
    """The login before the current one, and how many attempts failed after it.

    Failures since the previous session are what a person should notice: someone
    may have been guessing their password. On every home page, so written as SQL (see
    ``portal.sql``); one query in the usual case.
    """
    successes = sql.fetch_all(_LOGINS_SQL, [False, user.pk, True])
    if len(successes) < 2:
        (failed,) = sql.fetch_one(_FAILED_LOGINS_SQL, [user.pk, False])
        return LoginSummary(previous_success=None, failed_since_previous=failed)
    created_at, ip_address, failed_after = successes[1]
    return LoginSummary(
        previous_success=PreviousLogin(created_at=sql.timestamp(created_at), ip_address=ip_address),
        failed_since_previous=failed_after,
    )


def reminders_sent_to(*, user: User) -> QuerySet[PlannedReminder]:
    """What the portal mailed this person, newest first."""
    return PlannedReminder.objects.filter(recipient=user, status=ReminderStatus.SENT).order_by(
        "-sent_at", "-pk"
    )


def _chose_digest() -> Q:
    """A reminder whose recipient chose to get its kind in the daily digest."""
    chosen = Exists(
        MailPreference.objects.filter(
            user=OuterRef("recipient"), kind=OuterRef("kind"), delivery=MailDelivery.DIGEST
        )
    )
    return Q(chosen, recipient__isnull=False, kind__in=list(reminders.digestible_kinds()))


def _waits_for_digest() -> Q:
    """A planned reminder that goes in a daily digest: chosen so, or already attached to one."""
    return Q(digest__isnull=False) | _chose_digest()


def reminder_due_condition(*, now: datetime) -> Q:
    """Rows to attempt now: planned and due (unless waiting for the digest), a failed
    attempt whose retry time has come, or a claim whose lease ran out."""
    return Q(Q(status=ReminderStatus.PLANNED, due_at__lte=now), ~_waits_for_digest()) | Q(
        status__in=(ReminderStatus.RETRY, ReminderStatus.SENDING), next_attempt_at__lte=now
    )


def reminder_ids_due(*, limit: int, now: datetime | None = None) -> list[int]:
    """Reminders to attempt now, oldest first (see ``reminder_due_condition``)."""
    return list(
        PlannedReminder.objects.filter(reminder_due_condition(now=now or timezone.now()))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- functional administration (beheer) ----------------------------------------------------
# Every list is empty for anyone but a beheerder, so a guessed id on a beheer page is a 404.


def beheerders() -> QuerySet[User]:
    """Active people with the beheerder role: who gets the role review's mails."""
    return (
        User.objects.filter(role_assignments__role=Role.BEHEERDER, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )


def organisations_administered(*, user: User) -> QuerySet[Organisation]:
    """Every organisation with its domains and counts, for the beheerder."""
    if not permissions.can_administer(user):
        return Organisation.objects.none()
    return _organisations_with_counts()


def programmes_administered(*, user: User) -> QuerySet[Programme]:
    """Every programme with its coordinators, for the beheerder."""
    if not permissions.can_administer(user):
        return Programme.objects.none()
    return Programme.objects.prefetch_related(
        Prefetch(
            "coordinators",
            queryset=User.objects.select_related("organisation").order_by("full_name", "email"),
        )
    ).order_by("-is_active", "name")


def role_assignments_administered(*, user: User) -> QuerySet[RoleAssignment]:
    """Every role held, by person, for the beheerder."""
    if not permissions.can_administer(user):
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.select_related(
        "user", "user__organisation", "organisation"
    ).order_by("user__full_name", "user__email", "role", "organisation__name")


def people_for_roles(*, user: User) -> QuerySet[User]:
    """Active people a beheerder may give a role or name coordinator."""
    if not permissions.can_administer(user):
        return User.objects.none()
    return (
        User.objects.filter(is_active=True)
        .select_related("organisation")
        .order_by("full_name", "email")
    )


def role_changes(*, user: User) -> QuerySet[RoleChange]:
    """The record of role changes, newest first, for the beheerder."""
    if not permissions.can_administer(user):
        return RoleChange.objects.none()
    return RoleChange.objects.select_related(
        "actor", "subject", "subject__organisation", "organisation"
    ).order_by("-created_at", "-pk")


def role_reviews(*, user: User) -> QuerySet[RoleReview]:
    """Role reviews, newest first, with their open and decided line counts."""
    if not permissions.can_administer(user):
        return RoleReview.objects.none()
    return (
        RoleReview.objects.select_related("opened_by")
        .annotate(
            line_count=Count("lines"),
            open_count=Count("lines", filter=Q(lines__decision="")),
            revoked_count=Count("lines", filter=Q(lines__decision="revoked")),
        )
        .order_by("-opened_at", "-pk")
    )


def role_review_lines(*, review: RoleReview) -> QuerySet[RoleReviewLine]:
    """A review's lines with the people and deciders joined, by name."""
    return review.lines.select_related(
        "user", "user__organisation", "organisation", "decided_by"
    ).order_by("user__full_name", "user__email", "role", "pk")


def role_review_current() -> RoleReview | None:
    """The open role review, if any."""
    return RoleReview.objects.filter(is_open=True).first()


def digest_kinds_of(*, user_id: int) -> list[str]:
    """The kinds this person gets in the daily digest."""
    return list(
        MailPreference.objects.filter(
            user_id=user_id,
            delivery=MailDelivery.DIGEST,
            kind__in=list(reminders.digestible_kinds()),
        ).values_list("kind", flat=True)
    )


def digest_waiting(*, now: datetime) -> list[tuple[User, datetime]]:
    """People with due reminders waiting for a digest and no digest planned yet, with the
    due time of their oldest waiting reminder."""
    pending_digest = PlannedReminder.objects.filter(
        kind=DAILY_DIGEST,
        recipient=OuterRef("recipient"),
        status__in=(ReminderStatus.PLANNED, ReminderStatus.RETRY, ReminderStatus.SENDING),
    )
    waiting = dict(
        PlannedReminder.objects.filter(
            _chose_digest(), status=ReminderStatus.PLANNED, digest__isnull=True, due_at__lte=now
        )
        .filter(~Exists(pending_digest))
        .order_by()
        .values("recipient")
        .annotate(earliest=Min("due_at"))
        .values_list("recipient", "earliest")
    )
    users = User.objects.in_bulk(list(waiting))
    return [(users[pk], earliest) for pk, earliest in waiting.items() if pk in users]


def digest_sent(*, user: User, day: date) -> bool:
    """Whether this person's digest of that day has gone out (or had nothing to hold)."""
    return PlannedReminder.objects.filter(
        kind=DAILY_DIGEST,
        target_type=ContentType.objects.get_for_model(DailyDigest),
        target_id__in=DailyDigest.objects.filter(user=user, day=day).values("pk"),
        status__in=(ReminderStatus.SENT, ReminderStatus.SKIPPED),
    ).exists()


def mail_preferences_of(*, user: User) -> dict[str, str]:
    """How this person gets each kind offered on the preferences page (default: at once)."""
    offered = reminders.digestible_kinds()
    chosen = dict(
        MailPreference.objects.filter(user=user, kind__in=list(offered)).values_list(
            "kind", "delivery"
        )
    )
    return {kind: chosen.get(kind, MailDelivery.AT_ONCE) for kind in offered}


@dataclass(frozen=True)
class MailStatusRow:
    pk: int
    kind: str
    kind_label: str
    recipient_email: str
    status: str
    status_label: str
    attempts: int
    lease_expiries: int
    last_error: str
    next_attempt_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class MailStatus:
    """The mail path at a glance for the beheerder: what failed and what was retried after
    a worker died. Never a mail's text: kind, recipient, attempts and the last error."""

    failed_count: int
    retrying_count: int
    lease_expired_count: int
    failed: list[MailStatusRow]
    retrying: list[MailStatusRow]
    lease_expired: list[MailStatusRow]


_STATUS_FIELDS = (
    "pk",
    "kind",
    "recipient_email",
    "status",
    "attempts",
    "lease_expiries",
    "last_error",
    "next_attempt_at",
    "updated_at",
)


def _status_rows(queryset, limit: int) -> list[MailStatusRow]:
    labels = dict(ReminderStatus.choices)
    rows = []
    for values in queryset.order_by("-updated_at", "-pk").values(*_STATUS_FIELDS)[:limit]:
        kind = reminders.kind_or_none(values["kind"])
        rows.append(
            MailStatusRow(
                **values,
                kind_label=str(kind.label) if kind and kind.label else values["kind"],
                status_label=str(labels.get(values["status"], values["status"])),
            )
        )
    return rows


def mail_status(*, limit: int = 50) -> MailStatus:
    """Counts and the latest rows of failed, retrying and lease-expired reminders."""
    counts = PlannedReminder.objects.aggregate(
        failed=Count("pk", filter=Q(status=ReminderStatus.FAILED)),
        retrying=Count("pk", filter=Q(status=ReminderStatus.RETRY)),
        lease_expired=Count("pk", filter=Q(lease_expiries__gt=0)),
    )
    return MailStatus(
        failed_count=counts["failed"],
        retrying_count=counts["retrying"],
        lease_expired_count=counts["lease_expired"],
        failed=_status_rows(PlannedReminder.objects.filter(status=ReminderStatus.FAILED), limit),
        retrying=_status_rows(PlannedReminder.objects.filter(status=ReminderStatus.RETRY), limit),
        lease_expired=_status_rows(PlannedReminder.objects.filter(lease_expiries__gt=0), limit),
    )


def submission_key_redirect(*, user: User, key: str) -> str | None:
    """Where the first successful submission with this one-time key led, if there was one."""
    return (
        SubmissionKey.objects.filter(user=user, key=key)
        .values_list("redirect_to", flat=True)
        .first()
    )


# --- netwerk ----------------------------------------------------------------------------

# A page of search results; with the page of people met beside it, 40 people at most.
NETWORK_SEARCH_LIMIT = 20


@dataclass(frozen=True)
class NetworkPerson:
    """A findable person as others see them: only the fields they chose to show.

    Built here and nowhere else, so a page cannot show a field the person kept hidden.
    """

    pk: int
    name: str
    organisation: str
    discipline: str
    job_title: str
    department: str
    email: str
    phone: str
    ask_me_about: str
    meetings: tuple[network.Meeting, ...]

    @classmethod
    def of(cls, user: User, meetings=()) -> "NetworkPerson":
        profile = user.network_profile
        return cls.shown(
            (
                user.pk,
                user.full_name,
                user.email,
                user.organisation.name if user.organisation else "",
                user.discipline,
                user.job_title,
                user.department,
                profile.show_discipline,
                profile.show_job_title,
                profile.show_department,
                profile.show_email,
                profile.phone,
                profile.ask_me_about,
            ),
            meetings,
        )

    @classmethod
    def shown(cls, row: tuple, meetings=()) -> "NetworkPerson":
        """From a row of ``_PERSON_FIELDS``, as read by ``values_list``."""
        (pk, full_name, email, organisation, discipline, job_title, department) = row[:7]
        show_discipline, show_job_title, show_department, show_email, phone, ask = row[7:]
        return cls(
            pk=pk,
            # As ``str(user)`` and ``str(organisation)``.
            name=full_name or email,
            organisation=organisation or "",
            discipline=_discipline_label(discipline) if show_discipline else "",
            job_title=job_title if show_job_title else "",
            department=department if show_department else "",
            email=email if show_email else "",
            phone=phone,
            ask_me_about=ask,
            meetings=tuple(meetings),
        )


# What a netwerk page reads of a findable person (``NetworkPerson.shown``), as values.
_PERSON_FIELDS = (
    "pk",
    "full_name",
    "email",
    "organisation__name",
    "discipline",
    "job_title",
    "department",
    "network_profile__show_discipline",
    "network_profile__show_job_title",
    "network_profile__show_department",
    "network_profile__show_email",
    "network_profile__phone",
    "network_profile__ask_me_about",
)


def _discipline_label(value: str) -> str:
    # The labels translated once per language, where ``get_discipline_display`` translates
    # every choice to look one up: a page of people would translate the list per person.
    return discipline_labels(translation.get_language()).get(value, value)


@cache
def discipline_labels(language: str | None) -> dict[str, str]:
    """Each discipline's label in ``language`` (the active one, which it is asked for)."""
    return {value: str(label) for value, label in Discipline.choices}


def _findable(ids) -> QuerySet[User]:
    """Active people among ``ids`` who consented to be findable, and have not revoked it.

    The one place the consent is read: every netwerk page and the signal form go through it,
    straight from the database, so a revocation counts from the next request on.
    """
    # Named on both sides of the join, so the database looks the people up by their key and
    # the consents by theirs, instead of reading every consent or every person to join them.
    # Each list as one array parameter: a person meets hundreds of people.
    ids = list(ids)
    return _findable_people().filter(AnyOf(F("pk"), ids), AnyOf(F("network_profile__user_id"), ids))


# On a User query: active and findable (consented, not revoked): the one definition of the
# consent, which ``_findable`` and the search read through.
_FINDABLE = Q(is_active=True, network_profile__findable=True)


def _findable_people() -> QuerySet[User]:
    """Every active person who consented to be findable (see ``_findable``)."""
    return User.objects.filter(_FINDABLE).select_related("organisation", "network_profile")


def _known_to(user: User, met: dict, programmes: frozenset[int] | None = None) -> Q:
    """On a User query: someone the user met, or who takes part in a programme the user takes
    part in (coordinators included); never the user themselves. A condition, so a search
    reads its people in name order and stops at a page instead of asking about all of them.

    ``programmes`` is ``network.programmes_of(user.pk)`` when the caller already asked it.
    """
    known = Q(AnyOf(F("pk"), sorted(met)))
    if programmes is None:
        programmes = network.programmes_of(user.pk)
    programme_ids = programmes | permissions.coordinated_programme_ids(user)
    if programme_ids:
        coordinators = Programme.coordinators.through.objects.filter(
            programme_id__in=programme_ids, user_id=OuterRef("pk")
        )
        known |= network.participation(programme_ids) | network.has_a_row(coordinators)
    return known & ~Q(pk=user.pk)


def network_profile_of(*, user: User) -> NetworkProfile:
    """The user's own netwerk settings; an unsaved, not findable profile when they have none."""
    profile = NetworkProfile.objects.filter(user=user).first()
    return profile or NetworkProfile(user=user)


_FINDABLE_SQL = "SELECT findable FROM portal_networkprofile WHERE user_id = %s"


def network_findable(*, user: User) -> bool:
    """Whether the user is findable now: the netwerk page says so on every request, where
    building the ORM query for the whole profile cost more than the page's other reads."""
    row = sql.fetch_one(_FINDABLE_SQL, [user.pk])
    return bool(row and row[0])


def network_consent_history(*, user: User) -> QuerySet[NetworkConsentEvent]:
    """The user's own consent history, latest first."""
    return NetworkConsentEvent.objects.filter(user=user)


def _met_in_order(met: dict) -> list[tuple]:
    """The findable people among those met, as ``_PERSON_FIELDS`` rows, the most recent
    meeting first, then by name: one query, every person met bounded by the user's own
    runs, werkplaatsen and verkenningen."""
    floor = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    # By name and e-mail address (the order of people everywhere), then by latest meeting.
    people = _findable(met).order_by().values_list(*_PERSON_FIELDS)
    rows = sorted(sql.rows(people), key=lambda row: (row[1], row[2]))
    rows.sort(key=lambda row: met[row[0]][0].when or floor, reverse=True)
    return rows


def network_met(*, user: User, met: dict | None = None) -> list[NetworkPerson]:
    """The findable people the user met, with where, the most recent meeting first.

    ``met`` is ``network.meetings(user.pk)`` when the caller already asked it.
    """
    met = network.meetings(user.pk) if met is None else met
    if not met:
        return []
    return [NetworkPerson.shown(row, met[row[0]]) for row in _met_in_order(met)]


@dataclass(frozen=True)
class NetworkMetPage:
    people: list[NetworkPerson]
    number: int
    # All findable people met: bounded by the user's own runs, werkplaatsen and verkenningen.
    count: int


def network_met_page(*, user: User, met: dict, number: int, per_page: int) -> NetworkMetPage:
    """One page of ``network_met``: everyone met is read in one query, ordered by meeting
    and name, and only the page's people are shown. A page past the end is the last."""
    order = _met_in_order(met) if met else []
    pages = max(1, -(-len(order) // per_page))
    number = min(max(number, 1), pages)
    shown = order[(number - 1) * per_page : number * per_page]
    return NetworkMetPage(
        [NetworkPerson.shown(row, met[row[0]]) for row in shown], number, len(order)
    )


_ORGANISATIONS_SQL = "SELECT id, name, parent_id FROM portal_organisation ORDER BY name"


def network_organisations() -> list[tuple[int, str, int | None]]:
    """Every organisation as (pk, name, parent pk), by name: the choices of the search, and
    what ``organisation_and_under`` reads the organisations under one from."""
    # A constant statement: the ORM's build cost more than the read, on every netwerk page.
    return sql.fetch_all(_ORGANISATIONS_SQL, [])


def organisation_and_under(rows, pk: int) -> list[int]:
    """``pk`` and the organisations directly under it, from ``network_organisations`` rows."""
    return [row[0] for row in rows if row[0] == pk or row[2] == pk]


@dataclass(frozen=True)
class NetworkSearchAfter:
    """Where the next page of a search starts: after this person (shown on the page before)."""

    name: str
    pk: int


def network_search(
    *,
    user: User,
    organisation: Organisation | None = None,
    organisation_ids: list[int] | None = None,
    discipline: str = "",
    text: str = "",
    met: dict | None = None,
    programmes: frozenset[int] | None = None,
    after: NetworkSearchAfter | None = None,
) -> tuple[list[NetworkPerson], NetworkSearchAfter | None]:
    """Findable people the user met or shares a programme with, by organisation (and the
    organisations under it), discipline and a word from their role, by name: at most
    ``NETWORK_SEARCH_LIMIT`` from ``after`` on, and where the next page starts (None when
    this is the last). A caller that knows the organisation's pk and those under it (from
    ``network_organisations``) passes them as ``organisation_ids`` instead: one query fewer;
    one that asked ``network.acquaintances`` passes whom the user met and their programmes.

    The people are read in name order with whether the user knows them as a condition, and
    the reading stops after one page: the cost does not grow with the organisation.
    A field the person keeps hidden is never searched: finding someone by it would reveal it.
    """
    met = network.meetings(user.pk) if met is None else met
    # Every condition as one Q, given to one filter: each filter call clones and resolves
    # the query again, and building it was most of the search's time.
    condition = _FINDABLE & _known_to(user, met, programmes)
    if organisation is not None and organisation_ids is None:
        organisation_ids = list(
            Organisation.objects.filter(Q(pk=organisation.pk) | Q(parent=organisation)).values_list(
                "pk", flat=True
            )
        )
    if organisation_ids is not None:
        # The organisations as a list of ids: for one organisation (the usual case) the
        # database walks its people by name through an index and stops after a page.
        condition &= Q(organisation_id__in=organisation_ids)
    if discipline:
        condition &= Q(discipline=discipline, network_profile__show_discipline=True)
    if text:
        condition &= (
            Q(job_title__icontains=text, network_profile__show_job_title=True)
            | Q(department__icontains=text, network_profile__show_department=True)
            | Q(network_profile__ask_me_about__icontains=text)
        )
    if after is not None:
        condition &= Q(full_name__gt=after.name) | Q(full_name=after.name, pk__gt=after.pk)
    found = sql.rows(
        User.objects.filter(condition)
        .order_by("full_name", "pk")
        .values_list(*_PERSON_FIELDS)[: NETWORK_SEARCH_LIMIT + 1]
    )
    shown = found[:NETWORK_SEARCH_LIMIT]
    more = len(found) > NETWORK_SEARCH_LIMIT
    following = NetworkSearchAfter(name=shown[-1][1], pk=shown[-1][0]) if more else None
    return [NetworkPerson.shown(row, met.get(row[0], ())) for row in shown], following


def network_person(*, user: User, pk: int) -> NetworkPerson | None:
    """One person's netwerk page, or None (a 404) unless findable and known to the user.

    The user always sees their own page, findable or not: what others would see.
    """
    if pk == user.pk:
        own = User.objects.select_related("organisation").get(pk=pk)
        own.network_profile = network_profile_of(user=own)
        return NetworkPerson.of(own, ())
    met = network.meetings(user.pk)
    person = _findable([pk]).filter(_known_to(user, met)).first()
    return NetworkPerson.of(person, met.get(pk, ())) if person else None


@dataclass(frozen=True)
class MetContactPerson:
    """A contact person of a meldpunt whom the reporter met (for the signal form)."""

    organisation: str
    person: NetworkPerson


def network_contact_persons_met(*, user: User, organisation_ids) -> list[MetContactPerson]:
    """The findable contact persons of these meldpunten whom the user met, per meldpunt.

    Reads only who the user met and the contact-person roles: nothing about any signal.
    """
    met = network.meetings(user.pk)
    if not met:
        return []
    assignments = (
        RoleAssignment.objects.filter(
            role=Role.CONTACT_PERSON,
            organisation_id__in=organisation_ids,
            user__in=_findable(met),
        )
        .select_related("organisation", "user__organisation", "user__network_profile")
        .order_by("organisation__name", "user__full_name", "pk")
    )
    return [
        MetContactPerson(str(a.organisation), NetworkPerson.of(a.user, met[a.user_id]))
        for a in assignments
    ]


def login_events_due_for_deletion(*, cutoff: datetime) -> QuerySet[LoginEvent]:
    """Login records made before ``cutoff`` (retention rule ``portal.login_events``)."""
    return LoginEvent.objects.filter(created_at__lt=cutoff)


def figures_snapshots_due_for_deletion(*, cutoff: datetime) -> QuerySet[FiguresSnapshot]:
    """Stored figures no page asked for since ``cutoff`` (rule ``portal.figures_snapshots``):
    a page asks again once they are older than ``FIGURES_FRESH_FOR``, which saves the row."""
    return FiguresSnapshot.objects.filter(updated_at__lt=cutoff)


def destruction_records() -> QuerySet[DestructionRecord]:
    """The destruction register, newest first (beheerders only; holds no personal data)."""
    return DestructionRecord.objects.order_by("-run_at", "kind", "pk")


# --- AVG: "Mijn gegevens" and requests to erase one's data ----------------------------------


def pending_deletion_request(*, user: User) -> DeletionRequest | None:
    """The person's own undecided request to erase their data, if any."""
    return DeletionRequest.objects.filter(
        requester=user, status=DeletionRequest.Status.PENDING
    ).first()


def deletion_requests_for_beheer(*, user: User) -> QuerySet[DeletionRequest]:
    """Every request, undecided first (earliest deadline first); empty for non-beheerders."""
    if not permissions.can_administer(user):
        return DeletionRequest.objects.none()
    return DeletionRequest.objects.select_related("requester__organisation", "decided_by").order_by(
        Case(When(status=DeletionRequest.Status.PENDING, then=0), default=1),
        "deadline",
        "-pk",
    )


# --- figures counted away from the request ----------------------------------------------------

# How old counted figures may be before a page asks for a new count.
FIGURES_FRESH_FOR = timedelta(minutes=10)


def figures_snapshot(*, key: str) -> FiguresSnapshot | None:
    """The figures last counted under ``key`` (one query), or None before the first count."""
    return FiguresSnapshot.objects.filter(key=key).first()


def figures_snapshot_due(snapshot: FiguresSnapshot | None, *, now: datetime) -> bool:
    """Whether a page should ask for a new count: none yet, or older than
    ``FIGURES_FRESH_FOR``, and no count asked for in that time."""
    if snapshot is None:
        return True
    fresh_since = now - FIGURES_FRESH_FOR
    if snapshot.computed_at is not None and snapshot.computed_at >= fresh_since:
        return False
    return snapshot.requested_at is None or snapshot.requested_at < fresh_since
