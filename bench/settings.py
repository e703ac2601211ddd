"""Settings for benchmarks: the test stack on a database of its own, plus the bench app."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_bench")

from portal.settings.test import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
