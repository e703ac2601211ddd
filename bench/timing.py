"""Server-side timing of pages through Django's test client (full middleware, no network)."""

import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.test import Client


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


def time_page(
    client: Client, name: str, url: str, *, repeat: int = 60, warmup: int = 5
) -> PageTiming:
    """Request ``url`` repeatedly and return the median and 95th percentile in milliseconds."""
    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return PageTiming(name, statistics.median(samples), percentile(samples, 0.95))


def print_table(title: str, rows: Iterable[PageTiming], baseline: PageTiming) -> None:
    print(f"\n{title}")
    print(f"{'page':<28}{'median ms':>11}{'p95 ms':>9}{'p95 / trivial':>15}")
    for row in [baseline, *rows]:
        ratio = row.p95_ms / baseline.p95_ms if baseline.p95_ms else float("nan")
        print(f"{row.name:<28}{row.median_ms:>11.1f}{row.p95_ms:>9.1f}{ratio:>15.1f}")
