"""A participant enrols and reflects; a coordinator finds the run and marks attendance."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Organisation
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.portal.factories import UserFactory, add_totp, coordinator
from tests.trainings.factories import ProgrammeFactory, RunFactory, TrainingFactory
from trainings.models import Attendance, Enrolment, Reflection, Run, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrol_reflect_then_coordinator_marks_attendance(live_server, page):
    belastingdienst = Organisation.objects.create(name="Belastingdienst", kind="belastingdienst")
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    programme = ProgrammeFactory(name="Werkend leren 2027")
    training = TrainingFactory(
        programme=programme, title="Hoe werkt de Belastingdienst?", provider=belastingdienst
    )
    first_start = timezone.now() + timedelta(days=2)
    run = RunFactory(
        training=training, capacity=12, location="Belastingkantoor", starts_at=first_start
    )
    Session.objects.create(
        run=run,
        starts_at=first_start + timedelta(days=14),
        ends_at=first_start + timedelta(days=14, hours=3),
    )
    participant = UserFactory(organisation=gemeente, full_name="Lotte Jansen")
    boss = coordinator(with_totp=False, organisation=gemeente, full_name="Sanne de Vries")
    boss_secret = add_totp(boss)
    programme.coordinators.add(boss)
    base = live_server.url

    # 1. The participant finds the training in the catalogue and enrols in one click.
    _log_in(page, base, participant)
    page.get_by_role("link", name="Trainingen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainingen")
    assert serious_violations(page) == []
    page.get_by_label("Aanbiedende organisatie").select_option(label="Belastingdienst")
    page.get_by_role("button", name="Toon trainingen").click()
    page.get_by_role("link", name="Hoe werkt de Belastingdienst?").click()
    expect(page.get_by_text("0 van 12 bezet")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Inschrijven").click()
    expect(
        page.get_by_text("Je bent ingeschreven. Je krijgt een bevestiging per e-mail.")
    ).to_be_visible()
    enrolment = Enrolment.objects.get(participant=participant, run=run)
    assert enrolment.status == "enrolled"

    # The first session takes place.
    first = run.sessions.order_by("starts_at").first()
    Session.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(hours=4), ends_at=timezone.now() - timedelta(hours=1)
    )
    Run.objects.filter(pk=run.pk).update(starts_at=timezone.now() - timedelta(hours=4))

    # 2. She writes her reflection from "Mijn trainingen".
    page.get_by_role("link", name="Mijn trainingen", exact=True).click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Ontwikkelplan en reflecties").click()
    page.get_by_role("link", name="Reflectie schrijven").first.click()
    assert serious_violations(page) == []
    page.get_by_label("Wat viel mij op?").fill("Hoeveel de fiscus wél mag delen via het RIEC.")
    page.get_by_label("Wat ga ik toepassen vóór de volgende bijeenkomst?").fill(
        "Bij de volgende casus eerst de FIOD-collega bellen."
    )
    page.get_by_role("button", name="Reflectie opslaan").click()
    expect(page.get_by_text("Je reflectie is opgeslagen.")).to_be_visible()
    assert Reflection.objects.get(enrolment=enrolment).struck_me.startswith("Hoeveel de fiscus")

    # 3. The coordinator sees the run in the calendar and marks attendance.
    _log_in(page, base, boss, boss_secret)
    page.get_by_role("link", name="Kalender", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kalender")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Hoe werkt de Belastingdienst?").first.click()
    page.get_by_role("link", name="Deelnemers en aanwezigheid").click()
    expect(page.get_by_role("row", name="Lotte Jansen")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("group", name="Lotte Jansen").get_by_label("Aanwezig", exact=True).check()
    page.get_by_role("button", name="Aanwezigheid opslaan").click()
    expect(page.get_by_text("De aanwezigheid is opgeslagen.")).to_be_visible()
    assert Attendance.objects.get(enrolment=enrolment, session=first).status == "present"
    page.get_by_role("link", name="Plan en reflecties Lotte Jansen").click()
    expect(page.get_by_text("Hoeveel de fiscus wél mag delen via het RIEC.")).to_be_visible()
