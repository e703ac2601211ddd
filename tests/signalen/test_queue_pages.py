"""The queue pages by keyset: every visible signal once, in order, however deep; bounded counts."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import services as portal_services
from portal.cursor_pagination import CursorError, make_cursor
from portal.models import Organisation, Role
from signalen import selectors, services, views
from signalen.models import Category, Signal
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
    """The page links by their text; none when the list fits on one page."""
    if 'aria-label="Bladeren door de signalen"' not in html:
        return {}
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
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    # Status and category only: the kept counters know the number, exactly, past the limit.
    response = client.get(reverse("signalen:queue"), {"status": "all"})
    assert response.context["matching_count"] == selectors.BoundedCount(n=len(mine), more=False)
    assert f"{len(mine)} signalen" in response.content.decode()
    # A filter the counters do not keep: counted up to the limit, and said so.
    response = client.get(reverse("signalen:queue"), {"status": "all", "age": "lt7"})
    assert response.context["matching_count"] == selectors.BoundedCount(n=4, more=True)
    assert "Meer dan 4 signalen" in response.content.decode()
    assert selectors.attention_count(user=contact) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"status": "all"},
        {"status": "open"},
        {"status": "closed"},
        {"status": "new", "category": "drugs"},
        {"status": "all", "assignee": "none"},
        {"status": "all", "age": "gt7"},
        {"overdue": "on"},
    ],
)
def test_the_count_above_the_list_is_the_number_of_rows_it_walks_through(
    client, monkeypatch, params
):
    """Whatever answers the count (the page, the counters or a bounded count), it equals
    the rows the pages show, also for someone who serves two organisations, whose signals
    forwarded from one to the other are in both organisations' counters."""
    contact, mine, _hidden = _world()
    second, (colleague,) = meldpunt()
    portal_services.role_assign(user=contact, role=Role.CONTACT_PERSON, organisation=second)
    services.signal_forward(actor=contact, signal=mine[4], organisation=second)
    report(organisation=second)
    drugs = Category.objects.get(name="Drugs")
    params = {k: str(drugs.pk) if v == "drugs" else v for k, v in params.items()}
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    for person in (contact, colleague):
        client.force_login(person)
        url = reverse("signalen:queue")
        response = client.get(url, params)
        shown = len(response.context["page"].object_list)
        links = _links(response.content.decode())
        while "Volgende" in links:
            response = client.get(url + links["Volgende"])
            shown += len(response.context["page"].object_list)
            links = _links(response.content.decode())
        assert client.get(url, params).context["matching_count"] == selectors.BoundedCount(
            n=shown, more=False
        ), person


def test_the_page_size_can_be_chosen_and_stays_on_the_page_links(client):
    organisation, (contact,) = meldpunt()
    for _ in range(26):
        report(organisation=organisation)
    client.force_login(contact)
    url = reverse("signalen:queue")
    assert len(client.get(url).context["page"].object_list) == views.QUEUE_PAGE_SIZE == 25
    response = client.get(url, {"per_page": "50"})
    assert len(response.context["page"].object_list) == 26
    assert '<option value="50" selected>50</option>' in response.content.decode()
    response = client.get(url, {"per_page": "25", "sort": "oldest"})
    assert "per_page=25" in _links(response.content.decode())["Volgende"]
    # A size that is not offered is not taken: the page shows the default, nothing breaks.
    response = client.get(url, {"per_page": "100000"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_a_category_page_link_still_works_after_its_category_was_renamed(client, monkeypatch):
    """The category order skips whole categories by their place in the list; a cursor
    from before a rename no longer says where its category stands, and is followed by
    comparing every row instead: the same rows, none twice."""
    contact, mine, _hidden = _world()
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    client.force_login(contact)
    url = reverse("signalen:queue")
    first = client.get(url, {"status": "all", "sort": "category"})
    seen = [row.pk for row in first.context["page"].object_list]
    Category.objects.filter(name="Drugs").update(name="Aaa drugs")
    expected = [
        s.pk
        for s in selectors.signal_queue(
            user=contact, filters=QueueFilters(status="all", sort="category")
        )
    ]
    links = _links(first.content.decode())
    while "Volgende" in links:
        response = client.get(url + links["Volgende"])
        seen += [row.pk for row in response.context["page"].object_list]
        links = _links(response.content.decode())
    assert len(seen) == len(set(seen)) == len(mine)
    assert set(seen) == set(expected)


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


QUEUE_VIEWS = [
    {},
    {"status": "all"},
    {"status": "new"},
    {"status": "all", "sort": "oldest"},
    {"status": "all", "sort": "deadline"},
    {"status": "all", "sort": "category"},
    {"overdue": "on"},
    {"status": "all", "assignee": "me"},
    {"status": "all", "category": "drugs", "age": "gt30"},
]


@pytest.mark.parametrize("params", QUEUE_VIEWS)
def test_each_view_of_the_queue_takes_the_same_queries_at_two_volumes(client, params):
    organisation, (contact, colleague) = meldpunt(people=2)
    riec, _people = meldpunt(kind=Organisation.Kind.RIEC)
    drugs = CategoryFactory(name="Drugs", position=50)
    params = {k: str(drugs.pk) if v == "drugs" else v for k, v in params.items()}
    url = reverse("signalen:queue")

    def grow(n: int) -> None:
        for i in range(n):
            signal = report(organisation=organisation, category=drugs if i % 2 else None)
            if i % 3 == 0:
                services.signal_assign(actor=contact, signal=signal, assignee=contact)
            if i % 4 == 1:
                services.signal_forward(actor=contact, signal=signal, organisation=riec)
            past = timezone.now() - timedelta(days=40 + i)
            Signal.objects.filter(pk=signal.pk).update(
                received_at=past, deadline_at=past + timedelta(days=2)
            )

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as first:
            response = client.get(url, params)
        assert response.status_code == 200
        links = _links(response.content.decode())
        assert "Volgende" in links, "the test needs more than one page"
        with CaptureQueriesContext(connection) as deeper:
            client.get(url + links["Volgende"])
        return len(first), len(deeper)

    grow(6)
    client.force_login(contact)
    client.get(url)  # session and MFA flag settle on the first request
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(views, "QUEUE_PAGE_SIZE", 1)
        small = queries()
        grow(30)
        assert queries() == small
    assert small[0] <= 11


def test_the_dashboard_takes_the_same_queries_at_two_volumes(client):
    organisation, (contact,) = meldpunt()
    client.force_login(contact)
    url = reverse("signalen:dashboard")
    for _ in range(3):
        signal_in("in_progress", actor=contact, signal=report(organisation=organisation))
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(20):
        signal_in("closed", actor=contact, signal=report(organisation=organisation))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small) == len(large)


def test_the_rows_escape_every_value_they_write(client):
    organisation, (contact,) = meldpunt()
    elsewhere, _people = meldpunt(name='<b id="org">Elders</b>')
    category = CategoryFactory(name='<script id="cat">x</script>', position=60)
    signal = report(organisation=organisation, category=category)
    services.signal_forward(actor=contact, signal=signal, organisation=elsewhere)
    contact.full_name = '<i id="me">Ik</i>'
    contact.save(update_fields=["full_name"])
    client.force_login(contact)
    html = client.get(reverse("signalen:queue"), {"status": "all"}).content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "&lt;script id=&quot;cat&quot;&gt;" in body and "<script" not in body
    assert "nu bij &lt;b id=&quot;org&quot;&gt;Elders&lt;/b&gt;" in body
    assert 'data-label="Referentie"><a href="/signalen/' in body
