"""Server-side timing of pages through Django's test client (full middleware, no network)."""

import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.test import Client

TRIVIAL_URL = "/bench/trivial/"


@dataclass(frozen=True)
class Page:
    name: str
    client: Client
    url: str


@dataclass(frozen=True)
class PageTiming:
    name: str
    median_ms: float
    p95_ms: float
    queries: int | None = None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def count_queries(page: Page) -> int:
    """Queries of one request, counted with a wrapper: Django resets its own log per request."""
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = page.client.get(page.url)
    if response.status_code != 200:
        raise RuntimeError(f"{page.name}: {page.url} answered {response.status_code}")
    return len(executed)


def time_pages(
    baseline: Page, pages: Sequence[Page], *, repeat: int = 60, warmup: int = 5
) -> tuple[PageTiming, list[PageTiming]]:
    """Median and 95th percentile in milliseconds of the baseline and each page.

    Requests are interleaved round by round (baseline, page 1, page 2, ...), so a busy
    moment or a change of CPU clock weighs on every page alike and the ratios to the
    baseline hold even when the absolute figures drift.
    """
    everything = [baseline, *pages]
    for _ in range(warmup):
        for page in everything:
            page.client.get(page.url)
    # Counted after the warm-up: a client's first request also saves its fresh session.
    queries = [None, *(count_queries(page) for page in pages)]
    samples: list[list[float]] = [[] for _ in everything]
    for _ in range(repeat):
        for page, page_samples in zip(everything, samples, strict=True):
            started = time.perf_counter()
            page.client.get(page.url)
            page_samples.append((time.perf_counter() - started) * 1000)
    timings = [
        PageTiming(page.name, statistics.median(s), percentile(s, 0.95), n)
        for page, s, n in zip(everything, samples, queries, strict=True)
    ]
    return timings[0], timings[1:]


def print_table(title: str, rows: Iterable[PageTiming], baseline: PageTiming) -> None:
    rows = list(rows)
    print(f"\n{title}")
    print(f"{'page':<28}{'median ms':>11}{'p95 ms':>9}{'p95 / trivial':>15}")
    for row in [baseline, *rows]:
        ratio = row.p95_ms / baseline.p95_ms if baseline.p95_ms else float("nan")
        print(f"{row.name:<28}{row.median_ms:>11.1f}{row.p95_ms:>9.1f}{ratio:>15.1f}")
    print("\nqueries per request: " + ", ".join(f"{r.name}: {r.queries}" for r in rows))
