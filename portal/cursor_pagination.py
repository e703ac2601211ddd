"""Keyset ("cursor") pagination: the next page starts after the last row shown.

An OFFSET makes the database read and throw away every row before the page, so page 300
costs three hundred pages. A keyset page asks for the rows after (or before) one row's
sort key instead, which an index on that key answers by starting at that row: a deep page
is as cheap as the first. The price is that there are no page numbers, only "next" and
"previous" from where you are.

The cursor in a link is signed: it cannot be made up, and one made for another list or
another sort order is refused (``CursorError``), so the page can fall back to its start.
Filtering still happens in the queryset the caller passes in; the cursor only says where
in that list to start, so it can never widen what the caller may see.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.core import signing
from django.db import connections
from django.db.models import F, Field, Func, OuterRef, Q, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan, Lookup


class CursorError(ValueError):
    """The cursor is damaged, made up, or belongs to another list or sort order."""


@dataclass(frozen=True)
class Key:
    """One sort key: a field or annotation of the queryset's rows, never NULL."""

    name: str
    descending: bool = False

    def ordering(self, *, reverse: bool = False) -> str:
        return f"-{self.name}" if self.descending != reverse else self.name


@dataclass(frozen=True)
class CursorPage:
    object_list: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous or not self.is_first

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _encode(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if value is None or isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a keyset value must be an int, a str or a datetime, not {value!r}")
    return value


def _decode(value):
    if isinstance(value, dict) and set(value) == {"dt"}:
        try:
            return datetime.fromisoformat(value["dt"])
        except (TypeError, ValueError):
            raise CursorError("bad date") from None
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise CursorError("bad value")


def _fingerprint(keys: Sequence[Key]) -> list[str]:
    return [key.ordering() for key in keys]


def make_cursor(row, *, keys: Sequence[Key], salt: str) -> str:
    values = [_encode(getattr(row, key.name)) for key in keys]
    return signing.dumps([_fingerprint(keys), values], salt=salt, compress=True)


def read_cursor(cursor: str, *, keys: Sequence[Key], salt: str) -> list:
    """The key values in ``cursor``; raises ``CursorError`` for anything this list did not make."""
    try:
        fingerprint, values = signing.loads(cursor, salt=salt)
    except (signing.BadSignature, ValueError, TypeError):
        raise CursorError("bad signature") from None
    if fingerprint != _fingerprint(keys) or not isinstance(values, list):
        raise CursorError("cursor of another order")
    if len(values) != len(keys):
        raise CursorError("bad length")
    return [_decode(value) for value in values]


class _Row(Func):
    """A row value, ``(a, b, ...)``, for a row-wise comparison."""

    template = "(%(expressions)s)"
    output_field = Field()


def beyond(keys: Sequence[Key], values: Sequence, *, forward: bool) -> Q | Lookup:
    """The rows after (``forward``) or before ``values`` in the keys' order.

    When every key runs the same way, written as one row comparison, ``(k1, k2) > (v1,
    v2)``: the database starts an index scan on those keys exactly at the cursor. (The
    long form below let it start only at the first key's value, and a first key shared by
    thousands of rows, a deadline that closed signals all lack, made it read all of those
    before the cursor.) Otherwise written as ``k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND k2 >
    v2) OR ...)``: the leading bound on the first key is redundant, but it is what lets the
    database start an index scan at the first key instead of at the top of the index.
    """
    if len({key.descending for key in keys}) == 1:
        after = keys[0].descending != forward
        row = _Row(*(F(key.name) for key in keys))
        cursor = _Row(*(Value(value) for value in values))
        return (GreaterThan if after else LessThan)(row, cursor)
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        operator = "gt" if key.descending != forward else "lt"
        condition |= equal & Q(**{f"{key.name}__{operator}": value})
        equal &= Q(**{key.name: value})
    first = keys[0]
    bound = "gte" if first.descending != forward else "lte"
    return Q(**{f"{first.name}__{bound}": values[0]}) & condition


@dataclass(frozen=True)
class SplitBy:
    """Read the rows group by group, for an order that starts with columns of a joined
    table (a category's position and name), which no index on the list's own table can
    follow.

    The first ``leading`` keys must be the same for all rows with one value of ``field``
    and include that field, and an index on ``field`` and the remaining keys lets each
    value's scan stop at the page size. ``groups`` lists each value of ``field`` (a primary
    key of ``group_model``) with the values of its rows' leading keys, in the order the
    database sorts them.

    The page is read from the cursor's own value first (or the first value), cut at the
    cursor on the remaining keys: one index scan, which fills the page whenever that value
    has enough rows left. Only when it does not, a second query reads the first rows of
    each later value, by one subquery run per value (planned once, whatever the number of
    values) from ``keys_from``: the same rows as the paged queryset without its joins. So
    a page takes one query or two, and its cost is bounded by the number of values, not by
    the number of rows. The subquery per value is PostgreSQL's (an array of each value's
    first keys); elsewhere, as in the demo on SQLite, the page is read in one plain query.
    """

    field: str
    groups: Sequence[tuple]  # (value of field, (values of the leading keys)), in order
    leading: int
    keys_from: QuerySet
    group_model: type


def _first_rows_of(split: SplitBy, values, inner_ordering, limit: int) -> QuerySet:
    """The primary keys of the first ``limit`` rows of each of ``values``, one subquery
    run per value."""
    first_rows = (
        split.keys_from.filter(**{split.field: OuterRef("pk")})
        .order_by(*inner_ordering)
        .values("pk")[:limit]
    )
    return (
        split.group_model._default_manager.filter(pk__in=values)
        .annotate(first_rows=ArraySubquery(first_rows))
        .annotate(row=Func(F("first_rows"), function="unnest"))
        .values("row")
    )


def _fetch_split(
    queryset: QuerySet, keys: Sequence[Key], limit: int, *, forward: bool, cursor, split
):
    """``_fetch`` group by group (see ``SplitBy``); None when the cursor's value is gone or
    its leading keys changed: then no value can be passed over by its place in the list."""
    inner = keys[split.leading :]
    inner_ordering = [key.ordering(reverse=not forward) for key in inner]
    groups = list(split.groups) if forward else list(split.groups)[::-1]
    start = 0
    if cursor is not None:
        leading = tuple(cursor[: split.leading])
        start = next((i for i, (_v, values) in enumerate(groups) if tuple(values) == leading), None)
        if start is None:
            return None
    own = queryset.filter(**{split.field: groups[start][0]})
    if cursor is not None:
        own = own.filter(beyond(inner, cursor[split.leading :], forward=forward))
    rows = list(own.order_by(*inner_ordering)[:limit])
    later = [value for value, _v in groups[start + 1 :]]
    if len(rows) == limit or not later:
        return rows
    wanted = limit - len(rows)
    ordering = [key.ordering(reverse=not forward) for key in keys]
    rest = queryset.filter(pk__in=_first_rows_of(split, later, inner_ordering, wanted))
    return rows + list(rest.order_by(*ordering)[:wanted])


def _fetch(queryset: QuerySet, keys: Sequence[Key], limit: int, *, forward: bool, cursor, split):
    """The first ``limit`` rows of ``queryset`` beyond ``cursor`` (from the start if None),
    in the keys' order or, going back, in the reverse order."""
    if split is not None and split.groups and connections[queryset.db].vendor == "postgresql":
        rows = _fetch_split(queryset, keys, limit, forward=forward, cursor=cursor, split=split)
        if rows is not None:
            return rows
    ordering = [key.ordering(reverse=not forward) for key in keys]
    if cursor is not None:
        queryset = queryset.filter(beyond(keys, cursor, forward=forward))
    return list(queryset.order_by(*ordering)[:limit])


def paginate(
    queryset: QuerySet,
    *,
    keys: Sequence[Key],
    size: int,
    salt: str,
    after: str | None = None,
    before: str | None = None,
    split: SplitBy | None = None,
) -> CursorPage:
    """One page of ``queryset`` in the keys' order, after or before a cursor; one query
    (two at most with ``split``).

    The last key must be unique (the primary key) so that rows with equal sort values
    are neither skipped nor shown twice. Raises ``CursorError`` for a cursor this list
    did not make.
    """
    if before:
        values = read_cursor(before, keys=keys, salt=salt)
        rows = _fetch(queryset, keys, size + 1, forward=False, cursor=values, split=split)
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return CursorPage(
            object_list=rows,
            next_cursor=make_cursor(rows[-1], keys=keys, salt=salt) if rows else None,
            previous_cursor=make_cursor(rows[0], keys=keys, salt=salt) if more_before else None,
            is_first=not more_before,
        )
    values = read_cursor(after, keys=keys, salt=salt) if after else None
    rows = _fetch(queryset, keys, size + 1, forward=True, cursor=values, split=split)
    more_after = len(rows) > size
    rows = rows[:size]
    return CursorPage(
        object_list=rows,
        next_cursor=make_cursor(rows[-1], keys=keys, salt=salt) if more_after else None,
        previous_cursor=make_cursor(rows[0], keys=keys, salt=salt) if after and rows else None,
        is_first=not after,
    )


def page_or_start(page_of, query) -> tuple[CursorPage, bool]:
    """The page a request's ``na``/``voor`` cursor asks for, and whether it was refused.

    ``page_of(after=..., before=...)`` fetches a page; a damaged or foreign cursor gives
    the start of the list instead (and ``True``), so an old link still opens the list.
    """
    try:
        return page_of(after=query.get("na") or None, before=query.get("voor") or None), False
    except CursorError:
        return page_of(), True
