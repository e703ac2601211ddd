"""One participant's way after a run, end to end: from the evaluation mail to the certificate,
and a stranger checking that certificate by its code."""

import re
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.models import Organisation
from portal.tasks import dispatch_due_reminders
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.trainings.certificate_helpers import finished_run, participant_in
from trainings import scheduling
from trainings.models import Certificate, EvaluationRespondent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_evaluation_mail_to_a_verified_certificate(live_server, page, tmp_path):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    run = finished_run(
        sessions=3,
        days_ago=1,
        training__title="Hoe werkt de Belastingdienst?",
        training__provider__name="Belastingdienst",
    )
    enrolment = participant_in(run, present=3, full_name="Lotte Jansen", organisation=gemeente)
    participant = enrolment.participant
    base = live_server.url

    # The run is over: the one dispatcher sends the evaluation mail with its link.
    scheduling.enrolment_reminders_plan(enrolment=enrolment)
    mail.outbox.clear()
    dispatch_due_reminders()
    (message,) = [m for m in mail.outbox if "evaluatie" in m.subject.lower()]
    assert message.to == [participant.email]
    link = next(
        line for line in message.body.splitlines() if line.startswith(settings.PORTAL_BASE_URL)
    )

    # She follows the link, logs in and answers the questionnaire.
    _log_in(page, base, participant)
    page.goto(f"{base}{urlsplit(link).path}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluatie")
    for question in page.locator("main form fieldset").all():
        question.get_by_label("5 — helemaal eens").check()
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    assert serious_violations(page) == []
    assert EvaluationRespondent.objects.filter(participant=participant).count() == 1

    # From "Mijn trainingen" she downloads her certificate of participation.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn trainingen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn trainingen")
    # The questionnaire she answered is no longer asked for.
    expect(
        page.get_by_role("link", name="Evaluatie invullen Hoe werkt de Belastingdienst?")
    ).to_have_count(0)
    assert serious_violations(page) == []
    with page.expect_download() as info:
        page.get_by_role(
            "link", name="Certificaat downloaden (PDF) Hoe werkt de Belastingdienst?"
        ).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = PdfReader(BytesIO(path.read_bytes())).pages[0].extract_text()
    assert "Lotte Jansen" in text and "Hoe werkt de Belastingdienst?" in text
    code = re.search(r"Verificatiecode: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})", text).group(1)
    assert code.replace("-", "") == Certificate.objects.get(enrolment=enrolment).code
    verify_path = re.search(r"https?://[^/\s]+(/certificaat/\S+/)", text).group(1)

    # Logged out, anyone checks the printed address: name, training, dates, issuer, no more.
    page.context.clear_cookies()
    page.goto(f"{base}{verify_path}")
    expect(page.get_by_text("Dit certificaat is echt.")).to_be_visible()
    expect(page.get_by_text("Lotte Jansen")).to_be_visible()
    expect(page.get_by_text("Belastingdienst", exact=False).first).to_be_visible()
    expect(page.get_by_text("Gemeente Voorbeeldstad")).to_have_count(0)
    expect(page.get_by_text(participant.email)).to_have_count(0)
    assert serious_violations(page) == []
