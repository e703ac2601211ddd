import pytest
from django.urls import reverse

from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_pages_are_dutch_by_default_even_for_an_english_browser(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="nl"' in page
    assert "Inloggen" in page


def test_choosing_english_in_the_footer_switches_the_pages_to_english(client):
    client.force_login(UserFactory())
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302

    page = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in page
    assert "learning together against ondermijning" in page
    assert "My trainings" in page
    assert "Mijn trainingen" not in page
