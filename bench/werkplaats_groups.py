"""Benchmark: the werkplaats group optimiser against the exact optimum and a random split.

    .venv/bin/python -m bench.werkplaats_groups [--instances 20] [--seed 1]

Pure Python, no database. N = 30 (five groups of six) over random instances with 8
disciplines and 5 organisations: the optimiser's score next to the exact optimum of an
integer linear program (scipy's ``milp``). N = 200 and 1,000: run time and score next
to a random split of the same sizes and the lower bound. Lower scores are better.
"""

import argparse
import random
import statistics
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from werkplaats.grouping import Problem, group_sizes, lower_bound, make_groups, score

DISCIPLINES = 8
ORGANISATIONS = 5


def exact_optimum(problem: Problem, sizes: list[int], time_limit: float | None = None) -> float:
    """Minimum weighted same-category pairs for these group sizes, by ILP.

    x[i, g] puts person i in group g; z[a, g, c] >= C(k, 2) + k * (n_agc - k) for every k
    writes the convex pair count C(n_agc, 2) as its secants, exact at integers. When all
    groups are the same size, person 0 is fixed in group 0 (the groups are interchangeable).
    """
    n, groups = problem.size, len(sizes)
    cells = [
        (a, g, c)
        for a, column in enumerate(problem.categories)
        for g in range(groups)
        for c in sorted(set(column))
    ]
    n_x = n * groups
    n_vars = n_x + len(cells)
    rows, lower, upper = [], [], []

    def x(i: int, g: int) -> int:
        return i * groups + g

    def add(coefficients: dict[int, float], lo: float, hi: float) -> None:
        row = np.zeros(n_vars)
        for index, value in coefficients.items():
            row[index] += value
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    for i in range(n):
        add({x(i, g): 1 for g in range(groups)}, 1, 1)
    for g, size in enumerate(sizes):
        add({x(i, g): 1 for i in range(n)}, size, size)
    for index, (a, g, c) in enumerate(cells):
        members = [i for i in range(n) if problem.categories[a][i] == c]
        for k in range(len(members) + 1):
            coefficients = {n_x + index: 1.0}
            for i in members:
                coefficients[x(i, g)] = -k
            add(coefficients, k * (k - 1) / 2 - k * k, np.inf)
    for i, j in problem.together:
        for g in range(groups):
            add({x(i, g): 1, x(j, g): -1}, 0, 0)
    for i, j in problem.apart:
        for g in range(groups):
            add({x(i, g): 1, x(j, g): 1}, -np.inf, 1)
    if n and len(set(sizes)) == 1 and not problem.together and not problem.apart:
        add({x(0, 0): 1}, 1, 1)
    cost = np.zeros(n_vars)
    for index, (a, _g, _c) in enumerate(cells):
        cost[n_x + index] = problem.weights[a]
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=np.concatenate([np.ones(n_x), np.zeros(len(cells))]),
        bounds=Bounds(
            np.zeros(n_vars), np.concatenate([np.ones(n_x), np.full(len(cells), np.inf)])
        ),
        options={"time_limit": time_limit} if time_limit else None,
    )
    if not result.success:
        raise RuntimeError(f"ILP not solved: {result.message}")
    return round(result.fun, 6)


def random_problem(rng: random.Random, n: int) -> Problem:
    people = [(rng.randrange(DISCIPLINES), rng.randrange(ORGANISATIONS)) for _ in range(n)]
    return Problem.build(people, (1, 1))


# A municipal werkplaats: mostly social-domain staff, and discipline and organisation go
# together (tax people from the Belastingdienst, detectives from the police). Uniform
# instances often reach the lower bound; these rarely do, so they test the search harder.
SKEWED_DISCIPLINE_WEIGHTS = (10, 5, 3, 2, 1, 1, 1, 1)


def _skewed_people(rng: random.Random, n: int) -> list[tuple[int, int]]:
    people = []
    for _ in range(n):
        discipline = rng.choices(range(DISCIPLINES), SKEWED_DISCIPLINE_WEIGHTS)[0]
        home = discipline % ORGANISATIONS
        organisation = home if rng.random() < 0.7 else rng.randrange(ORGANISATIONS)
        people.append((discipline, organisation))
    return people


