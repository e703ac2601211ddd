"""The library: Dutch full-text search on a fixed corpus, filters, curation, material publishing.

The corpus is written here, so relevance is checked against known texts: PostgreSQL's Dutch
stemming ("ondermijnende" finds "ondermijning"), a title match ranked before a description
match, and the SQLite fallback with its own crude stemming.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from portal.models import Organisation
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    coordinator,
    force_login_with_mfa,
)
from tests.trainings.factories import ProgrammeFactory, RunFactory, TrainingFactory
from trainings import selectors, services, textsearch
from trainings.models import LibraryTheme, Material, Resource, ResourceKind, ResourceStatus
from trainings.selectors import LibraryFilters

pytestmark = pytest.mark.django_db

# (title, description, kind, partner, themes, elements)
CORPUS = [
    (
        "Ondermijning herkennen in de wijk",
        "Een praatplaat met signalen van criminele inmenging in buurt en vastgoed.",
        ResourceKind.TOOL,
        "Gemeente",
        ["Vastgoed"],
        ["signaal"],
    ),
    (
        "Handreiking Bibob",
        "Hoe de gemeente met de Wet Bibob voorkomt dat zij ondermijning onbedoeld faciliteert.",
        ResourceKind.LINK,
        "Gemeente",
        ["Bibob"],
        ["begrip", "oppakken"],
    ),
    (
        "Meldpunt Ondermijning",
        "Waar medewerkers een vermoeden van ondermijning kwijt kunnen, ook anoniem.",
        ResourceKind.CONTACT,
        "RIEC",
        [],
        ["oppakken"],
    ),
    (
        "Integraal Afwegingskader",
        "Samen met de partners bepalen welke interventie het meest effectief is.",
        ResourceKind.LINK,
        "RIEC",
        ["Integraal samenwerken"],
        ["oppakken"],
    ),
    (
        "Witwassen via contante betalingen",
        "Signalen van witwassen bij de kassa: grote contante bedragen en stromannen.",
        ResourceKind.LINK,
        "Belastingdienst",
        ["Witwassen"],
        ["signaal"],
    ),
    (
        "Netwerkkaart veiligheidspartners",
        "Wie zit waar aan tafel: een overzicht van de partners in het netwerk.",
        ResourceKind.TOOL,
        "Politie",
        ["Integraal samenwerken"],
        ["netwerk"],
    ),
    (
        "Zorgfraude signaleren",
        "Hoe je als zorgconsulent fraude met persoonsgebonden budgetten opmerkt.",
        ResourceKind.LINK,
        "Gemeente",
        ["Zorgfraude"],
        ["signaal"],
    ),
    (
        "Arbeidsuitbuiting in de schoonmaak",
        "Casus uit de praktijk van de arbeidsinspectie met een stappenplan.",
        ResourceKind.LINK,
        "Politie",
        ["Arbeidsuitbuiting"],
        ["begrip"],
    ),
    (
        "Drugslabs in het buitengebied",
        "Ondermijnende criminaliteit op het platteland: wat zie je bij een boerderij?",
        ResourceKind.LINK,
        "Politie",
        ["Drugscriminaliteit"],
        ["signaal", "begrip"],
    ),
    (
        "Informatie delen binnen het convenant",
        "Welke gegevens partners mogen delen en onder welke voorwaarden.",
        ResourceKind.LINK,
        "OM",
        ["Informatiedeling"],
        ["netwerk"],
    ),
    (
        "Weerbare ambtenaar",
        "Training en gesprekskaart over integriteit en intimidatie van medewerkers.",
        ResourceKind.TOOL,
        "Gemeente",
        ["Weerbaarheid"],
        ["begrip"],
    ),
    (
        "Fiscale aanpak van criminele winsten",
        "Hoe de Belastingdienst crimineel vermogen belast en terughaalt.",
        ResourceKind.LINK,
        "Belastingdienst",
        ["Witwassen"],
        ["oppakken"],
    ),
]


def coordinator_of(programme):
    """A coordinator of ``programme`` with an authenticator, as coordinators must have."""
    person = coordinator()
    programme.coordinators.add(person)
    return person


def _partners() -> dict[str, Organisation]:
    return {
        name: OrganisationFactory(name=name)
        for name in ("Gemeente", "RIEC", "Belastingdienst", "Politie", "OM")
    }


@pytest.fixture
def library():
    programme = ProgrammeFactory(name="Bibliotheek programma")
    curator = coordinator_of(programme)
    partners = _partners()
    # The migration adds these themes, but a transactional test elsewhere may have flushed them.
    names = {name for row in CORPUS for name in row[4]}
    themes = {name: LibraryTheme.objects.get_or_create(name=name)[0] for name in names}
    resources = {}
    for title, description, kind, partner, theme_names, elements in CORPUS:
        resources[title] = services.resource_create(
            actor=curator,
            programme=programme,
            kind=kind,
            title=title,
            description=description,
            url="https://example.org/" if kind != ResourceKind.CONTACT else "",
            contact_details="030 123 45 67" if kind == ResourceKind.CONTACT else "",
            organisations=[partners[partner]],
            themes=[themes[name] for name in theme_names],
            elements=elements,
        )
    return programme, curator, partners, themes, resources


def titles(user, **filters) -> list[str]:
    return [r.title for r in selectors.library_search(user=user, filters=LibraryFilters(**filters))]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_ondermijnende_finds_the_documents_about_ondermijning_title_matches_first(library):
    reader = UserFactory()

    found = titles(reader, query="ondermijnende")

    # Stemmed: ondermijning, ondermijnende. Titles first, then descriptions.
    assert set(found) == {
        "Ondermijning herkennen in de wijk",
        "Meldpunt Ondermijning",
        "Handreiking Bibob",
        "Drugslabs in het buitengebied",
    }
    assert set(found[:2]) == {"Ondermijning herkennen in de wijk", "Meldpunt Ondermijning"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_websearch_syntax_and_tags_count(library):
    reader = UserFactory()

    assert titles(reader, query="witwassen -kassa") == ["Fiscale aanpak van criminele winsten"]
    assert titles(reader, query='"contante betalingen"') == ["Witwassen via contante betalingen"]
    # A theme is a tag (weight C): "Bibob" is in a title, "Vastgoed" only in a theme and text.
    assert titles(reader, query="vastgoed") == ["Ondermijning herkennen in de wijk"]
    # The partner's name is a tag too.
    assert "Meldpunt Ondermijning" in titles(reader, query="RIEC")
    assert titles(reader, query="de het een") == []  # stop words only: nothing, no error


def test_the_fallback_finds_word_forms_by_their_stem(library, monkeypatch):
    """The SQLite path, run here by pretending the vendor: substring on stems, title first."""
    monkeypatch.setattr(selectors.connection, "vendor", "sqlite")
    reader = UserFactory()

    found = titles(reader, query="ondermijnende")

    assert set(found) == {
        "Ondermijning herkennen in de wijk",
        "Meldpunt Ondermijning",
        "Handreiking Bibob",
        "Drugslabs in het buitengebied",
    }
    assert set(found[:2]) == {"Ondermijning herkennen in de wijk", "Meldpunt Ondermijning"}
    assert titles(reader, query="witwassen kassa") == ["Witwassen via contante betalingen"]
    assert titles(reader, query="???") == []


def test_fallback_terms():
    assert textsearch.fallback_terms("Ondermijnende ondermijning") == ["ondermijn"]
    assert textsearch.fallback_terms("-kassa witwassen OR fraude") == ["witwass", "fraud"]
    assert textsearch.stem("wet") == "wet"


def test_filters_by_partner_theme_element_and_kind(library):
    _programme, _curator, partners, themes, _resources = library
    reader = UserFactory()

    assert titles(reader, organisation_id=partners["RIEC"].pk) == [
        "Integraal Afwegingskader",
        "Meldpunt Ondermijning",
    ]
    assert titles(reader, theme_id=themes["Witwassen"].pk) == [
        "Fiscale aanpak van criminele winsten",
        "Witwassen via contante betalingen",
    ]
    assert titles(reader, element="netwerk") == [
        "Informatie delen binnen het convenant",
        "Netwerkkaart veiligheidspartners",
    ]
    assert titles(reader, kind=ResourceKind.CONTACT) == ["Meldpunt Ondermijning"]
    assert titles(reader, element="oppakken", organisation_id=partners["Gemeente"].pk) == [
        "Handreiking Bibob"
    ]
    assert titles(reader, element="onzin") == sorted(t[0] for t in CORPUS)


def test_only_published_resources_are_found(library):
    programme, curator, *_ = library
    suggester = UserFactory()
    suggestion = services.resource_create(
        actor=suggester,
        programme=programme,
        kind=ResourceKind.LINK,
        title="Ondermijning in het havengebied",
        description="Voorstel.",
        url="https://example.org/haven",
    )

    assert suggestion.status == ResourceStatus.SUGGESTED
    assert "Ondermijning in het havengebied" not in titles(suggester, query="ondermijning")

    services.resource_publish(actor=curator, resource=suggestion)
    assert "Ondermijning in het havengebied" in titles(suggester, query="ondermijning")

    services.resource_reject(actor=curator, resource=suggestion, reason="Verouderd.")
    assert "Ondermijning in het havengebied" not in titles(suggester, query="ondermijning")


def test_the_search_page_has_the_same_query_count_at_two_volumes(
    client, library, django_assert_num_queries
):
    programme, curator, partners, themes, _ = library
    reader = UserFactory()
    client.force_login(reader)
    url = reverse("trainings:library") + "?q=signalen&element=signaal"
    client.get(url)  # the session is saved on the first request

    with django_assert_num_queries(9) as small:
        first = client.get(url)
    for n in range(30):
        services.resource_create(
            actor=curator,
            programme=programme,
            kind=ResourceKind.LINK,
            title=f"Signalen van ondermijning {n}",
            description="Extra signalen.",
            url="https://example.org/",
            organisations=list(partners.values()),
            themes=list(themes.values()),
            elements=["signaal"],
        )
    with django_assert_num_queries(len(small.captured_queries)):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert "Zorgfraude signaleren" in first.content.decode()
    assert second.context["page"].paginator.count == first.context["page"].paginator.count + 30


def test_bad_filters_are_ignored_not_a_server_error(client, library):
    client.force_login(UserFactory())
    for query in (
        "?partner=abc",
        "?thema=-1",
        "?element=%00",
        "?q=" + "x" * 500,
        "?q=%00&pagina=z",
    ):
        assert client.get(reverse("trainings:library") + query).status_code == 200


def test_a_suggester_sees_their_own_suggestion_and_its_status_others_do_not(client, library):
    programme, curator, *_ = library
    suggester, other = UserFactory(), UserFactory()
    client.force_login(suggester)

    response = client.post(
        reverse("trainings:resource_create"),
        {
            "programme": programme.pk,
            "kind": ResourceKind.CONTACT,
            "title": "Loket Zorg en Veiligheid",
            "description": "Voor vragen over zorg en veiligheid.",
            "contact_details": "loket@example.org",
            "elements": ["oppakken"],
        },
    )

    resource = Resource.objects.get(title="Loket Zorg en Veiligheid")
    assert response.status_code == 302
    assert resource.status == ResourceStatus.SUGGESTED and resource.suggested_by == suggester
    assert resource.elements == ["oppakken"]
    mine = client.get(reverse("trainings:library_suggestions")).content.decode()
    assert "Loket Zorg en Veiligheid" in mine and "Voorgesteld" in mine
    assert client.get(reverse("trainings:resource_detail", args=[resource.pk])).status_code == 200
    # Not for someone else; not curated by the suggester either.
    client.force_login(other)
    assert client.get(reverse("trainings:resource_detail", args=[resource.pk])).status_code == 404
    client.force_login(suggester)
    assert client.post(reverse("trainings:resource_publish", args=[resource.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.resource_publish(actor=suggester, resource=resource)
    # The curator sees it waiting and publishes it.
    force_login_with_mfa(client, curator)
    assert (
        "Loket Zorg en Veiligheid"
        in client.get(reverse("trainings:library_suggestions")).content.decode()
    )
    client.post(reverse("trainings:resource_publish", args=[resource.pk]))
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED and resource.curated_by == curator
    client.force_login(other)
    assert client.get(reverse("trainings:resource_detail", args=[resource.pk])).status_code == 200


def test_a_coordinator_of_another_programme_cannot_curate(library):
    _programme, _curator, *_rest, resources = library
    outsider = coordinator_of(ProgrammeFactory(name="Ander programma"))
    resource = resources["Handreiking Bibob"]

    with pytest.raises(PermissionDenied):
        services.resource_reject(actor=outsider, resource=resource, reason="Nee.")
    with pytest.raises(PermissionDenied):
        services.resource_update(
            actor=outsider,
            resource=resource,
            kind=resource.kind,
            title="Gekaapt",
            description="x",
            url="https://example.org/",
        )
    resource.refresh_from_db()
    assert resource.title == "Handreiking Bibob"


def test_a_rejection_needs_a_reason_the_suggester_reads(client, library):
    programme, curator, *_ = library
    suggester = UserFactory()
    resource = services.resource_create(
        actor=suggester,
        programme=programme,
        kind=ResourceKind.LINK,
        title="Oud rapport",
        description="Uit 2009.",
        url="https://example.org/oud",
    )
    with pytest.raises(ValidationError):
        services.resource_reject(actor=curator, resource=resource, reason="  ")

    force_login_with_mfa(client, curator)
    client.post(reverse("trainings:resource_reject", args=[resource.pk]), {"reason": "Verouderd"})

    client.force_login(suggester)
    page = client.get(reverse("trainings:resource_detail", args=[resource.pk])).content.decode()
    assert "Afgewezen" in page and "Verouderd" in page


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "document"}, "file"),
        ({"kind": "link"}, "url"),
        ({"kind": "contact"}, "contact_details"),
        ({"kind": "tool"}, "url"),
        ({"kind": "link", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "link", "url": "https://example.org", "elements": ["vijfde"]}, "elements"),
    ],
)
def test_bad_input_gets_a_message_and_writes_nothing(client, data, field):
    programme = ProgrammeFactory(name="Invoer")
    client.force_login(UserFactory())
    post = {"programme": programme.pk, "title": "Iets", "description": "Iets nuttigs.", **data}

    response = client.post(reverse("trainings:resource_create"), post)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Resource.objects.exists()


def test_a_document_upload_downloads_for_everyone_once_published(client, settings, tmp_path):
    settings.TRAININGS_MATERIAL_ROOT = tmp_path / "materiaal"
    programme = ProgrammeFactory(name="Documenten")
    curator = coordinator_of(programme)
    force_login_with_mfa(client, curator)
    client.post(
        reverse("trainings:resource_create"),
        {
            "programme": programme.pk,
            "kind": "document",
            "title": "Handreiking Bibob",
            "description": "De handreiking.",
            "file": SimpleUploadedFile("bibob.pdf", b"%PDF-1.4 bibob", "application/pdf"),
        },
    )
    resource = Resource.objects.get()
    assert resource.status == ResourceStatus.PUBLISHED  # a curator's own: published at once

    client.force_login(UserFactory())
    response = client.get(reverse("trainings:resource_download", args=[resource.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 bibob"


@pytest.fixture
def material(settings, tmp_path):
    settings.TRAININGS_MATERIAL_ROOT = tmp_path / "materiaal"
    programme = ProgrammeFactory(name="Materiaal naar bibliotheek")
    training = TrainingFactory(programme=programme)
    RunFactory(training=training)
    item = Material(training=training, title="Hand-out Hoe werkt de gemeente")
    item.file.save("hand-out.pdf", ContentFile(b"%PDF-1.4 hand-out"), save=True)
    return item


def test_only_after_publishing_does_a_material_open_for_outsiders(client, material):
    curator = coordinator_of(material.training.programme)
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(reverse("trainings:material", args=[material.pk])).status_code == 404
    force_login_with_mfa(client, curator)
    edit_page = client.get(reverse("trainings:training_edit", args=[material.training_id]))
    assert (
        reverse("trainings:material_to_library", args=[material.pk]) in edit_page.content.decode()
    )

    response = client.post(
        reverse("trainings:material_to_library", args=[material.pk]),
        {"description": "De hand-out van de training.", "elements": ["begrip"]},
    )

    resource = Resource.objects.get(material=material)
    assert response.status_code == 302
    assert resource.status == ResourceStatus.PUBLISHED
    assert resource.kind == ResourceKind.DOCUMENT
    assert list(resource.organisations.all()) == [material.training.provider]
    client.force_login(outsider)
    download = client.get(reverse("trainings:resource_download", args=[resource.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 hand-out"
    # The material itself stays behind the training's check.
    assert client.get(reverse("trainings:material", args=[material.pk])).status_code == 404
    # Published once: the second attempt is refused.
    with pytest.raises(ValidationError):
        services.resource_from_material(actor=curator, material=material, description="Weer.")


def test_publishing_a_material_is_for_its_programme_coordinators_only(client, material):
    other = coordinator_of(ProgrammeFactory(name="Elders"))
    force_login_with_mfa(client, other)

    response = client.post(
        reverse("trainings:material_to_library", args=[material.pk]),
        {"description": "Gekaapt."},
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.resource_from_material(actor=other, material=material, description="x")
    with pytest.raises(PermissionDenied):
        services.resource_from_material(actor=UserFactory(), material=material, description="x")
    assert not Resource.objects.exists()


def test_a_page_past_the_end_is_the_last_page_and_long_lists_are_capped(library):
    reader = UserFactory()
    search = LibraryFilters(query="signalen")
    found = titles(reader, query="signalen")

    last = selectors.library_page(user=reader, filters=search, number=99, per_page=2, cap=100)
    capped = selectors.library_page(
        user=reader, filters=LibraryFilters(), number=1, per_page=5, cap=10
    )
    whole = selectors.library_page(
        user=reader, filters=LibraryFilters(), number=3, per_page=5, cap=100
    )

    assert last.count == len(found) and not last.more_than_count
    assert last.number == -(-len(found) // 2)
    assert [r.title for r in last.resources] == found[(last.number - 1) * 2 :]
    assert capped.count == 10 and capped.more_than_count
    assert whole.count == len(CORPUS) and whole.number == 3
    assert [r.title for r in whole.resources] == sorted(t[0] for t in CORPUS)[10:]


def test_the_plain_list_has_the_same_query_count_at_two_volumes(
    client, library, django_assert_num_queries
):
    programme, curator, partners, themes, _ = library
    client.force_login(UserFactory())
    url = reverse("trainings:library") + "?pagina=2"
    client.get(url)
    with django_assert_num_queries(9) as small:
        client.get(url)
    for n in range(25):
        services.resource_create(
            actor=curator,
            programme=programme,
            kind=ResourceKind.LINK,
            title=f"Aanvulling {n}",
            description="Nog een middel.",
            url="https://example.org/",
            organisations=list(partners.values()),
            themes=list(themes.values()),
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_a_broad_search_ranks_a_capped_set_and_says_there_are_more(library):
    reader = UserFactory()
    search = LibraryFilters(query="ondermijnende")
    everything = titles(reader, query="ondermijnende")

    whole = selectors.library_page(user=reader, filters=search, number=1, per_page=10, cap=10)
    first = selectors.library_page(user=reader, filters=search, number=1, per_page=2, cap=3)
    deep = selectors.library_page(user=reader, filters=search, number=99, per_page=2, cap=3)

    # Within the cap every match is ranked, as before.
    assert [r.title for r in whole.resources] == everything
    assert whole.count == len(everything) == 4 and not whole.more_than_count
    # Past it, three of the four are ranked and paged, and the page says there are more.
    assert first.count == 3 and first.more_than_count and len(first.resources) == 2
    assert deep.number == 2 and len(deep.resources) == 1
    shown = [r.title for r in first.resources + deep.resources]
    assert len(set(shown)) == 3 and set(shown) <= set(everything)
    assert shown == [t for t in everything if t in shown]  # in rank order
    nothing = selectors.library_page(
        user=reader, filters=LibraryFilters(query="xyzzy"), number=3, per_page=2, cap=3
    )
    assert nothing.number == 1 and nothing.count == 0 and nothing.resources == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_a_broad_search_has_the_same_query_count_below_and_above_the_cap(
    client, library, django_assert_num_queries, monkeypatch
):
    from trainings.views import library as library_views

    monkeypatch.setattr(library_views, "LIBRARY_COUNT_CAP", 10)
    programme, curator, partners, themes, _ = library
    client.force_login(UserFactory())
    url = reverse("trainings:library") + "?q=signalen&pagina=2"
    client.get(url)
    with django_assert_num_queries(9) as small:
        below = client.get(url)
    for n in range(25):
        services.resource_create(
            actor=curator,
            programme=programme,
            kind=ResourceKind.LINK,
            title=f"Signalen {n}",
            description="Nog een middel over signalen.",
            url="https://example.org/",
            organisations=list(partners.values()),
            themes=list(themes.values()),
        )
    with django_assert_num_queries(len(small.captured_queries)):
        above = client.get(url)

    assert not below.context["more_than_cap"]
    assert above.context["more_than_cap"] and above.context["page"].paginator.count == 10
    assert "Meer dan 10 middelen passen bij je zoekwoorden" in above.content.decode()
