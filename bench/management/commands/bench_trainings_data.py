"""Fill the database with a realistic volume of partners, people, runs and enrolments.

Defaults: 50 organisations, 20,000 users, 2,000 runs, 100,000 enrolments. Rows are
written with bulk inserts straight into the tables: this measures reading at volume,
so the enrolment rules are not exercised here (the test suite does that).
"""

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from portal.models import Discipline, Organisation, Programme, Role, RoleAssignment, User
from trainings.models import (
    AWARENESS_MAX_PLACES,
    DevelopmentPlan,
    Enrolment,
    EnrolmentStatus,
    Reflection,
    Run,
    RunStatus,
    Session,
    Training,
    TrainingFormat,
)

BENCH_EMAIL_DOMAIN = "bench.example"
BATCH = 5_000


def bench_email(number: int, unit: int = 0) -> str:
    """The address of a generated person; the first unit keeps the addresses it always had."""
    return f"persoon{number:05d}{f'-{unit}' if unit else ''}@{BENCH_EMAIL_DOMAIN}"


class Command(BaseCommand):
    help = "Generate benchmark volume for the trainings pages (refuses to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=50)
        parser.add_argument("--users", type=int, default=20_000)
        parser.add_argument("--runs", type=int, default=2_000)
        parser.add_argument("--enrolments", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2027)
        parser.add_argument(
            "--unit",
            type=int,
            default=0,
            help="Add another unit of this volume next to the first (1, 2, ...): people get "
            "addresses of their own, organisations and the programme are shared.",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Benchmark data belongs in PostgreSQL.")
        unit = options["unit"]
        if User.objects.filter(email=bench_email(0, unit)).exists():
            self.stdout.write("Benchmark data already present; nothing to do.")
            return
        rng = random.Random(options["seed"] + unit)
        with transaction.atomic():
            organisations = self._organisations(options["organisations"])
            users = self._users(rng, organisations, options["users"], unit)
            runs = self._runs(rng, organisations, users, options["runs"])
            self._enrolments(rng, users, runs, options["enrolments"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("Benchmark data ready."))

    def _organisations(self, count: int) -> list[Organisation]:
        existing = list(
            Organisation.objects.filter(name__startswith="Bench organisatie ").order_by("name")
        )
        if existing:
            return existing
        kinds = [choice for choice, _ in Organisation.Kind.choices]
        organisations = [
            Organisation(name=f"Bench organisatie {i:03d}", kind=kinds[i % len(kinds)])
            for i in range(count)
        ]
        return Organisation.objects.bulk_create(organisations)

    def _users(self, rng, organisations, count: int, unit: int) -> list[User]:
        password = make_password("bench-wachtwoord-2027")
        disciplines = [choice for choice, _ in Discipline.choices]
        users = [
            User(
                email=bench_email(i, unit),
                full_name=f"Bench Persoon {i:05d}" + (f" ({unit})" if unit else ""),
                organisation=rng.choice(organisations),
                discipline=rng.choice(disciplines),
                job_title="Medewerker",
                password=password,
            )
            for i in range(count)
        ]
        users = User.objects.bulk_create(users, batch_size=BATCH)
        # The first ten are coordinators, the next fifty trainers.
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=u, role=Role.COORDINATOR) for u in users[:10]]
            + [RoleAssignment(user=u, role=Role.TRAINER) for u in users[10:60]]
        )
        self.stdout.write(f"  {len(organisations)} organisations, {len(users)} users")
        return users

    def _runs(self, rng, organisations, users, count: int) -> list[Run]:
        programme, _ = Programme.objects.get_or_create(name="Werkend leren (benchmark)")
        programme.coordinators.add(*users[:10])
        formats = [choice for choice, _ in TrainingFormat.choices]
        trainings = Training.objects.bulk_create(
            [
                Training(
                    programme=programme,
                    title=f"Hoe werkt {organisations[i % len(organisations)].name}? ({i})",
                    description="Een kijkje in de keuken van een partnerorganisatie.",
                    provider=organisations[i % len(organisations)],
                    format=formats[i % len(formats)],
                    # An awareness session has at most 20 places (a database constraint).
                    default_capacity=(
                        AWARENESS_MAX_PLACES
                        if formats[i % len(formats)] == TrainingFormat.AWARENESS
                        else 25
                    ),
                )
                for i in range(max(1, count // 10))
            ]
        )
        now = timezone.now()
        runs, session_specs = [], []
        for _ in range(count):
            start = now + timedelta(days=rng.randint(-180, 365), hours=rng.choice([9, 13]))
            session_count = rng.choice([1, 1, 2, 3])
            runs.append(
                Run(
                    training=rng.choice(trainings),
                    capacity=rng.choice([15, 20, 25, 40, 60]),
                    enrolment_opens_at=start - timedelta(days=60),
                    enrolment_closes_at=start - timedelta(days=2),
                    location=f"Vergaderzaal {rng.randint(1, 40)}",
                    status=RunStatus.PUBLISHED if rng.random() < 0.9 else RunStatus.DRAFT,
                    starts_at=start,
                    ends_at=start + timedelta(days=7 * (session_count - 1), hours=4),
                )
            )
            session_specs.append([start + timedelta(days=7 * n) for n in range(session_count)])
        runs = Run.objects.bulk_create(runs, batch_size=BATCH)
        Session.objects.bulk_create(
            [
                Session(run=run, starts_at=start, ends_at=start + timedelta(hours=4))
                for run, starts in zip(runs, session_specs, strict=True)
                for start in starts
            ],
            batch_size=BATCH,
        )
        trainers = users[10:60]
        Run.trainers.through.objects.bulk_create(
            [Run.trainers.through(run=run, user=rng.choice(trainers)) for run in runs],
            batch_size=BATCH,
        )
        self.stdout.write(f"  {len(trainings)} trainings, {len(runs)} runs")
        return runs

    def _enrolments(self, rng, users, runs, count: int) -> None:
        participants = users[60:]
        per_run = max(1, count // len(runs))
        enrolments = []
        for run in runs:
            chosen = rng.sample(participants, min(per_run, len(participants)))
            for position, participant in enumerate(chosen):
                requested = run.enrolment_opens_at + timedelta(minutes=position)
                status = (
                    EnrolmentStatus.ENROLLED
                    if position < run.capacity
                    else EnrolmentStatus.WAITLISTED
                )
                if rng.random() < 0.05:
                    status = EnrolmentStatus.CANCELLED
                enrolments.append(
                    Enrolment(
                        run=run,
                        participant=participant,
                        status=status,
                        requested_at=requested,
                        enrolled_at=requested if status == EnrolmentStatus.ENROLLED else None,
                    )
                )
        enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
        enrolled = [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED]
        DevelopmentPlan.objects.bulk_create(
            [
                DevelopmentPlan(enrolment=e, content_goals="Begrijpen hoe de partner werkt.")
                for e in enrolled[::3]
            ],
            batch_size=BATCH,
        )
        first_sessions = dict(
            Session.objects.order_by("run_id", "starts_at")
            .distinct("run_id")
            .values_list("run_id", "id")
        )
        Reflection.objects.bulk_create(
            [
                Reflection(
                    enrolment=e,
                    session_id=first_sessions[e.run_id],
                    struck_me="Hoeveel signalen we zelf al zien.",
                )
                for e in enrolled[::5]
            ],
            batch_size=BATCH,
        )
        self.stdout.write(f"  {len(enrolments)} enrolments")
