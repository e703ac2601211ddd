"""The question bank and the themes are data: each has an English text for English readers."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.portal.factories import coordinator
from verkenning.models import Question, Theme

pytestmark = pytest.mark.django_db


def test_the_seeded_questions_and_themes_have_english(question_bank):
    assert Question.objects.exclude(text_en="").count() == Question.objects.count() > 0
    theme = Theme.objects.get(name="werkdruk")
    with translation.override("en"):
        assert str(theme) == "workload"
        assert str(Question.objects.get(text="Wie heb je nodig?")) == "Who do you need?"
    with translation.override("nl"):
        assert str(theme) == "werkdruk"


def test_a_coordinator_adds_a_theme_with_its_english_name(client):
    person = coordinator()
    client.force_login(person)
    response = client.post(
        reverse("verkenning:themes"), {"name": "zorgfraude", "name_en": "care fraud"}
    )
    assert response.status_code == 302
    theme = Theme.objects.get(name="zorgfraude")
    assert theme.name_en == "care fraud"
    html = client.get(reverse("verkenning:themes")).content.decode()
    assert "care fraud" in html
