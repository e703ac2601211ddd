"""``column = ANY(%s)``: a condition on a list of values passed as one array parameter.

A filter like ``pk__in=ids`` writes one placeholder per value, and Django prepares each
value on its own: for the several hundred people a person met, building, sending and
planning that statement cost more than reading the rows. ``AnyOf(F("pk"), ids)`` sends the
list as one PostgreSQL array (other databases get the usual ``IN``), so the cost of a page
no longer grows with the length of the list.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


class AnyOf(Lookup):
    """On a filter: ``lhs`` is one of ``values`` (an iterable of plain values, e.g. ids).

    Used as an expression, ``queryset.filter(AnyOf(F("pk"), ids))``; not registered as a
    lookup name. The values are taken as they are: give them the column's Python type.
    """

    lookup_name = "any_of"
    # The list goes to the database as it is, not prepared value by value.
    prepare_rhs = False

    def __init__(self, lhs, values):
        super().__init__(lhs, list(values))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            # As ``__in=[]``: nothing matches, and a query of only this is not sent.
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", (*lhs_params, *self.rhs)
