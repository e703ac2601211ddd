"""The privacy and accessibility statements: public, in every footer, filled from settings."""

import datetime

import pytest
from django.urls import reverse

from portal import retention
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["privacy_statement", "accessibility_statement"])
def test_the_statements_are_open_without_logging_in(client, name, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/accounts/login/", "/privacyverklaring/", "/profiel/"])
def test_every_footer_links_both_statements(client, path):
    client.force_login(UserFactory())
    content = client.get(path, follow=True).content.decode()
    footer = content[content.index("<footer") :]
    assert reverse("privacy_statement") in footer
    assert reverse("accessibility_statement") in footer


def test_privacy_statement_names_controller_contacts_basis_rights_and_periods(client, settings):
    settings.PRIVACY_CONTROLLER_NAME = "Programmabureau Testland"
    settings.PRIVACY_CONTACT_EMAIL = "privacy@testland.example"
    settings.PRIVACY_DPO_EMAIL = "fg@testland.example"

    content = client.get(reverse("privacy_statement")).content.decode()

    for text in [
        "Programmabureau Testland",
        "privacy@testland.example",
        "fg@testland.example",
        "artikel 6, lid 1, onder e AVG",
        "inzage",
        "correctie",
        "verwijdering",
        "bezwaar",
        "Autoriteit Persoonsgegevens",
    ]:
        assert text in content, text
    for rule in retention.rules():
        assert str(rule.label) in content
        assert f"{rule.period} {rule.unit_label} {rule.anchor}" in content


def test_privacy_statement_follows_a_changed_retention_setting(client, settings):
    settings.TRAININGS_REFLECTION_RETENTION_MONTHS = 7
    settings.VERKENNING_NOTES_RETENTION_MONTHS = 19

    content = client.get(reverse("privacy_statement")).content.decode()

    assert "7 maanden na het einde van de uitvoering" in content
    assert "19 maanden nadat de verkenning is afgerond" in content


def test_privacy_statement_in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = client.get(reverse("privacy_statement")).content.decode()
    assert "Privacy statement" in content and "Reflections on sessions" in content


def test_accessibility_statement_follows_the_model(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@testland.example"
    settings.ACCESSIBILITY_RESPONSE_WORKING_DAYS = 3
    settings.ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 10, 1)
    settings.ACCESSIBILITY_LAST_TEST_DATE = datetime.date(2026, 11, 2)

    content = client.get(reverse("accessibility_statement")).content.decode()

    for text in [
        "WCAG 2.1 niveau AA",
        "EN 301 549",
        "axe-core",
        "320 pixels",
        "toetsenbord",
        "schermlezer",
        "Bekende beperkingen",
        "a11y@testland.example",
        "binnen 3 werkdagen",
        'datetime="2026-10-01"',
        'datetime="2026-11-02"',
    ]:
        assert text in content, text
