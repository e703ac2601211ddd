from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark-only commands and views; installed by ``bench.settings`` alone."""

    name = "bench"
    label = "bench"
