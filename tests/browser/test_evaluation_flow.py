"""A participant opens the evaluation link from the mail, answers and is thanked; with one
answer the coordinator sees no result, only that it shows from five answers."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Organisation
from portal.tasks import dispatch_due_reminders
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.portal.factories import UserFactory, add_totp, coordinator
from tests.trainings.factories import EnrolmentFactory, ProgrammeFactory, RunFactory
from trainings import scheduling
from trainings.models import EvaluationAnswer, EvaluationRespondent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALUABLE = "De rondleiding door de meldkamer."


def test_from_the_evaluation_mail_to_thanks_and_nothing_shown_below_five(live_server, page):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    programme = ProgrammeFactory(name="Werkend leren 2027")
    ended = timezone.now() - timedelta(hours=2)
    run = RunFactory(
        training__programme=programme,
        training__title="Hoe werkt de politie?",
        starts_at=ended - timedelta(hours=3),
        ends_at=ended,
        enrolment_opens_at=ended - timedelta(days=20),
        enrolment_closes_at=ended - timedelta(days=3),
    )
    participant = UserFactory(organisation=gemeente, full_name="Lotte Jansen")
    enrolment = EnrolmentFactory(run=run, participant=participant)
    boss = coordinator(with_totp=False, organisation=gemeente, full_name="Sanne de Vries")
    boss_secret = add_totp(boss)
    programme.coordinators.add(boss)
    base = live_server.url

    # The run is over: the dispatcher sends the evaluation mail with its link.
    scheduling.enrolment_reminders_plan(enrolment=enrolment)
    mail.outbox.clear()
    dispatch_due_reminders()
    (message,) = [m for m in mail.outbox if "evaluatie" in m.subject.lower()]
    assert message.to == [participant.email]
    link = next(
        line for line in message.body.splitlines() if line.startswith(settings.PORTAL_BASE_URL)
    )
    path = urlsplit(link).path

    # 1. She follows the link, logs in and lands on the questionnaire.
    _log_in(page, base, participant)
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluatie")
    expect(page.get_by_text("Je antwoorden zijn anoniem.")).to_be_visible()
    assert serious_violations(page) == []

    # 2. Sending without scores is refused with a clear message; nothing is stored.
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.get_by_text("Kies een waarde van 1 tot en met 5.").first).to_be_visible()
    assert not EvaluationRespondent.objects.exists()
    assert serious_violations(page) == []

    # 3. She answers every scale question and one open question.
    scale_questions = page.locator("main form fieldset").all()
    assert len(scale_questions) == 4
    for question in scale_questions:
        question.get_by_label("4 — eens").check()
    page.get_by_label("Wat vond je het waardevolst?").fill(VALUABLE)
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt!")
    assert serious_violations(page) == []
    assert EvaluationRespondent.objects.filter(participant=participant).count() == 1
    assert EvaluationAnswer.objects.filter(text=VALUABLE).count() == 1

    # 4. The link again: answered once, no second form.
    page.goto(f"{base}{path}")
    expect(page.get_by_text("Je hebt deze vragen al beantwoord.")).to_be_visible()
    expect(page.get_by_role("button", name="Evaluatie versturen")).to_have_count(0)

    # 5. The coordinator finds the run's evaluation: one answer, so nothing is shown.
    _log_in(page, base, boss, boss_secret)
    page.goto(f"{base}/trainingen/beheer/uitvoeringen/{run.pk}/")
    page.get_by_role("link", name="Evaluatie", exact=True).click()
    expect(page.get_by_text("vanaf 5 ingevulde evaluaties")).to_be_visible()
    expect(page.get_by_text(VALUABLE)).to_have_count(0)
    assert serious_violations(page) == []
