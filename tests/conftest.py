import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.celery import app

# Playwright's sync API runs an event loop in the test thread; ORM calls in browser tests need this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            f"The test suite runs against PostgreSQL only (got {engine}); set DATABASE_URL "
            "or use `make test`."
        )


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and used TOTP codes live in the cache: start every test clean."""
    cache.clear()
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe-core is injected as a script tag, which the portal's CSP would rightly refuse.
    return {**browser_context_args, "bypass_csp": True, "locale": "nl-NL"}


@pytest.fixture
def celery_worker_env():
    """Extra environment for the worker process; override it in a test module."""
    return {}


@pytest.fixture
def worker_mailbox(tmp_path):
    """A directory where the worker's file-based mail backend writes every message it sends."""
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    return mailbox


@pytest.fixture
def celery_worker_queue(transactional_db, celery_worker_env):
    """A real Celery worker process on Redis, consuming a queue of its own.

    Yields the queue name; tasks sent there with ``apply_async(queue=...)`` run in
    the worker against the test database. In-process eager execution is switched
    off for the duration, so nothing runs in the test's own process by accident.
    """
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    database_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **celery_worker_env,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    # Eager tasks run from several threads at once (the concurrency tests) can leave
    # Celery's process-wide "inside a task" flag set, which would refuse result.get().
    _set_task_join_will_block(False)
    try:
        yield queue
    finally:
        app.conf.task_always_eager = previous_eager
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
