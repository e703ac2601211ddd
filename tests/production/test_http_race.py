"""The enrolment race over real HTTP on one node: gunicorn with the production settings.

200 people, each logged in with a session and a CSRF token of their own, press "Inschrijven"
on one run with 20 places at the same moment. Exactly 20 get a place, the other 180 are on
the waiting list at positions 1..180, nobody is in it twice, and each person's own page
says which. The database is fresh and dropped afterwards; gunicorn is started through
``scripts/portal-run web``. How fast is the benchmark's business (``bench.http_load``).
"""

import json
import re
import sys
import uuid

import pytest
from django.conf import settings

from bench.http_harness import (
    PORTAL_RUN,
    Web,
    create_database,
    drop_database,
    enrolment_race,
    free_port,
    production_env,
    race_rows,
    run_step,
)

pytestmark = pytest.mark.production

PEOPLE = 200
PLACES = 20


@pytest.fixture
def race_database():
    db = settings.DATABASES["default"]
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/"
        f"portal_race_{uuid.uuid4().hex[:12]}"
    )
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def web(tmp_path, race_database):
    namespace = f"race-{uuid.uuid4().hex[:12]}"
    env = production_env(
        database_url=race_database,
        redis_url=settings.REDIS_URL,
        namespace=namespace,
        port=free_port(),
        state_dir=tmp_path,
        workers=5,
        seed=namespace,
    )
    run_step(env, [str(PORTAL_RUN), "migrate"])
    run_step(env, [str(PORTAL_RUN), "collectstatic"])
    output = run_step(env, [sys.executable, "-m", "bench.http_seed", "race"])
    seeded = json.loads(re.search(r"^SEED_RESULT (.+)$", output, re.MULTILINE).group(1))
    server = Web.start(env, tmp_path / "gunicorn.log")
    try:
        yield server, seeded
    finally:
        server.stop()


def test_two_hundred_people_race_for_twenty_places_over_http(web, race_database):
    server, seeded = web
    assert len(seeded["sessions"]) == PEOPLE
    assert seeded["capacity"] == PLACES

    result = enrolment_race(server.port, seeded["run_id"], seeded["sessions"])

    # Every press was answered by the redirect back to the run, none by an error.
    assert result.statuses == [302] * PEOPLE, server.log()
    rows = race_rows(race_database, seeded["run_id"])
    assert len(rows) == PEOPLE
    assert len({participant for participant, _status, _position in rows}) == PEOPLE
    statuses = [status for _participant, status, _position in rows]
    assert statuses.count("enrolled") == PLACES
    assert statuses.count("waitlisted") == PEOPLE - PLACES
    positions = sorted(position for _p, status, position in rows if status == "waitlisted")
    assert positions == list(range(1, PEOPLE - PLACES + 1))
    # ... and what each person was told agrees with the database.
    assert result.enrolled_messages == PLACES
    assert result.waitlist_positions == positions
