"""Reads for verkenningen, filtered to the verkenners and coordinators who may see them.

The snowball and the synthesis are built in Python from a handful of flat queries, so
their pages cost the same number of queries with 3 contacts or 300.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from portal import permissions as portal_permissions
from portal.cursor_pagination import CursorPage, Key, paginate
from portal.models import User
from portal.pagination import BoundedCount
from portal.retention import TEXT_REMOVED
from portal.translated import localized

from . import network
from .models import (
    Answer,
    Contact,
    ContactStatus,
    Interview,
    Observation,
    ObservationKind,
    Theme,
    TrainingDesign,
    Verkenning,
    VerkenningStatus,
)


def verkenningen_visible_to(user: User) -> QuerySet[Verkenning]:
    """The verkenningen the user is verkenner of, or whose programme they coordinate."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Verkenning.objects.none()
    condition = Q(
        pk__in=Verkenning.verkenners.through.objects.filter(user_id=user.pk).values("verkenning_id")
    )
    programme_ids = portal_permissions.coordinated_programme_ids(user)
    if programme_ids:
        condition |= Q(programme_id__in=programme_ids)
    return Verkenning.objects.filter(condition)


LIST_PAGE_SIZE = 25
LIST_CURSOR_SALT = "verkenning.list"
# Newest first; the primary key makes the order total. Served by the index on
# (created_at, id) or, for one programme, (programme, created_at, id).
LIST_KEYS = (Key("created_at", descending=True), Key("pk", descending=True))


@dataclass(frozen=True)
class ListFilters:
    query: str = ""
    status: str = ""


def _listed(*, user: User, filters: ListFilters) -> QuerySet[Verkenning]:
    verkenningen = verkenningen_visible_to(user)
    if filters.query:
        verkenningen = verkenningen.filter(
            Q(title__icontains=filters.query) | Q(organisation__name__icontains=filters.query)
        )
    if filters.status:
        verkenningen = verkenningen.filter(status=filters.status)
    return verkenningen


def verkenning_list_page(
    *,
    user: User,
    filters: ListFilters,
    size: int = LIST_PAGE_SIZE,
    after: str | None = None,
    before: str | None = None,
) -> CursorPage:
    """One page of the user's verkenningen, newest first; one query however many there are.

    The contact and interview counts are correlated subqueries, worked out only for the
    rows of the page, each from the index on the verkenning column. Raises
    ``CursorError`` for a cursor this list did not make.
    """

    def count_of(model) -> Coalesce:
        rows = (
            model.objects.filter(verkenning=OuterRef("pk"))
            .order_by()
            .values("verkenning")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), 0)

    verkenningen = (
        _listed(user=user, filters=filters)
        .select_related("organisation")
        .only("pk", "created_at", "title", "status", "organisation", "organisation__name")
        .annotate(contact_count=count_of(Contact), interview_count=count_of(Interview))
    )
    return paginate(
        verkenningen, keys=LIST_KEYS, size=size, salt=LIST_CURSOR_SALT, after=after, before=before
    )


def verkenning_list_count(*, user: User, filters: ListFilters) -> BoundedCount:
    """How many verkenningen the list holds, exact up to ``COUNT_LIMIT``; one query."""
    return BoundedCount.of(_listed(user=user, filters=filters))


def verkenning_for(*, user: User, verkenning_id: int) -> Verkenning | None:
    return (
        verkenningen_visible_to(user)
        .select_related("organisation", "programme")
        .filter(pk=verkenning_id)
        .first()
    )


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.annotate(observation_count=Count("observations")).order_by(
        "-is_active", "name"
    )


def verkenners_of(verkenning: Verkenning) -> list[User]:
    return list(verkenning.verkenners.order_by("full_name"))


def interviews_of(verkenning: Verkenning) -> QuerySet[Interview]:
    return verkenning.interviews.select_related("contact", "verkenner").order_by("-held_on", "-pk")


def interview_detail(*, verkenning: Verkenning, interview_id: int) -> Interview | None:
    return (
        Interview.objects.filter(verkenning=verkenning, pk=interview_id)
        .select_related("contact", "verkenner")
        .first()
    )


def interview_answers(interview: Interview) -> QuerySet[Answer]:
    return interview.answers.select_related("question")


def interview_observations(interview: Interview) -> QuerySet[Observation]:
    return interview.observations.prefetch_related("themes")


def contact_of(*, verkenning: Verkenning, contact_id: int) -> Contact | None:
    return Contact.objects.filter(verkenning=verkenning, pk=contact_id).first()


def design_of(verkenning: Verkenning) -> TrainingDesign | None:
    return (
        TrainingDesign.objects.filter(verkenning=verkenning)
        .select_related("training", "werkplaats", "provider")
        .prefetch_related("themes")
        .first()
    )


# --- the snowball ----------------------------------------------------------------------------


