"""The month and week views read the first sessions of each day and every day's number in one
SQL statement around the calendar's own ORM rule: it must pick and count what
``calendar_sessions`` lists, by the local day a session starts on, for anyone and any filter."""

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import OrganisationFactory, UserFactory, force_login_with_mfa
from tests.trainings.factories import (
    ProgrammeFactory,
    RunFactory,
    SessionFactory,
    TrainingFactory,
    coordinator_of,
)
from trainings import selectors
from trainings.models import RunStatus, TrainingFormat

pytestmark = pytest.mark.django_db


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def world():
    """Two programmes, busy days, sessions around local midnight (the UTC day differs), a day
    and a half long session, drafts, a cancelled run and a session called off."""
    first_day = (timezone.localdate() + timedelta(days=40)).replace(day=1)
    ours, theirs = ProgrammeFactory(), ProgrammeFactory()
    police = OrganisationFactory(name="Politie Oost")
    boss = coordinator_of(ours)

    def session(day, hour, minute=0, *, hours=2, **run):
        training = run.pop("training", None) or TrainingFactory(programme=ours)
        starts = _at(day, hour, minute)
        SessionFactory(
            run=RunFactory(training=training, with_session=False, **run),
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
        )

    busy = first_day + timedelta(days=9)
    for n in range(7):
        session(busy, 9, n)
    for n in range(4):
        session(busy, 13, n, status=RunStatus.DRAFT)
        session(busy, 14, n, status=RunStatus.DRAFT, training=TrainingFactory(programme=theirs))
    session(busy, 10, training=TrainingFactory(programme=ours, provider=police))
    session(
        busy,
        11,
        training=TrainingFactory(programme=ours, format=TrainingFormat.AWARENESS),
    )
    session(busy, 12, status=RunStatus.CANCELLED)
    # Just after and just before local midnight: the same UTC day, different local days.
    session(first_day + timedelta(days=3), 0, 30)
    session(first_day + timedelta(days=2), 23, 30)
    session(first_day + timedelta(days=2), 23, 45)
    # Begun the evening before the first day and still on: listed on the day it began.
    session(first_day - timedelta(days=1), 20, hours=30)
    # The last day of the month and the first of the next.
    last = (first_day + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    for n in range(4):
        session(last, 16, n)
    session(last + timedelta(days=1), 9)
    return first_day, last, boss, police


def _expected(per_day, **chosen):
    """The first ``per_day`` a day of ``calendar_sessions`` and each day's number."""
    by_day = defaultdict(list)
    for entry in selectors.calendar_sessions(**chosen):
        by_day[entry.day].append(entry)
    shown = sorted(
        (entry for entries in by_day.values() for entry in entries[:per_day]),
        key=lambda entry: (entry.starts_at, entry.session_id),
    )
    return shown, {day: len(entries) for day, entries in by_day.items()}


@pytest.mark.parametrize("per_day", [1, 3, 5])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": RunStatus.DRAFT},
        {"status": RunStatus.CANCELLED},
        {"format": TrainingFormat.AWARENESS},
        {"organisation": True},
    ],
)
@pytest.mark.parametrize("who", ["coordinator", "participant"])
def test_the_days_pick_and_count_what_the_calendar_lists(world, per_day, filters, who):
    first_day, last, boss, police = world
    filters = dict(filters)
    if filters.pop("organisation", False):
        filters["organisation_id"] = police.pk
    chosen = {
        "user": boss if who == "coordinator" else UserFactory(),
        "start": _at(first_day, 0),
        "end": _at(last + timedelta(days=1), 0),
        **filters,
    }
    entries, totals = selectors.calendar_days(per_day=per_day, **chosen)
    shown, counted = _expected(per_day, **chosen)
    assert entries == shown
    assert totals == {entry.day: counted[entry.day] for entry in shown}


def test_a_busy_day_is_counted_whole_and_shown_in_part(world):
    first_day, last, boss, _police = world
    entries, totals = selectors.calendar_days(
        user=boss,
        start=_at(first_day, 0),
        end=_at(last + timedelta(days=1), 0),
        per_day=3,
    )
    busy = first_day + timedelta(days=9)
    # Seven published and four drafts of the coordinator's programme, a provider's, an
    # awareness session and a cancelled run's; not the other programme's drafts.
    assert totals[busy] == 14
    assert [entry.day for entry in entries].count(busy) == 3


def test_the_provider_choices_are_the_training_providers():
    for name in ("Zeeland", "Amsterdam", "Gemeente Utrecht"):
        TrainingFactory(provider=OrganisationFactory(name=name))
    OrganisationFactory(name="Aanbiedt niets")
    assert selectors.training_provider_choices() == list(
        selectors.training_providers().values_list("pk", "name")
    )


@pytest.mark.parametrize(
    ("language", "formats", "statuses"),
    [
        (
            "nl",
            '<option value="">Alle</option><option value="training">Training</option>'
            '<option value="bewustwordingssessie" selected>Bewustwordingssessie</option>',
            '<option value="">Alle</option><option value="draft">Concept</option>'
            '<option value="published">Gepubliceerd</option>'
            '<option value="cancelled" selected>Geannuleerd</option>',
        ),
        (
            "en",
            '<option value="">All</option><option value="training">Training</option>'
            '<option value="bewustwordingssessie" selected>Awareness session</option>',
            '<option value="">All</option><option value="draft">Draft</option>'
            '<option value="published">Published</option>'
            '<option value="cancelled" selected>Cancelled</option>',
        ),
    ],
)
def test_the_filter_options_are_written_as_the_template_wrote_them(
    client, world, language, formats, statuses
):
    first_day, _last, boss, police = world
    force_login_with_mfa(client, boss)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(
        reverse("trainings:calendar"),
        {
            "maand": first_day.strftime("%Y-%m"),
            "vorm": TrainingFormat.AWARENESS,
            "status": RunStatus.CANCELLED,
            "organisatie": police.pk,
        },
    ).content.decode()
    assert formats in page
    assert statuses in page
    assert f'<option value="{police.pk}" selected>Politie Oost</option>' in page
