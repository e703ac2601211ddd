"""The shared page kit: status badges, the form error summary, confirmation pages, English names."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from portal.models import Invitation
from portal.translated import localized
from tests.portal.factories import OrganisationFactory, coordinator

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def render(source: str, **context) -> str:
    return Template("{% load portal_ui %}" + source).render(Context(context))


def test_draft_and_published_badges_differ_in_colour_and_sign():
    draft = render("{% status_badge 'draft' 'Concept' %}")
    published = render("{% status_badge 'published' 'Gepubliceerd' %}")
    tone = re.compile(r"text-bg-(\w+)")
    assert tone.search(draft).group(1) != tone.search(published).group(1)
    assert "Concept" in draft and "Gepubliceerd" in published
    sign = re.compile(r'aria-hidden="true">(.) ')
    assert sign.search(draft).group(1) != sign.search(published).group(1)


def test_every_state_word_has_its_own_badge_and_unknown_ones_stay_neutral():
    cancelled = render("{% status_badge 'cancelled' 'Geannuleerd' %}")
    completed = render("{% status_badge 'completed' 'Afgerond' %}")
    unknown = render("{% status_badge 'whatever' 'Iets' %}")
    assert "text-bg-danger" in cancelled and "text-bg-dark" in completed
    assert "text-bg-secondary" in unknown


class SampleForm(forms.Form):
    title = forms.CharField(label="Titel")
    amount = forms.IntegerField(label="Aantal")

    def clean(self):
        raise forms.ValidationError("Het geheel klopt niet.")


def test_the_error_summary_links_each_error_to_its_field_and_takes_focus():
    form = SampleForm(data={"title": "", "amount": "veel"})
    assert not form.is_valid()
    html = render("{% form_error_summary form %}", form=form)
    assert 'href="#id_title"' in html and 'href="#id_amount"' in html
    assert "Het geheel klopt niet." in html
    assert 'tabindex="-1"' in html and "autofocus" in html
    assert 'role="alert"' in html
    assert "js/form_errors.js" in html
    assert "Er zijn 3 fouten" in html


def test_no_errors_no_summary():
    assert render("{% form_error_summary form %}", form=SampleForm()).strip() == ""
    assert render("{% form_error_summary missing %}").strip() == ""


def test_the_summary_reaches_into_formsets():
    formset = forms.formset_factory(SampleForm, extra=0)(
        data={
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-title": "",
            "form-0-amount": "x",
        },
    )
    formset.is_valid()
    html = render("{% form_error_summary formset %}", formset=formset)
    assert 'href="#id_form-0-title"' in html


def _form_templates():
    for path in sorted(ROOT.glob("*/templates/**/*.html")) + sorted(
        ROOT.glob("templates/**/*.html")
    ):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"\|crispy|\{% crispy |\|as_crispy_field", text):
            yield path, text


def test_every_form_page_shows_the_error_summary():
    missing = [
        str(p.relative_to(ROOT))
        for p, text in _form_templates()
        if "form_error_summary" not in text
    ]
    assert missing == []


def test_english_names_fall_back_to_dutch():
    class Named:
        name = "Vastgoed"
        name_en = "Real estate"

    class Untranslated:
        name = "Overig"
        name_en = ""

    with translation.override("en"):
        assert localized(Named(), "name") == "Real estate"
        assert localized(Untranslated(), "name") == "Overig"
        assert render("{{ obj|localized }}", obj=Named()) == "Real estate"
    with translation.override("nl"):
        assert localized(Named(), "name") == "Vastgoed"


def test_revoking_an_invitation_asks_first(client):
    person = coordinator()
    client.force_login(person)
    client.post(
        reverse("invitation_list"),
        {"email": "nieuw@voorbeeldstad.nl", "organisation": OrganisationFactory().pk},
    )
    invitation = Invitation.objects.get(email="nieuw@voorbeeldstad.nl")
    url = reverse("invitation_revoke", args=[invitation.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="{url}"' in html and reverse("invitation_list") in html
    invitation.refresh_from_db()
    assert invitation.revoked_at is None

    assert client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
