"""The signal form names the meldpunt's contact persons the reporter met, and only those who
chose to be findable; signalen learns whom the reporter met from the portal's registry."""

import pytest
from django.urls import reverse

from portal import services as portal_services
from tests.portal.factories import UserFactory, findable
from tests.signalen.factories import CategoryFactory, meldpunt, report
from tests.trainings.factories import enrol, past_run

pytestmark = pytest.mark.django_db


def test_the_form_names_contact_persons_the_reporter_met_who_are_findable(client):
    CategoryFactory()
    gemeente, (gerda, gijs) = meldpunt("Gemeente Kruipstad", people=2)
    politie, (piet,) = meldpunt("Politie Eenheid Zuid")
    gerda.full_name, gijs.full_name, piet.full_name = (
        "Gerda Gemeente",
        "Gijs Geheim",
        "Piet Politie",
    )
    for person in (gerda, gijs, piet):
        person.save()
    reporter, stranger = UserFactory(), UserFactory()
    enrol(past_run(title="Hoe werkt de gemeente?"), reporter, gerda, gijs)
    enrol(past_run(title="Hoe werkt de politie?"), stranger, piet)
    for person in (gerda, piet):
        findable(person)
    # Signals Gerda handles say nothing on the form.
    report(reporter=stranger, organisation=gemeente, description="Geheime inhoud 4711")

    client.force_login(reporter)
    page = client.get(reverse("signalen:report")).content.decode()
    assert "Je ontmoette Gerda Gemeente bij Hoe werkt de gemeente?, " in page
    assert "Meldpunt Gemeente Kruipstad" in page
    assert "Gijs Geheim" not in page  # met, but not findable
    assert "Piet Politie" not in page  # findable, but never met
    assert "4711" not in page

    client.force_login(stranger)
    page = client.get(reverse("signalen:report")).content.decode()
    assert "Je ontmoette Piet Politie bij Hoe werkt de politie?" in page
    assert "Gerda Gemeente" not in page

    portal_services.network_consent_revoke(user=gerda)
    client.force_login(reporter)
    page = client.get(reverse("signalen:report")).content.decode()
    assert "Gerda Gemeente" not in page
    assert "Contactpersonen die je kent" not in page
