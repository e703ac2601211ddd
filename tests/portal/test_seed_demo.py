import io
import os
import re
import shlex

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client

from demo.people import (
    CORE_PARTNER_KEYS,
    DEMO_PASSWORD,
    EMAIL_LOCAL_PART,
    PARTNERS,
    demo_totp_secret,
)
from demo.totp import current_totp_code
from portal import permissions
from portal.models import Organisation, RoleAssignment, User

pytestmark = pytest.mark.django_db

DOMAINS = [partner.domain for partner in PARTNERS]


def seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_is_idempotent(settings):
    seed(settings)
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Authenticator.objects.count(),
    )
    seed(settings)
    assert counts == (
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Authenticator.objects.count(),
    )


def test_seed_demo_creates_core_partners_riec_and_one_user_per_role_per_core_partner(settings):
    seed(settings)
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"gemeente", "politie", "belastingdienst", "om", "riec"} <= kinds
    for organisation in Organisation.objects.exclude(kind="riec"):
        # Other apps' demos add participants of their own; the role accounts are these.
        role_accounts = [
            f"{local}@{domain}" for local in EMAIL_LOCAL_PART.values() for domain in DOMAINS
        ]
        members = list(User.objects.filter(organisation=organisation, email__in=role_accounts))
        assert len(members) == 4
        assert sum(permissions.is_coordinator(u) for u in members) == 1
        assert sum(permissions.is_trainer(u) for u in members) == 1
        assert sum(permissions.is_contact_person(u, organisation.pk) for u in members) == 1
    assert len(CORE_PARTNER_KEYS) == Organisation.objects.exclude(kind="riec").count()
    riec = Organisation.objects.get(kind="riec")
    riec_contact = User.objects.get(email="contactpersoon@riec.example")
    assert riec_contact.organisation == riec
    assert permissions.is_contact_person(riec_contact, riec.pk)


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_printed_demo_coordinator_can_log_in_with_password_and_totp(settings):
    seed(settings)
    email = "coordinator@voorbeeldstad.example"
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.url == "/accounts/2fa/authenticate/"
    code = current_totp_code(secret=demo_totp_secret(email=email))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert "Programmacoördinatie" in client.get("/").content.decode()


def test_the_printed_totp_command_works_as_printed(settings):
    settings.DEBUG = True
    printed = io.StringIO()
    call_command("seed_demo", stdout=printed)

    (command,) = re.findall(r"`([^`]*demo_totp_code[^`]*)`", printed.getvalue())
    python, manage_py, *args = shlex.split(command.replace("<email>", "coordinator@om.example"))
    assert os.access(settings.BASE_DIR / python, os.X_OK)
    assert manage_py == "manage.py"
    assert (settings.BASE_DIR / manage_py).is_file()
    code = io.StringIO()
    call_command(*args, stdout=code)
    assert re.fullmatch(r"\d{6}", code.getvalue().strip())
