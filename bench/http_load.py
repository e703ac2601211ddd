"""Benchmark: the portal under concurrent users over real HTTP, and the enrolment race.

    .venv/bin/python -m bench.http_load [--seconds 45] [--levels 1,8,32] [--workers N]
                                        [--skip-race | --race-only]

Everything runs as in production, on loopback: a PostgreSQL database of its own
(``portal_http_bench`` unless BENCH_HTTP_DATABASE_URL is set; created, migrated and filled
on the first run), the production settings, gunicorn started through ``scripts/portal-run
web`` with 2 x cores + 1 sync workers, behind what the TLS proxy would send (X-Forwarded-Proto,
X-Forwarded-For per visitor, Secure cookies). Redis database 6 (BENCH_HTTP_REDIS_URL) holds the
cache and the queued tasks under a prefix of this run, removed afterwards; no worker runs, so
the pages are measured without the mail being sent (the mail benchmark measures that).

Volume: the trainings benchmark's bulk data (3,000 people, 300 runs, 15,000 enrolments),
the signalen benchmark's 5,000 signals, and the accounts the load logs in as, with their
trainings, enrolments and 1,000 signals made through the services (``bench.http_seed``).

1. The enrolment race: 200 logged-in people press "Inschrijven" on one run with 20 places
   at the same moment; prints the wall time and checks the database: 20 enrolled, 180 on
   the waiting list numbered 1..180, no one twice.
2. locust (as a library) replays the four roles (``bench.locustfile``: participant 6,
   coordinator 2, contact person 1, reporter 1) at 1, 8 and 32 concurrent users, each a
   request loop with no pause after one login; then the trivial view (``/healthz/``, one
   ``SELECT 1`` behind the full middleware) at 32 users under the same gunicorn. Prints
   requests per second, per CPU core, p50/p95/p99 in ms and errors for each level.
"""

import argparse
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import gevent
import redis
from locust import HttpUser, constant, task
from locust.env import Environment

from bench import locustfile
from bench.http_harness import (
    ROOT,
    Web,
    create_database,
    enrolment_race,
    free_port,
    process_tree_cpu_seconds,
    production_env,
    race_rows,
    run_step,
    totp_secret,
)

DATABASE_URL = os.environ.get(
    "BENCH_HTTP_DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_http_bench"
)
REDIS_URL = os.environ.get("BENCH_HTTP_REDIS_URL", "redis://127.0.0.1:6379/6")
STATE_DIR = Path(tempfile.gettempdir()) / "portal-http-bench"
SEED = "portal-http-bench"
CORES = os.cpu_count() or 1


class Trivial(HttpUser):
    """The yardstick: the health view, under the same gunicorn and middleware."""

    wait_time = constant(0)

    @task
    def trivial(self):
        self.client.get("/healthz/", name="trivial view")


class Recorder:
    """Every request's time and outcome after ``reset``, straight from locust's events."""

    def __init__(self, environment: Environment):
        self.recording = False
        self.times: list[float] = []
        self.errors: list[str] = []
        environment.events.request.add_listener(self.on_request)

    def on_request(self, request_type, name, response_time, exception=None, **kwargs):
        if not self.recording or name == "login":
            return
        self.times.append(response_time)
        if exception is not None:
            self.errors.append(f"{request_type} {name}: {exception}")

    def reset(self) -> None:
        self.times, self.errors = [], []
        self.recording = True


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def prepare(env: dict[str, str]) -> dict:
    """Create, migrate and fill the database on the first run; collect the static files."""
    created = create_database(DATABASE_URL)
    run_step(env, [str(ROOT / "scripts" / "portal-run"), "migrate"])
    if created or not (STATE_DIR / "static" / "staticfiles.json").exists():
        run_step(env, [str(ROOT / "scripts" / "portal-run"), "collectstatic"])
    bulk = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings", "CACHE_URL": REDIS_URL}
    run_step(
        bulk,
        [
            sys.executable,
            "manage.py",
            "bench_trainings_data",
            "--organisations=30",
            "--users=3000",
            "--runs=300",
            "--enrolments=15000",
        ],
    )
    run_step(
        bulk,
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from bench.signalen_queue import generate; generate(5000)",
        ],
    )
    output = run_step(env, [sys.executable, "-m", "bench.http_seed", "load"])
    return json.loads(re.search(r"^SEED_RESULT (.+)$", output, re.MULTILINE).group(1))


