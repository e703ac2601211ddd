"""The catalogue writes its cards from plain values read by one statement
(``selectors.catalogue_page``): the page's HTML stays as it was, in Dutch and in English, for
every kind of card (enrolment not yet open, closed, full with a waiting list, places free;
the reader enrolled, waiting, awaiting a manager, cancelled) and for its filters and pages.

The expected HTML (``catalogue_cards/*.html``) was written by the page before its runs were
read as values; ids in links and options are numbered in order of appearance, so the files
hold whatever ids the database hands out."""

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import OrganisationFactory, UserFactory
from tests.trainings.factories import EnrolmentFactory, RunFactory, TrainingFactory
from trainings import selectors
from trainings.models import EnrolmentStatus, TrainingFormat

pytestmark = pytest.mark.django_db

EXPECTED = Path(__file__).parent / "catalogue_cards"
MOMENT = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)


def _run(training, *, days, opens=-10, closes=5, capacity=20, location="Stadskantoor"):
    now = timezone.now()
    return RunFactory(
        training=training,
        starts_at=now + timedelta(days=days, hours=days % 5),
        enrolment_opens_at=now + timedelta(days=opens),
        enrolment_closes_at=now + timedelta(days=closes),
        capacity=capacity,
        location=location,
    )


def _fill(run, status, n):
    for _ in range(n):
        EnrolmentFactory(run=run, status=status)


def _world():
    mine = OrganisationFactory(name="Gemeente Thuis")
    me = UserFactory(organisation=mine)
    other = OrganisationFactory(name="Politie & Partners <Oost>")
    elsewhere = OrganisationFactory(name="Belastingdienst Ver")
    formats = list(TrainingFormat)
    trainings = [
        TrainingFactory(
            title=f"Training <{index}> & co",
            provider=(other, elsewhere)[index % 2],
            format=formats[index % len(formats)],
        )
        for index in range(6)
    ]
    # Meant for my organisation, for another only, and given by my own organisation.
    named = TrainingFactory(title="Voor ons", provider=other)
    named.audience_organisations.add(mine)
    not_for_me = TrainingFactory(title="Niet voor ons", provider=other)
    not_for_me.audience_organisations.add(elsewhere)
    own = TrainingFactory(title="Van ons zelf", provider=mine)
    _run(named, days=3)
    _run(not_for_me, days=4)
    _run(own, days=5)
    # Not yet open, with one place and with several.
    _run(trainings[0], days=6, opens=2, capacity=1)
    _run(trainings[1], days=7, opens=3, capacity=12)
    # Closed.
    _run(trainings[2], days=8, opens=-20, closes=-1)
    # Full, with one and with two people waiting, and with none.
    for waiting, days in ((1, 9), (2, 10), (0, 11)):
        full = _run(trainings[3], days=days, capacity=2)
        _fill(full, EnrolmentStatus.ENROLLED, 2)
        _fill(full, EnrolmentStatus.WAITLISTED, waiting)
    # Places free, with the reader enrolled, waiting, awaiting a manager, cancelled.
    for status, days in (
        (EnrolmentStatus.ENROLLED, 12),
        (EnrolmentStatus.WAITLISTED, 13),
        (EnrolmentStatus.PENDING, 14),
        (EnrolmentStatus.CANCELLED, 15),
        (None, 16),
    ):
        run = _run(trainings[4], days=days, location="Zaal <3> & 4")
        _fill(run, EnrolmentStatus.ENROLLED, 3)
        _fill(run, EnrolmentStatus.PENDING, 1)
        if status:
            EnrolmentFactory(run=run, participant=me, status=status)
    # Enough more for a second page.
    for days in range(20, 40):
        _run(trainings[5], days=days)
    return me, other


def _main(html: str) -> str:
    """The page's main content, ids numbered by first appearance per kind."""
    body = re.search(r"<main.*?</main>", html, flags=re.S).group(0)
    numbers: dict[tuple[str, str], str] = {}

    def number(match):
        key = (match.group(1), match.group(2))
        label = numbers.setdefault(key, f"{sum(k[0] == key[0] for k in numbers) + 1}")
        return f"{match.group(1)}#{label}{match.group(3)}"

    return re.sub(r"(uitvoeringen/|option value=\"|aanbieder=)(\d+)(\D)", number, body)


QUERIES = [
    "",
    "?pagina=2",
    "?alles=on",
    "?plaatsen=on",
    "?vorm=workshop&van=2027-03-15&tot=2027-03-30",
    "?van=2027-03-30&tot=2027-03-15",
    "?aanbieder={other}&pagina=2",
]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("query", QUERIES)
def test_the_catalogue_is_written_as_before(client, language, query):
    with time_machine.travel(MOMENT, tick=False):
        me, other = _world()
        client.force_login(me)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("trainings:catalogue") + query.format(other=other.pk))
    assert page.status_code == 200
    name = re.sub(r"\W+", "_", query.replace("{other}", "")).strip("_")
    expected = EXPECTED / f"{language}{'_' + name if name else ''}.html"
    if os.environ.get("WRITE_EXPECTED"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(_main(page.content.decode()))
    assert _main(page.content.decode()) == expected.read_text()


def test_a_page_of_cards_holds_what_the_catalogue_reads():
    with time_machine.travel(MOMENT, tick=False):
        me, _other = _world()
        filters = selectors.CatalogueFilters(for_me=False)
        runs = list(selectors.catalogue(user=me, filters=filters))
        keys = list(selectors.catalogue_keys(user=me, filters=filters))
        cards = selectors.catalogue_page(user=me, run_ids=keys[::-1])
    assert keys == [run.pk for run in runs]
    assert cards[::-1] == [
        selectors.CatalogueCard(
            run.pk,
            run.training.title,
            run.training.provider.name,
            run.training.format,
            run.starts_at,
            run.location,
            run.enrolment_opens_at,
            run.enrolment_closes_at,
            run.capacity,
            run.enrolled_count,
            run.waitlist_count,
            run.my_status,
        )
        for run in runs
    ]
    assert selectors.catalogue_page(user=me, run_ids=[]) == []
