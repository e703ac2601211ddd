"""A facilitator sets up a werkplaats and its groups; a participant practises and asks for
rugdekking; the manager answers through the link in the e-mail, without an account."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Discipline, Organisation
from tests.browser.axe import serious_violations
from tests.browser.test_signalen_flow import _log_in
from tests.portal.factories import UserFactory, trainer
from werkplaats import scheduling
from werkplaats.models import Participation, PracticeLog, RugdekkingRequest, Session, Werkplaats

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISCIPLINES = [Discipline.SOCIAAL_DOMEIN, Discipline.VEILIGHEID, Discipline.HANDHAVING]


def test_set_up_groups_practise_and_get_rugdekking(live_server, page):
    gemeente = Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente")
    politie = Organisation.objects.create(name="Politie Voorbeeldregio", kind="politie")
    facilitator = trainer(organisation=gemeente, full_name="Joost Bakker")
    people = [
        UserFactory(
            organisation=(gemeente, politie)[i % 2],
            discipline=DISCIPLINES[i % 3],
            full_name=f"Deelnemer {i:02d}",
        )
        for i in range(12)
    ]
    lotte = people[0]
    base = live_server.url

    # 1. The facilitator creates the werkplaats.
    _log_in(page, base, facilitator)
    page.get_by_role("link", name="Werkplaatsen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkplaatsen")
    assert serious_violations(page) == []
    # The list's search and count reflow at 320 px: nothing scrolls sideways.
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(size)
    page.get_by_role("link", name="Nieuwe werkplaats").click()
    assert serious_violations(page) == []
    page.get_by_label("Thema").fill("Domeinoverstijgend samenwerken — Voorbeeldstad")
    page.get_by_label("Organisatie").select_option(label="Gemeente Voorbeeldstad")
    page.get_by_role("button", name="Werkplaats opslaan").click()
    expect(page.get_by_text("De werkplaats is aangemaakt.")).to_be_visible()
    werkplaats = Werkplaats.objects.get()

    # 2. ... adds twelve participants ...
    assert serious_violations(page) == []
    # Pasted as from an e-mail: names, angle brackets, mixed case and separators.
    pasted = "; ".join(f"{p.full_name} <{p.email.upper()}>" for p in people)
    page.get_by_label("E-mailadressen").fill(pasted)
    page.get_by_role("button", name="Toevoegen", exact=True).click()
    expect(page.get_by_text("12 deelnemers toegevoegd.")).to_be_visible()

    # 3. ... makes the groups ...
    page.get_by_role("link", name="Naar de groepen").click()
    page.get_by_role("button", name="Groepen maken").click()
    expect(page.get_by_text("2 groepen gemaakt.")).to_be_visible()
    expect(page.get_by_text("Totaal:")).to_contain_text("ondergrens")
    assert serious_violations(page) == []
    assert (
        sorted(
            Participation.objects.filter(werkplaats=werkplaats).values_list(
                "group__number", flat=True
            )
        )
        == [1] * 6 + [2] * 6
    )

    # 4. ... and moves one person by hand.
    mover = Participation.objects.get(werkplaats=werkplaats, user=lotte)
    target = 2 if mover.group.number == 1 else 1
    page.get_by_label("Deelnemer").select_option(str(mover.pk))
    page.get_by_label("Naar groep").select_option(label=f"Groep {target}")
    page.get_by_role("button", name="Verplaatsen").click()
    expect(page.get_by_text(f"Deelnemer 00 zit nu in Groep {target}.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Groep {target} (7)")).to_be_visible()
    mover.refresh_from_db()
    assert mover.group.number == target

    # The first session took place; the next is in four weeks.
    now = timezone.now()
    first = Session.objects.create(
        werkplaats=werkplaats,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=4),
        location="Stadskantoor",
    )
    Session.objects.create(
        werkplaats=werkplaats,
        starts_at=now + timedelta(days=26),
        ends_at=now + timedelta(days=26, hours=4),
        location="Politiebureau",
    )

    # 5. A participant writes her practice log.
    _log_in(page, base, lotte)
    page.get_by_role("link", name="Werkplaatsen", exact=True).click()
    page.get_by_role("link", name="Domeinoverstijgend samenwerken — Voorbeeldstad").click()
    expect(page.get_by_role("heading", name="Mijn groep")).to_be_visible()
    assert serious_violations(page) == []
    page.locator(f"a[href='/werkplaatsen/sessies/{first.pk}/']").click()
    page.get_by_role("link", name="Mijn oefenlogboek schrijven").click()
    assert serious_violations(page) == []
    page.get_by_label("Wat heb ik geprobeerd?").fill("De wijkagent meteen gebeld bij een twijfel.")
    page.get_by_label("Wat gebeurde er?").fill("Binnen een dag samen op huisbezoek.")
    page.get_by_label("Wat breng ik de volgende keer in?").fill("Een pand met wisselende bewoners.")
    page.get_by_role("button", name="Oefenlogboek opslaan").click()
    expect(page.get_by_text("Je oefenlogboek is opgeslagen.")).to_be_visible()
    expect(page.get_by_text("De wijkagent meteen gebeld bij een twijfel.")).to_be_visible()
    assert PracticeLog.objects.get().participation.user == lotte

    # 6. She asks her manager for rugdekking.
    page.get_by_role("link", name="Domeinoverstijgend samenwerken — Voorbeeldstad").click()
    page.get_by_role("link", name="Rugdekking vragen").click()
    assert serious_violations(page) == []
    page.get_by_label("Naam leidinggevende").fill("Hanneke Teunissen")
    page.get_by_label("E-mailadres leidinggevende").fill("teamleider@voorbeeldstad.example")
    page.get_by_label("Waarvoor vraag je rugdekking?").fill("Twee uur per maand voor casusoverleg.")
    page.get_by_role("button", name="Verzoek versturen").click()
    expect(page.get_by_text("Je verzoek is verstuurd.")).to_be_visible()
    request = RugdekkingRequest.objects.get()

    # 7. The manager opens the link from the e-mail, without logging in, and answers.
    page.context.clear_cookies()
    page.goto(f"{base}/werkplaatsen/rugdekking/{scheduling.rugdekking_token(request)}/")
    expect(page.get_by_text("Twee uur per maand voor casusoverleg.")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Ja, ik geef rugdekking").check()
    page.get_by_label("Toelichting").fill("Akkoord, plan het met de wijkagent.")
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_text("Rugdekking gegeven")).to_be_visible()
    expect(page.get_by_role("button", name="Antwoord versturen")).to_have_count(0)
    assert serious_violations(page) == []
    request.refresh_from_db()
    assert (request.status, request.answer_comment) == (
        "granted",
        "Akkoord, plan het met de wijkagent.",
    )
