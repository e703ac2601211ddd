"""A participant who completed a run downloads the certificate from "Mijn trainingen", and
anyone, logged out, checks it on the public page by its code."""

import re
from io import BytesIO

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.models import Organisation
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.trainings.certificate_helpers import finished_run, participant_in
from trainings.models import Certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_the_certificate_then_verify_it_logged_out(live_server, page, tmp_path):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    run = finished_run(
        sessions=3,
        training__title="Hoe werkt de Belastingdienst?",
        training__provider__name="Belastingdienst",
    )
    enrolment = participant_in(run, present=3, full_name="Lotte Jansen", organisation=gemeente)
    base = live_server.url

    _log_in(page, base, enrolment.participant)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn trainingen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn trainingen")
    assert serious_violations(page) == []
    with page.expect_download() as info:
        page.get_by_role(
            "link", name="Certificaat downloaden (PDF) Hoe werkt de Belastingdienst?"
        ).click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = PdfReader(BytesIO(path.read_bytes())).pages[0].extract_text()
    assert "Lotte Jansen" in text and "Hoe werkt de Belastingdienst?" in text
    code = re.search(r"Verificatiecode: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})", text).group(1)
    assert code.replace("-", "") == Certificate.objects.get(enrolment=enrolment).code
    verify_path = re.search(r"https?://[^/\s]+(/certificaat/\S+/)", text).group(1)
    assert download.suggested_filename == f"certificaat-{code}.pdf"

    # Logged out, a stranger opens the printed address ...
    page.context.clear_cookies()
    page.goto(f"{base}{verify_path}")
    expect(page.get_by_text("Dit certificaat is echt.")).to_be_visible()
    expect(page.get_by_text("Lotte Jansen")).to_be_visible()
    expect(page.get_by_text("Gemeente Voorbeeldstad")).to_have_count(0)
    assert serious_violations(page) == []
    # ... or types the code, in lower case without dashes.
    page.get_by_role("link", name="Een andere code controleren").click()
    assert serious_violations(page) == []
    page.get_by_label("Verificatiecode").fill(code.lower().replace("-", ""))
    page.get_by_role("button", name="Controleren").click()
    expect(page).to_have_url(f"{base}{verify_path}")
    expect(page.get_by_text("Hoe werkt de Belastingdienst?")).to_be_visible()