def snowball(verkenning: Verkenning) -> network.Snowball:
    """Who led to whom, laid out by ``network``: one query, whatever the size."""
    labels = dict(ContactStatus.choices)
    return network.layout(
        network.NetworkContact(
            pk, name, department, role, status, labels.get(status, status), referred_by_id
        )
        for pk, name, department, role, status, referred_by_id in Contact.objects.filter(
            verkenning=verkenning
        )
        .order_by("name", "pk")
        .values_list("pk", "name", "department", "role", "status", "referred_by_id")
    )


# --- the synthesis ---------------------------------------------------------------------------


@dataclass
class ThemeCount:
    theme: str
    count: int
    quotes: list[str]


@dataclass
class KindSummary:
    kind: str
    label: str
    count: int
    themes: list[ThemeCount]
    quotes: list[str]


@dataclass
class Synthesis:
    kinds: list[KindSummary]
    theme_totals: list[tuple[str, int]]
    departments_named: list[str]
    departments_reached: list[str]
    departments_not_reached: list[str]
    departments_reached_not_named: list[str]
    interview_count: int
    minutes_spent: int
    contact_count: int
    contacts_per_status: list[tuple[str, int]]
    observation_count: int

    @property
    def time_spent(self) -> str:
        hours, minutes = divmod(self.minutes_spent, 60)
        return f"{hours}:{minutes:02d}"


NO_THEME = ""


def synthesis(verkenning: Verkenning) -> Synthesis:
    """Observations by kind and theme with counts and marked quotes, reach, and time spent."""
    observations = list(
        Observation.objects.filter(interview__verkenning=verkenning)
        .order_by("pk")
        .values_list("pk", "kind", "text", "include_as_quote")
    )
    themes_of: dict[int, list[str]] = defaultdict(list)
    for observation_id, name, name_en in (
        Observation.themes.through.objects.filter(observation__interview__verkenning=verkenning)
        .order_by("theme__name")
        .values_list("observation_id", "theme__name", "theme__name_en")
    ):
        # The theme's name in the reader's language, as on every other page.
        themes_of[observation_id].append(localized(Theme(name=name, name_en=name_en), "name"))

    per_kind: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
    for pk, kind, text, quote in observations:
        per_kind[kind].append((pk, text, quote))
    kinds = []
    theme_totals: Counter[str] = Counter()
    for kind, label in ObservationKind.choices:
        rows = per_kind.get(kind, [])
        counts: Counter[str] = Counter()
        quotes: dict[str, list[str]] = defaultdict(list)
        for pk, text, quote in rows:
            for theme in themes_of.get(pk) or [NO_THEME]:
                counts[theme] += 1
                if quote:
                    quotes[theme].append(text)
        theme_totals.update({t: c for t, c in counts.items() if t != NO_THEME})
        kinds.append(
            KindSummary(
                kind=kind,
                label=str(label),
                count=len(rows),
                themes=[
                    ThemeCount(theme, count, quotes[theme])
                    for theme, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
                ],
                quotes=[text for _, text, quote in rows if quote],
            )
        )

    named = list(verkenning.departments.order_by("name").values_list("name", flat=True))
    reached = sorted(
        set(
            Contact.objects.filter(verkenning=verkenning, status=ContactStatus.SPOKEN)
            .exclude(department="")
            .values_list("department", flat=True)
        ),
        key=str.casefold,
    )
    reached_keys = {name.casefold() for name in reached}
    named_keys = {name.casefold() for name in named}

    totals = Interview.objects.filter(verkenning=verkenning).aggregate(
        count=Count("pk"), minutes=Sum("duration_minutes")
    )
    status_labels = dict(ContactStatus.choices)
    per_status = dict(
        Contact.objects.filter(verkenning=verkenning)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return Synthesis(
        kinds=kinds,
        theme_totals=sorted(theme_totals.items(), key=lambda i: (-i[1], i[0])),
        departments_named=named,
        departments_reached=reached,
        departments_not_reached=[n for n in named if n.casefold() not in reached_keys],
        departments_reached_not_named=[r for r in reached if r.casefold() not in named_keys],
        interview_count=totals["count"],
        minutes_spent=totals["minutes"] or 0,
        contact_count=sum(per_status.values()),
        contacts_per_status=[
            (str(status_labels[s]), per_status.get(s, 0)) for s in ContactStatus.values
        ],
        observation_count=len(observations),
    )


# --- retention (registered in ``verkenning.retention``) --------------------------------------


def interviews_due_for_anonymisation(*, cutoff: datetime) -> QuerySet[Interview]:
    """Interviews of verkenningen finished before ``cutoff`` that still hold notes.

    The anchor is the moment the verkenning was set to "afgerond": until then its notes
    are the verkenners' working material. A verkenning opened again is no longer finished.
    """
    return Interview.objects.filter(
        verkenning__status=VerkenningStatus.DONE, verkenning__finished_at__lt=cutoff
    ).filter(
        ~Q(notes="")
        | Exists(Answer.objects.filter(interview=OuterRef("pk")))
        | Exists(Observation.objects.filter(interview=OuterRef("pk")).exclude(text=TEXT_REMOVED))
    )
