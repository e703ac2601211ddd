"""The programme's funnel: examples named in its bewustwordingssessies, then signals reported by
their participants within three months, as counts under the small-number rule."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboard import disclosure, funnel
from dashboard import services as dashboard_services
from portal.models import FiguresSnapshot
from signalen import selectors as signal_selectors
from tests.portal.factories import UserFactory, coordinator, force_login_with_mfa
from tests.signalen.factories import meldpunt, report
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
)
from trainings import selectors as training_selectors
from trainings.models import (
    Attendance,
    AttendanceStatus,
    AwarenessExample,
    RunStatus,
    TrainingFormat,
)

pytestmark = pytest.mark.django_db

LESS_THAN_FIVE_CELL = 'class="text-end">&lt;5'


def _at(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


def _session_run(programme, starts_at, participants: int):
    """A held bewustwordingssessie with ``participants`` people who took part."""
    run = RunFactory(
        training=TrainingFactory(programme=programme, format=TrainingFormat.AWARENESS),
        status=RunStatus.COMPLETED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        enrolment_opens_at=starts_at - timedelta(days=30),
        enrolment_closes_at=starts_at - timedelta(days=1),
    )
    people = [EnrolmentFactory(run=run).participant for _ in range(participants)]
    return run, people


def _report_at(moment, person, organisation):
    with time_machine.travel(moment, tick=False):
        return report(reporter=person, organisation=organisation)


@pytest.fixture
def world():
    programme = ProgrammeFactory()
    organisation, _contacts = meldpunt()
    session_start = _at(2025, 2, 10, 9)
    run, people = _session_run(programme, session_start, participants=6)
    session = run.sessions.get()
    absent = EnrolmentFactory(run=run)
    Attendance.objects.create(enrolment=absent, session=session, status=AttendanceStatus.ABSENT)
    for n in range(4):
        AwarenessExample.objects.create(session=session, text=f"Vb {n}", submission_key=f"k{n}")
    a, b, c, d = people[:4]
    _report_at(_at(2025, 2, 10, 11), a, organisation)  # during the session: counts
    _report_at(_at(2025, 3, 1), a, organisation)  # counts
    _report_at(_at(2025, 5, 1), b, organisation)  # within thirteen weeks: counts
    _report_at(_at(2025, 6, 1), c, organisation)  # after the window
    _report_at(_at(2025, 1, 15), d, organisation)  # before the session
    _report_at(_at(2025, 3, 1), UserFactory(), organisation)  # not a participant
    _report_at(_at(2025, 3, 1), absent.participant, organisation)  # noted absent
    return programme, run, people, organisation


def _windows(run):
    return training_selectors.awareness_follow_up_windows(
        runs=training_selectors.awareness_runs_held(
            programme_ids=[run.training.programme_id],
            start=_at(2025, 1, 1, 0),
            end=_at(2025, 4, 1, 0),
        )
    )


def test_signals_count_only_from_participants_within_three_months_of_their_session(world):
    _programme, run, people, organisation = world
    assert signal_selectors.signals_reported_in_windows_count(windows=_windows(run)) == 3


def test_an_anonymised_signal_still_counts_and_names_nobody(world):
    _programme, run, people, organisation = world
    from signalen.models import Signal

    Signal.objects.filter(reporter=people[1]).update(reporter=None)
    assert signal_selectors.signals_reported_in_windows_count(windows=_windows(run)) == 3


def test_the_funnel_per_quarter_applies_the_small_number_rule(world):
    programme, run, people, organisation = world
    quarters = funnel.awareness_funnel(programme_id=programme.pk, year=2025)

    first = quarters[0]
    assert (first.figures.sessions, first.figures.participants, first.figures.examples) == (1, 6, 4)
    assert first.signals == disclosure.ShownCount(value=None, below=5)
    assert all(q.figures.sessions == 0 and q.signals.hidden for q in quarters[1:])

    for n in range(3):
        _report_at(_at(2025, 4, 1 + n), people[4], organisation)
    first = funnel.awareness_funnel(programme_id=programme.pk, year=2025)[0]
    assert first.signals == disclosure.ShownCount(value=6)


def test_too_few_participants_are_not_even_counted(monkeypatch):
    programme = ProgrammeFactory()
    organisation, _contacts = meldpunt()
    run, people = _session_run(programme, _at(2025, 8, 4, 9), participants=4)
    _report_at(_at(2025, 8, 20), people[0], organisation)

    def refuse(**kwargs):
        raise AssertionError("the signals of four people must not be counted")

    monkeypatch.setattr(signal_selectors, "signals_reported_in_windows_count", refuse)
    third = funnel.awareness_funnel(programme_id=programme.pk, year=2025)[2]
    assert third.figures.participants == 4 and third.signals.hidden


@pytest.mark.parametrize(
    ("count", "group", "expected"),
    [
        (0, 12, disclosure.ShownCount(value=0)),
        (1, 12, disclosure.ShownCount(value=None, below=5)),
        (4, 12, disclosure.ShownCount(value=None, below=5)),
        (5, 12, disclosure.ShownCount(value=5)),
        (9, 4, disclosure.ShownCount(value=None, hidden=True)),
    ],
)
def test_the_small_number_rule(count, group, expected):
    assert disclosure.shown_count(count, group_size=group) == expected


@pytest.fixture
def opened(django_capture_on_commit_callbacks):
    """Opens the funnel as it is once the task counted it: the first view asks for the count
    (queued after the commit; the test settings run tasks at once), the second shows it."""

    def open_funnel(client, url):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(url)
        return client.get(url)

    return open_funnel


def test_the_funnel_page_shows_counts_to_the_programmes_coordinators_only(
    client, world, django_assert_max_num_queries, opened
):
    programme, run, people, organisation = world
    boss = coordinator()
    programme.coordinators.add(boss)
    force_login_with_mfa(client, boss)
    url = reverse("awareness_funnel") + f"?programma={programme.pk}&jaar=2025"
    opened(client, url)
    with django_assert_max_num_queries(30):
        page = client.get(url).content.decode()
    assert "Geteld op" in page
    assert LESS_THAN_FIVE_CELL in page
    for person in people:
        assert person.full_name not in page and person.email not in page
    assert "Vb 0" not in page  # counts, not the examples themselves

    # Another programme's coordinator asking for this programme sees their own instead.
    other = coordinator()
    ProgrammeFactory().coordinators.add(other)
    force_login_with_mfa(client, other)
    assert LESS_THAN_FIVE_CELL not in opened(client, url).content.decode()
    # Whoever coordinates nothing is refused.
    client.force_login(people[0])
    assert client.get(url).status_code == 403


def test_the_page_costs_the_same_queries_with_more_sessions(
    client, django_assert_max_num_queries, opened
):
    programme = ProgrammeFactory()
    boss = coordinator()
    programme.coordinators.add(boss)
    force_login_with_mfa(client, boss)
    url = reverse("awareness_funnel") + f"?programma={programme.pk}&jaar=2025"

    def queries() -> int:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    for month in (1, 4, 7, 10):
        _session_run(programme, _at(2025, month, 6, 9), participants=5)
    opened(client, url)  # counted; the first request of a session also reads its login
    few = queries()
    for month in (2, 5, 8, 11):
        _session_run(programme, _at(2025, month, 12, 9), participants=6)
    # Counted again (as once the count is ten minutes old): the page reads the same.
    assert dashboard_services.awareness_funnel_count(programme_id=programme.pk, year=2025)
    assert queries() == few
    assert ">11</td>" in client.get(url).content.decode()  # 5 + 6 participants in a quarter


def test_the_page_asks_for_a_count_once_and_keeps_only_what_may_be_shown(
    client, world, django_capture_on_commit_callbacks
):
    programme, run, people, organisation = world
    boss = coordinator()
    programme.coordinators.add(boss)
    force_login_with_mfa(client, boss)
    url = reverse("awareness_funnel") + f"?programma={programme.pk}&jaar=2025"
    with django_capture_on_commit_callbacks() as queued:
        waiting = client.get(url).content.decode()
        client.get(url)
    assert len(queued) == 1  # the second view finds the count asked for
    assert "worden nu geteld" in waiting and LESS_THAN_FIVE_CELL not in waiting
    queued[0]()
    assert LESS_THAN_FIVE_CELL in client.get(url).content.decode()
    kept = FiguresSnapshot.objects.get(
        key=funnel.funnel_key(programme_id=programme.pk, year=2025)
    ).figures
    assert kept == funnel.to_json(funnel.awareness_funnel(programme_id=programme.pk, year=2025))
    # Below five signals the kept count is "<5" itself: the exact number is not stored.
    assert any(quarter["signals"]["below"] == 5 for quarter in kept)
    assert all(
        quarter["signals"]["value"] in (None, 0) or quarter["signals"]["value"] >= 5
        for quarter in kept
    )

    old = timezone.now() - timedelta(minutes=11)
    FiguresSnapshot.objects.update(computed_at=old, requested_at=old)
    with django_capture_on_commit_callbacks() as queued:
        again = client.get(url).content.decode()
    assert len(queued) == 1 and LESS_THAN_FIVE_CELL in again
