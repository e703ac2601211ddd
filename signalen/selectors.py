"""Reads for signals. Every list starts from ``signals_visible_to``, the one access rule."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import permissions as portal_permissions
from portal import sql
from portal.cursor_pagination import CursorPage, Key, SplitBy, paginate
from portal.formats import moment_writer
from portal.models import Organisation, Role, User
from portal.pagination import BoundedCount
from portal.selectors import contact_person_names_statement
from portal.templatetags.portal_ui import status_badge
from portal.translated import SOURCE_LANGUAGE, localized

from . import permissions
from .models import (
    NO_DEADLINE,
    AuditEntry,
    Category,
    Signal,
    SignalAccess,
    SignalAttachment,
    SignalEvent,
)
from .states import AWAITING_PICKUP, OPEN, Status

# Audit actions and timeline events done by the reporter, also once the reporter is gone.
REPORTER_ACTIONS = frozenset(
    {
        AuditEntry.Act.SIGNAL_CREATE,
        AuditEntry.Act.SIGNAL_VIEW_OWN,
        AuditEntry.Act.SIGNAL_REPLY,
    }
)
REPORTER_EVENT_KINDS = frozenset({SignalEvent.Kind.REPORTED, SignalEvent.Kind.REPLY})


def signals_visible_to(user) -> QuerySet[Signal]:
    """The signals whose content ``user`` may see; nothing for anyone but contact persons.

    A contact person sees the signals of every organisation they serve that the
    signal was reported to or forwarded to. This is the only place that decides;
    views, statistics and the dashboard all start here.
    """
    organisation_ids = portal_permissions.contact_organisation_ids(user)
    if not organisation_ids:
        return Signal.objects.none()
    return Signal.objects.filter(
        Exists(
            SignalAccess.objects.filter(signal=OuterRef("pk"), organisation_id__in=organisation_ids)
        )
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    category_id: int | None = None
    age: str = ""
    assignee: str = ""
    overdue_only: bool = False
    organisation_id: int | None = None
    sort: str = "newest"


# Every sort order ends on the primary key, so equal sort values still give one fixed order
# and a keyset cursor can tell the rows apart. Each order has an index that starts at a
# cursor (migration 0007); the category order sorts on the category's position and name.
SORTS = {
    "newest": [Key("received_at", descending=True), Key("pk", descending=True)],
    "oldest": [Key("received_at"), Key("pk")],
    # Closed signals have no deadline: they come last, ordered as if due at the end of time.
    "deadline": [Key("deadline_key"), Key("pk")],
    "category": [
        Key("category_position"),
        Key("category_name"),
        Key("category_id"),
        Key("received_at", descending=True),
        Key("pk", descending=True),
    ],
}
QUEUE_CURSOR_SALT = "signalen.queue"
# The queue, its overdue banner, the dashboard's overdue figure and the menu badge count up
# to this many signals and then say "more than" ("100+" on the badge). Counting every
# visible signal on each request is what made the page slow at volume; a count stops
# reading where it reaches the limit, and each signal counted costs a check of its access
# rows, so a hundred (enough to tell a person how much waits) costs a tenth of a thousand.
COUNT_LIMIT = 100


def _queue_condition(*, user, filters: QueueFilters, now: datetime) -> Q:
    """The queue's filters as one condition, usable in a WHERE and in an aggregate's FILTER."""
    condition = Q()
    if filters.status == "open":
        condition &= Q(status__in=OPEN)
    elif filters.status in Status.values:
        condition &= Q(status=filters.status)
    if filters.category_id:
        condition &= Q(category_id=filters.category_id)
    if filters.age == "lt7":
        condition &= Q(received_at__gte=now - timedelta(days=7))
    elif filters.age == "gt7":
        condition &= Q(received_at__lt=now - timedelta(days=7))
    elif filters.age == "gt30":
        condition &= Q(received_at__lt=now - timedelta(days=30))
    if filters.assignee == "me":
        condition &= Q(assignee=user)
    elif filters.assignee == "none":
        condition &= Q(assignee__isnull=True)
    elif filters.assignee.isdigit():
        condition &= Q(assignee_id=int(filters.assignee))
    if filters.overdue_only:
        condition &= Q(deadline_at__lt=now)
    if filters.organisation_id:
        condition &= Q(
            Exists(
                SignalAccess.objects.filter(
                    signal=OuterRef("pk"), organisation_id=filters.organisation_id
                )
            )
        )
    return condition


def _column_of(model, key: str, column: str) -> Subquery:
    """``column`` of the ``model`` row that the signal's ``key`` points to."""
    return Subquery(model.objects.filter(pk=OuterRef(key)).order_by().values(column)[:1])


