"""A trainer runs a bewustwordingssessie with two participants, each in their own browser:
the room follows the trainer through the four elements, the participants name examples
anonymously, and what one browser adds appears in the others without a reload."""

import pytest
from playwright.sync_api import expect

from portal.models import Discipline, Organisation, SubmissionKey
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.portal.factories import UserFactory, contact_person, trainer
from tests.trainings.factories import EnrolmentFactory, awareness_run
from trainings.models import AwarenessDefinition, AwarenessExample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page asks for news every three seconds; give it a few rounds.
LIVE = 12_000


def _mark_page(page) -> None:
    """A flag that only survives as long as the page is not reloaded."""
    page.evaluate("window.__sameDocument = true")


def _not_reloaded(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_a_trainer_runs_a_session_with_two_participants(live_server, page, new_context):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    politie = Organisation.objects.create(name="Politie Voorbeeldregio", kind="politie")
    teacher = trainer(organisation=politie, full_name="Ingrid Smit")
    lotte = UserFactory(
        organisation=gemeente, full_name="Lotte Jansen", discipline=Discipline.SOCIAAL_DOMEIN
    )
    kevin = UserFactory(
        organisation=politie, full_name="Kevin de Boer", discipline=Discipline.RECHERCHE
    )
    contact = contact_person(organisation=gemeente, full_name="Fatima el Amrani")
    run = awareness_run(training__title="Bewustwordingssessie aanpak ondermijning")
    run.trainers.add(teacher)
    for person in (lotte, kevin):
        EnrolmentFactory(run=run, participant=person)
    base = live_server.url

    # 1. The trainer opens the room from the run page: it starts at netwerk.
    _log_in(page, base, teacher)
    page.goto(f"{base}/trainingen/uitvoeringen/{run.pk}/")
    page.get_by_role("link", name="Naar de sessie").click()
    expect(page.get_by_role("heading", name="1. Netwerk")).to_be_visible()
    expect(page.get_by_text("2 deelnemers")).to_be_visible()
    assert serious_violations(page) == []

    # 2. Two participants open it in their own browsers.
    lotte_page = new_context().new_page()
    _log_in(lotte_page, base, lotte)
    lotte_page.goto(page.url)
    kevin_page = new_context().new_page()
    _log_in(kevin_page, base, kevin)
    kevin_page.goto(page.url)
    expect(lotte_page.get_by_role("heading", name="1. Netwerk")).to_be_visible()
    assert serious_violations(lotte_page) == []
    for participant_page in (lotte_page, kevin_page):
        _mark_page(participant_page)

    # 3. The trainer moves on to begrip and writes down a group's definition; the
    #    participants' pages follow without a reload.
    page.get_by_role("button", name="Door naar Begrip").click()
    expect(page.get_by_role("heading", name="2. Begrip")).to_be_visible()
    page.get_by_label("Groep", exact=True).fill("Groep 1")
    page.get_by_label("Hun definitie van ondermijning").fill(
        "Als de onderwereld de bovenwereld gebruikt."
    )
    page.get_by_role("button", name="Definitie opslaan").click()
    expect(page.get_by_text("De definitie staat erbij.")).to_be_visible()
    for participant_page in (lotte_page, kevin_page):
        expect(participant_page.get_by_role("heading", name="2. Begrip")).to_be_visible(
            timeout=LIVE
        )
        expect(
            participant_page.get_by_text("Als de onderwereld de bovenwereld gebruikt.")
        ).to_be_visible(timeout=LIVE)
        expect(participant_page.get_by_role("heading", name="1. Netwerk")).to_be_hidden()
    assert AwarenessDefinition.objects.get().group == "Groep 1"

    # 4. On to signaal: each participant names an example from their own browser.
    page.get_by_role("button", name="Door naar Signaal").click()
    expect(page.get_by_role("heading", name="3. Signaal")).to_be_visible()
    _mark_page(page)
    for participant_page, text in (
        (lotte_page, "Een kapsalon zonder klanten, met elke week een nieuwe auto voor de deur."),
        (kevin_page, "Huur die contant wordt betaald, elke maand met andere briefjes."),
    ):
        expect(participant_page.get_by_role("heading", name="3. Signaal")).to_be_visible(
            timeout=LIVE
        )
        assert _not_reloaded(participant_page)
        participant_page.get_by_label("Hier klopt iets niet").fill(text)
        participant_page.get_by_role("button", name="Voorbeeld noemen").click()
        expect(
            participant_page.get_by_text("Je voorbeeld staat erbij, zonder je naam.")
        ).to_be_visible()

    # 5. The trainer sees both appear, without a reload, and groups one.
    examples = page.locator("#examples")
    expect(examples.get_by_text("Een kapsalon zonder klanten")).to_be_visible(timeout=LIVE)
    expect(examples.get_by_text("Huur die contant wordt betaald")).to_be_visible(timeout=LIVE)
    assert _not_reloaded(page)
    assert serious_violations(page) == []
    rent = examples.locator("li", has_text="Huur die contant wordt betaald")
    rent.get_by_label("Thema").select_option(label="Vastgoed en huur")
    rent.get_by_role("button", name="Indelen").click()
    expect(
        page.locator('[data-theme="vastgoed"]').get_by_text("Huur die contant wordt betaald")
    ).to_be_visible()

    # 6. Lotte's page shows it under its theme, still without a reload.
    _mark_page(lotte_page)
    vastgoed = lotte_page.locator('[data-theme="vastgoed"]')
    expect(vastgoed.get_by_role("heading", name="Vastgoed en huur")).to_be_visible(timeout=LIVE)
    expect(vastgoed.get_by_text("Huur die contant wordt betaald")).to_be_visible()
    expect(lotte_page.get_by_role("button", name="Indelen")).to_have_count(0)
    assert _not_reloaded(lotte_page)

    # 7. Oppakken: each participant sees the route of their own organisation.
    page.get_by_role("button", name="Door naar Oppakken").click()
    expect(lotte_page.get_by_role("heading", name="4. Oppakken")).to_be_visible(timeout=LIVE)
    expect(lotte_page.get_by_role("link", name=contact.email)).to_be_visible()
    expect(lotte_page.get_by_role("link", name="Signaal melden").last).to_be_visible()
    expect(lotte_page.get_by_text("0800-7000").first).to_be_visible()
    assert serious_violations(lotte_page) == []
    expect(kevin_page.get_by_role("heading", name="4. Oppakken")).to_be_visible(timeout=LIVE)
    expect(kevin_page.get_by_role("link", name=contact.email)).to_have_count(0)

    # Stored: two examples, one grouped, and nothing that says who named which.
    assert sorted(AwarenessExample.objects.values_list("theme", flat=True)) == ["", "vastgoed"]
    assert not SubmissionKey.objects.filter(user__in=[lotte, kevin]).exists()
