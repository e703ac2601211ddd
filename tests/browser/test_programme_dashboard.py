"""A coordinator opens the programme dashboard, picks a period, reads the charts and tables,
and downloads the XLSX for the stuurgroep."""

from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.models import Organisation
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.portal.factories import UserFactory, add_totp, coordinator
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
)
from trainings.models import Attendance, AttendanceStatus, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_reads_the_dashboard_and_downloads_the_xlsx(live_server, page, tmp_path):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    fiscus = Organisation.objects.create(name="Belastingdienst", kind="belastingdienst")
    programme = ProgrammeFactory(name="Werkend leren 2027")
    training = TrainingFactory(
        programme=programme, title="Hoe werkt de Belastingdienst?", provider=fiscus
    )
    held = timezone.now() - timedelta(days=3)
    run = RunFactory(
        training=training, capacity=4, starts_at=held, ends_at=held + timedelta(hours=3)
    )
    session = Session.objects.get(run=run)
    for name, status in [("Lotte Jansen", "present"), ("Kees Groen", "absent")]:
        enrolment = EnrolmentFactory(
            run=run, participant=UserFactory(organisation=gemeente, full_name=name)
        )
        Attendance.objects.create(
            enrolment=enrolment, session=session, status=AttendanceStatus(status)
        )
    boss = coordinator(with_totp=False, organisation=gemeente, full_name="Sanne de Vries")
    secret = add_totp(boss)
    programme.coordinators.add(boss)
    base = live_server.url

    _log_in(page, base, boss, secret)
    page.get_by_text("Coördinatie", exact=True).click()
    page.get_by_role("link", name="Programmadashboards", exact=True).click()
    page.get_by_role("link", name="Werkend leren 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard Werkend leren 2027")

    # A period in which nothing happened, then the quarter of the session.
    page.get_by_label("Jaar").select_option(str(held.year - 1))
    page.get_by_role("button", name="Toon periode").click()
    expect(page.get_by_text("Niets te tellen in deze periode.").first).to_be_visible()
    local = timezone.localtime(held)
    page.get_by_label("Jaar").select_option(str(local.year))
    page.get_by_label("Kwartaal").select_option(f"{(local.month - 1) // 3 + 1}e kwartaal")
    page.get_by_role("button", name="Toon periode").click()

    # No evaluation answers and no follow-up yet: those sections have no chart.
    expect(page.locator("canvas")).to_have_count(5)
    for key in ("bezetting", "wachtlijst", "aanwezigheid", "afronding", "leermatrix"):
        canvas = page.locator(f"canvas#chart-{key}")
        expect(canvas).to_be_visible()
        # Chart.js has drawn: it sets the canvas's pixel size from its box.
        assert canvas.evaluate("c => c.width > 0 && c.height > 0")
    # A row per providing partner.
    fill = page.get_by_role("table", name="Bezetting")
    expect(fill.get_by_role("row", name="Belastingdienst")).to_contain_text("50%")
    completion = page.get_by_role("table", name="Afronding")
    expect(completion.get_by_role("row", name="Belastingdienst")).to_contain_text("0%")
    scores = page.get_by_role("table", name="Evaluatiescores")
    expect(scores.get_by_role("row", name="Belastingdienst")).to_contain_text(
        "minder dan 5 antwoorden: niet getoond"
    )
    matrix = page.get_by_role("table", name="Leermatrix: wie leert van wie?")
    expect(matrix.get_by_role("row", name="Gemeente Voorbeeldstad")).to_contain_text("1")
    page.get_by_text("Hoe tellen we?").click()
    expect(page.get_by_text("De diagonaal (de eigen organisatie)")).to_be_visible()
    assert serious_violations(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download als Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    assert book["Aanwezigheid en no-show"]["D2"].value == 1
    assert book["Aanwezigheid en no-show"]["F2"].value == 1

    # The partner's runs, a page at a time, each with its own figures.
    fill.get_by_role("link", name="Belastingdienst").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitvoeringen van Belastingdienst")
    runs = page.get_by_role("table", name="Bezetting")
    expect(runs.get_by_role("row", name="Hoe werkt de Belastingdienst?")).to_contain_text("50%")
    expect(page.get_by_label("Toon de uitvoeringen van")).to_have_value(str(fiscus.pk))
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    expect(page.get_by_role("table", name="Aanwezigheid en no-show")).to_be_attached()
    page.wait_for_function("document.documentElement.scrollWidth <= 320", timeout=10_000)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Terug naar het dashboard Werkend leren 2027").click()
    expect(page.get_by_role("table", name="Bezetting")).to_be_visible()

    # At 320 px the tables are still there, scrolling in their own region.
    page.set_viewport_size({"width": 320, "height": 800})
    expect(page.get_by_role("table", name="Aanwezigheid en no-show")).to_be_attached()
    # Chart.js redraws its canvases on a resize observer, a frame or more after the resize
    # (longer on a loaded machine): wait for the layout to settle; it times out if it never fits.
    page.wait_for_function("document.documentElement.scrollWidth <= 320", timeout=10_000)
