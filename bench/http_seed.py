"""The people and content the HTTP load benchmark and the HTTP enrolment race log in as.

    python -m bench.http_seed load   # once per database: the four roles and their content
    python -m bench.http_seed race   # each time: a fresh run of 20 places, 200 logged-in people

Run under the production settings with the same environment as gunicorn (the TOTP secrets
are encrypted with its MFA key), through the portal's services where they exist. Passwords
are hashed once with the production hasher and the hash shared, so filling takes seconds.
Prints one line ``SEED_RESULT <json>``.
"""

import json
import os
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.http_harness import PASSWORD, totp_secret  # noqa: E402
from portal import services as portal_services  # noqa: E402
from portal.models import (  # noqa: E402
    Organisation,
    OrganisationEmailDomain,
    Programme,
    Role,
    User,
)
from signalen import services as signal_services  # noqa: E402
from signalen.models import Category, Signal  # noqa: E402
from trainings import services as training_services  # noqa: E402
from trainings.models import Enrolment, Run, Session, Training  # noqa: E402

DOMAIN = "lastproef.example"
MARKER = "Gemeente Lastproef"
PER_ROLE = 48
RACE_PEOPLE = 200
RACE_PLACES = 20
TRAININGS = 10
RUNS_PER_TRAINING = 3
SIGNALS = 1000
RACE_LOCATION = "Stadhuis, de grote zaal"


def address(role: str, index: int) -> str:
    return f"{role}{index:03d}@{DOMAIN}"


def people(role: str, count: int, organisation: Organisation, password: str) -> list[User]:
    users = User.objects.bulk_create(
        User(
            email=address(role, index),
            full_name=f"{role.capitalize()} Lastproef {index:03d}",
            organisation=organisation,
            job_title="Medewerker",
            password=password,
        )
        for index in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return users


def seed_load() -> dict:
    gemeente = Organisation.objects.filter(name=MARKER).first()
    if gemeente is None:
        with transaction.atomic():
            fill()
        gemeente = Organisation.objects.get(name=MARKER)
    signals(gemeente)
    programme = Programme.objects.get(name="Lastproef")
    runs = Run.objects.filter(training__programme=programme).exclude(location=RACE_LOCATION)
    return {
        "programme_id": programme.pk,
        "organisation_id": gemeente.pk,
        "run_ids": [run.pk for run in runs.order_by("pk")],
        "roles": {
            role: [address(role, index) for index in range(PER_ROLE)]
            for role in ("deelnemer", "coordinator", "contactpersoon", "melder")
        },
    }


def fill() -> None:
    password = make_password(PASSWORD)
    gemeente = Organisation.objects.create(name=MARKER, kind=Organisation.Kind.GEMEENTE)
    OrganisationEmailDomain.objects.create(organisation=gemeente, domain=DOMAIN)
    politie = Organisation.objects.create(name="Politie Lastproef", kind=Organisation.Kind.POLITIE)
    programme = Programme.objects.create(name="Lastproef", description="Belasting over HTTP.")

    coordinators = people("coordinator", PER_ROLE, politie, password)
    for user in coordinators:
        portal_services.role_assign(user=user, role=Role.COORDINATOR)
        TOTP.activate(user, totp_secret(user.email))
    programme.coordinators.add(*coordinators)
    contacts = people("contactpersoon", PER_ROLE, gemeente, password)
    for user in contacts:
        portal_services.role_assign(user=user, role=Role.CONTACT_PERSON, organisation=gemeente)
        TOTP.activate(user, totp_secret(user.email))
    participants = people("deelnemer", PER_ROLE, gemeente, password)
    people("melder", PER_ROLE, gemeente, password)
    people("race", RACE_PEOPLE, gemeente, password)

    now = timezone.now()
    runs = []
    for number in range(TRAININGS):
        training = training_services.training_create(
            actor=coordinators[0],
            programme=programme,
            title=f"Lastproef training {number:02d}",
            description="Herkennen en melden van signalen van ondermijning. " * 5,
            provider=politie,
        )
        for edition in range(RUNS_PER_TRAINING):
            first = now + timedelta(days=2 + edition)
            run = training_services.run_create(
                actor=coordinators[0],
                training=training,
                capacity=40,
                enrolment_opens_at=now - timedelta(days=1),
                enrolment_closes_at=now + timedelta(days=1),
                location=f"Stadhuis zaal {edition + 1}",
                sessions=[
                    (first, first + timedelta(hours=3)),
                    (first + timedelta(days=7), first + timedelta(days=7, hours=3)),
                ],
            )
            runs.append(training_services.run_publish(actor=coordinators[0], run=run))
    for index, participant in enumerate(participants):
        for step in range(3):
            run = runs[(index * 3 + step) % len(runs)]
            training_services.enrolment_create(run=run, participant=participant)
    # The first session of every run took place yesterday: reflections and attendance open.
    for run in runs:
        first = run.sessions.order_by("starts_at").first()
        yesterday = now - timedelta(days=1)
        Session.objects.filter(pk=first.pk).update(
            starts_at=yesterday, ends_at=yesterday + timedelta(hours=3)
        )


def signals(gemeente: Organisation) -> None:
    """The reported signals, each in a transaction of its own (as the service requires)."""
    reporters = list(User.objects.filter(email__startswith="melder", organisation=gemeente))
    categories = list(Category.objects.filter(is_active=True).order_by("position"))
    for number in range(Signal.objects.filter(organisation=gemeente).count(), SIGNALS):
        signal_services.signal_create(
            reporter=reporters[number % len(reporters)],
            organisation=gemeente,
            category=categories[number % len(categories)],
            description=f"Lastproefmelding {number}: een pand waar 's nachts steeds licht brandt.",
            location=f"Dorpsstraat {number % 200 + 1}",
        )


def seed_race() -> dict:
    """A fresh published run with 20 places, and a session of each of the 200 racers."""
    if not Organisation.objects.filter(name=MARKER).exists():
        with transaction.atomic():
            fill()
    coordinator = User.objects.get(email=address("coordinator", 0))
    training = Training.objects.filter(programme__name="Lastproef").order_by("pk").first()
    now = timezone.now()
    first = now + timedelta(days=3)
    with transaction.atomic():
        run = training_services.run_create(
            actor=coordinator,
            training=training,
            capacity=RACE_PLACES,
            enrolment_opens_at=now - timedelta(hours=1),
            enrolment_closes_at=now + timedelta(days=1),
            location=RACE_LOCATION,
            sessions=[(first, first + timedelta(hours=3))],
        )
        training_services.run_publish(actor=coordinator, run=run)
    racers = User.objects.filter(email__startswith="race", email__endswith=f"@{DOMAIN}")
    sessions = []
    for user in racers.order_by("email")[:RACE_PEOPLE]:
        # The session a login over HTTP would store: the race measures enrolling, and the
        # production password hasher would spend most of a minute on 200 logins.
        client = Client()
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert not Enrolment.objects.filter(run=run).exists()
    return {"run_id": run.pk, "capacity": RACE_PLACES, "sessions": sessions}


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "load"
    result = {"load": seed_load, "race": seed_race}[mode]()
    print("SEED_RESULT", json.dumps(result))
