"""Benchmark: every list page at the benchmark volume and at ten times that volume.

    .venv/bin/python -m bench.list_pages [--repeat 40] [--units 10] [--only "programme dashboard"]

Two PostgreSQL databases of its own (``portal_list_bench_1x`` and ``portal_list_bench_10x``,
the prefix from DATABASE_URL), created, migrated and filled on the first run: one unit of
volume in the first, ``--units`` of them in the second. A unit is the trainings benchmark
volume (20,000 people, 2,000 runs, 100,000 enrolments, ``manage.py bench_trainings_data``),
10,000 library resources (``bench.library_search``), 50 werkplaatsen of 30 people in groups
with four sessions, 20 verkenningen of 30 contacts and 20 interviews, five examples in every
held bewustwordingssessie and a third of the people findable in the netwerk. Every unit goes
into the same programme and the same 50 organisations, so the programme dashboard, the
funnel, the calendar and the searches all read ten times the rows in the second database.

Then, per database, the pages are timed through Django's test client with the full
middleware stack, interleaved with the trivial view, and the table prints median and 95th
percentile, the p95 ratio to the trivial view of the same database and the queries of one
request, for both volumes side by side.
"""

import argparse
import os
import random
import sys
from datetime import date, timedelta
from urllib.parse import urlparse, urlunparse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_list_bench")

from bench.signalen_queue import ensure_database  # noqa: E402

TARGET = 8.0
RUN_ENROLMENTS = 400
WERKPLAATSEN_PER_UNIT = 50
WERKPLAATS_SIZE = 30
VERKENNINGEN_PER_UNIT = 20
CONTACTS = 30
INTERVIEWS = 20
EXAMPLES_PER_SESSION = 5


def database_url(suffix: str) -> str:
    parsed = urlparse(os.environ["DATABASE_URL"])
    return urlunparse(parsed._replace(path=f"{parsed.path}_{suffix}"))


def use_database(url: str) -> None:
    """Point the default connection at another database (closed first, reopened lazily)."""
    from django.core.cache import cache
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = urlparse(url).path.lstrip("/")
    # Cached reads (permissions, counts) belong to the other database.
    cache.clear()


def unit_people(unit: int):
    from bench.management.commands.bench_trainings_data import BENCH_EMAIL_DOMAIN
    from portal.models import User

    marker = f"-{unit}@" if unit else None
    people = User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}")
    if marker:
        return people.filter(email__contains=marker)
    return people.exclude(email__regex=r"-[0-9]+@")


