"""The triage page: no reason chosen for you, one action open at a time, feedback asked once."""

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from signalen.models import Category, CloseReason
from tests.signalen.factories import meldpunt, report

pytestmark = pytest.mark.django_db


def test_the_close_form_preselects_no_reason(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    html = client.get(reverse("signalen:detail", args=[signal.pk])).content.decode()
    select = re.search(r'<select name="reason".*?</select>', html, re.S).group(0)
    first = re.search(r"<option[^>]*>", select).group(0)
    assert 'value=""' in first
    assert "— kies een reden —" in select
    # Only the empty choice is selected: no reason is recorded unless someone picks one.
    assert [o for o in re.findall(r"<option[^>]*>", select) if "selected" in o] == [first]


def test_closing_without_a_reason_is_refused_with_a_clear_error(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    response = client.post(
        reverse("signalen:close", args=[signal.pk]), {"reason": "", "explanation": "Haastig"}
    )
    assert response.status_code == 400
    assert response.context["forms"]["close"].errors["reason"] == [
        "Kies waarom je het signaal afsluit."
    ]
    html = response.content.decode()
    assert 'id="foutoverzicht"' in html and 'href="#id_reason"' in html
    signal.refresh_from_db()
    assert signal.status == "new" and signal.close_reason == ""


def test_actions_are_collapsed_and_feedback_is_asked_once(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    client.post(reverse("signalen:assign", args=[signal.pk]), {"assignee": contact.pk})
    html = client.get(reverse("signalen:detail", args=[signal.pk])).content.decode()
    assert html.count('<details name="signaal-actie"') == 6
    assert " open>" not in html
    # One place to write to the reporter: the feedback action; the close form has none.
    assert html.count('name="feedback-text"') == 1
    assert 'name="feedback"' not in html


def test_a_refused_action_opens_its_own_disclosure(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    html = client.post(
        reverse("signalen:close", args=[signal.pk]), {"reason": CloseReason.NO_GROUNDS}
    ).content.decode()
    assert html.count(" open>") == 1
    opened = html[: html.index(" open>")]
    assert opened.rstrip().endswith('<details name="signaal-actie" class="card mb-2"')


def test_categories_read_in_english_with_dutch_as_fallback(client):
    # Transactional tests may have emptied the table: seed the category again, then name it.
    Category.objects.get_or_create(name="Vastgoed")
    import_module("signalen.migrations.0006_english_names").name_categories(apps, None)
    seeded = Category.objects.get(name="Vastgoed")
    assert seeded.name_en == "Real estate"
    with translation.override("en"):
        assert str(seeded) == "Real estate"
        assert str(Category(name="Nieuw", name_en="")) == "Nieuw"
    with translation.override("nl"):
        assert str(seeded) == "Vastgoed"


def test_the_status_has_its_own_badge(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    html = client.get(reverse("signalen:detail", args=[signal.pk])).content.decode()
    assert "status-badge status-new" in html
