import io
import os
import re
import shlex
from datetime import datetime, time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from demo.people import (
    CORE_PARTNER_KEYS,
    DEMO_PASSWORD,
    EMAIL_LOCAL_PART,
    PARTNERS,
    demo_totp_secret,
)
from demo.totp import current_totp_code
from portal import permissions
from portal.models import DeletionRequest, Organisation, RoleAssignment, User
from portal.workdays import is_working_day
from trainings import selectors as trainings_selectors
from trainings.models import Idea, IdeaStatusChange, Resource, ResourceStatus
from trainings.models import Session as TrainingSession
from werkplaats import selectors as werkplaats_selectors
from werkplaats.models import Session as WerkplaatsSession

pytestmark = pytest.mark.django_db

DOMAINS = [partner.domain for partner in PARTNERS]
PARTICIPANTS = [
    f"{EMAIL_LOCAL_PART['participant']}@{partner.domain}"
    for partner in PARTNERS
    if partner.key in CORE_PARTNER_KEYS
]
# Seeding days that tempt a demo onto a weekend or a public holiday.
AWKWARD_DAYS = {
    "friday": datetime(2027, 1, 15, 10, 0),
    "day-before-christmas": datetime(2026, 12, 24, 16, 30),
    "good-friday-before-easter-monday": datetime(2027, 3, 26, 9, 0),
    "two-weeks-before-kings-day": datetime(2027, 4, 13, 11, 0),
    "saturday": datetime(2027, 4, 24, 12, 0),
}


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
        DeletionRequest.objects.count(),
    )
    seed(settings)
    assert counts == (
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Authenticator.objects.count(),
        DeletionRequest.objects.count(),
    )
    # A beheerder finds one pending request to erase someone's data in the queue.
    assert DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING).count() == 1


def test_seed_demo_creates_core_partners_riec_and_one_user_per_role_per_core_partner(settings):
    seed(settings)
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"gemeente", "politie", "belastingdienst", "om", "riec"} <= kinds
    for organisation in Organisation.objects.exclude(kind="riec"):
        # Other apps' demos add participants of their own; the role accounts are these.
        role_accounts = [
            f"{local}@{domain}"
            for role, local in EMAIL_LOCAL_PART.items()
            if role != "beheerder"
            for domain in DOMAINS
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
    beheerder = User.objects.get(email="beheerder@voorbeeldstad.example")
    assert permissions.is_beheerder(beheerder)
    assert demo_totp_secret(email=beheerder.email) is not None


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


@pytest.mark.parametrize("seeded_at", AWKWARD_DAYS.values(), ids=AWKWARD_DAYS.keys())
def test_demo_sessions_fall_on_working_days_between_nine_and_five(settings, seeded_at):
    with time_machine.travel(timezone.make_aware(seeded_at), tick=True):
        seed(settings)

    sessions = [*TrainingSession.objects.all(), *WerkplaatsSession.objects.all()]
    assert len(sessions) >= 8
    for session in sessions:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        assert is_working_day(starts.date()), starts
        assert starts.date() == ends.date()
        assert time(9) <= starts.time() < ends.time() <= time(17), starts


@pytest.mark.parametrize(
    "seeded_at", [None, AWKWARD_DAYS["friday"], AWKWARD_DAYS["day-before-christmas"]]
)
def test_each_demo_participant_has_a_reflection_a_practice_log_and_an_enrolment_to_do(
    settings, seeded_at
):
    with time_machine.travel(timezone.make_aware(seeded_at or datetime.now()), tick=True):
        seed(settings)
        now = timezone.now()
        for email in PARTICIPANTS:
            participant = User.objects.get(email=email)
            overview = trainings_selectors.participant_overview(user=participant)
            assert overview.reflections_due, email
            assert werkplaats_selectors.home_overview(user=participant).logs_due, email
            catalogue = trainings_selectors.catalogue(
                user=participant, filters=trainings_selectors.CatalogueFilters()
            )
            open_to_join = [
                run
                for run in catalogue
                if run.my_status is None
                and run.enrolment_opens_at <= now < run.enrolment_closes_at
                and run.enrolled_count < run.capacity
            ]
            assert open_to_join, email


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


def test_the_demo_has_a_library_searchable_in_dutch_and_ideas_in_several_statuses(settings):
    seed(settings)
    seed(settings)

    participant = User.objects.get(email=PARTICIPANTS[0])
    found = trainings_selectors.library_search(
        user=participant, filters=trainings_selectors.LibraryFilters(query="ondermijnende")
    )
    assert "Meldpunt Ondermijning" in [r.title for r in found]
    assert Resource.objects.filter(status=ResourceStatus.PUBLISHED).count() >= 18
    assert Resource.objects.filter(status=ResourceStatus.SUGGESTED).exists()
    assert len(set(Idea.objects.values_list("status", flat=True))) == 4
    assert IdeaStatusChange.objects.count() == 4  # seeded once, not again
