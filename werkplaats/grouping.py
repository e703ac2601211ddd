"""Split people into small, maximally mixed groups (anticlustering).

Pure Python on purpose: no Django here, so the optimiser can be tested exhaustively and
benchmarked on its own. A person is an index 0..n-1 with one category per attribute
(e.g. discipline and organisation). The objective, to be minimised, is the weighted
number of pairs inside a group that share a category:

    sum over attributes a, groups g, categories c of  w_a * C(count(g, a, c), 2)

Method (after Papenberg & Klau 2021, the anticlust exchange method): deal people
round-robin with the rarest category first, then exchange people between groups while
some swap lowers the objective. A swap's effect is computed from per-group category
counts, in O(attributes) per candidate. A few restarts from seeded random deals keep the
best result. "Must be together" pairs are merged into units that always move as one;
"must be apart" pairs are a hard constraint no swap may break.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations

MIN_SIZE = 4
MAX_SIZE = 7
PREFERRED = (5, 6)
DEFAULT_RESTARTS = 5
_SMALL_RESTART_BUDGET = 400
_PLACEMENT_BUDGET = 200_000


class GroupingError(ValueError):
    """A request that cannot be met; ``code`` and ``people`` let the caller word it."""

    def __init__(self, code: str, people: Sequence[int] = ()):
        super().__init__(code)
        self.code = code
        self.people = tuple(people)


def _even(n: int, k: int) -> list[int]:
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


def group_sizes(n: int) -> list[int]:
    """Group sizes for ``n`` people, largest first.

    Groups of 5 and 6 where that is possible (fewest groups first); otherwise (7, 8, 9,
    13, 14, 19) the split into groups of 4 to 7 that strays least from 5-6, the smaller
    groups winning a tie; four people or fewer form one group.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return []
    if n <= MIN_SIZE:
        return [n]
    k = -(-n // PREFERRED[1])
    if PREFERRED[0] * k <= n:
        return _even(n, k)
    best: tuple[int, int] | None = None
    for k in range(1, n // MIN_SIZE + 1):
        sizes = _even(n, k)
        if sizes[-1] < MIN_SIZE or sizes[0] > MAX_SIZE:
            continue
        stray = sum(max(PREFERRED[0] - s, 0) + max(s - PREFERRED[1], 0) for s in sizes)
        if best is None or (stray, -k) < best:
            best = (stray, -k)
    return _even(n, -best[1])


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


@dataclass(frozen=True)
class Problem:
    """People as category codes per attribute, with weights and constraints."""

    categories: tuple[tuple[int, ...], ...]  # categories[a][person]
    weights: tuple[float, ...]
    together: tuple[tuple[int, int], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()

    @classmethod
    def build(
        cls,
        people: Sequence[Sequence[Hashable]],
        weights: Sequence[float],
        together: Sequence[tuple[int, int]] = (),
        apart: Sequence[tuple[int, int]] = (),
    ) -> Problem:
        """``people[i]`` holds person i's value per attribute (any hashable, e.g. an id)."""
        n_attributes = len(weights)
        columns = []
        for a in range(n_attributes):
            codes: dict[Hashable, int] = {}
            columns.append(tuple(codes.setdefault(person[a], len(codes)) for person in people))
        return cls(
            categories=tuple(columns),
            weights=tuple(weights),
            together=tuple(tuple(p) for p in together),
            apart=tuple(tuple(p) for p in apart),
        )

    @property
    def size(self) -> int:
        return len(self.categories[0]) if self.categories else 0


def score(problem: Problem, groups: Sequence[Sequence[int]]) -> float:
    """The objective: weighted same-category pairs over all groups."""
    return sum(group_score(problem, members) for members in groups)


def group_score(problem: Problem, members: Sequence[int]) -> float:
    total = 0.0
    for column, weight in zip(problem.categories, problem.weights, strict=True):
        counts = Counter(column[p] for p in members)
        total += weight * sum(_pairs(c) for c in counts.values())
    return total


def lower_bound(problem: Problem, group_count: int) -> float:
    """No split can score lower: every category spread as evenly as the groups allow."""
    if group_count <= 0:
        return 0.0
    total = 0.0
    for column, weight in zip(problem.categories, problem.weights, strict=True):
        for count in Counter(column).values():
            q, r = divmod(count, group_count)
            total += weight * (r * _pairs(q + 1) + (group_count - r) * _pairs(q))
    return total


# --- units and constraints -------------------------------------------------------------------


def _units(problem: Problem) -> tuple[list[list[int]], list[int]]:
    """Merge must-together pairs (transitively) into units; returns units and unit of person."""
    n = problem.size
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in problem.together:
        _check_person(a, n)
        _check_person(b, n)
        parent[find(a)] = find(b)
    members: dict[int, list[int]] = defaultdict(list)
    for p in range(n):
        members[find(p)].append(p)
    units = sorted(members.values(), key=lambda m: m[0])
    unit_of = [0] * n
    for index, unit in enumerate(units):
        for p in unit:
            unit_of[p] = index
    return units, unit_of


def _check_person(p: int, n: int) -> None:
    if not 0 <= p < n:
        raise ValueError(f"person {p} out of range")


def _apart_units(problem: Problem, unit_of: list[int]) -> list[set[int]]:
    apart: list[set[int]] = [set() for _ in range(max(unit_of, default=-1) + 1)]
    for a, b in problem.apart:
        _check_person(a, problem.size)
        _check_person(b, problem.size)
        ua, ub = unit_of[a], unit_of[b]
        if ua == ub:
            raise GroupingError("together_and_apart", (a, b))
        apart[ua].add(ub)
        apart[ub].add(ua)
    return apart


# --- the search ------------------------------------------------------------------------------


class _State:
    """An assignment of units to groups with per-group category counts."""

    def __init__(self, problem: Problem, units, apart, sizes, assignment):
        self.problem = problem
        self.units = units
        self.apart = apart
        self.sizes = sizes
        self.group_of = list(assignment)
        self.unit_counts = [
            [Counter(column[p] for p in unit) for column in problem.categories] for unit in units
        ]
        self.counts = [
            [[0] * (max(column, default=0) + 1) for column in problem.categories] for _ in sizes
        ]
        self.members: list[set[int]] = [set() for _ in sizes]
        for u, g in enumerate(self.group_of):
            self._add(u, g)

    def _add(self, u: int, g: int) -> None:
        self.members[g].add(u)
        for a, counter in enumerate(self.unit_counts[u]):
            row = self.counts[g][a]
            for c, k in counter.items():
                row[c] += k

    def _remove(self, u: int, g: int) -> None:
        self.members[g].discard(u)
        for a, counter in enumerate(self.unit_counts[u]):
            row = self.counts[g][a]
            for c, k in counter.items():
                row[c] -= k

    def swap_delta(self, u: int, v: int) -> float:
        """Change of the objective if unit u and unit v trade groups."""
        return self.trade_delta(u, (v,))

    def trade_delta(self, u: int, partners: Sequence[int]) -> float:
        """Change of the objective if unit u trades groups with ``partners`` (one group)."""
        ga, gb = self.group_of[u], self.group_of[partners[0]]
        delta = 0.0
        for a, weight in enumerate(self.problem.weights):
            incoming: Counter = Counter()
            for v in partners:
                incoming.update(self.unit_counts[v][a])
            outgoing = self.unit_counts[u][a]
            row_a, row_b = self.counts[ga][a], self.counts[gb][a]
            change = 0
            for c in incoming.keys() | outgoing.keys():
                moved = incoming.get(c, 0) - outgoing.get(c, 0)
                if moved:
                    x, y = row_a[c], row_b[c]
                    change += _pairs(x + moved) - _pairs(x) + _pairs(y - moved) - _pairs(y)
            delta += weight * change
        return delta

    def allowed(self, u: int, v: int) -> bool:
        ga, gb = self.group_of[u], self.group_of[v]
        return not any(self.group_of[w] == gb and w != v for w in self.apart[u]) and not any(
            self.group_of[w] == ga and w != u for w in self.apart[v]
        )

    def swap(self, u: int, v: int) -> None:
        ga, gb = self.group_of[u], self.group_of[v]
        self._remove(u, ga)
        self._remove(v, gb)
        self._add(u, gb)
        self._add(v, ga)
        self.group_of[u], self.group_of[v] = gb, ga

    def groups(self) -> list[list[int]]:
        result: list[list[int]] = [[] for _ in self.sizes]
        for u, g in enumerate(self.group_of):
            result[g].extend(self.units[u])
        return [sorted(members) for members in result]


def _single_swap_delta(counts, weights, cats, ga, gb, p, q) -> float:
    """Fast path for two single people: O(attributes) from the group counts."""
    delta = 0.0
    for a, weight in enumerate(weights):
        cp, cq = cats[a][p], cats[a][q]
        if cp != cq:
            row_a, row_b = counts[ga][a], counts[gb][a]
            delta += weight * (row_a[cq] - row_a[cp] + row_b[cp] - row_b[cq] + 2)
    return delta


def _improve(state: _State) -> None:
    """Exchange until no swap of units of equal size (or of a unit and single people) helps."""
    weights = state.problem.weights
    units = state.units
    singles_cats = [[column[unit[0]] for unit in units] for column in state.problem.categories]
    sized = [len(unit) for unit in units]
    constrained = [bool(state.apart[u]) for u in range(len(units))]
    improved = True
    while improved:
        improved = False
        for u in range(len(units)):
            ga = state.group_of[u]
            best_delta, best_move = -1e-9, None
            for v in range(len(units)):
                gb = state.group_of[v]
                if gb == ga or sized[v] != sized[u]:
                    continue
                if sized[u] == 1 and not constrained[u] and not constrained[v]:
                    delta = _single_swap_delta(state.counts, weights, singles_cats, ga, gb, u, v)
                else:
                    if not state.allowed(u, v):
                        continue
                    delta = state.swap_delta(u, v)
                if delta < best_delta:
                    best_delta, best_move = delta, (u, (v,))
            if sized[u] > 1:
                move = _best_unit_for_singles(state, u, best_delta)
                if move is not None:
                    best_delta, best_move = move
            if best_move is not None:
                _apply(state, *best_move)
                improved = True


def _best_unit_for_singles(state: _State, u: int, bound: float):
    """A unit of k people traded for k single people of one other group (k <= 3)."""
    k = len(state.units[u])
    if k > 3:
        return None
    best = None
    ga = state.group_of[u]
    for gb in range(len(state.sizes)):
        if gb == ga:
            continue
        singles = [v for v in state.members[gb] if len(state.units[v]) == 1]
        for chosen in combinations(singles, k):
            if not _group_trade_allowed(state, u, chosen):
                continue
            delta = state.trade_delta(u, chosen)
            if delta < bound:
                bound, best = delta, (delta, (u, chosen))
    return best


def _group_trade_allowed(state: _State, u: int, chosen: Sequence[int]) -> bool:
    ga, gb = state.group_of[u], state.group_of[chosen[0]]
    leaving_b = set(chosen)
    if any(state.group_of[w] == gb and w not in leaving_b for w in state.apart[u]):
        return False
    for v in chosen:
        if any(state.group_of[w] == ga and w != u for w in state.apart[v]):
            return False
        if any(w in leaving_b for w in state.apart[v]):
            return False
    return True


def _apply(state: _State, u: int, partners: Sequence[int]) -> None:
    if len(partners) == 1 and len(state.units[partners[0]]) == len(state.units[u]):
        state.swap(u, partners[0])
        return
    ga, gb = state.group_of[u], state.group_of[partners[0]]
    state._remove(u, ga)
    state._add(u, gb)
    state.group_of[u] = gb
    for v in partners:
        state._remove(v, gb)
        state._add(v, ga)
        state.group_of[v] = ga


def _deal_order(problem: Problem, units: list[list[int]], rng: random.Random | None):
    """Rarest category first (on each attribute in turn); a restart deals in random order."""
    order = list(range(len(units)))
    if rng is not None:
        rng.shuffle(order)
        return order
    frequency = [Counter(column) for column in problem.categories]

    def rarity(u: int) -> list[int]:
        key = []
        for column, freq in zip(problem.categories, frequency, strict=True):
            key += [freq[column[units[u][0]]], column[units[u][0]]]
        return key

    return sorted(order, key=rarity)


def _place(problem, units, apart, sizes, rng: random.Random | None) -> list[int]:
    """A first assignment: constrained units by backtracking, the rest dealt round-robin."""
    n_groups = len(sizes)
    room = list(sizes)
    assignment = [-1] * len(units)
    hard = [u for u in range(len(units)) if len(units[u]) > 1 or apart[u]]
    hard.sort(key=lambda u: (-len(units[u]), -len(apart[u]), rng.random() if rng else u))
    budget = [_PLACEMENT_BUDGET]

    def backtrack(i: int) -> bool:
        if i == len(hard):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        u = hard[i]
        need = len(units[u])
        order = sorted(range(n_groups), key=lambda g: (-room[g], rng.random() if rng else g))
        for g in order:
            if room[g] < need or any(assignment[w] == g for w in apart[u]):
                continue
            assignment[u] = g
            room[g] -= need
            if backtrack(i + 1):
                return True
            assignment[u] = -1
            room[g] += need
        return False

    if not backtrack(0):
        raise GroupingError("constraints_unsatisfiable")
    pointer = 0
    for u in _deal_order(problem, units, rng):
        if assignment[u] != -1:
            continue
        while room[pointer % n_groups] == 0:
            pointer += 1
        g = pointer % n_groups
        assignment[u] = g
        room[g] -= 1
        pointer += 1
    return assignment


@dataclass(frozen=True)
class Result:
    groups: list[list[int]]
    score: float
    lower_bound: float

    @property
    def gap(self) -> float:
        return self.score - self.lower_bound


def make_groups(
    problem: Problem,
    *,
    sizes: Sequence[int] | None = None,
    restarts: int | None = None,
    seed: int = 0,
) -> Result:
    """The best split found; raises ``GroupingError`` when the constraints cannot be met."""
    n = problem.size
    sizes = list(group_sizes(n) if sizes is None else sizes)
    if sum(sizes) != n:
        raise ValueError("sizes must add up to the number of people")
    if n == 0:
        return Result(groups=[], score=0.0, lower_bound=0.0)
    units, unit_of = _units(problem)
    apart = _apart_units(problem, unit_of)
    for unit in units:
        if len(unit) > sizes[0]:
            raise GroupingError("unit_too_large", unit)
    if restarts is None:
        # Small instances are cheap and have few, deep local optima: more restarts there.
        restarts = max(DEFAULT_RESTARTS, _SMALL_RESTART_BUDGET // n)
    rng = random.Random(seed)  # noqa: S311  (reproducible search, not security)
    bound = lower_bound(problem, len(sizes))
    best: _State | None = None
    best_score = float("inf")
    for attempt in range(max(restarts, 1)):
        assignment = _place(problem, units, apart, sizes, None if attempt == 0 else rng)
        state = _State(problem, units, apart, sizes, assignment)
        _improve(state)
        current = score(problem, state.groups())
        if current < best_score - 1e-9:
            best, best_score = state, current
        if best_score <= bound + 1e-9:
            break  # nothing can do better than the bound
    return Result(groups=best.groups(), score=best_score, lower_bound=bound)