def skewed_problem(rng: random.Random, n: int) -> Problem:
    return Problem.build(_skewed_people(rng, n), (1, 1))


def constrained_problem(rng: random.Random, n: int) -> Problem:
    """Skewed, with three pairs of same-discipline colleagues who must be together and
    three people who must be apart from one another: the bound is rarely reachable."""
    people = _skewed_people(rng, n)
    by_discipline: dict[int, list[int]] = {}
    for index, (discipline, _organisation) in enumerate(people):
        by_discipline.setdefault(discipline, []).append(index)
    pools = [members for members in by_discipline.values() if len(members) >= 2]
    together, used = [], set()
    while len(together) < 3 and pools:
        pool = rng.choice(pools)
        free = [i for i in pool if i not in used]
        if len(free) < 2:
            pools.remove(pool)
            continue
        pair = tuple(rng.sample(free, 2))
        together.append(pair)
        used.update(pair)
    trio = rng.sample([i for i in range(n) if i not in used], 3)
    apart = [(trio[0], trio[1]), (trio[0], trio[2]), (trio[1], trio[2])]
    return Problem.build(people, (1, 1), together=together, apart=apart)


def random_split_score(problem: Problem, rng: random.Random) -> float:
    order = list(range(problem.size))
    rng.shuffle(order)
    groups, start = [], 0
    for size in group_sizes(problem.size):
        groups.append(order[start : start + size])
        start += size
    return score(problem, groups)


def against_optimum(instances: int, seed: int, make_problem, kind: str) -> None:
    rng = random.Random(seed)
    rows = []
    for index in range(instances):
        problem = make_problem(rng, 30)
        started = time.perf_counter()
        found = make_groups(problem, seed=index).score
        elapsed = time.perf_counter() - started
        optimum = exact_optimum(problem, group_sizes(30))
        bound = lower_bound(problem, len(group_sizes(30)))
        rows.append((found, optimum, elapsed, bound))
    print(
        f"N = 30, {instances} {kind} instances ({DISCIPLINES} disciplines, "
        f"{ORGANISATIONS} organisations), score = weighted same-category pairs (lower is better)"
    )
    print(
        f"  {'instance':>8} {'optimiser':>10} {'ILP optimum':>12} {'lower bound':>12} "
        f"{'time ms':>9}"
    )
    for index, (found, optimum, elapsed, bound) in enumerate(rows, start=1):
        print(f"  {index:>8} {found:>10.0f} {optimum:>12.0f} {bound:>12.0f} {elapsed * 1000:>9.1f}")
    mean_found = statistics.mean(r[0] for r in rows)
    mean_optimum = statistics.mean(r[1] for r in rows)
    print(
        f"  mean score {mean_found:.2f} vs optimum {mean_optimum:.2f}: "
        f"{(mean_found / mean_optimum - 1) * 100:.2f} % above the optimum; "
        f"optimum reached in {sum(r[0] == r[1] for r in rows)} of {instances}"
    )


def at_scale(n: int, seed: int) -> None:
    rng = random.Random(seed + n)
    problem = random_problem(rng, n)
    started = time.perf_counter()
    result = make_groups(problem, seed=seed)
    elapsed = time.perf_counter() - started
    random_scores = [random_split_score(problem, rng) for _ in range(20)]
    print(
        f"N = {n} ({len(result.groups)} groups, {DISCIPLINES} disciplines, "
        f"{ORGANISATIONS} organisations)"
    )
    print(
        f"  optimiser: {elapsed:.3f} s, score {result.score:.0f} "
        f"(lower bound {lower_bound(problem, len(result.groups)):.0f})"
    )
    print(f"  random split: mean score {statistics.mean(random_scores):.1f} over 20 splits")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    against_optimum(args.instances, args.seed, random_problem, "uniform random")
    against_optimum(args.instances, args.seed, skewed_problem, "skewed, correlated")
    against_optimum(args.instances, args.seed, constrained_problem, "skewed with constraints")
    for n in (200, 1000):
        at_scale(n, args.seed)


if __name__ == "__main__":
    main()
