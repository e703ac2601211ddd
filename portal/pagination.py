from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


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


@dataclass(frozen=True)
class BoundedCount:
    """A count that stopped at ``limit``: ``more`` says there were more than ``n``."""

    n: int
    more: bool

    @classmethod
    def of(cls, queryset: QuerySet, limit: int | None = None) -> "BoundedCount":
        """Counts at most ``limit + 1`` rows, in one query (a COUNT over a LIMIT)."""
        limit = COUNT_LIMIT if limit is None else limit
        counted = queryset.order_by()[: limit + 1].count()
        return cls(n=min(counted, limit), more=counted > limit)
