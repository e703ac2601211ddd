"""The group optimiser, checked against exact optima from an integer linear program
(the ILP lives with the benchmark, which compares against it too)."""

import random
from collections import Counter

import pytest

from bench.werkplaats_groups import exact_optimum
from werkplaats.grouping import (
    MAX_SIZE,
    MIN_SIZE,
    GroupingError,
    Problem,
    group_sizes,
    lower_bound,
    make_groups,
    score,
)


def random_people(rng, n, disciplines, organisations):
    return [(rng.randrange(disciplines), rng.randrange(organisations)) for _ in range(n)]


@pytest.mark.parametrize("n", range(0, 201))
def test_group_sizes_stay_within_bounds_for_every_n(n):
    sizes = group_sizes(n)

    assert sum(sizes) == n
    if n == 0:
        assert sizes == []
    elif n <= MIN_SIZE:
        assert sizes == [n]
    else:
        assert all(MIN_SIZE <= s <= MAX_SIZE for s in sizes)
        assert max(sizes) - min(sizes) <= 1
        if n not in (7, 8, 9, 13, 14, 19):
            assert all(s in (5, 6) for s in sizes)


@pytest.mark.parametrize(
    ("n", "expected"), [(7, [7]), (8, [4, 4]), (9, [5, 4]), (13, [7, 6]), (14, [5, 5, 4])]
)
def test_awkward_numbers_get_the_closest_split_into_four_to_seven(n, expected):
    assert group_sizes(n) == expected


@pytest.mark.parametrize("n", [1, 17, 30, 61, 200])
def test_every_person_lands_in_exactly_one_group_of_the_planned_size(n):
    rng = random.Random(n)
    problem = Problem.build(random_people(rng, n, 4, 3), (1, 1))

    result = make_groups(problem)

    assert sorted(p for group in result.groups for p in group) == list(range(n))
    assert sorted(len(g) for g in result.groups) == sorted(group_sizes(n))
    assert result.score == score(problem, result.groups)


def test_no_people_means_no_groups():
    assert make_groups(Problem.build([], (1, 1))).groups == []


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("n", [9, 17, 23, 40, 97])
def test_a_single_attribute_reaches_the_lower_bound_exactly(n, seed):
    rng = random.Random(seed)
    skew = [rng.random() ** 2 for _ in range(6)]
    people = [(rng.choices(range(6), weights=skew)[0],) for _ in range(n)]
    problem = Problem.build(people, (1,))

    result = make_groups(problem, seed=seed)

    assert result.score == lower_bound(problem, len(group_sizes(n)))
    assert result.gap == 0


MIXES = [(2, 2), (3, 2), (4, 3), (6, 4), (3, 6)]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("mix", MIXES)
@pytest.mark.parametrize("n", [6, 9, 11, 12, 14])
def test_small_instances_reach_the_exact_optimum(n, mix, seed):
    rng = random.Random(seed * 100 + n)
    weights = (1, 1) if seed != 1 else (2, 1)
    problem = Problem.build(random_people(rng, n, *mix), weights)

    result = make_groups(problem)

    assert result.score == exact_optimum(problem, group_sizes(n))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n", [10, 12, 14])
def test_small_instances_with_constraints_reach_the_exact_optimum(n, seed):
    rng = random.Random(seed)
    people = random_people(rng, n, 3, 3)
    a, b, c, d, e, f = rng.sample(range(n), 6)
    problem = Problem.build(people, (1, 1), together=[(a, b), (c, d)], apart=[(a, e), (c, f)])

    result = make_groups(problem)

    assert result.score == exact_optimum(problem, group_sizes(n))
    group_of = {p: g for g, members in enumerate(result.groups) for p in members}
    assert group_of[a] == group_of[b] and group_of[c] == group_of[d]
    assert group_of[a] != group_of[e] and group_of[c] != group_of[f]


@pytest.mark.parametrize("seed", range(5))
def test_must_together_and_must_apart_hold_on_large_instances(seed):
    rng = random.Random(seed)
    n = 120
    problem = Problem.build(
        random_people(rng, n, 8, 5),
        (1, 1),
        together=[(0, 1), (1, 2), (10, 11)],
        apart=[(0, 3), (2, 4), (10, 12), (11, 12), (3, 4)],
    )

    result = make_groups(problem, seed=seed)

    group_of = {p: g for g, members in enumerate(result.groups) for p in members}
    assert group_of[0] == group_of[1] == group_of[2]
    assert group_of[10] == group_of[11]
    for x, y in problem.apart:
        assert group_of[x] != group_of[y]
    assert sorted(len(g) for g in result.groups) == sorted(group_sizes(n))


def test_people_both_together_and_apart_are_refused():
    problem = Problem.build([(0,)] * 10, (1,), together=[(0, 1), (1, 2)], apart=[(2, 0)])

    with pytest.raises(GroupingError) as error:
        make_groups(problem)

    assert error.value.code == "together_and_apart"
    assert set(error.value.people) == {0, 2}


def test_a_together_chain_larger_than_any_group_is_refused():
    problem = Problem.build([(0,)] * 12, (1,), together=[(i, i + 1) for i in range(6)])

    with pytest.raises(GroupingError) as error:
        make_groups(problem)

    assert error.value.code == "unit_too_large"


def test_more_mutually_apart_people_than_groups_is_refused():
    people = [(0,)] * 12  # two groups of six
    problem = Problem.build(people, (1,), apart=[(0, 1), (1, 2), (0, 2)])

    with pytest.raises(GroupingError) as error:
        make_groups(problem)

    assert error.value.code == "constraints_unsatisfiable"


def test_the_same_seed_gives_the_same_groups():
    rng = random.Random(3)
    problem = Problem.build(random_people(rng, 60, 8, 5), (1, 1))

    assert make_groups(problem, seed=7).groups == make_groups(problem, seed=7).groups


def test_the_optimiser_beats_a_random_split_by_far():
    rng = random.Random(5)
    n = 90
    problem = Problem.build(random_people(rng, n, 8, 5), (1, 1))
    order = list(range(n))
    rng.shuffle(order)
    sizes, groups, start = group_sizes(n), [], 0
    for size in sizes:
        groups.append(order[start : start + size])
        start += size

    result = make_groups(problem)

    assert result.score < score(problem, groups) / 2
    assert result.score >= result.lower_bound


def test_the_lower_bound_spreads_each_category_evenly():
    # 7 of one discipline over 3 groups: 3+2+2 gives 3+1+1 = 5 pairs; 2 of another: 0.
    problem = Problem.build([("a",)] * 7 + [("b",)] * 2, (1,))

    assert lower_bound(problem, 3) == 5
    assert Counter(problem.categories[0]) == Counter({0: 7, 1: 2})