def race(env: dict[str, str], web: Web) -> None:
    output = run_step(env, [sys.executable, "-m", "bench.http_seed", "race"])
    seeded = json.loads(re.search(r"^SEED_RESULT (.+)$", output, re.MULTILINE).group(1))
    load = os.getloadavg()[0]
    # From the release of the presses to their last answer: the token reads before are not in it.
    cpu = []
    result = enrolment_race(
        web.port,
        seeded["run_id"],
        seeded["sessions"],
        before_presses=lambda: cpu.append(process_tree_cpu_seconds(web.popen.pid)),
        after_presses=lambda: cpu.append(process_tree_cpu_seconds(web.popen.pid)),
    )
    server_cpu = cpu[1] - cpu[0]
    rows = race_rows(DATABASE_URL, seeded["run_id"])
    enrolled = sum(1 for _p, status, _pos in rows if status == "enrolled")
    positions = [pos for _p, status, pos in rows if status == "waitlisted"]
    people = len({participant for participant, _s, _pos in rows})
    exact = (
        enrolled == seeded["capacity"]
        and sorted(positions) == list(range(1, len(seeded["sessions"]) - enrolled + 1))
        and people == len(rows) == len(seeded["sessions"])
        and result.enrolled_messages == enrolled
        and result.waitlist_positions == sorted(positions)
    )
    answers = {status: result.statuses.count(status) for status in sorted(set(result.statuses))}
    print(
        f"Enrolment race: {len(seeded['sessions'])} people, {seeded['capacity']} places, "
        f"all at once over HTTP: {result.seconds:.2f} s wall time (target < 5 s), "
        f"load average {load:.2f}; gunicorn CPU for the presses {server_cpu:.1f} s "
        f"(the wall time's floor on {CORES} idle cores: {server_cpu / CORES:.1f} s)\n"
        f"  answers {answers}; database: {enrolled} enrolled, {len(positions)} waiting "
        f"(positions {min(positions, default=0)}..{max(positions, default=0)}), "
        f"{people} people in {len(rows)} rows; each person's message agrees: "
        f"{result.enrolled_messages} placed, {len(result.waitlist_positions)} positions; "
        f"{'EXACT' if exact else 'NOT EXACT'}"
    )


def measure(
    environment, recorder, web: Web, user_count: int, seconds: float, label: str, ready
) -> dict:
    """Start ``user_count`` users, wait until ``ready()`` (all logged in), then record."""
    runner = environment.runner
    runner.start(user_count, spawn_rate=user_count)
    deadline = time.monotonic() + 120
    while runner.user_count < user_count or not ready(user_count):
        if time.monotonic() > deadline:
            raise RuntimeError("the simulated people did not all log in")
        gevent.sleep(0.2)
    gevent.sleep(1)
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = process_tree_cpu_seconds(web.popen.pid)
    recorder.reset()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    gevent.sleep(seconds)
    recorder.recording = False
    elapsed = time.monotonic() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = process_tree_cpu_seconds(web.popen.pid) - server_cpu
    generator_cpu = (used.ru_utime + used.ru_stime - own_cpu.ru_utime - own_cpu.ru_stime) / elapsed
    times = recorder.times
    rps = len(times) / elapsed
    return {
        "label": label,
        "users": user_count,
        "requests": len(times),
        "rps": rps,
        "rps_per_core": rps / CORES,
        "p50": percentile(times, 0.50) if times else 0.0,
        "p95": percentile(times, 0.95) if times else 0.0,
        "p99": percentile(times, 0.99) if times else 0.0,
        "mean": statistics.fmean(times) if times else 0.0,
        "errors": len(recorder.errors),
        "first_errors": recorder.errors[:5],
        "generator_cpu": generator_cpu,
        # gunicorn's own CPU per request (PostgreSQL and Redis not included).
        "server_cpu_ms": server_cpu * 1000 / len(times) if times else 0.0,
        "load": (load_before, os.getloadavg()[0]),
    }