def signal_queue(*, user, filters: QueueFilters, now: datetime | None = None) -> QuerySet[Signal]:
    """The triage queue: visible signals, filtered and sorted.

    The rows carry the sort keys of ``SORTS`` that are not columns (``deadline_key`` in
    the deadline order; ``category_position`` and ``category_name`` in the category
    order) so that ``signal_queue_page`` can cut the list at a cursor; the page reads only
    the columns it shows (``QUEUE_ROW_COLUMNS``).
    """
    now = now or timezone.now()
    queryset = (
        signals_visible_to(user)
        .filter(_queue_condition(user=user, filters=filters, now=now))
        .annotate(
            # ``ActorNames`` for the assignee column, in SQL: an anonymous reporter who is
            # also the assignee is not named outside the organisation it was reported to.
            assignee_is_hidden_reporter=Case(
                When(
                    Q(reporter_anonymous=True, assignee_id=F("reporter_id"))
                    & ~Q(reported_to_id__in=portal_permissions.contact_organisation_ids(user)),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
    if filters.sort == "deadline":
        # Only for this order: the page writes the same value from ``deadline_at``.
        queryset = queryset.annotate(deadline_key=Coalesce("deadline_at", Value(NO_DEADLINE)))
    elif filters.sort == "category":
        # Values from another table as subqueries rather than a join: the page query is
        # planned on every request, and planning grows with every joined table.
        queryset = queryset.annotate(
            category_position=_column_of(Category, "category_id", "position"),
            category_name=_column_of(Category, "category_id", "name"),
        )
    return queryset.order_by(*(key.ordering() for key in queue_sort_keys(filters.sort)))


def queue_sort_keys(sort: str) -> list[Key]:
    return SORTS.get(sort, SORTS["newest"])


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One row of the queue as the page shows it: every value written out once, here, so
    the template only places them (a template tag or filter per cell and row was most of
    the page's time). Holds nothing of the signal's content or its reporter."""

    pk: int
    reference: str
    url: str
    status: str
    status_badge: str  # HTML, from the status badge of the page kit
    category: str  # in the active language
    received: str
    deadline: str  # "—" for a signal without one
    is_overdue: bool
    assignee: str  # "" for nobody; "Melder" for a reporter the viewer may not know
    whereabouts: str  # "nu bij ..." / "van ..." when another organisation is involved
    # The sort keys, for the cursors of the page links.
    received_at: datetime
    deadline_key: datetime
    category_id: int
    category_position: int
    category_name: str


@dataclass(frozen=True)
class QueueCategory:
    """A category as the queue shows it and orders by it."""

    pk: int
    position: int
    name: str
    name_en: str
    is_active: bool


_CATEGORIES_SQL = (
    "SELECT id, position, name, name_en, is_active FROM signalen_category "
    "ORDER BY position, name, id"
)


def queue_categories() -> list[QueueCategory]:
    """Every category, inactive ones too (old signals keep theirs), in the queue's order:
    read once per page for the filter, the rows' labels and the category order."""
    return [QueueCategory(*values) for values in sql.fetch_all(_CATEGORIES_SQL, [])]


# ``queue_categories`` ("c") and the colleagues of ``contact_person_names`` ("p") in one
# statement, each in its own order.
_CHOICES_SQL = (
    "SELECT 'c', id, position, name, name_en, is_active, 0 FROM signalen_category "
    "UNION ALL SELECT 'p', people.id, 0, people.name, '', FALSE, people.place "
    "FROM ({people}) people ORDER BY 1, 7, 3, 4, 2"
)


@dataclass(frozen=True)
class QueueChoices:
    categories: list[QueueCategory]
    colleagues: list[tuple[int, str]]  # (id, name) of the user's fellow contact persons


def queue_choices(*, user) -> QueueChoices:
    """What the queue's filter offers, in one query: ``queue_categories`` and the user's
    fellow contact persons (``portal.selectors.contact_person_names``) to filter on."""
    people, params = contact_person_names_statement(
        organisation_ids=portal_permissions.contact_organisation_ids(user), but=user
    )
    categories, colleagues = [], []
    for kind, pk, position, name, name_en, is_active, _place in sql.fetch_all(
        sql.expand(_CHOICES_SQL, parts={"people": people}), params
    ):
        if kind == "c":
            categories.append(QueueCategory(pk, position, name, name_en, is_active))
        else:
            colleagues.append((pk, name))
    return QueueChoices(categories=categories, colleagues=colleagues)


# What the page query reads of each signal: the columns of ``QueueRow`` and the sort keys;
# the names of organisations and people are read apart, for the page's rows only.
QUEUE_ROW_COLUMNS = (
    "pk",
    "reference",
    "status",
    "received_at",
    "deadline_at",
    "organisation_id",
    "reported_to_id",
    "category_id",
    "assignee_id",
    "assignee_is_hidden_reporter",
)


# The names on a page of the queue, in one statement (``portal.sql``): organisations
# ("o") and people ("p", the full name or else the e-mail address).
_NAMES_SQL = (
    "SELECT 'o', id, name FROM portal_organisation WHERE id IN ({organisations}) "
    "UNION ALL SELECT 'p', id, COALESCE(NULLIF(full_name, ''), email) FROM portal_user "
    "WHERE id IN ({people})"
)


class _RowWriter:
    """Writes the fetched columns of one page as ``QueueRow``; looks up once per page what
    is the same for every row (labels, formats, names, the viewer's organisations).

    The names of the page's organisations and assignees take one query, whatever the
    rows: the viewer's own organisations and the viewer are always asked too.
    """

    def __init__(self, *, user, rows, categories: list[QueueCategory], now: datetime):
        self.now = now
        self.own_organisation_ids = set(portal_permissions.contact_organisation_ids(user))
        language = (translation.get_language() or SOURCE_LANGUAGE).split("-")[0]
        english = language == "en"
        self.categories = {
            category.pk: (category, (english and category.name_en) or category.name)
            for category in categories
        }
        self.received = moment_writer("DATETIME_FORMAT")
        self.deadline = moment_writer("DAY_MONTH_TIME_FORMAT")
        self.badges = {value: status_badge(value, label) for value, label in Status.choices}
        self.reporter = _("Melder")
        self.detail_url = reverse("signalen:detail", args=[0])[: -len("0/")]
        organisation_ids = set(self.own_organisation_ids)
        person_ids = {user.pk}
        for fetched in rows:
            organisation_ids.update((fetched.organisation_id, fetched.reported_to_id))
            if fetched.assignee_id is not None:
                person_ids.add(fetched.assignee_id)
        self.organisations, self.people = {}, {}
        names = {"o": self.organisations, "p": self.people}
        # Someone who is no contact person has no rows and no organisations to name.
        found = (
            sql.fetch_all(
                sql.expand(_NAMES_SQL, organisations=organisation_ids, people=person_ids),
                [*organisation_ids, *person_ids],
            )
            if organisation_ids
            else []
        )
        for kind, pk, name in found:
            names[kind][pk] = name

    def row(self, fetched) -> QueueRow:
        if fetched.organisation_id not in self.own_organisation_ids:
            whereabouts = _("nu bij %(org)s") % {
                "org": self.organisations.get(fetched.organisation_id, "")
            }
        elif fetched.reported_to_id != fetched.organisation_id:
            whereabouts = _("van %(org)s") % {
                "org": self.organisations.get(fetched.reported_to_id, "")
            }
        else:
            whereabouts = ""
        if fetched.assignee_is_hidden_reporter:
            assignee = self.reporter
        elif fetched.assignee_id is not None:
            assignee = self.people.get(fetched.assignee_id, "")
        else:
            assignee = ""
        # A category made after the list was read (rare): its name is read on the next page.
        category, label = self.categories.get(
            fetched.category_id, (QueueCategory(fetched.category_id, 0, "", "", True), "")
        )
        return QueueRow(
            pk=fetched.pk,
            reference=fetched.reference,
            url=f"{self.detail_url}{fetched.pk}/",
            status=fetched.status,
            status_badge=self.badges.get(fetched.status)
            or status_badge(fetched.status, fetched.status),
            category=label,
            received=self.received(fetched.received_at),
            deadline=self.deadline(fetched.deadline_at) if fetched.deadline_at else "—",
            is_overdue=fetched.deadline_at is not None and fetched.deadline_at < self.now,
            assignee=assignee,
            whereabouts=whereabouts,
            received_at=fetched.received_at,
            deadline_key=fetched.deadline_at or NO_DEADLINE,
            category_id=fetched.category_id,
            category_position=category.position,
            category_name=category.name,
        )


def signal_queue_page(
    *,
    user,
    filters: QueueFilters,
    size: int,
    after: str | None = None,
    before: str | None = None,
    now: datetime | None = None,
    categories: list[QueueCategory] | None = None,
    queue: QuerySet[Signal] | None = None,
) -> CursorPage:
    """One page of the queue after or before a cursor, as ``QueueRow``, however deep: the
    page in one query (two at most in the category order), the names on it in one (and the
    categories in one unless given). ``queue``: ``signal_queue`` of the same user, filters
    and moment, when the caller built it already (for ``queue_counts`` as well).

    Raises ``portal.cursor_pagination.CursorError`` for a cursor the queue did not make
    for this sort order.
    """
    now = now or timezone.now()
    if categories is None:
        categories = queue_categories()
    if queue is None:
        queue = signal_queue(user=user, filters=filters, now=now)
    columns = QUEUE_ROW_COLUMNS
    split = None
    if filters.sort == "deadline":
        columns = (*columns, "deadline_key")
    if filters.sort == "category":
        columns = (*columns, "category_position", "category_name")
        # Per category, newest first, each from the index on (category, received_at), in
        # the order of the sort's leading keys (position, name, id) as the database sorts
        # them.
        split = SplitBy(
            field="category_id",
            groups=[
                (category.pk, (category.position, category.name, category.pk))
                for category in categories
                if not filters.category_id or category.pk == filters.category_id
            ],
            leading=3,
            # The queue itself: its sort annotations are not selected by the subqueries.
            keys_from=queue,
            group_model=Category,
        )
    page = paginate(
        queue.values_list(*columns, named=True),
        keys=queue_sort_keys(filters.sort),
        size=size,
        salt=QUEUE_CURSOR_SALT,
        after=after,
        before=before,
        split=split,
    )
    writer = _RowWriter(user=user, rows=page.object_list, categories=categories, now=now)
    return replace(page, object_list=[writer.row(fetched) for fetched in page.object_list])


@dataclass(frozen=True)
class QueueCounts:
    matching: BoundedCount  # signals that pass the queue's filters
    overdue: BoundedCount  # all visible overdue signals, whatever the filters
    attention: int  # ``attention_count``, for the menu's badge on the same page


# The statements of ``queue_counts`` and ``attention_count`` (see ``portal.sql``).
_TALLY_SQL = (
    "SELECT COALESCE(SUM(signals), 0) FROM signalen_signaltally "
    "WHERE organisation_id = %s AND status IN ({statuses})"
)
_TALLY_CATEGORY_SQL = _TALLY_SQL + " AND category_id = %s"
# ``signals_visible_to`` past the deadline, up to ``COUNT_LIMIT + 1``.
_OVERDUE_SQL = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM signalen_signal "
    "WHERE signalen_signal.deadline_at < %s AND EXISTS ("
    "SELECT 1 FROM signalen_signalaccess "
    "WHERE signalen_signalaccess.signal_id = signalen_signal.id "
    "AND signalen_signalaccess.organisation_id IN ({organisations})) LIMIT %s) AS overdue"
)
# The counts of the queue page in one statement: the matching signals (from the kept
# counters where they can tell, else counted up to the limit), the overdue ones and the
# menu's badge (``attention_count``).
_QUEUE_COUNTS_SQL = "SELECT ({matching}), ({overdue}), ({attention})"
# ``_needs_attention``, up to ``COUNT_LIMIT + 1``.
_ATTENTION_SQL = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM signalen_signal "
    "WHERE organisation_id IN ({organisations}) AND status IN ({open}) "
    "AND (status IN ({waiting}) OR deadline_at < %s) LIMIT %s) AS waiting"
)


def _tally_statement(*, user, filters: QueueFilters) -> tuple[str, list] | None:
    """SQL that sums the kept counters for the signals that pass ``filters``, or None when
    the counters cannot tell: they are kept per organisation, category and status, so they
    answer for those filters only, and only for someone who serves one organisation (a
    signal that two of a person's organisations can see is in the counters of both)."""
    if filters.age or filters.assignee or filters.overdue_only or filters.organisation_id:
        return None
    organisation_ids = portal_permissions.contact_organisation_ids(user)
    if len(organisation_ids) != 1:
        return None
    if filters.status == "open":
        statuses = sorted(OPEN)
    elif filters.status in Status.values:
        statuses = [filters.status]
    else:
        statuses = list(Status.values)
    params = [next(iter(organisation_ids)), *statuses]
    if filters.category_id:
        return sql.expand(_TALLY_CATEGORY_SQL, statuses=statuses), [*params, filters.category_id]
    return sql.expand(_TALLY_SQL, statuses=statuses), params


def _overdue_statement(*, organisation_ids, now: datetime) -> tuple[str, list]:
    return (
        sql.expand(_OVERDUE_SQL, organisations=organisation_ids),
        [sql.moment(now), *sorted(organisation_ids), COUNT_LIMIT + 1],
    )


def _bounded(counted: int) -> BoundedCount:
    return BoundedCount(n=min(counted, COUNT_LIMIT), more=counted > COUNT_LIMIT)


def queue_counts(
    *,
    user,
    filters: QueueFilters,
    now: datetime | None = None,
    queue: QuerySet[Signal] | None = None,
) -> QueueCounts:
    """The counts of the queue page, and the menu's badge, in one query. ``queue`` as for
    ``signal_queue_page``: the page's own queryset, counted without building it again.

    The signals that pass the filters are counted by the kept counters when they can tell
    (exact, however many), else up to ``COUNT_LIMIT``. The overdue signals change with the
    clock, so they are counted up to ``COUNT_LIMIT``. A bounded count stops reading at the
    limit, so its cost does not grow with the number of signals a contact person can see.
    Written as SQL (``portal.sql``): they run on every request of the queue.
    """
    now = now or timezone.now()
    organisation_ids = portal_permissions.contact_organisation_ids(user)
    if not organisation_ids:
        return QueueCounts(matching=BoundedCount(n=0, more=False), overdue=_bounded(0), attention=0)
    overdue, overdue_params = _overdue_statement(organisation_ids=organisation_ids, now=now)
    attention, attention_params = _attention_statement(organisation_ids=organisation_ids, now=now)
    tally = _tally_statement(user=user, filters=filters)
    if tally is not None:
        matching, matching_params = tally
    else:
        if queue is None:
            queue = signals_visible_to(user).filter(
                _queue_condition(user=user, filters=filters, now=now)
            )
        matching, matching_params = BoundedCount.statement(queue, COUNT_LIMIT)
    matching_count, overdue_count, waiting = sql.fetch_one(
        sql.expand(
            _QUEUE_COUNTS_SQL,
            parts={"matching": matching, "overdue": overdue, "attention": attention},
        ),
        [*matching_params, *overdue_params, *attention_params],
    )
    return QueueCounts(
        matching=(
            BoundedCount(n=matching_count, more=False)
            if tally is not None
            else _bounded(matching_count)
        ),
        overdue=_bounded(overdue_count),
        attention=waiting,
    )


def _needs_attention(user, now: datetime) -> Q:
    """Open signals with the user's own meldpunt that are new (or forwarded to it) or overdue.

    Signals forwarded away stay visible but wait for nobody here, so they do not count.
    """
    return Q(
        organisation_id__in=portal_permissions.contact_organisation_ids(user), status__in=OPEN
    ) & (Q(status__in=AWAITING_PICKUP) | Q(deadline_at__lt=now))


def _attention_statement(*, organisation_ids, now: datetime) -> tuple[str, list]:
    # Only signals that one of the user's organisations handles, and the handling
    # organisation always has access (given when the signal is made or forwarded to it,
    # never taken away): so these are visible to the user without asking the access rows,
    # which made this count, on every page of a contact person, cost a join per signal.
    waiting = sorted(AWAITING_PICKUP)
    statement = sql.expand(
        _ATTENTION_SQL, organisations=organisation_ids, open=OPEN, waiting=waiting
    )
    params = [
        *sorted(organisation_ids),
        *sorted(OPEN),
        *waiting,
        sql.moment(now),
        # Stops at the limit: the badge is on every page, and "100+" says enough.
        COUNT_LIMIT + 1,
    ]
    return statement, params


def attention_count(*, user, now: datetime | None = None) -> int:
    """How many signals wait for the user's meldpunt (new or overdue): the menu's badge.

    ``_needs_attention`` counted, exact up to ``COUNT_LIMIT``, ``COUNT_LIMIT + 1`` for
    anything above it. One query, and none for anyone who is not a contact person. Written
    as SQL (``portal.sql``): it is on every page a contact person opens, and the ORM took
    twice as long to build it as the database to answer it. The queue reads it with its
    own counts (``queue_counts``).
    """
    organisation_ids = portal_permissions.contact_organisation_ids(user)
    if not organisation_ids:
        return 0
    return sql.fetch_one(
        *_attention_statement(organisation_ids=organisation_ids, now=now or timezone.now())
    )[0]


def attention_signals(*, user, limit: int = 5, now: datetime | None = None) -> list[Signal]:
    """The signals behind ``attention_count``, overdue first, then oldest first; one query."""
    if not portal_permissions.is_contact_person(user):
        return []
    now = now or timezone.now()
    return list(
        signals_visible_to(user)
        .filter(_needs_attention(user, now))
        .select_related("category")
        .only(
            "pk",
            "reference",
            "status",
            "deadline_at",
            "received_at",
            "category__name",
            "category__name_en",
        )
        .annotate(
            is_overdue=Case(
                When(deadline_at__lt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-is_overdue", "received_at", "pk")[:limit]
    )


def signal_detail(*, user, pk: int) -> Signal:
    """One visible signal with everything its page shows; raises ``Signal.DoesNotExist``."""
    return (
        signals_visible_to(user)
        .select_related(
            "category", "organisation", "reported_to", "assignee", "reporter", "duplicate_of"
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SignalEvent.objects.select_related("actor", "assignee", "organisation"),
            ),
            Prefetch("attachments", queryset=SignalAttachment.objects.order_by("pk")),
            Prefetch(
                "accesses",
                queryset=SignalAccess.objects.select_related("organisation").order_by("granted_at"),
            ),
        )
        .get(pk=pk)
    )


def visible_duplicates_of(*, user, signal: Signal) -> QuerySet[Signal]:
    return signals_visible_to(user).filter(duplicate_of=signal).order_by("received_at")


def visible_signal_by_reference(*, user, reference: str) -> Signal | None:
    return signals_visible_to(user).filter(reference__iexact=reference.strip()).first()


def visible_attachment(*, user, pk: int) -> SignalAttachment:
    """An attachment of a visible signal; raises ``SignalAttachment.DoesNotExist``."""
    return SignalAttachment.objects.select_related("signal").get(
        pk=pk, signal__in=signals_visible_to(user)
    )


def own_signals(*, user) -> QuerySet[Signal]:
    """The signals this person reported, for their own overview."""
    if not getattr(user, "is_authenticated", False):
        return Signal.objects.none()
    return (
        Signal.objects.filter(reporter=user)
        .select_related("category")
        .order_by("-created_at", "-pk")
    )


def own_signals_as_reporter_sees_them(*, user) -> QuerySet[Signal]:
    """The reporter's own signals with only what they may see of each: the events shared
    with them (as ``reporter_events``) and the attachments they sent."""
    return own_signals(user=user).prefetch_related(
        Prefetch(
            "events",
            queryset=SignalEvent.objects.filter(shared_with_reporter=True),
            to_attr="reporter_events",
        ),
        Prefetch("attachments", queryset=SignalAttachment.objects.order_by("pk")),
    )


def own_signal_detail(*, user, pk: int) -> Signal:
    """A reporter's own signal with only what they may see; raises ``Signal.DoesNotExist``."""
    return own_signals_as_reporter_sees_them(user=user).get(pk=pk)


def open_question(signal: Signal) -> SignalEvent | None:
    """The last question to the reporter if no reply came after it (uses prefetched events)."""
    events = getattr(signal, "reporter_events", None)
    if events is None:
        events = list(signal.events.all())
    return open_question_in(events)


def open_question_in(events) -> SignalEvent | None:
    """The last question in a time-ordered list of events that has no reply after it."""
    question = None
    for event in events:
        if event.kind == SignalEvent.Kind.QUESTION:
            question = event
        elif event.kind == SignalEvent.Kind.REPLY:
            question = None
    return question


def signal_history(*, signal: Signal) -> QuerySet[AuditEntry]:
    """The audit entries about one signal, newest first."""
    return (
        AuditEntry.objects.filter(object_type="signal", object_id=signal.pk)
        .select_related("actor")
        .order_by("-seq")
    )


def reporter_person_id(signal: Signal) -> int | None:
    """Who reported ``signal``; after anonymisation cleared the reporter, its first event says.

    Uses the prefetched ``events`` when present.
    """
    if signal.reporter_id is not None:
        return signal.reporter_id
    cache = getattr(signal, "_prefetched_objects_cache", {})
    if "events" in cache:
        return next(
            (e.actor_id for e in cache["events"] if e.kind == SignalEvent.Kind.REPORTED), None
        )
    return (
        signal.events.filter(kind=SignalEvent.Kind.REPORTED)
        .values_list("actor_id", flat=True)
        .first()
    )


class ActorNames:
    """How the people on a signal's rows are named to one viewer: the anonymity rule, once.

    Towards whoever may not know the reporter (``permissions.sees_reporter``: the
    organisations an anonymous signal was forwarded to, and everyone once the signal is
    anonymised), the reporter is "Melder" on every row that names a person, whatever the
    row: their own report and replies, a refused read of a triage page, and anything they
    did as a contact person, as actor or as assignee. Every page and mail that names the
    people on a signal's events or audit entries asks this class.
    """

    def __init__(self, *, user, signal: Signal):
        self.hidden = not permissions.sees_reporter(user, signal)
        self.reporter_id = reporter_person_id(signal) if self.hidden else None

    def is_hidden(self, person_id: int | None, *, reporter_row: bool = False) -> bool:
        """Whether this row's person is the reporter the viewer may not know."""
        if not self.hidden:
            return False
        return reporter_row or (person_id is not None and person_id == self.reporter_id)

    def name(self, person: User | None, *, reporter_row: bool = False) -> str:
        """The person's name, "Melder" for a hidden reporter, "Systeem" for no person."""
        if self.is_hidden(person.pk if person is not None else None, reporter_row=reporter_row):
            return _("Melder")
        if person is None:
            return _("Systeem")
        return person.full_name or person.email


@dataclass(frozen=True)
class TimelineRow:
    event: SignalEvent
    actor_name: str
    assignee_name: str


def signal_timeline(*, user, signal: Signal) -> list[TimelineRow]:
    """The signal's events with each person named as ``user`` may see them."""
    names = ActorNames(user=user, signal=signal)
    return [
        TimelineRow(
            event=event,
            actor_name=names.name(event.actor, reporter_row=event.kind in REPORTER_EVENT_KINDS),
            assignee_name=names.name(event.assignee) if event.assignee_id else "",
        )
        for event in signal.events.all()
    ]


def signal_history_rows(*, user, signal: Signal, entries) -> list[tuple[AuditEntry, str]]:
    """Audit entries (a page of ``signal_history``) with each actor named as ``user`` may see."""
    names = ActorNames(user=user, signal=signal)
    return [
        (entry, names.name(entry.actor, reporter_row=entry.action in REPORTER_ACTIONS))
        for entry in entries
    ]


def organisations_with_meldpunt() -> QuerySet[Organisation]:
    """Organisations with at least one active contact person: where a signal can go."""
    return Organisation.objects.filter(
        Exists(
            User.objects.filter(
                is_active=True,
                role_assignments__role=Role.CONTACT_PERSON,
                role_assignments__organisation_id=OuterRef("pk"),
            )
        )
    ).order_by("name")


def forward_targets(*, signal: Signal) -> QuerySet[Organisation]:
    return organisations_with_meldpunt().exclude(pk=signal.organisation_id)


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "name")


@dataclass
class Statistics:
    organisation: Organisation
    total: int
    per_category: list[tuple[str, int]]
    per_month: list[tuple[str, int]]
    open_per_status: list[tuple[str, int]]
    pickup_per_month: list[tuple[str, float | None]]
    average_pickup_hours: float | None
    overdue: BoundedCount
    months: list[str] = field(default_factory=list)


def _hours(seconds: float | None, picked_up: int | None) -> float | None:
    if not picked_up:
        return None
    return round(seconds / picked_up / 3600, 1)


# Every figure of the dashboard in one statement (``portal.sql``): per category ("c"),
# per month from the first shown ("m"), the open ones per status ("s"), the totals ("t"),
# all from the kept counters, and the overdue signals counted up to the limit ("o").
# Columns: kind, category position, name, English name, month, status, signals, picked up,
# pickup seconds.
_DASHBOARD_SQL = (
    "SELECT 'c', c.position, c.name, c.name_en, NULL, NULL, SUM(t.signals), NULL, NULL "
    "FROM signalen_signaltally t JOIN signalen_category c ON c.id = t.category_id "
    "WHERE t.organisation_id = %s GROUP BY c.id, c.position, c.name, c.name_en "
    "HAVING SUM(t.signals) > 0 "
    "UNION ALL SELECT 'm', NULL, NULL, NULL, month, NULL, SUM(signals), SUM(picked_up), "
    "SUM(pickup_seconds) FROM signalen_signaltally WHERE organisation_id = %s "
    "AND month >= %s GROUP BY month "
    "UNION ALL SELECT 's', NULL, NULL, NULL, NULL, status, SUM(signals), NULL, NULL "
    "FROM signalen_signaltally WHERE organisation_id = %s AND status IN ({open}) "
    "GROUP BY status "
    "UNION ALL SELECT 't', NULL, NULL, NULL, NULL, NULL, SUM(signals), SUM(picked_up), "
    "SUM(pickup_seconds) FROM signalen_signaltally WHERE organisation_id = %s "
    "UNION ALL SELECT 'o', NULL, NULL, NULL, NULL, NULL, ({overdue}), NULL, NULL"
)


@dataclass
class _DashboardFigures:
    categories: list[tuple[int, str, str, int]] = field(default_factory=list)
    months: dict[date, tuple[int, int, float]] = field(default_factory=dict)
    open_statuses: dict[str, int] = field(default_factory=dict)
    totals: tuple[int | None, int | None, float | None] = (0, 0, 0.0)
    overdue: int = 0


def _dashboard_figures(*, organisation_id: int, first_month: date, now: datetime):
    overdue, overdue_params = _overdue_statement(organisation_ids=[organisation_id], now=now)
    statement = sql.expand(_DASHBOARD_SQL, parts={"overdue": overdue}, open=OPEN)
    params = [
        organisation_id,
        organisation_id,
        connection.ops.adapt_datefield_value(first_month),
        organisation_id,
        *sorted(OPEN),
        organisation_id,
        *overdue_params,
    ]
    figures = _DashboardFigures()
    for kind, position, name, name_en, month, status, n, picked, seconds in sql.fetch_all(
        statement, params
    ):
        if kind == "c":
            figures.categories.append((position, name, name_en, n))
        elif kind == "m":
            # SQLite (the demo) gives the month as text.
            month = month if isinstance(month, date) else date.fromisoformat(month)
            figures.months[month] = (n, picked, seconds)
        elif kind == "s":
            figures.open_statuses[status] = n
        elif kind == "t":
            figures.totals = (n, picked, seconds)
        else:
            figures.overdue = n
    return figures


def signal_statistics(*, user, organisation: Organisation, now: datetime | None = None):
    """The figures of one organisation's dashboard, for a contact person of it.

    They come from the counters the services keep (``SignalTally``: per organisation,
    category, status and month), not from the signals, so their cost does not grow with
    the number of signals; only "overdue", which changes with the clock, is counted from
    the signals, up to ``COUNT_LIMIT``. Someone who does not serve the organisation
    sees zeros: a contact person sees every signal their organisation has access to.
    """
    now = now or timezone.now()
    start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    first_month = start
    for _month in range(11):
        first_month = (first_month - timedelta(days=1)).replace(day=1)
    months = []
    cursor = first_month
    for _month in range(12):
        months.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    figures = (
        _dashboard_figures(organisation_id=organisation.pk, first_month=first_month.date(), now=now)
        if organisation.pk in portal_permissions.contact_organisation_ids(user)
        else _DashboardFigures()
    )
    per_category = [
        (localized(Category(name=name, name_en=name_en), "name"), n)
        for _position, name, name_en, n in sorted(figures.categories)
    ]
    monthly = {month.strftime("%Y-%m"): row for month, row in figures.months.items()}
    per_month = [(month, monthly[month][0] if month in monthly else 0) for month in months]
    pickup_per_month = [
        (month, _hours(monthly[month][2], monthly[month][1])) if month in monthly else (month, None)
        for month in months
    ]
    open_per_status = [
        (str(label), figures.open_statuses.get(value, 0))
        for value, label in Status.choices
        if value in OPEN
    ]
    total, picked, seconds = figures.totals
    return Statistics(
        organisation=organisation,
        total=total or 0,
        per_category=per_category,
        per_month=per_month,
        open_per_status=open_per_status,
        pickup_per_month=pickup_per_month,
        average_pickup_hours=_hours(seconds, picked),
        overdue=_bounded(figures.overdue),
        months=months,
    )


def signals_due_for_anonymisation(*, cutoff: datetime) -> QuerySet[Signal]:
    """Closed signals closed before ``cutoff`` that still hold personal data."""
    return Signal.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
    ).order_by("closed_at", "pk")


def signals_reported_in_windows_count(*, windows: QuerySet) -> int:
    """How many signals were reported by a person within one of that person's windows.

    ``windows`` is another app's queryset whose rows have ``person_id``, ``window_start`` and
    ``window_end`` (the participants of a bewustwordingssessie and the weeks after it). The
    count is made inside the database: the reporters' ids never reach the portal, a page, an
    export or a log. The reporter is read from the "gemeld" event, which anonymisation keeps,
    so an anonymised signal still counts. Counts only; callers apply the small-number rule.
    """
    in_window = windows.filter(
        person_id=OuterRef("actor_id"),
        window_start__lte=OuterRef("created_at"),
        window_end__gt=OuterRef("created_at"),
    )
    return (
        SignalEvent.objects.filter(kind=SignalEvent.Kind.REPORTED, actor_id__isnull=False)
        .filter(Exists(in_window))
        .values("signal_id")
        .distinct()
        .count()
    )
