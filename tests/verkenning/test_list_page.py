"""The verkenning list: newest first in pages of 25, a search and a status filter, and a
count that stops at a limit."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import pagination
from tests.portal.factories import UserFactory, force_login_with_mfa
from tests.trainings.factories import ProgrammeFactory, coordinator_of
from tests.verkenning.factories import ContactFactory, InterviewFactory, VerkenningFactory
from verkenning.models import VerkenningStatus
from verkenning.selectors import LIST_PAGE_SIZE

pytestmark = pytest.mark.django_db

LIST = "/verkenningen/"


def _titles(response) -> list[str]:
    return re.findall(r'href="/verkenningen/\d+/">([^<]+)</a>', response.content.decode())


def _link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="(\?[^"]+)"', response.content.decode())
    return LIST + html.unescape(found.group(1)) if found else None


@pytest.fixture
def programme_verkenningen(client):
    """A coordinator's programme with a page and a bit of verkenningen, oldest first."""
    programme = ProgrammeFactory()
    force_login_with_mfa(client, coordinator_of(programme))
    return [VerkenningFactory(programme=programme) for _ in range(LIST_PAGE_SIZE + 5)]


def test_a_coordinator_reaches_every_verkenning_page_by_page(client, programme_verkenningen):
    newest_first = [v.title for v in reversed(programme_verkenningen)]
    first = client.get(reverse("verkenning:list"))
    assert _titles(first) == newest_first[:LIST_PAGE_SIZE]
    assert "30 verkenningen" in first.content.decode()

    second = client.get(_link(first, "next"))
    assert _titles(second) == newest_first[LIST_PAGE_SIZE:]
    assert _link(second, "next") is None
    assert _titles(client.get(_link(second, "prev"))) == newest_first[:LIST_PAGE_SIZE]


def test_each_row_counts_its_contacts_and_interviews(client, programme_verkenningen):
    newest = programme_verkenningen[-1]
    contact = ContactFactory(verkenning=newest)
    ContactFactory(verkenning=newest)
    InterviewFactory(verkenning=newest, contact=contact)

    response = client.get(reverse("verkenning:list"))
    row = re.search(
        rf"{re.escape(newest.title)}</a>.*?</tr>", response.content.decode(), re.S
    ).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "1"]


def test_search_and_status_narrow_the_list(client, programme_verkenningen):
    wanted = programme_verkenningen[2]
    wanted.title = "Haven en logistiek"
    wanted.status = VerkenningStatus.DONE
    wanted.save(update_fields=["title", "status"])

    assert _titles(client.get(LIST, {"q": "HAVEN"})) == ["Haven en logistiek"]
    assert _titles(client.get(LIST, {"status": VerkenningStatus.DONE})) == ["Haven en logistiek"]
    nothing = client.get(LIST, {"q": "haven", "status": VerkenningStatus.PREPARING})
    assert "Geen verkenningen gevonden" in nothing.content.decode()


def test_the_count_stops_at_the_limit_and_says_more_than(
    client, programme_verkenningen, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 10)
    assert "Meer dan 10 verkenningen" in client.get(LIST).content.decode()


def test_bad_input_shows_a_message_and_the_whole_list(client, programme_verkenningen):
    unknown = client.get(LIST, {"status": "verzonnen", "q": "x" * 101})
    assert unknown.status_code == 200
    assert unknown.content.decode().count('aria-invalid="true"') == 2
    assert len(_titles(unknown)) == LIST_PAGE_SIZE

    made_up = client.get(LIST, {"voor": "niet-echt"})
    assert "klopt niet (meer)" in made_up.content.decode()
    assert len(_titles(made_up)) == LIST_PAGE_SIZE


def test_someone_without_a_verkenning_sees_an_empty_list(client, programme_verkenningen):
    client.force_login(UserFactory())
    response = client.get(LIST)
    assert _titles(response) == []
    assert "Je bent (nog) bij geen verkenning betrokken." in response.content.decode()


def test_the_list_reads_as_many_queries_with_three_verkenningen_as_with_thirty(
    client, django_assert_num_queries
):
    programme = ProgrammeFactory()
    force_login_with_mfa(client, coordinator_of(programme))

    def grow(n: int) -> None:
        for _ in range(n):
            InterviewFactory(verkenning=VerkenningFactory(programme=programme))

    grow(3)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST).status_code == 200

    grow(27)
    with django_assert_num_queries(len(small.captured_queries)):
        first = client.get(LIST)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(_link(first, "next")).status_code == 200
