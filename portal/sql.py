"""Hand-written SQL for the few small reads that run on every request of a busy page.

Building a query with the ORM costs about 0.3-0.6 ms of CPU (clone, resolve, compile,
and for a bounded count a second query around the first), more than the database takes
to answer the small, indexed reads that use this module (0.05-0.3 ms). On those hot paths
the statement is written out once as a constant; everything else reads through the ORM.

The statements are plain SQL with ``IN`` lists, so they run on PostgreSQL and on the
demo's SQLite alike. Values always go in as parameters: the only text put into a
statement is the placeholders of an ``IN`` list (``expand``). Each statement is run by
the tests of the page that uses it, so a renamed table or column fails there.
"""

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def placeholders(values: Collection) -> str:
    """The placeholders of an ``IN (...)`` of ``values`` (at least one)."""
    if not values:
        raise ValueError("An IN list needs at least one value.")
    return ", ".join(["%s"] * len(values))


def expand(statement: str, *, parts: dict[str, str] | None = None, **lists: Collection) -> str:
    """``statement`` with each ``{name}`` replaced by the placeholders of ``lists[name]``,
    or by ``parts[name]``: another statement made by this function from a constant, as a
    subquery (its parameters follow in the order the text puts them)."""
    filled = {name: placeholders(values) for name, values in lists.items()}
    return statement.format(**filled, **(parts or {}))


def subquery(queryset) -> tuple[str, list]:
    """The SQL of an ORM queryset with its parameters, for a ``parts`` of ``expand``: so a
    rule written with the ORM (who took part, who manages) keeps its one definition."""
    statement, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return statement, list(params)


def rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` of plain columns, read by the queryset's own compiled
    SQL: the ORM's row iteration costs a call or more per row, which a list of hundreds
    notices. The rule the queryset holds is the ORM's; only the reading is not. Nothing
    for a filter nothing can pass."""
    try:
        statement, params = subquery(queryset)
    except EmptyResultSet:
        return []
    return fetch_all(statement, params)


def column(queryset) -> list:
    """The first column of ``rows``."""
    return [row[0] for row in rows(queryset)]


def moment(value: datetime):
    """A timestamp as the database compares it (SQLite keeps naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def timestamp(value) -> datetime | None:
    """A timestamp column as read: a datetime from PostgreSQL; naive UTC from SQLite, as a
    datetime (a column) or as text (an expression such as ``MIN``)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    # Aware first: PostgreSQL's timestamps are, and the setting is a lazy object's attribute.
    if timezone.is_naive(value) and settings.USE_TZ:
        value = value.replace(tzinfo=UTC)
    return value


def fetch_one(statement: str, params: Sequence) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def fetch_all(statement: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()
