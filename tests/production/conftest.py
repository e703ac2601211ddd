"""Fixtures of the production tests: a database, a Redis namespace and an SMTP sink of their
own per test, removed afterwards."""

import os
import uuid

import psycopg2
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings

from .harness import Sink, Stack, free_port, production_env


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so a fixture can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def production_stack(request, tmp_path, smoke_database, smtp_sink, redis_namespace):
    """A Stack with this test's production environment: its own database, queue and cache
    prefix, the SMTP sink, and a public origin on a free loopback port (``stack.port``).
    Its processes are stopped afterwards, and their logs printed if the test failed."""
    database_url, _credentials, _name = smoke_database
    redis_url, namespace = redis_namespace
    port = free_port()
    env = production_env(
        tmp_path,
        database_url=database_url,
        redis_url=redis_url,
        namespace=namespace,
        smtp_port=smtp_sink[1],
        origin=f"https://127.0.0.1:{port}",
    )
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    stack = Stack(env, log_dir, port)
    try:
        yield stack
    finally:
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            stack.print_logs()
        stack.stop()


@pytest.fixture
def smoke_database():
    """A fresh database of its own, dropped afterwards; yields its URL, the owner's
    credentials and its name."""
    db = settings.DATABASES["default"]
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    credentials = {"user": db["USER"], "password": db["PASSWORD"], "host": host, "port": port}
    name = f"portal_smoke_{uuid.uuid4().hex[:12]}"

    def admin(statement: str) -> None:
        connection = psycopg2.connect(dbname="postgres", **credentials)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{name}", credentials, name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@pytest.fixture
def redis_namespace():
    """A Redis URL and a name for this run's queue and cache prefix; its keys removed after.

    Redis is the test run's broker database (REDIS_URL), which tests never flush, unlike the
    cache databases; PRODUCTION_SMOKE_REDIS_URL chooses another.
    """
    url = os.environ.get("PRODUCTION_SMOKE_REDIS_URL") or settings.REDIS_URL
    name = f"smoke-{uuid.uuid4().hex[:12]}"
    yield url, name
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"*{name}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