def grow_werkplaats(unit: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from portal.models import Organisation, Programme
    from werkplaats.models import Group, Participation, Session, Werkplaats

    programme = Programme.objects.get(name="Werkend leren (benchmark)")
    organisations = list(Organisation.objects.filter(name__startswith="Bench organisatie "))
    people = list(unit_people(unit).order_by("pk").values_list("pk", flat=True))
    facilitators, participants = people[10:60], people[60:]
    now = timezone.now()
    with transaction.atomic():
        werkplaatsen = Werkplaats.objects.bulk_create(
            Werkplaats(
                title=f"Domeinoverstijgend samenwerken {unit}-{n}",
                organisation=organisations[n % len(organisations)],
                programme=programme,
                description="Een werkplaats uit de benchmark.",
            )
            for n in range(WERKPLAATSEN_PER_UNIT)
        )
        Werkplaats.facilitators.through.objects.bulk_create(
            Werkplaats.facilitators.through(werkplaats=w, user_id=rng.choice(facilitators))
            for w in werkplaatsen
        )
        groups = Group.objects.bulk_create(
            Group(werkplaats=w, number=g + 1)
            for w in werkplaatsen
            for g in range(WERKPLAATS_SIZE // 6)
        )
        by_werkplaats = {}
        for group in groups:
            by_werkplaats.setdefault(group.werkplaats_id, []).append(group)
        Participation.objects.bulk_create(
            Participation(werkplaats=w, user_id=user_id, group=by_werkplaats[w.pk][i % 5])
            for w in werkplaatsen
            for i, user_id in enumerate(rng.sample(participants, WERKPLAATS_SIZE))
        )
        Session.objects.bulk_create(
            Session(
                werkplaats=w,
                starts_at=now + timedelta(days=days),
                ends_at=now + timedelta(days=days, hours=4),
                location="Stadhuis",
            )
            for w in werkplaatsen
            for days in (-40, -10, 20, 50)
        )


def grow_verkenning(unit: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from portal.models import Organisation, Programme
    from verkenning.models import Contact, Interview, Observation, Theme, Verkenning

    programme = Programme.objects.get(name="Werkend leren (benchmark)")
    organisations = list(Organisation.objects.filter(name__startswith="Bench organisatie "))
    verkenners = list(unit_people(unit).order_by("pk").values_list("pk", flat=True)[10:60])
    themes = list(Theme.objects.all())
    today = timezone.localdate()
    with transaction.atomic():
        verkenningen = Verkenning.objects.bulk_create(
            Verkenning(
                programme=programme,
                organisation=organisations[n % len(organisations)],
                title=f"Verkenning {unit}-{n}",
                status="in_conversations",
            )
            for n in range(VERKENNINGEN_PER_UNIT)
        )
        Verkenning.verkenners.through.objects.bulk_create(
            Verkenning.verkenners.through(verkenning=v, user_id=rng.choice(verkenners))
            for v in verkenningen
        )
        contacts = Contact.objects.bulk_create(
            Contact(
                verkenning=v,
                name=f"Contact {n:02d}",
                department=["Veiligheid", "Wijkteam", "Werk en inkomen"][n % 3],
                status="spoken" if n < INTERVIEWS else "to_approach",
            )
            for v in verkenningen
            for n in range(CONTACTS)
        )
        interviews = Interview.objects.bulk_create(
            Interview(
                verkenning_id=c.verkenning_id,
                contact=c,
                verkenner_id=None,
                held_on=today - timedelta(days=rng.randint(0, 60)),
                duration_minutes=45,
            )
            for c in contacts
            if c.status == "spoken"
        )
        observations = Observation.objects.bulk_create(
            Observation(
                interview=interview,
                kind=["energie", "hindernis", "weerstand"][(i + j) % 3],
                text=f"Observatie {i}-{j}",
                include_as_quote=(i % 10 == 0),
            )
            for i, interview in enumerate(interviews)
            for j in range(2)
        )
        if themes:
            Observation.themes.through.objects.bulk_create(
                Observation.themes.through(observation=o, theme=themes[i % len(themes)])
                for i, o in enumerate(observations)
            )


def grow_awareness_and_network(unit: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from portal.models import NetworkProfile
    from trainings.models import AwarenessExample, Session, TrainingFormat

    people = unit_people(unit)
    sessions = Session.objects.filter(
        run__training__format=TrainingFormat.AWARENESS,
        starts_at__lt=timezone.now(),
        awareness_examples__isnull=True,
        run__trainers__email__in=people.values("email"),
    ).values_list("pk", flat=True)
    with transaction.atomic():
        AwarenessExample.objects.bulk_create(
            AwarenessExample(
                session_id=pk, text=f"Voorbeeld {n}", theme="", submission_key=f"bench-{n}"
            )
            for pk in set(sessions)
            for n in range(EXAMPLES_PER_SESSION)
        )
        NetworkProfile.objects.bulk_create(
            NetworkProfile(
                user_id=pk, findable=True, consent_version="2026-11", consented_at=timezone.now()
            )
            for pk in people.values_list("pk", flat=True)
            if rng.random() < 1 / 3
        )


def fill(units: int) -> None:
    """Top the current database up to ``units`` units; a unit already there is skipped."""
    from django.core.management import call_command
    from django.db import connection

    from bench.library_search import generate as generate_library
    from bench.management.commands.bench_trainings_data import bench_email
    from portal.models import NetworkProfile, User
    from trainings.models import Resource
    from verkenning.models import Verkenning
    from werkplaats.models import Werkplaats

    for unit in range(units):
        # Each part checks for itself, so a fill that broke off resumes where it stopped.
        rng = random.Random(4000 + unit)
        if not User.objects.filter(email=bench_email(0, unit)).exists():
            print(f"  filling unit {unit + 1} of {units}", flush=True)
            call_command("bench_trainings_data", unit=unit, verbosity=0)
        missing = 10_000 * (unit + 1) - Resource.objects.count()
        if missing > 0:
            generate_library(missing, seed=2028 + unit)
        if not Werkplaats.objects.filter(title=f"Domeinoverstijgend samenwerken {unit}-0").exists():
            grow_werkplaats(unit, rng)
        if not Verkenning.objects.filter(title=f"Verkenning {unit}-0").exists():
            grow_verkenning(unit, rng)
        if not NetworkProfile.objects.filter(user__in=unit_people(unit)).exists():
            grow_awareness_and_network(unit, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def fullest_run_topped_up():
    """The fullest upcoming run, with a waiting list making ``RUN_ENROLMENTS`` enrolments."""
    from bench.trainings_pages import fullest_run
    from trainings.models import Enrolment, EnrolmentStatus

    run = fullest_run()
    missing = RUN_ENROLMENTS - run.enrolments.count()
    if missing > 0:
        people = (
            unit_people(0)
            .exclude(enrolments__run=run)
            .order_by("pk")
            .values_list("pk", flat=True)[60 : 60 + missing]
        )
        Enrolment.objects.bulk_create(
            Enrolment(
                run=run,
                participant_id=pk,
                status=EnrolmentStatus.WAITLISTED,
                requested_at=run.enrolment_opens_at + timedelta(hours=2, minutes=n),
            )
            for n, pk in enumerate(people)
        )
    return run


def pages():
    """The pages to time, each with the client of the person who would open it."""
    from django.test import Client
    from django.utils import timezone

    from bench.timing import Page
    from bench.trainings_pages import busiest_month, heavy_participant, measured_coordinator
    from dashboard import services as dashboard_services
    from portal.models import Organisation, Programme
    from trainings import services as training_services
    from verkenning.models import Verkenning
    from werkplaats.models import Werkplaats

    participant = heavy_participant(60)
    coordinator = measured_coordinator()
    run = fullest_run_topped_up()
    month = busiest_month()
    programme = Programme.objects.get(name="Werkend leren (benchmark)")
    # The programme dashboard and the funnel show what a task counted (a worker does it in
    # production): counted here first, for the year the pages open on.
    year = timezone.localdate().year
    training_services.programme_overview_count(
        programme_id=programme.pk, first=date(year, 1, 1), last=date(year, 12, 31)
    )
    dashboard_services.awareness_funnel_count(programme_id=programme.pk, year=year)
    werkplaats = Werkplaats.objects.filter(title__startswith="Domeinoverstijgend").order_by("pk")[0]
    verkenning = Verkenning.objects.filter(title__startswith="Verkenning ").order_by("pk")[0]
    organisation = Organisation.objects.filter(name__startswith="Bench organisatie ").first()
    as_participant, as_coordinator = Client(), Client()
    as_participant.force_login(participant)
    as_coordinator.force_login(coordinator)
    library = "/trainingen/bibliotheek/"
    return Page("trivial view", as_participant, "/bench/trivial/"), [
        Page("catalogue", as_participant, "/trainingen/"),
        Page("catalogue page 5", as_participant, "/trainingen/?pagina=5"),
        Page("calendar month", as_coordinator, f"/trainingen/kalender/?maand={month}"),
        # Where a day's "nog N meer" leads: that day's sessions, a page of 50.
        Page("calendar day", as_coordinator, f"/trainingen/kalender/?dag={month}-15"),
        Page("my trainings", as_participant, "/trainingen/mijn/"),
        Page("run detail", as_participant, f"/trainingen/uitvoeringen/{run.pk}/"),
        Page("run detail (coord.)", as_coordinator, f"/trainingen/uitvoeringen/{run.pk}/"),
        Page("run register", as_coordinator, f"/trainingen/uitvoeringen/{run.pk}/deelnemers/"),
        Page("werkplaats list", as_coordinator, "/werkplaatsen/"),
        Page("werkplaats detail", as_coordinator, f"/werkplaatsen/{werkplaats.pk}/"),
        Page("werkplaats groups", as_coordinator, f"/werkplaatsen/{werkplaats.pk}/groepen/"),
        Page("verkenning list", as_coordinator, "/verkenningen/"),
        Page("verkenning synthesis", as_coordinator, f"/verkenningen/{verkenning.pk}/synthese/"),
        Page(
            "programme dashboard",
            as_coordinator,
            f"/trainingen/programma/{programme.pk}/dashboard/",
        ),
        Page(
            "dashboard runs page",
            as_coordinator,
            f"/trainingen/programma/{programme.pk}/dashboard/uitvoeringen/",
        ),
        Page("bewustwording funnel", as_coordinator, "/bewustwording/trechter/"),
        Page("home (participant)", as_participant, "/"),
        Page("home (coordinator)", as_coordinator, "/"),
        Page("library", as_participant, library),
        Page("library common word", as_participant, f"{library}?q=ondermijnende"),
        Page("library page 40", as_participant, f"{library}?q=partners&pagina=40"),
        Page("netwerk", as_participant, "/netwerk/"),
        Page("netwerk search", as_participant, f"/netwerk/?organisatie={organisation.pk}"),
    ]


def measure(url: str, units: int, repeat: int, only: str = ""):
    from django.core.management import call_command

    from bench.timing import print_table, time_pages
    from portal.models import User
    from trainings.models import Enrolment, Resource, Run

    ensure_database(url)
    use_database(url)
    call_command("migrate", verbosity=0)
    fill(units)
    baseline, measured = pages()
    measured = [page for page in measured if only in page.name]
    volume = (
        f"{User.objects.count():,} people, {Run.objects.count():,} runs, "
        f"{Enrolment.objects.count():,} enrolments, {Resource.objects.count():,} resources"
    )
    print(f"{units}x: {volume}", flush=True)
    baseline, rows = time_pages(baseline, measured, repeat=repeat)
    # Printed at once as well: measuring the larger volume takes a while.
    print_table(f"List pages at {units}x (server time)", rows, baseline)
    return baseline, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument(
        "--only", default="", help="time only the pages whose name contains this text"
    )
    args = parser.parse_args(argv)

    import django

    django.setup()

    results = [
        (1, *measure(database_url("1x"), 1, args.repeat, args.only)),
        (args.units, *measure(database_url(f"{args.units}x"), args.units, args.repeat, args.only)),
    ]
    header = "".join(
        f"{f'{units}x p50':>10}{'p95':>7}{'ratio':>7}{'q':>4}" for units, _b, _r in results
    )
    print("\nList pages (server time in ms; ratio = p95 / p95 of the trivial view)\n")
    print(f"{'page':<24}{header}")
    missed = []
    names = [row.name for row in results[0][2]]
    baselines = [b for _u, b, _r in results]
    for index, name in enumerate(["trivial view", *names]):
        line = f"{name:<24}"
        for (units, baseline, rows), base in zip(results, baselines, strict=True):
            row = baseline if index == 0 else rows[index - 1]
            ratio = row.p95_ms / base.p95_ms
            queries = "" if row.queries is None else str(row.queries)
            line += f"{row.median_ms:>10.1f}{row.p95_ms:>7.1f}{ratio:>7.1f}{queries:>4}"
            if ratio > TARGET:
                missed.append(f"{name} at {units}x")
        print(line)
    constant = [
        n for i, n in enumerate(names) if results[0][2][i].queries != results[1][2][i].queries
    ]
    print(
        f"\ntarget (p95 <= {TARGET:g}x trivial at both volumes): "
        + ("met" if not missed else f"missed by {missed}")
    )
    print("queries equal at both volumes: " + ("yes" if not constant else f"no: {constant}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
