"""Benchmark: the signalen triage queue and dashboard at volume, next to the trivial view.

    .venv/bin/python -m bench.signalen_queue [--signals 50000] [--repeat 60] [--explain FILE]

Uses a PostgreSQL database of its own (``portal_sig_bench`` unless DATABASE_URL is
set; use one database per volume), creates and migrates it when missing, fills it once
with bulk inserts (the services are exercised by the test suite; this measures reading
at volume) and counts the dashboard's counters afresh, then times the queue's views
and the dashboard through Django's test client with the full middleware stack.

"deep page" is the page that starts where page 300 started (row 14,951 of all visible
signals, newest first), opened through its cursor as its "Volgende" link would; with
``--explain`` every query of every page that reads the signals is written to FILE with
``EXPLAIN (ANALYZE, BUFFERS)``.
"""

import argparse
import os
import random
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_sig_bench")

from bench.http_harness import create_database  # noqa: E402

BENCH_DOMAIN = "sigbench.example"
BATCH = 5_000


def ensure_database(url: str) -> None:
    create_database(url)


def generate(total: int, seed: int = 2027):
    """Organisations, contact persons and ``total`` signals; half of them at the measured one."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.models import Organisation, Role, RoleAssignment, User
    from signalen.models import Category, Signal, SignalAccess, SignalEvent
    from signalen.states import Status

    measured = User.objects.filter(email=f"contact00-0@{BENCH_DOMAIN}").first()
    if measured is not None:
        return measured
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        # Signalen's own migration seeds the categories.
        categories = list(Category.objects.filter(is_active=True).order_by("position"))
        if not categories:
            raise SystemExit("No signal categories: is the database migrated?")
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Signalen bench organisatie {i:02d}", kind="gemeente")
            for i in range(12)
        )
        password = make_password("bench-wachtwoord-2027")
        people = {}
        for index, organisation in enumerate(organisations):
            people[organisation.pk] = User.objects.bulk_create(
                User(
                    email=f"contact{index:02d}-{n}@{BENCH_DOMAIN}",
                    full_name=f"Contactpersoon {index:02d}-{n}",
                    organisation=organisation,
                    password=password,
                )
                for n in range(4)
            )
            RoleAssignment.objects.bulk_create(
                RoleAssignment(user=user, role=Role.CONTACT_PERSON, organisation=organisation)
                for user in people[organisation.pk]
            )
        reporters = User.objects.bulk_create(
            User(
                email=f"melder{n:04d}@{BENCH_DOMAIN}",
                full_name=f"Melder {n:04d}",
                organisation=rng.choice(organisations),
                password=password,
            )
            for n in range(2000)
        )
        statuses = [Status.NEW] * 10 + [Status.IN_PROGRESS] * 20 + [Status.FORWARDED] * 10
        statuses += [Status.CLOSED] * 60
        for start in range(0, total, BATCH):
            signals, forwarded_to = [], []
            for n in range(start, min(total, start + BATCH)):
                home = organisations[0] if n % 2 == 0 else rng.choice(organisations[1:])
                status = rng.choice(statuses)
                received = now - timedelta(minutes=rng.randint(10, 2 * 365 * 24 * 60))
                handler = home
                if status == Status.FORWARDED:
                    handler = rng.choice([o for o in organisations if o != home])
                assignee = None
                if status in (Status.IN_PROGRESS, Status.CLOSED) and rng.random() < 0.9:
                    assignee = rng.choice(people[handler.pk])
                closed = status == Status.CLOSED
                signals.append(
                    Signal(
                        reference=f"HKIN-{n // 10000:04d}-{n % 10000:04d}",
                        reporter=rng.choice(reporters),
                        reported_to=home,
                        organisation=handler,
                        category=rng.choice(categories),
                        description="Benchmarktekst " * 20,
                        location="Benchmarkstraat 1",
                        status=status,
                        assignee=assignee,
                        received_at=received,
                        last_activity_at=received + timedelta(hours=5),
                        deadline_at=None if closed else received + timedelta(days=3),
                        first_picked_up_at=received + timedelta(hours=5) if assignee else None,
                        closed_at=received + timedelta(days=4) if closed else None,
                        close_reason="no_grounds" if closed else "",
                        close_explanation="Klaar" if closed else "",
                    )
                )
                forwarded_to.append(handler if handler != home else None)
            created = Signal.objects.bulk_create(signals)
            accesses, events = [], []
            for signal, target in zip(created, forwarded_to, strict=True):
                accesses.append(
                    SignalAccess(
                        signal=signal,
                        organisation_id=signal.reported_to_id,
                        via="reported",
                        granted_at=signal.received_at,
                    )
                )
                if target is not None:
                    accesses.append(
                        SignalAccess(
                            signal=signal,
                            organisation=target,
                            via="forwarded",
                            granted_at=signal.received_at,
                        )
                    )
                events.append(
                    SignalEvent(
                        signal=signal,
                        kind="reported",
                        actor_id=signal.reporter_id,
                        shared_with_reporter=True,
                        created_at=signal.received_at,
                    )
                )
            SignalAccess.objects.bulk_create(accesses)
            SignalEvent.objects.bulk_create(events)
        measured = people[organisations[0].pk][0]
        TOTP.activate(measured, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return measured


DEEP_ROW = 299 * 50  # the first row of what was page 300 with 50 signals a page


def deep_cursor(user, sort: str, status: str = "all") -> str:
    """The cursor of the "Volgende" link that leads to the page starting at ``DEEP_ROW``."""
    from portal.cursor_pagination import make_cursor
    from signalen import selectors

    filters = selectors.QueueFilters(status=status, sort=sort)
    rows = selectors.signal_queue(user=user, filters=filters)
    before_deep = rows[DEEP_ROW - 1]
    return make_cursor(
        before_deep, keys=selectors.queue_sort_keys(sort), salt=selectors.QUEUE_CURSOR_SALT
    )


def explain(pages, path: str) -> None:
    """Write EXPLAIN (ANALYZE, BUFFERS) of each query of each page that reads signals."""
    from django.db import connection

    with open(path, "w", encoding="utf-8") as out:
        for page in pages:
            executed = []

            def capture(execute, sql, params, many, context, executed=executed):
                executed.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(capture):
                page.client.get(page.url)
            for sql, params in executed:
                if "signalen_signal" not in sql or not sql.lstrip("( ").upper().startswith(
                    "SELECT"
                ):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    statement = cursor.mogrify(sql, params).decode()
                out.write(f"-- {page.name}: {page.url}\n{statement};\n{plan}\n\n")
    print(f"\nquery plans written to {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--explain", metavar="FILE", help="write the query plans to FILE")
    args = parser.parse_args(argv)

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.timing import TRIVIAL_URL, Page, print_table, time_pages
    from signalen.models import Signal
    from signalen.selectors import signals_visible_to

    call_command("migrate", verbosity=0)
    user = generate(args.signals)
    # The bulk inserts bypass the services that keep the dashboard's counters.
    call_command("signalen_tally", "--repair", verbosity=0)
    client = Client()
    client.force_login(user)
    visible = signals_visible_to(user).count()
    print(
        f"signals in database: {Signal.objects.count():,}; visible to the measured contact "
        f"person: {visible:,}"
    )
    deep = deep_cursor(user, "newest")
    deep_deadline = deep_cursor(user, "deadline")

    pages = [
        Page("queue: open (default)", client, "/signalen/"),
        Page("queue: all statuses", client, "/signalen/?status=all"),
        Page("queue: status new", client, "/signalen/?status=new"),
        Page("queue: oldest first", client, "/signalen/?status=all&sort=oldest"),
        Page("queue: sort by deadline", client, "/signalen/?status=all&sort=deadline"),
        Page("queue: sort by category", client, "/signalen/?status=all&sort=category"),
        Page("queue: overdue only", client, "/signalen/?overdue=on"),
        Page("queue: assigned to me", client, "/signalen/?status=all&assignee=me"),
        Page("queue: category + age", client, "/signalen/?status=all&category=1&age=gt30"),
        Page("queue: deep page (cursor)", client, f"/signalen/?status=all&na={deep}"),
        Page("queue: deep, back (cursor)", client, f"/signalen/?status=all&voor={deep}"),
        Page(
            "queue: deep, deadline",
            client,
            f"/signalen/?status=all&sort=deadline&na={deep_deadline}",
        ),
        Page("signalen dashboard", client, "/signalen/dashboard/"),
    ]
    if args.explain:
        explain(pages, args.explain)
    baseline, rows = time_pages(
        Page("trivial view", client, TRIVIAL_URL), pages, repeat=args.repeat
    )
    print_table(
        f"Signalen triage queue and dashboard, {args.signals:,} signals (server time)",
        rows,
        baseline,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
