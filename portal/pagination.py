from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from . import sql


def query_without(request, *names: str) -> str:
    """The current query string minus some parameters, for links that set them anew."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class CountedPaginator(Paginator):
    """A paginator given its total up front, when the page already counted more cheaply."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


# Lists count up to this many rows and then say "meer dan 1.000": counting every row a
# person may see on each request is what made the long lists slow at volume.
COUNT_LIMIT = 1000


_BOUNDED_COUNT_SQL = "SELECT COUNT(*) FROM ({rows}) AS bounded"
_NOTHING_SQL = "SELECT 0"


@dataclass(frozen=True)
class BoundedCount:
    """A count that stopped at ``limit``: ``more`` says there were more than ``n``."""

    n: int
    more: bool

    @classmethod
    def of(cls, queryset: QuerySet, limit: int | None = None) -> "BoundedCount":
        """Counts at most ``limit + 1`` rows, in one query (a COUNT over a LIMIT)."""
        limit = COUNT_LIMIT if limit is None else limit
        statement, params = cls.statement(queryset, limit)
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(statement, params)
            return cls.counted(cursor.fetchone()[0], limit)

    @staticmethod
    def statement(queryset: QuerySet, limit: int) -> tuple[str, list]:
        """The SQL that counts at most ``limit + 1`` rows of ``queryset``, with its
        parameters, to run alone or as a subquery of a statement of ``portal.sql``.

        The rows' keys, cut at the limit, counted around them in SQL: ``count()`` on a
        sliced queryset builds a second query around the first and took twice as long to
        build as this (about 0.5 against 0.25 ms of CPU, on every request of a list)."""
        rows = queryset.order_by().values_list("pk")[: limit + 1]
        try:
            inner, params = sql.subquery(rows)
        except EmptyResultSet:  # ``none()``, or a filter nothing can pass
            return _NOTHING_SQL, []
        return sql.expand(_BOUNDED_COUNT_SQL, parts={"rows": inner}), params

    @classmethod
    def counted(cls, counted: int, limit: int) -> "BoundedCount":
        """The count of ``statement``'s result."""
        return cls(n=min(counted, limit), more=counted > limit)


class CappedPage(Page):
    """A page of a ``CappedPaginator`` past its count: whether a next page exists is known
    from one row read beyond the page."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self) -> bool:
        return self._has_more

    def next_page_number(self) -> int:
        return self.number + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows, so the count costs the same however many rows match.

    Below the cap it pages as Django's paginator does. Past it, ``is_capped`` is true, the
    page says "more than ``cap``", and a page reads one row more than it shows to know
    whether a next page exists, so every row stays reachable with "Volgende".
    """

    # Beyond any list a person pages through, and within what the database takes as offset.
    LAST_PAGE = 1_000_000

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        # Only the keys: columns annotated for showing a row are not worked out to count it.
        rows = self.object_list
        if hasattr(rows, "values"):
            rows = rows.values("pk").order_by()
        return rows[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number):
        if not self.is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.LAST_PAGE:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def get_page(self, number):
        if not self.is_capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            # Within the rows counted, so never empty.
            return self.page(self.num_pages)

    def page(self, number):
        if not self.is_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)
