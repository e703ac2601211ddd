from django.core.paginator import Paginator
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
