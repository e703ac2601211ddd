"""Benchmark: the trainings pages at realistic volume, next to the trivial view.

    .venv/bin/python -m bench.trainings_pages [--repeat 60] [--my-enrolments 60]

Uses a PostgreSQL database of its own (``portal_trainings_bench`` unless DATABASE_URL
is set), creates and migrates it when missing, fills it once with
``manage.py bench_trainings_data`` (50 organisations, 20,000 users, 2,000 runs,
100,000 enrolments), then times the catalogue, the busiest calendar month, the
fullest run's detail page and "my trainings" of a participant with many enrolments,
through Django's test client with the full middleware stack.
"""

import argparse
import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault(
    "DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_trainings_bench"
)

from bench.signalen_queue import ensure_database  # noqa: E402

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def heavy_participant(wanted: int):
    """The participant with the most enrolments, topped up to ``wanted`` of them.

    The generator spreads 100,000 enrolments over 20,000 people (about five each); a
    long-time participant has many more, and that is the "my trainings" worth timing.
    Topping up is idempotent: a second run finds the enrolments already there.
    """
    from django.db import transaction
    from django.db.models import Count

    from bench.management.commands.bench_trainings_data import BENCH_EMAIL_DOMAIN
    from portal.models import Role, User
    from trainings.models import Enrolment, EnrolmentStatus, Run, RunStatus

    person = (
        User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}")
        .exclude(role_assignments__role__in=(Role.COORDINATOR, Role.TRAINER))
        .annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .first()
    )
    missing = wanted - person.enrolments.count()
    if missing > 0:
        runs = (
            Run.objects.filter(status=RunStatus.PUBLISHED)
            .exclude(enrolments__participant=person)
            .order_by("pk")[:missing]
        )
        with transaction.atomic():
            Enrolment.objects.bulk_create(
                Enrolment(
                    run=run,
                    participant=person,
                    # One in five waiting: the page then shows waiting-list positions too.
                    status=EnrolmentStatus.WAITLISTED if n % 5 == 4 else EnrolmentStatus.ENROLLED,
                    requested_at=run.enrolment_opens_at + timedelta(hours=1),
                    enrolled_at=None if n % 5 == 4 else run.enrolment_opens_at + timedelta(hours=1),
                )
                for n, run in enumerate(runs)
            )
    return person


def measured_coordinator():
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from bench.management.commands.bench_trainings_data import BENCH_EMAIL_DOMAIN
    from portal.models import Role, User

    person = (
        User.objects.filter(
            email__endswith=f"@{BENCH_EMAIL_DOMAIN}", role_assignments__role=Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )
    # Coordinators must have a second factor before any page; the login itself is forced.
    if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person, TOTP_SECRET)
    return person


def busiest_month() -> str:
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from trainings.models import Session

    month = (
        Session.objects.annotate(month=TruncMonth("starts_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n", "month")
        .values_list("month", flat=True)
        .first()
    )
    return f"{month:%Y-%m}"


def fullest_run():
    from django.db.models import Count
    from django.utils import timezone

    from trainings.models import Run, RunStatus

    return (
        Run.objects.filter(status=RunStatus.PUBLISHED, starts_at__gt=timezone.now())
        .annotate(n=Count("enrolments"))
        .order_by("-n", "capacity", "pk")
        .first()
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--my-enrolments", type=int, default=60)
    args = parser.parse_args(argv)

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.timing import TRIVIAL_URL, Page, print_table, time_pages
    from portal.models import Organisation, User
    from trainings.models import Enrolment, Run

    call_command("migrate", verbosity=0)
    call_command("bench_trainings_data")
    participant = heavy_participant(args.my_enrolments)
    coordinator = measured_coordinator()
    month = busiest_month()
    run = fullest_run()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"organisations: {Organisation.objects.count():,}, users: {User.objects.count():,}, "
        f"runs: {Run.objects.count():,}, enrolments: {Enrolment.objects.count():,}"
    )
    print(
        f"measured: {participant.enrolments.count()} enrolments of {participant.email}; "
        f"month {month}; run {run.pk} with {run.n} enrolments and {run.capacity} places"
    )

    as_participant, as_coordinator = Client(), Client()
    as_participant.force_login(participant)
    as_coordinator.force_login(coordinator)
    pages = [
        Page("catalogue", as_participant, "/trainingen/"),
        Page("calendar month", as_coordinator, f"/trainingen/kalender/?maand={month}"),
        Page("run detail", as_participant, f"/trainingen/uitvoeringen/{run.pk}/"),
        Page("run detail (coordinator)", as_coordinator, f"/trainingen/uitvoeringen/{run.pk}/"),
        Page("my trainings", as_participant, "/trainingen/mijn/"),
    ]
    baseline, rows = time_pages(
        Page("trivial view", as_participant, TRIVIAL_URL), pages, repeat=args.repeat
    )
    print_table("Trainings pages at benchmark volume (server time)", rows, baseline)
    slow = [r.name for r in rows if r.p95_ms >= 50 or r.p95_ms >= 10 * baseline.p95_ms]
    print("target (p95 < 50 ms and < 10x trivial): " + ("met" if not slow else f"missed by {slow}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
