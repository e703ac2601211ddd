"""The werkplaats list: newest first in pages of 25, a search, and a count that stops at a limit."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import pagination
from tests.portal.factories import UserFactory, force_login_with_mfa
from tests.trainings.factories import ProgrammeFactory, coordinator_of
from tests.werkplaats.factories import ParticipationFactory, SessionFactory, WerkplaatsFactory
from werkplaats.selectors import LIST_PAGE_SIZE

pytestmark = pytest.mark.django_db

LIST = "/werkplaatsen/"


def _titles(response) -> list[str]:
    return re.findall(r'href="/werkplaatsen/\d+/">([^<]+)</a>', response.content.decode())


def _link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="(\?[^"]+)"', response.content.decode())
    return LIST + html.unescape(found.group(1)) if found else None


@pytest.fixture
def programme_werkplaatsen(client):
    """A coordinator's programme with a page and a bit of werkplaatsen, oldest first."""
    programme = ProgrammeFactory()
    force_login_with_mfa(client, coordinator_of(programme))
    return [WerkplaatsFactory(programme=programme) for _ in range(LIST_PAGE_SIZE + 5)]


def test_a_coordinator_reaches_every_werkplaats_page_by_page_and_back(
    client, programme_werkplaatsen
):
    newest_first = [w.title for w in reversed(programme_werkplaatsen)]
    first = client.get(reverse("werkplaats:list"))
    assert _titles(first) == newest_first[:LIST_PAGE_SIZE]
    assert "30 werkplaatsen" in first.content.decode()
    assert _link(first, "prev") is None

    second = client.get(_link(first, "next"))
    assert _titles(second) == newest_first[LIST_PAGE_SIZE:]
    assert _link(second, "next") is None
    back = client.get(_link(second, "prev"))
    assert _titles(back) == newest_first[:LIST_PAGE_SIZE]


def test_the_search_finds_a_werkplaats_by_theme_or_organisation(client, programme_werkplaatsen):
    wanted = programme_werkplaatsen[3]
    wanted.title = "Jeugd en veiligheid"
    wanted.save(update_fields=["title"])

    response = client.get(reverse("werkplaats:list"), {"q": "jeugd EN"})
    assert _titles(response) == ["Jeugd en veiligheid"]
    assert "1 werkplaats" in response.content.decode()

    by_organisation = client.get(reverse("werkplaats:list"), {"q": "werkplaatsstad"})
    assert len(_titles(by_organisation)) == LIST_PAGE_SIZE

    nothing = client.get(reverse("werkplaats:list"), {"q": "bestaat niet"})
    assert "Geen werkplaatsen gevonden" in nothing.content.decode()


def test_the_count_stops_at_the_limit_and_says_more_than(
    client, programme_werkplaatsen, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 10)
    response = client.get(reverse("werkplaats:list"))
    assert "Meer dan 10 werkplaatsen" in response.content.decode()
    assert len(_titles(response)) == LIST_PAGE_SIZE


def test_bad_input_shows_a_message_and_the_whole_list(client, programme_werkplaatsen):
    too_long = client.get(reverse("werkplaats:list"), {"q": "x" * 101})
    assert too_long.status_code == 200
    assert 'aria-invalid="true"' in too_long.content.decode()
    assert len(_titles(too_long)) == LIST_PAGE_SIZE

    made_up = client.get(reverse("werkplaats:list"), {"na": "niet-echt", "q": "\x00"})
    assert made_up.status_code == 200
    assert "klopt niet (meer)" in made_up.content.decode()
    assert _titles(made_up) == [w.title for w in reversed(programme_werkplaatsen)][:LIST_PAGE_SIZE]


def test_a_participant_sees_only_the_werkplaats_they_take_part_in(client, programme_werkplaatsen):
    person = UserFactory()
    ParticipationFactory(werkplaats=programme_werkplaatsen[0], user=person)
    client.force_login(person)

    response = client.get(reverse("werkplaats:list"))
    assert _titles(response) == [programme_werkplaatsen[0].title]
    assert "1 werkplaats" in response.content.decode()


def test_the_list_reads_as_many_queries_with_three_werkplaatsen_as_with_thirty(
    client, django_assert_num_queries
):
    programme = ProgrammeFactory()
    force_login_with_mfa(client, coordinator_of(programme))

    def grow(n: int) -> None:
        for _ in range(n):
            werkplaats = WerkplaatsFactory(programme=programme)
            ParticipationFactory(werkplaats=werkplaats)
            SessionFactory(werkplaats=werkplaats)

    grow(3)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200

    grow(27)
    with django_assert_num_queries(len(small.captured_queries)):
        first = client.get(LIST)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(_link(first, "next")).status_code == 200
