"""Bounded counts and the hand-written SQL kernel (``portal.pagination``, ``portal.sql``)."""

import factory
import pytest

from portal import sql
from portal.models import Organisation
from portal.pagination import BoundedCount
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_bounded_count_is_exact_up_to_the_limit_and_says_more_above_it():
    OrganisationFactory.create_batch(5, name=factory_name())
    ours = Organisation.objects.filter(name__startswith="Telling ")
    assert BoundedCount.of(ours, 10) == BoundedCount(n=5, more=False)
    assert BoundedCount.of(ours, 5) == BoundedCount(n=5, more=False)
    assert BoundedCount.of(ours, 4) == BoundedCount(n=4, more=True)
    assert BoundedCount.of(ours.filter(name__contains="100%"), 4) == BoundedCount(0, False)


def test_a_bounded_count_of_nothing_asks_nothing_of_the_rows(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert BoundedCount.of(Organisation.objects.none(), 3) == BoundedCount(n=0, more=False)
    with django_assert_num_queries(1):
        assert BoundedCount.of(Organisation.objects.filter(pk__in=[]), 3).n == 0


def test_bounded_counts_combine_into_one_statement(django_assert_num_queries):
    OrganisationFactory.create_batch(3, name=factory_name())
    ours = Organisation.objects.filter(name__startswith="Telling ")
    first, first_params = BoundedCount.statement(ours, 2)
    second, second_params = BoundedCount.statement(ours.filter(name__endswith="x"), 2)
    with django_assert_num_queries(1):
        both = sql.fetch_one(
            sql.expand("SELECT ({a}), ({b})", parts={"a": first, "b": second}),
            [*first_params, *second_params],
        )
    assert [BoundedCount.counted(n, 2) for n in both] == [
        BoundedCount(n=2, more=True),
        BoundedCount(n=0, more=False),
    ]


def test_an_in_list_is_placeholders_only_and_never_empty():
    assert sql.expand("x IN ({ids})", ids=[1, 2, 3]) == "x IN (%s, %s, %s)"
    with pytest.raises(ValueError):
        sql.placeholders([])


_names = iter(range(10_000))


def factory_name():
    return factory.LazyFunction(lambda: f"Telling {next(_names)}")
