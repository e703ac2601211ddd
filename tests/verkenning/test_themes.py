import pytest
from django.urls import reverse

from tests.portal.factories import UserFactory, coordinator, trainer
from verkenning.forms import ObservationForm
from verkenning.models import Theme

pytestmark = pytest.mark.django_db


def test_the_seeded_themes_are_those_heard_in_practice():
    assert set(Theme.objects.values_list("name", flat=True)) >= {
        "AVG",
        "Wet Damocles",
        "casuïstiekbespreking",
        "professionele dilemma's",
        "werkdruk",
        "onbekendheid met ondermijning",
        "interne samenwerking",
    }


def test_a_coordinator_adds_a_theme_and_retires_one_from_the_forms(client):
    client.force_login(coordinator())
    response = client.post(reverse("verkenning:themes"), {"name": "  Leren  kijken "})
    assert response.status_code == 302
    assert Theme.objects.filter(name="Leren kijken", is_active=True).exists()

    werkdruk = Theme.objects.get(name="werkdruk")
    client.post(reverse("verkenning:theme_toggle", args=[werkdruk.pk]))
    werkdruk.refresh_from_db()
    assert not werkdruk.is_active
    assert werkdruk not in ObservationForm().fields["themes"].queryset


def test_a_theme_that_exists_in_another_spelling_is_refused(client):
    client.force_login(coordinator())
    response = client.post(reverse("verkenning:themes"), {"name": "avg"})
    assert response.status_code == 200
    assert "Dit thema bestaat al." in response.content.decode()
    assert Theme.objects.filter(name__iexact="avg").count() == 1


@pytest.mark.parametrize("make_user", [trainer, UserFactory])
def test_only_coordinators_keep_the_theme_list(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("verkenning:themes")).status_code == 403
    theme = Theme.objects.get(name="AVG")
    assert client.post(reverse("verkenning:theme_toggle", args=[theme.pk])).status_code == 403
    theme.refresh_from_db()
    assert theme.is_active
