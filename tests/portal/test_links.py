"""The kernel's link registry: one app's link on another app's page, without an import."""

import pytest
from django.template.loader import render_to_string

from portal import links
from portal.links import RelatedLink
from tests.portal.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_registry(monkeypatch):
    """Each test registers its own providers on a registry of its own."""
    monkeypatch.setattr(links, "_registrations", {})


def _to_organisation_page(user, organisation):
    return [RelatedLink(text="Zie ook", title=organisation.name, url=f"/o/{organisation.pk}/")]


def _only_for_staff(user, organisation):
    return [RelatedLink(text="Beheer", title="", url="/beheer/")] if user.is_staff else []


def test_a_model_without_providers_has_no_related_links():
    assert links.related_links(UserFactory(), OrganisationFactory()) == []
    assert links.select_related_for("portal.Organisation") == []


def test_every_provider_for_the_model_adds_its_links_in_the_order_registered():
    links.register("portal.Organisation", _to_organisation_page)
    links.register("portal.Organisation", _only_for_staff)
    organisation = OrganisationFactory(name="Gemeente Zuid")

    shown = links.related_links(UserFactory(is_staff=True), organisation)

    assert [link.text for link in shown] == ["Zie ook", "Beheer"]
    assert shown[0].title == "Gemeente Zuid"
    assert links.related_links(UserFactory(), organisation)[-1].text == "Zie ook"
    assert links.related_links(UserFactory(), UserFactory()) == []  # another model


def test_registering_a_provider_again_replaces_it_with_its_joins():
    links.register("portal.Organisation", _to_organisation_page, select_related=["a__b"])
    links.register("portal.Organisation", _to_organisation_page, select_related=["c"])
    assert links.select_related_for("portal.Organisation") == ["c"]
    assert len(links.related_links(UserFactory(), OrganisationFactory())) == 1


def test_the_page_renders_each_link_after_its_text():
    html = render_to_string(
        "includes/_related_links.html",
        {"links": [RelatedLink(text="Voortgekomen uit", title="A & B", url="/x/")]},
    )
    assert html == '<p>Voortgekomen uit <a href="/x/">A &amp; B</a></p>'
