"""The queue pages by keyset: every visible signal once, in order, however deep; bounded counts."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.cursor_pagination import CursorError, make_cursor
from signalen import selectors, views
from signalen.models import Signal
from signalen.selectors import QueueFilters
from tests.signalen.factories import CategoryFactory, meldpunt, report, signal_in

pytestmark = pytest.mark.django_db


def _world():
    """Signals of one meldpunt with equal arrival times and deadlines, closed ones without a
    deadline, in two categories; and signals of another meldpunt the contact may not see."""
    organisation, (contact,) = meldpunt()
    other, (stranger,) = meldpunt()
    drugs = CategoryFactory(name="Drugs", position=50)
    mine = [report(organisation=organisation, category=drugs if i % 3 else None) for i in range(9)]
    for signal in mine[:3]:
        signal_in("closed", actor=contact, signal=signal)
    hidden = [report(organisation=other) for _ in range(3)]
    same = timezone.now() - timedelta(days=3)
    # Ties on every sort key but the primary key: the keyset must still tell them apart.
    Signal.objects.filter(pk__in=[s.pk for s in mine[2:7]]).update(received_at=same)
    Signal.objects.filter(pk__in=[s.pk for s in mine[4:9]]).update(deadline_at=same)
    return contact, mine, hidden


def _walk(user, filters, size):
    """All pages forward from the start, then all pages back from the end."""
    forward, pages = [], 0
    page = selectors.signal_queue_page(user=user, filters=filters, size=size)
    assert page.is_first and not page.has_previous
    while True:
        pages += 1
        forward.append([s.pk for s in page])
        if not page.has_next:
            break
        page = selectors.signal_queue_page(
            user=user, filters=filters, size=size, after=page.next_cursor
        )
    backward = [[s.pk for s in page]]
    while page.has_previous:
        page = selectors.signal_queue_page(
            user=user, filters=filters, size=size, before=page.previous_cursor
        )
        backward.insert(0, [s.pk for s in page])
    assert page.is_first
    return forward, backward


@pytest.mark.parametrize("sort", sorted(selectors.SORTS))
@pytest.mark.parametrize("size", [1, 2, 4])
def test_walking_the_pages_shows_every_visible_signal_once_in_order(sort, size):
    contact, mine, hidden = _world()
    filters = QueueFilters(status="all", sort=sort)
    expected = [s.pk for s in selectors.signal_queue(user=contact, filters=filters)]
    assert sorted(expected) == sorted(s.pk for s in mine)

    forward, backward = _walk(contact, filters, size)

    assert [pk for page in forward for pk in page] == expected
    assert forward == backward
    assert all(len(page) == size for page in forward[:-1])
    assert not {s.pk for s in hidden} & set(expected)


def test_a_cursor_never_widens_what_the_user_may_see():
    contact, _mine, hidden = _world()
    stranger_signal = Signal.objects.get(pk=hidden[0].pk)
    stranger_signal.category_position = stranger_signal.category.position
    stranger_signal.category_name = stranger_signal.category.name
    cursor = make_cursor(
        stranger_signal, keys=selectors.SORTS["newest"], salt=selectors.QUEUE_CURSOR_SALT
    )
    for direction in ("after", "before"):
        page = selectors.signal_queue_page(
            user=contact, filters=QueueFilters(status="all"), size=50, **{direction: cursor}
        )
        assert not {s.pk for s in hidden} & {s.pk for s in page}


def test_a_cursor_of_another_sort_or_made_up_is_refused():
    contact, mine, _hidden = _world()
    newest = selectors.signal_queue_page(user=contact, filters=QueueFilters(status="all"), size=2)
    for bad in (newest.next_cursor + "x", "abc", "", newest.next_cursor[:-3]):
        if not bad:
            continue
        with pytest.raises(CursorError):
            selectors.signal_queue_page(
                user=contact, filters=QueueFilters(status="all"), size=2, after=bad
            )
    with pytest.raises(CursorError):
        selectors.signal_queue_page(
            user=contact,
            filters=QueueFilters(status="all", sort="oldest"),
            size=2,
            after=newest.next_cursor,
        )


def _links(html: str) -> dict[str, str]:
    nav = html.split('aria-label="Bladeren door de signalen"')[1].split("</nav>")[0]
    return {
        label: unescape(href)
        for href, label in re.findall(r'href="([^"]*)">(Eerste|Vorige|Volgende)<', nav)
    }


def test_the_page_links_walk_the_queue_and_keep_the_filters(client, monkeypatch):
    contact, mine, _hidden = _world()
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 4)
    client.force_login(contact)
    url = reverse("signalen:queue")
    response = client.get(url, {"status": "all", "sort": "deadline"})
    seen = [s.pk for s in response.context["page"]]
    links = _links(response.content.decode())
    assert set(links) == {"Volgende"}
    while "Volgende" in links:
        assert "status=all" in links["Volgende"] and "sort=deadline" in links["Volgende"]
        response = client.get(url + links["Volgende"])
        assert response.status_code == 200
        seen += [s.pk for s in response.context["page"]]
        links = _links(response.content.decode())
    assert sorted(seen) == sorted(s.pk for s in mine) and len(seen) == len(set(seen))
    assert set(links) == {"Eerste", "Vorige"}
    back = client.get(url + links["Vorige"])
    assert [s.pk for s in back.context["page"]] == seen[4:8]


@pytest.mark.parametrize("name", ["na", "voor"])
@pytest.mark.parametrize(
    "value", ["x", "1:2:3", "eyJ4IjoxfQ:abc:def", "\x00", "9" * 5000, "%FF", "[1,2]"]
)
def test_a_damaged_page_link_shows_the_start_of_the_queue_with_a_message(client, name, value):
    contact, _mine, _hidden = _world()
    client.force_login(contact)
    response = client.get(reverse("signalen:queue"), {name: value, "status": "all"})
    assert response.status_code == 200
    assert response.context["page"].is_first
    assert "klopt niet (meer)" in response.content.decode()


def test_the_counts_stop_at_the_limit_and_say_more(client, monkeypatch):
    contact, mine, _hidden = _world()
    client.force_login(contact)
    response = client.get(reverse("signalen:queue"), {"status": "all"})
    assert response.context["matching_count"] == selectors.BoundedCount(n=len(mine), more=False)
    assert f"{len(mine)} signalen" in response.content.decode()

    monkeypatch.setattr(selectors, "COUNT_LIMIT", 4)
    response = client.get(reverse("signalen:queue"), {"status": "all"})
    assert response.context["matching_count"] == selectors.BoundedCount(n=4, more=True)
    assert "Meer dan 4 signalen" in response.content.decode()
    assert selectors.attention_count(user=contact) == 5


def test_a_deep_page_takes_as_many_queries_as_the_first_at_two_volumes(
    client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    organisation, (contact,) = meldpunt()
    client.force_login(contact)
    url = reverse("signalen:queue")

    def deepest_page_queries():
        response = client.get(url, {"status": "all"})
        links = _links(response.content.decode())
        while "Volgende" in links:
            last = links["Volgende"]
            response = client.get(url + last)
            links = _links(response.content.decode())
        with django_assert_num_queries(first) as captured:
            client.get(url + last)
        return len(captured)

    for _ in range(5):
        report(organisation=organisation)
    client.get(url)  # session and MFA flag settle on the first request
    with CaptureQueriesContext(connection) as captured:
        client.get(url, {"status": "all"})
    first = len(captured)
    assert deepest_page_queries() == first
    for _ in range(6):
        report(organisation=organisation)
    assert deepest_page_queries() == first
