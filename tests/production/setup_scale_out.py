"""Data for the scale-out test, run by it through ``manage.py shell`` under the production
settings, through the portal's services where they exist.

Reads its parameters as JSON from SCALE_OUT_SETUP and prints one line
``SCALE_OUT_RESULT <json>``:

- a contact person with a password and TOTP, who logs in over HTTP;
- a run with ``race_capacity`` places and ``race_people`` people, each with a session of
  their own (made here: hashing a password per person with the production hasher would take
  longer than the race, and login's rate limit per address is not what the race is about);
- a run holding ``bulk_people`` enrolments, made here, whose day-before reminders are due at
  once and are left to the dispatcher, while their confirmations wait in the queue.
"""

import json
import os
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import transaction
from django.utils import timezone

from portal import services as portal_services
from portal.models import Organisation, OrganisationEmailDomain, Programme, Role, User
from trainings import services as training_services

params = json.loads(os.environ["SCALE_OUT_SETUP"])
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def person(email: str, name: str, organisation: Organisation, password=None) -> User:
    user = User.objects.create_user(
        email=email, password=password, full_name=name, organisation=organisation
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def session_for(user: User) -> str:
    """A logged-in session, as Django's login() stores it."""
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def published_run(coordinator, training, capacity, starts_at, now):
    run = training_services.run_create(
        actor=coordinator,
        training=training,
        capacity=capacity,
        enrolment_opens_at=now - timedelta(days=1),
        enrolment_closes_at=now + timedelta(hours=2),
        location="Politiebureau Schaalproef",
        sessions=[(starts_at, starts_at + timedelta(hours=2))],
    )
    training_services.run_publish(actor=coordinator, run=run)
    return run


domain = params["domain"]
now = timezone.now()
# The sessions start within a day, so every day-before reminder is due at once.
starts_at = now + timedelta(hours=3)
with transaction.atomic():
    gemeente = Organisation.objects.create(
        name="Gemeente Schaalproef", kind=Organisation.Kind.GEMEENTE
    )
    OrganisationEmailDomain.objects.create(organisation=gemeente, domain=domain)
    politie = Organisation.objects.create(
        name="Politie Schaalproef", kind=Organisation.Kind.POLITIE
    )
    coordinator = person(f"coordinator@politie-{domain}", "Coördinator Schaalproef", politie)
    portal_services.role_assign(user=coordinator, role=Role.COORDINATOR)
    programme = Programme.objects.create(name="Schaalproef", description="Meer dan één machine.")
    programme.coordinators.add(coordinator)
    contact = person(
        params["contact_person"], "Contactpersoon Schaalproef", gemeente, params["password"]
    )
    portal_services.role_assign(user=contact, role=Role.CONTACT_PERSON, organisation=gemeente)
    TOTP.activate(contact, params["contact_totp_secret"])
    training = training_services.training_create(
        actor=coordinator,
        programme=programme,
        title=params["training_title"],
        description="Een training om het schalen over machines te beproeven.",
        provider=politie,
    )
    race_run = published_run(coordinator, training, params["race_capacity"], starts_at, now)
    bulk_run = published_run(coordinator, training, params["bulk_people"], starts_at, now)
    racers = [
        person(f"racer{n}@{domain}", f"Racer {n}", gemeente) for n in range(params["race_people"])
    ]
    sessions = {user.email: session_for(user) for user in racers}

for n in range(params["bulk_people"]):
    # One transaction each, as each person enrols by themselves.
    with transaction.atomic():
        participant = person(f"bulk{n}@{domain}", f"Deelnemer {n}", gemeente)
        training_services.enrolment_create(run=bulk_run, participant=participant)

print(
    "SCALE_OUT_RESULT",
    json.dumps(
        {
            "race_run_id": race_run.pk,
            "bulk_run_id": bulk_run.pk,
            "organisation_id": gemeente.pk,
            "sessions": sessions,
        }
    ),
)