def print_rows(rows: list[dict], trivial: dict) -> None:
    print(
        f"\n{'level':<24}{'req':>7}{'req/s':>8}{'per core':>9}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'p95/triv':>9}{'errors':>7}{'CPU ms':>7}{'gen CPU':>8}  load"
    )
    for row in [*rows, trivial]:
        ratio = row["p95"] / trivial["p95"] if trivial["p95"] else float("nan")
        print(
            f"{row['label']:<24}{row['requests']:>7}{row['rps']:>8.1f}{row['rps_per_core']:>9.1f}"
            f"{row['p50']:>8.0f}{row['p95']:>8.0f}{row['p99']:>8.0f}{ratio:>9.1f}"
            f"{row['errors']:>7}{row['server_cpu_ms']:>7.1f}{row['generator_cpu']:>8.0%}"
            f"  {row['load'][0]:.2f}-{row['load'][1]:.2f}"
        )
        for error in row["first_errors"]:
            print(f"    {error}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=45, help="measured time per level")
    parser.add_argument("--levels", default="1,8,32", help="concurrent users, comma-separated")
    parser.add_argument("--workers", type=int, default=2 * CORES + 1, help="gunicorn workers")
    parser.add_argument("--skip-race", action="store_true")
    parser.add_argument(
        "--race-only", action="store_true", help="the enrolment race alone, no locust levels"
    )
    args = parser.parse_args(argv)
    levels = [int(level) for level in args.levels.split(",")]

    namespace = f"http-bench-{uuid.uuid4().hex[:8]}"
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    env = production_env(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        namespace=namespace,
        port=0,
        state_dir=STATE_DIR,
        workers=args.workers,
        seed=SEED,
    )
    print(f"Preparing {DATABASE_URL.rsplit('/', 1)[1]} (filled once) ...", flush=True)
    world = prepare(env)
    port = free_port()
    env = {
        **env,
        **production_env(
            database_url=DATABASE_URL,
            redis_url=REDIS_URL,
            namespace=namespace,
            port=port,
            state_dir=STATE_DIR,
            workers=args.workers,
            seed=SEED,
        ),
    }
    web = Web.start(env, STATE_DIR / "gunicorn.log")
    try:
        print(
            f"gunicorn: {args.workers} sync workers (2 x {CORES} cores + 1), production "
            f"settings, loopback port {port}; load generator in this process; "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        if not args.skip_race:
            race(env, web)
        if args.race_only:
            return 0
        world["secrets"] = {
            email: totp_secret(email)
            for role in ("coordinator", "contactpersoon")
            for email in world["roles"][role]
        }
        world["logged_in"] = set()
        locustfile.configure(world)
        host = f"http://127.0.0.1:{port}"
        environment = Environment(user_classes=locustfile.ROLES, host=host)
        environment.create_local_runner()
        recorder = Recorder(environment)
        rows = []
        for level in levels:
            rows.append(
                measure(
                    environment,
                    recorder,
                    web,
                    level,
                    args.seconds,
                    f"mix, {level} users",
                    lambda n: len(locustfile.WORLD["logged_in"]) >= n,
                )
            )
            print(f"  measured {rows[-1]['label']}", flush=True)
        environment.runner.quit()

        trivial_env = Environment(user_classes=[Trivial], host=host)
        trivial_env.create_local_runner()
        trivial_recorder = Recorder(trivial_env)
        trivial = measure(
            trivial_env,
            trivial_recorder,
            web,
            max(levels),
            args.seconds,
            f"trivial, {max(levels)} users",
            lambda n: True,
        )
        trivial_env.runner.quit()
        print(
            f"\nHTTP load, roles mixed 6:2:1:1 (participant, coordinator, contact person, "
            f"reporter), {args.seconds:.0f} s per level after every login, {CORES} CPU cores "
            "(load generator on the same cores: its share in 'gen CPU')"
        )
        print_rows(rows, trivial)
        print("\nper page (all levels, locust's own rounding): median / p95 ms, requests")
        for (name, _method), entry in sorted(environment.stats.entries.items()):
            if name == "login":
                continue
            print(
                f"  {name:<34}{entry.median_response_time:>6.0f}"
                f"{entry.get_response_time_percentile(0.95):>7.0f}{entry.num_requests:>8}"
            )
    finally:
        web.stop()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"*{namespace}*"))
        if keys:
            client.delete(*keys)
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
