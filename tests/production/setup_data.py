"""Data for the production smoke test, made the production way: run by the smoke test through
``manage.py shell`` under the production settings, through the portal's services where they
exist (no demo code is installed in production).

Reads its parameters as JSON from SMOKE_SETUP and prints one line ``SMOKE_RESULT <json>``.
"""

import json
import os
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from portal import services as portal_services
from portal.models import Organisation, OrganisationEmailDomain, Programme, Role, User
from trainings import services as training_services

params = json.loads(os.environ["SMOKE_SETUP"])


def person(email: str, name: str, organisation: Organisation) -> User:
    user = User.objects.create_user(
        email=email, password=params["password"], full_name=name, organisation=organisation
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


with transaction.atomic():
    gemeente = Organisation.objects.create(
        name="Gemeente Rookproef", kind=Organisation.Kind.GEMEENTE
    )
    OrganisationEmailDomain.objects.create(organisation=gemeente, domain=params["domain"])
    politie = Organisation.objects.create(name="Politie Rookproef", kind=Organisation.Kind.POLITIE)

    coordinator = person(params["coordinator"], "Coördinator Rookproef", politie)
    portal_services.role_assign(user=coordinator, role=Role.COORDINATOR)
    TOTP.activate(coordinator, params["coordinator_totp_secret"])
    programme = Programme.objects.create(name="Rookproef", description="Productiepad in CI.")
    programme.coordinators.add(coordinator)

    participant = person(params["participant"], "Deelnemer Rookproef", gemeente)
    contact = person(params["contact_person"], "Contactpersoon Rookproef", gemeente)
    portal_services.role_assign(user=contact, role=Role.CONTACT_PERSON, organisation=gemeente)
    TOTP.activate(contact, params["contact_totp_secret"])

    training = training_services.training_create(
        actor=coordinator,
        programme=programme,
        title=params["training_title"],
        description="Een training om het productiepad te beproeven.",
        provider=politie,
    )
    now = timezone.now()
    # The session starts within a day, so its day-before reminder is due at once and only
    # beat's dispatcher sends it.
    starts_at = now + timedelta(hours=3)
    run = training_services.run_create(
        actor=coordinator,
        training=training,
        capacity=10,
        enrolment_opens_at=now - timedelta(days=1),
        enrolment_closes_at=now + timedelta(hours=2),
        location="Politiebureau Rookproef",
        sessions=[(starts_at, starts_at + timedelta(hours=2))],
    )
    training_services.run_publish(actor=coordinator, run=run)

print("SMOKE_RESULT", json.dumps({"run_id": run.pk, "organisation_id": gemeente.pk}))
