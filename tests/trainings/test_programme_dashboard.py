"""The programme dashboard: who may open it, each figure on a hand-built programme, the
learning matrix against a count made here with plain loops, constant queries, downloads."""

import csv
import io
import random
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import FiguresSnapshot, Organisation
from tests.portal.factories import UserFactory, beheerder, coordinator, trainer
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
)
from trainings import dashboard, selectors, services
from trainings import programme_stats as stats
from trainings.models import (
    Attendance,
    AttendanceStatus,
    DevelopmentPlan,
    Enrolment,
    EnrolmentStatus,
    EvaluationAnswer,
    EvaluationRespondent,
    EvaluationSettings,
    FollowupAnswer,
    FollowupContact,
    FollowupRespondent,
    QuestionKind,
    RunQuestion,
    RunStatus,
    Session,
)

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, EXCUSED = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.EXCUSED,
)


def _window() -> dict[str, str]:
    """A custom period around the sessions the fixtures plan (robust to the day tests run)."""
    today = timezone.localdate()
    return {
        "van": (today - timedelta(days=60)).isoformat(),
        "tot": (today + timedelta(days=30)).isoformat(),
    }


def _url(programme) -> str:
    return reverse("trainings:programme_dashboard", args=[programme.pk])


def _export(client, programme, **query):
    return client.get(
        reverse("trainings:programme_dashboard_export", args=[programme.pk]),
        {**_window(), **query},
    )


def _run(training, *, capacity=10, status=RunStatus.PUBLISHED, days=(-10,)):
    """A run with one session per entry of ``days`` (days from now), the first at its start."""
    now = timezone.now()
    starts = [now + timedelta(days=d) for d in days]
    run = RunFactory(
        training=training,
        capacity=capacity,
        status=status,
        starts_at=min(starts),
        ends_at=max(starts) + timedelta(hours=3),
        with_session=False,
    )
    sessions = [
        Session.objects.create(run=run, starts_at=s, ends_at=s + timedelta(hours=3)) for s in starts
    ]
    return run, sessions


def _coordinator_of(programme):
    """A coordinator of ``programme`` with a second factor (coordinators work only with one)."""
    person = coordinator()
    programme.coordinators.add(person)
    return person


def _mark(enrolment, session, status):
    return Attendance.objects.create(enrolment=enrolment, session=session, status=status)


@pytest.fixture
def partners():
    return {
        "gemeente": Organisation.objects.create(name="Gemeente Voorbeeldstad", kind="gemeente"),
        "politie": Organisation.objects.create(name="Politie Eenheid Oost", kind="politie"),
        "fiscus": Organisation.objects.create(name="Belastingdienst", kind="belastingdienst"),
    }


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Werkend leren dashboard")


@pytest.fixture
def built(programme, partners):
    """Two runs that count, and runs and records that must not.

    Run 1 (Belastingdienst, 4 places): g1, g2, p1 enrolled at once, g4 moved up from the
    waiting list; g3 still waits; p2 left the waiting list. Held session: g1 and g4 present,
    g2 absent, p1 excused; a record on the future session does not count.
    Run 2 (Politie, 10 places): g1, b1, po1 present at the held session; a record on a
    called-off session does not count.
    """
    g, p, b = partners["gemeente"], partners["politie"], partners["fiscus"]
    people = {
        name: UserFactory(organisation=org, full_name=name)
        for name, org in [
            ("g1", g),
            ("g2", g),
            ("g3", g),
            ("g4", g),
            ("p1", p),
            ("p2", p),
            ("b1", b),
            ("po1", p),
        ]
    }
    fiscal = TrainingFactory(programme=programme, title="Hoe werkt de fiscus?", provider=b)
    police = TrainingFactory(programme=programme, title="Hoe werkt de politie?", provider=p)
    run1, (held1, future1) = _run(fiscal, capacity=4, days=(-10, 5))
    asked = timezone.now() - timedelta(days=20)
    enrolments = {}
    for name in ("g1", "g2", "p1"):
        enrolments[name] = EnrolmentFactory(run=run1, participant=people[name], requested_at=asked)
    enrolments["g4"] = EnrolmentFactory(
        run=run1,
        participant=people["g4"],
        requested_at=asked,
        enrolled_at=asked + timedelta(days=2),
    )
    EnrolmentFactory(run=run1, participant=people["g3"], status=EnrolmentStatus.WAITLISTED)
    EnrolmentFactory(run=run1, participant=people["p2"], status=EnrolmentStatus.CANCELLED)
    _mark(enrolments["g1"], held1, PRESENT)
    _mark(enrolments["g4"], held1, PRESENT)
    _mark(enrolments["g2"], held1, ABSENT)
    _mark(enrolments["p1"], held1, EXCUSED)
    _mark(enrolments["g1"], future1, PRESENT)

    run2, (held2, off2) = _run(police, capacity=10, days=(-5, -4))
    Session.objects.filter(pk=off2.pk).update(is_cancelled=True)
    for name in ("g1", "b1", "po1"):
        enrolment = EnrolmentFactory(run=run2, participant=people[name])
        _mark(enrolment, held2, PRESENT)
    _mark(enrolment, off2, PRESENT)

    # Not counted: a draft, a cancelled run, a run before the period, another programme.
    for status in (RunStatus.DRAFT, RunStatus.CANCELLED):
        run, (session,) = _run(fiscal, status=status)
        _mark(EnrolmentFactory(run=run, participant=people["g2"]), session, PRESENT)
    old, (old_session,) = _run(fiscal, days=(-200,))
    _mark(EnrolmentFactory(run=old, participant=people["g2"]), old_session, PRESENT)
    elsewhere = TrainingFactory(provider=b)
    run, (session,) = _run(elsewhere)
    _mark(EnrolmentFactory(run=run, participant=people["g2"]), session, PRESENT)
    return {"run1": run1, "run2": run2, "people": people}


@pytest.fixture
def boss(client, programme):
    person = _coordinator_of(programme)
    client.force_login(person)
    return person


def _sections(response) -> dict[str, stats.Section]:
    return {section.key: section for section in response.context["sections"]}


def _runs_url(programme) -> str:
    return reverse("trainings:programme_dashboard_runs", args=[programme.pk])


@pytest.fixture
def opened(django_capture_on_commit_callbacks):
    """Opens the dashboard as it is once the task counted its figures: the first view asks
    for the count (queued after the commit; the test settings run tasks at once), the second
    shows it."""

    def open_dashboard(client, programme, query):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(_url(programme), query)
        return client.get(_url(programme), query)

    return open_dashboard


# --- who may open it -------------------------------------------------------------------------


def test_only_the_programmes_coordinators_and_beheerders_open_the_dashboard(client, programme):
    url = reverse("trainings:programme_dashboard", args=[programme.pk])
    export = reverse("trainings:programme_dashboard_export", args=[programme.pk])
    assert client.get(url).status_code == 302  # to the login page

    other = ProgrammeFactory(name="Ander programma")
    for person in (
        _coordinator_of(other),
        coordinator(),
        trainer(),
        UserFactory(),
    ):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(export).status_code == 404
        index = client.get(reverse("trainings:programme_dashboards"))
        assert programme.name not in index.content.decode()

    client.force_login(beheerder())
    assert client.get(url).status_code == 200
    assert programme.name in client.get(reverse("trainings:programme_dashboards")).content.decode()

    client.force_login(_coordinator_of(programme))
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="programme-chart-data"' in response.content.decode()
    assert client.get(reverse("trainings:programme_dashboards")).status_code == 200
    assert client.get(reverse("trainings:programme_dashboard", args=[999999])).status_code == 404


def test_the_dashboard_is_linked_from_the_menu_the_home_page_and_the_management_page(
    client, boss, programme
):
    index = reverse("trainings:programme_dashboards")
    for page in (reverse("home"), reverse("trainings:manage")):
        assert f'href="{index}"' in client.get(page).content.decode()
    assert (
        reverse("trainings:programme_dashboard", args=[programme.pk])
        in client.get(index).content.decode()
    )


# --- the figures -----------------------------------------------------------------------------


def test_fill_rate_waiting_list_and_attendance_on_a_hand_built_programme(
    client, boss, built, opened
):
    programme = built["run1"].training.programme
    runs = _sections(client.get(_runs_url(programme), _window()))

    fill = runs["bezetting"]
    assert [row[3:] for row in fill.rows] == [(4, 4, 1.0), (10, 3, 0.3)]
    waiting = runs["wachtlijst"]
    # Now waiting, ever waited (g3, p2 and g4 who moved up), never placed (g3, p2).
    assert [row[3:] for row in waiting.rows] == [(1, 3, 2), (0, 0, 0)]
    attendance = runs["aanwezigheid"]
    assert [row[3:6] for row in attendance.rows] == [(2, 1, 1), (3, 0, 0)]
    assert attendance.rows[0][6:] == (0.5, 0.25)
    # A page of runs has no totals: they are the overview's.
    assert all(section.footer is None for section in runs.values())

    response = opened(client, programme, _window())
    sections = _sections(response)
    # The page adds the runs up per providing partner, each linking to its runs.
    fill = sections["bezetting"]
    assert fill.rows == (("Belastingdienst", 1, 4, 4, 1.0), ("Politie Eenheid Oost", 1, 10, 3, 0.3))
    assert fill.footer == ("Totaal", 2, 14, 7, 0.5)
    fiscus = built["run1"].training.provider
    assert fill.row_links[0].endswith(f"&aanbieder={fiscus.pk}")
    assert [row[2:] for row in sections["wachtlijst"].rows] == [(1, 3, 2), (0, 0, 0)]
    attendance = sections["aanwezigheid"]
    assert [row[2:] for row in attendance.rows] == [(2, 1, 1, 0.5, 0.25), (3, 0, 0, 1.0, 0.0)]
    assert attendance.footer[2:] == (5, 1, 1, 5 / 7, 1 / 7)

    key = {row[0]: row[1:] for row in sections["kerncijfers"].rows}
    assert key["Uitvoeringen"] == (2, None)
    assert key["Personen ooit op een wachtlijst"] == (3, None)
    assert key["Van hen nooit geplaatst"] == (2, 2 / 3)
    assert key["Getrainde personen"] == (4, None)  # g1, g4, b1, po1
    assert key["Van hen bij een andere partner"] == (3, 3 / 4)  # all but po1

    page = response.content.decode()
    assert "100%" in page and "30%" in page and "Hoe tellen we?" in page
    assert f"{_runs_url(programme)}?" in page and "Geteld op" in page


def test_the_learning_matrix_marks_the_diagonal(client, boss, built, opened):
    matrix = _sections(opened(client, built["run1"].training.programme, _window()))["leermatrix"]
    assert [column.title for column in matrix.columns][1:] == [
        "Belastingdienst",
        "Politie Eenheid Oost",
    ]
    assert matrix.rows == (
        ("Belastingdienst", 0, 1),
        ("Gemeente Voorbeeldstad", 2, 1),
        ("Politie Eenheid Oost", 0, 1),
    )
    assert matrix.marked == {(0, 1), (2, 2)}
    html = client.get(_url(built["run1"].training.programme), _window()).content.decode()
    assert "(eigen organisatie)" in html


def test_the_matrix_equals_a_count_made_with_plain_loops(client, programme, opened):
    """Seeded at random: the expected cells are counted here from what was created."""
    rng = random.Random(20270101)
    organisations = [
        Organisation.objects.create(name=f"Partner {i:02d}", kind="gemeente") for i in range(6)
    ]
    people = [UserFactory(organisation=rng.choice(organisations)) for _ in range(40)]
    now = timezone.now()
    first, last = _period_days()
    counted: set[tuple[str, str, int]] = set()
    for _ in range(12):
        provider = rng.choice(organisations)
        training = TrainingFactory(programme=programme, provider=provider)
        status = rng.choice([RunStatus.PUBLISHED, RunStatus.COMPLETED, RunStatus.DRAFT])
        run, sessions = _run(training, status=status, days=rng.sample(range(-90, 20), 3))
        cancelled = rng.random() < 0.3
        if cancelled:
            Session.objects.filter(pk=sessions[0].pk).update(is_cancelled=True)
        for person in rng.sample(people, 8):
            enrolment = EnrolmentFactory(run=run, participant=person)
            for i, session in enumerate(sessions):
                mark = rng.choice([PRESENT, ABSENT, EXCUSED, None])
                if mark is None:
                    continue
                _mark(enrolment, session, mark)
                day = timezone.localdate(session.starts_at)
                if (
                    mark == PRESENT
                    and status != RunStatus.DRAFT
                    and not (cancelled and i == 0)
                    and session.starts_at < now
                    and first <= day <= last
                ):
                    counted.add((person.organisation.name, provider.name, person.pk))
    expected = _tally(counted)

    client.force_login(_coordinator_of(programme))
    matrix = _sections(opened(client, programme, _window()))["leermatrix"]
    shown = _cells(matrix)
    assert shown == expected
    assert sum(expected.values()) > 10


def _tally(counted: set[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """People per (their organisation, the provider), from (organisation, provider, person)."""
    expected: dict[tuple[str, str], int] = {}
    for row, column, _person in counted:
        expected[(row, column)] = expected.get((row, column), 0) + 1
    return expected


def _cells(matrix: stats.Section) -> dict[tuple[str, str], int]:
    """The matrix section's non-empty cells by (row name, column name)."""
    return {
        (row[0], column.title): value
        for row in matrix.rows
        for column, value in zip(matrix.columns[1:], row[1:], strict=True)
        if value
    }


def _period_days() -> tuple[date, date]:
    window = _window()
    return date.fromisoformat(window["van"]), date.fromisoformat(window["tot"])


def test_the_matrix_on_the_demo_seed_equals_a_count_made_with_plain_loops(client, opened):
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    programme = ProgrammeFactory(name="Werkend leren 2027")
    client.force_login(beheerder())
    today = timezone.localdate()
    query = {"van": (today - timedelta(days=365)).isoformat(), "tot": today.isoformat()}
    matrix = _sections(opened(client, programme, query))["leermatrix"]
    zone = timezone.get_current_timezone()
    start = datetime.combine(today - timedelta(days=365), time.min, tzinfo=zone)
    now = timezone.now()
    counted = set()
    for record in Attendance.objects.all():
        session, enrolment = record.session, record.enrolment
        run = session.run
        if (
            record.status == PRESENT
            and run.training.programme_id == programme.pk
            and run.status in (RunStatus.PUBLISHED, RunStatus.COMPLETED)
            and not session.is_cancelled
            and start <= session.starts_at < now
        ):
            counted.add(
                (
                    enrolment.participant.organisation.name,
                    run.training.provider.name,
                    enrolment.participant_id,
                )
            )
    expected = _tally(counted)
    shown = _cells(matrix)
    assert shown == expected
    assert expected, "the demo should show some training across partners"


# --- completion, evaluation and the samenwerkingsmeter ------------------------------------


def test_completion_rate_per_run_with_a_completed_and_a_non_completed_participant(
    client, boss, built, opened
):
    # Run 2 is finished (its one session that counts has ended): g1 wrote the end review and
    # completed it; b1 and po1 were present but wrote none. Run 1 still has a session to come.
    g1 = Enrolment.objects.get(run=built["run2"], participant=built["people"]["g1"])
    DevelopmentPlan.objects.create(enrolment=g1, learned="Hoe de politie prioriteert.")
    programme = built["run1"].training.programme
    completion = _sections(client.get(_runs_url(programme), _window()))["afronding"]
    # Run 1 is still under way: no rate, marked, and left out of the total and the chart.
    assert [row[3:] for row in completion.rows] == [(4, 0, None), (3, 1, 1 / 3)]
    assert completion.marked == {(0, 5)}
    # Per partner: only the runs that are over count (the Belastingdienst has none yet).
    completion = _sections(opened(client, programme, _window()))["afronding"]
    assert completion.rows == (
        ("Belastingdienst", 0, 0, 0, None),
        ("Politie Eenheid Oost", 1, 3, 1, 1 / 3),
    )
    assert completion.footer[1:] == (1, 3, 1, 1 / 3)
    assert completion.chart.datasets[0].values == (1 / 3,)
    rows = _csv(
        _export(client, built["run1"].training.programme, formaat="csv", onderdeel="afronding")
    )
    assert rows[1][3:] == ["4", "0", "—"]
    assert rows[2][3:] == ["3", "1", "33%"]


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _evaluated_run(training, scores: list[int]):
    """A run held three days ago whose participants answered every scale question with
    ``scores`` (one participant per score)."""
    run, (session,) = _run(training, days=(-3,))
    for score in scores:
        enrolment = EnrolmentFactory(run=run)
        _mark(enrolment, session, PRESENT)
        questions = services.run_evaluation_open(run=run)
        services.evaluation_submit(
            participant=enrolment.participant,
            run=run,
            scores={q.pk: score for q in questions if q.kind == QuestionKind.SCALE},
            texts={},
        )
    return run


def test_an_evaluation_mean_only_from_five_answers_and_the_total_weighted_by_answers(
    client, boss, programme, partners, opened
):
    training = TrainingFactory(programme=programme, provider=partners["politie"])
    _evaluated_run(training, [5, 4, 4, 3, 5])  # 21 / 5 = 4.2
    _evaluated_run(training, [3, 3, 3, 3, 3, 3])  # 3.0
    _evaluated_run(training, [1, 1, 1, 1])  # hidden: four answers
    response = client.get(_runs_url(programme), _window())
    scores = _sections(response)["evaluatie"]
    assert sorted(row[3:] for row in scores.rows) == [(4, None), (5, 4.2), (6, 3.0)]
    hidden = next(r for r, row in enumerate(scores.rows) if row[3] == 4)
    assert scores.display_rows(scores.rows)[hidden][4] == "—"
    assert (hidden, 4) in scores.marked
    page = response.content.decode()
    assert "4,2" in page and "1,0" not in page
    assert "minder dan 5 antwoorden: niet getoond" in page

    response = opened(client, programme, _window())
    scores = _sections(response)["evaluatie"]
    # The partner: every answer counted, the mean over the two runs at the threshold,
    # weighted by answers: (21 + 18) / 11, not 3.6; the total likewise.
    assert scores.rows == (("Politie Eenheid Oost", 3, 15, 2, 39 / 11),)
    assert scores.footer == ("Totaal", 3, 15, 2, 39 / 11)
    page = response.content.decode()
    assert "3,5" in page and "1,0" not in page
    chart = next(c for c in response.context["chart_data"] if c["id"] == "chart-evaluatie")
    assert chart["datasets"][0]["values"] == [3.5]

    rows = _csv(_export(client, programme, formaat="csv", onderdeel="evaluatie"))
    assert sorted(row[3:] for row in rows[1:-1]) == [["4", "—"], ["5", "4,2"], ["6", "3,0"]]
    assert rows[-1][3:] == ["11", "3,5"]
    book = load_workbook(io.BytesIO(_export(client, programme, formaat="xlsx").content))
    sheet = [[cell.value for cell in row] for row in book["Evaluatiescores"].iter_rows()]
    assert sorted(row[3:] for row in sheet[1:-1]) == [[4, None], [5, 4.2], [6, 3]]
    assert book["Evaluatiescores"].cell(row=2, column=5).number_format == "0.0"
    assert not any(1 in row[4:] for row in sheet[1:])


def _followed_up_run(training, organisation, answers: list[list]):
    """A run that ended nine weeks ago (the samenwerkingsmeter opens after eight), with one
    participant per entry of ``answers`` (the organisations they name; none: no contact) and
    one participant who did not answer."""
    run, (session,) = _run(training, days=(-63,))
    people = [EnrolmentFactory(run=run, participant__organisation=organisation).participant]
    for named in answers:
        person = EnrolmentFactory(run=run, participant__organisation=organisation).participant
        services.followup_submit(
            participant=person, run=run, contacted=bool(named), organisations=named, outcome=""
        )
        people.append(person)
    return run


def test_followup_counts_per_organisation_only_over_runs_with_five_answers(
    client, boss, programme, partners, opened
):
    gemeente, politie, fiscus = partners["gemeente"], partners["politie"], partners["fiscus"]
    training = TrainingFactory(programme=programme, provider=politie, title="Politie")
    TrainingFactory(programme=programme, provider=fiscus)
    _followed_up_run(training, gemeente, [[fiscus], [fiscus, politie], [politie], [fiscus], []])
    _followed_up_run(training, gemeente, [[politie], [politie], [politie], []])  # hidden
    window = {"van": (timezone.localdate() - timedelta(days=80)).isoformat()}
    runs = _sections(client.get(_runs_url(programme), {**_window(), **window}))
    followup = runs["samenwerking"]
    assert sorted(row[3:] for row in followup.rows) == [(5, 4, None, None), (6, 5, 4, 0.8)]
    response = opened(client, programme, {**_window(), **window})
    sections = _sections(response)
    followup = sections["samenwerking"]
    # Contact only over the run with five answers: 4 of its 5.
    assert followup.rows == (("Politie Eenheid Oost", 2, 11, 9, 4, 0.8),)
    assert followup.footer[2:] == (11, 9, 4, 0.8)
    assert sections["contacten"].rows == (("Belastingdienst", 3), ("Politie Eenheid Oost", 2))
    chart = next(c for c in response.context["chart_data"] if c["id"] == "chart-contacten")
    assert chart["labels"] == ["Belastingdienst", "Politie Eenheid Oost"]
    assert chart["datasets"][0]["values"] == [3, 2]
    rows = _csv(_export(client, programme, formaat="csv", onderdeel="samenwerking", **window))
    assert sorted(row[3:] for row in rows[1:-1]) == [["5", "4", "—", "—"], ["6", "5", "4", "80%"]]


# --- queries ---------------------------------------------------------------------------------


def _volume(programme, runs: int) -> None:
    organisations = [
        Organisation.objects.create(name=f"Volume {runs}-{i}", kind="gemeente") for i in range(3)
    ]
    for n in range(runs):
        training = TrainingFactory(programme=programme, provider=organisations[n % 3])
        run, sessions = _run(training, capacity=5, days=(-9, -2, 6))
        for person in (UserFactory(organisation=organisations[(n + 1) % 3]) for _ in range(3)):
            enrolment = EnrolmentFactory(run=run, participant=person)
            _mark(enrolment, sessions[0], PRESENT)
            _mark(enrolment, sessions[1], ABSENT)
        EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED)


@pytest.mark.parametrize("runs", [3, 30])
def test_the_page_and_the_downloads_take_the_same_queries_at_3_and_at_30_runs(
    client, boss, programme, runs, opened, django_assert_num_queries
):
    _volume(programme, runs)
    opened(client, programme, _window())
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(_url(programme), _window())
    assert sum(row[1] for row in response.context["sections"][1].rows) == runs
    with django_assert_num_queries(RUNS_PAGE_QUERIES):
        response = client.get(_runs_url(programme), _window())
    assert len(response.context["sections"][0].rows) == min(runs, selectors.RUN_PAGE_SIZE)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert _export(client, programme, formaat="xlsx").status_code == 200
    with django_assert_num_queries(EXPORT_QUERIES):
        assert _export(client, programme, formaat="csv", onderdeel="leermatrix").status_code == 200


# The page: the login session and roles, the programme, the counted figures (one row), and
# what its menu reads, whatever the number of runs. A page of runs: the same (the programme
# with its follow-up weeks), then the providers for the filter, the runs, every count of those
# runs in one query (enrolments, attendance, sessions, evaluations, samenwerkingsmeter), their
# places held grouped for completion and the invitations, and the organisations contacted.
# The downloads count every run: six queries for the
# figures (runs, enrolment and attendance counts grouped per run, waiting list, people
# trained, matrix), two for completion, two for the evaluations and four or five for the
# samenwerkingsmeter.
PAGE_QUERIES = 6
RUNS_PAGE_QUERIES = 10
EXPORT_QUERIES = 19


def test_the_runs_page_pages_by_start_per_provider_and_reaches_every_run(client, boss, programme):
    _volume(programme, 30)
    url = _runs_url(programme)
    first = client.get(url, _window())
    names = [row[0] for row in _sections(first)["bezetting"].rows]
    page = first.context["page"]
    assert len(names) == selectors.RUN_PAGE_SIZE and page.previous_before is None
    second = client.get(url, {**_window(), "na": page.next_after})
    rest = [row[0] for row in _sections(second)["bezetting"].rows]
    assert len(rest) == 30 - selectors.RUN_PAGE_SIZE
    assert second.context["page"].next_after is None
    assert f"voor={second.context['page'].previous_before}" in second.content.decode()
    back = client.get(url, {**_window(), "voor": second.context["page"].previous_before})
    assert [row[0] for row in _sections(back)["bezetting"].rows] == names
    # Every run once, in start order.
    shown = [
        row[2] for row in _sections(first)["bezetting"].rows + _sections(second)["bezetting"].rows
    ]
    assert shown == sorted(shown)

    provider = Organisation.objects.get(name="Volume 30-1")
    own = client.get(url, {**_window(), "aanbieder": provider.pk})
    assert {row[1] for row in _sections(own)["bezetting"].rows} == {provider.name}
    assert len(_sections(own)["bezetting"].rows) == 10
    assert own.context["page"].next_after is None

    # Nonsense in the query string: the first page of all runs, and why.
    odd = client.get(url, {**_window(), "aanbieder": "999999", "na": "x", "voor": ""})
    assert odd.status_code == 200
    assert len(_sections(odd)["bezetting"].rows) == selectors.RUN_PAGE_SIZE
    assert "Deze aanbieder geeft geen trainingen in dit programma" in odd.content.decode()


def test_the_page_asks_for_a_count_once_and_again_once_it_is_old(
    client, boss, built, django_capture_on_commit_callbacks
):
    programme = built["run1"].training.programme
    with django_capture_on_commit_callbacks() as queued:
        waiting = client.get(_url(programme), _window())
        client.get(_url(programme), _window())
    assert len(queued) == 1  # the second view finds the count asked for
    assert waiting.context["sections"] == []
    assert "worden nu geteld" in waiting.content.decode()
    assert f"{_runs_url(programme)}?" in waiting.content.decode()

    queued[0]()  # the task counts
    shown = _sections(client.get(_url(programme), _window()))
    assert shown["bezetting"].footer == ("Totaal", 2, 14, 7, 0.5)

    # Ten minutes on, the next view shows the figures it has and asks for a new count.
    old = timezone.now() - timedelta(minutes=11)
    FiguresSnapshot.objects.update(computed_at=old, requested_at=old)
    with django_capture_on_commit_callbacks() as queued:
        again = client.get(_url(programme), _window())
    assert len(queued) == 1
    assert _sections(again)["bezetting"].footer == ("Totaal", 2, 14, 7, 0.5)


def test_the_counted_overview_equals_a_count_made_now(client, boss, built, opened):
    """What the task keeps (through JSON) is what the selectors count from the rows."""
    programme = built["run1"].training.programme
    opened(client, programme, _window())
    first, last = _period_days()
    period = stats.custom_period(first, last)
    kept = FiguresSnapshot.objects.get(
        key=selectors.overview_key(programme_id=programme.pk, period=period)
    )
    fresh = selectors.programme_overview(programme=programme, period=period, now=timezone.now())
    assert stats.Overview.from_json(kept.figures) == fresh
    assert [partner.runs for partner in fresh.partners] == [1, 1]
    # The task is safe to run twice, and does nothing for a programme that is gone.
    assert services.programme_overview_count(programme_id=programme.pk, first=first, last=last)
    assert not services.programme_overview_count(programme_id=999999, first=first, last=last)


# --- downloads -------------------------------------------------------------------------------


def test_the_xlsx_has_a_sheet_per_section_with_numbers_as_numbers(client, boss, built):
    response = _export(client, built["run1"].training.programme, formaat="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Toelichting",
        "Kerncijfers",
        "Bezetting",
        "Vraag op de wachtlijst",
        "Aanwezigheid en no-show",
        "Afronding",
        "Evaluatiescores",
        "Samenwerkingsmeter",
        "Contact per organisatie",
        "Leermatrix wie leert van wie",
    ]
    fill = [[cell.value for cell in row] for row in book["Bezetting"].iter_rows()]
    assert fill[0] == [
        "Training",
        "Aanbieder",
        "Start",
        "Plaatsen",
        "Ingeschreven",
        "Bezettingsgraad",
    ]
    assert fill[1][0] == "Hoe werkt de fiscus?" and fill[1][3:] == [4, 4, 1]
    assert fill[-1][0] == "Totaal" and fill[-1][3:] == [14, 7, 0.5]
    assert book["Bezetting"].cell(row=2, column=6).number_format == "0%"
    matrix = [
        [cell.value for cell in row] for row in book["Leermatrix wie leert van wie"].iter_rows()
    ]
    assert matrix[2] == ["Gemeente Voorbeeldstad", 2, 1]
    about = {row[0].value: row[1].value for row in book["Toelichting"].iter_rows()}
    assert about["Programma"] == "Werkend leren dashboard"
    assert "Leermatrix" in about


def test_a_csv_per_section_in_the_form_dutch_excel_reads(client, boss, built):
    response = _export(
        client, built["run1"].training.programme, formaat="csv", onderdeel="bezetting"
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][-1] == "Bezettingsgraad"
    assert rows[1][3:] == ["4", "4", "100%"]
    assert rows[-1][0] == "Totaal" and rows[-1][-1] == "50%"
    assert _export(client, built["run1"].training.programme, formaat="csv").status_code == 404
    assert _export(client, built["run1"].training.programme, formaat="pdf").status_code == 404


def test_a_name_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(client, boss, programme):
    evil = Organisation.objects.create(name='=HYPERLINK("http://x","y")', kind="other")
    training = TrainingFactory(programme=programme, provider=evil, title="+SUM(A1)")
    run, (session,) = _run(training)
    _mark(EnrolmentFactory(run=run, participant=UserFactory(organisation=evil)), session, PRESENT)

    rows = list(
        csv.reader(
            io.StringIO(
                _export(client, programme, formaat="csv", onderdeel="leermatrix")
                .content.decode("utf-8")
                .lstrip("\ufeff")
            ),
            delimiter=";",
        )
    )
    assert rows[0][1] == "'" + evil.name and rows[1][0] == "'" + evil.name

    book = load_workbook(io.BytesIO(_export(client, programme, formaat="xlsx").content))
    header = book["Leermatrix wie leert van wie"]["B1"]
    assert header.value == evil.name and header.data_type == "s"
    title = book["Bezetting"]["A2"]
    assert title.value == "+SUM(A1)" and title.data_type == "s"


# --- the period ------------------------------------------------------------------------------


def test_a_year_or_quarter_chooses_the_runs_with_a_session_in_it(client, boss, programme):
    training = TrainingFactory(programme=programme)
    now = timezone.now()
    run = RunFactory(training=training, with_session=False, starts_at=now, ends_at=now)
    for day in (date(2026, 3, 31), date(2026, 10, 1)):
        moment = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
        Session.objects.create(run=run, starts_at=moment, ends_at=moment + timedelta(hours=2))

    def count(**query) -> int:
        return len(client.get(_runs_url(programme), query).context["sections"][0].rows)

    assert count(jaar=2026) == 1
    assert count(jaar=2026, kwartaal=1) == 1
    assert count(jaar=2026, kwartaal=2) == 0
    assert count(jaar=2026, kwartaal=4) == 1
    assert count(jaar=2025) == 0
    assert count(van="2026-04-01", tot="2026-09-30") == 0
    assert count(van="2026-04-01", tot="2026-10-01") == 1


@pytest.mark.parametrize(
    "query, message",
    [
        ({"jaar": "tweeduizend"}, "Selecteer een geldige keuze"),
        ({"jaar": "1999"}, "Selecteer een geldige keuze"),
        ({"jaar": "2026", "kwartaal": "5"}, "Selecteer een geldige keuze"),
        ({"jaar": "2026", "van": "2026-05-01"}, "zowel de begin- als de einddatum"),
        ({"jaar": "2026", "van": "2026-05-01", "tot": "2026-04-01"}, "vóór de begindatum"),
        ({"jaar": "2026", "van": "0001-01-01", "tot": "2026-04-01"}, "Kies een datum tussen"),
        ({"jaar": "2026", "van": "gisteren", "tot": "2026-04-01"}, "geldige datum"),
    ],
)
def test_a_bad_period_is_explained_and_nothing_is_counted(client, boss, programme, query, message):
    response = client.get(_url(programme), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "sections" not in response.context
    export = client.get(
        reverse("trainings:programme_dashboard_export", args=[programme.pk]),
        {**query, "formaat": "xlsx"},
    )
    assert export.status_code == 302
    assert export["Location"].startswith(_url(programme))
    runs = client.get(_runs_url(programme), query)
    assert runs.status_code == 302
    assert runs["Location"].startswith(_url(programme))


def test_periods_and_rates_are_plain_arithmetic():
    assert stats.quarter_period(2027, 4) == stats.Period(
        "kwartaal", date(2027, 10, 1), date(2027, 12, 31)
    )
    assert stats.quarter_period(2028, 1).last == date(2028, 3, 31)
    assert stats.year_period(2027).slug == "2027"
    assert stats.quarter_period(2027, 2).slug == "2027-K2"
    assert stats.custom_period(date(2027, 1, 5), date(2027, 2, 1)).slug == "2027-01-05_2027-02-01"
    with pytest.raises(ValueError):
        stats.custom_period(date(2027, 2, 1), date(2027, 1, 5))
    with pytest.raises(ValueError):
        stats.quarter_period(2027, 5)
    assert stats.ratio(1, 0) is None
    assert stats.display(None, stats.PERCENT) == "—"
    assert stats.display(0.125, stats.PERCENT) == "13%"


def test_the_definitions_name_every_figure():
    terms = [term for term, _text in dashboard.definitions()]
    assert terms == [
        "Periode",
        "Per aanbieder",
        "Bezettingsgraad",
        "Wachtlijst",
        "Aanwezigheid en no-show",
        "Afronding",
        "Evaluatiescores",
        "Samenwerkingsmeter",
        "Leermatrix",
    ]
    assert selectors.DASHBOARD_RUN_STATUSES == (RunStatus.PUBLISHED, RunStatus.COMPLETED)


def test_a_long_table_shows_its_first_rows_and_bars_on_the_page_and_counts_the_rest():
    section = stats.Section(
        key="bezetting",
        title="Bezetting",
        chart_label="",
        columns=(stats.Column("Training", stats.TEXT), stats.Column("Ingeschreven")),
        rows=tuple((f"Training {n}", n) for n in range(7)),
        footer=("Totaal", 21),
        chart=stats.Chart(
            labels=tuple(f"Training {n}" for n in range(7)),
            datasets=(stats.Dataset("Ingeschreven", tuple(range(7))),),
        ),
        marked=frozenset({(1, 1), (6, 1)}),
    )

    shown = section.on_page(5)

    assert [row[0] for row in shown.rows] == [f"Training {n}" for n in range(5)]
    assert shown.chart.labels == tuple(f"Training {n}" for n in range(5))
    assert shown.chart.datasets[0].values == (0, 1, 2, 3, 4)
    assert shown.marked == frozenset({(1, 1)})
    assert shown.footer == ("Totaal", 21)
    assert shown.rows_left_off == 2
    assert len(shown.export_rows) == 7  # header, five rows, footer: the page's copy only
    assert section.on_page(7) is section


# --- the page of runs against the dashboard's own counts --------------------------------------


def _mixed_world(programme, partners, runs: int, seed: int) -> None:
    """``runs`` runs of every kind the counts tell apart, at random: completed and published
    runs, sessions called off, held, ahead and before the period, places held, waiting, moved
    up, given up, attendance of every status (on sessions called off too), end reviews
    written, blank and missing, evaluations with and without scores and the
    samenwerkingsmeter's answers with the organisations named, for runs whose follow-up is
    due and for runs whose follow-up is not."""
    rng = random.Random(seed)
    providers = list(partners.values())
    EvaluationSettings.objects.create(programme=programme, followup_weeks=2)
    # Present only at a session called off: invited (present once), yet attended none.
    training = TrainingFactory(programme=programme, provider=providers[0])
    run, (off, held) = _run(training, days=(-40, -30))
    Session.objects.filter(pk=off.pk).update(is_cancelled=True)
    enrolment = EnrolmentFactory(run=run)
    _mark(enrolment, off, PRESENT)
    _mark(enrolment, held, ABSENT)
    for n in range(runs):
        training = TrainingFactory(
            programme=programme,
            provider=providers[n % len(providers)],
            min_attendance_percent=rng.choice([0, 50, 80, 100]),
            end_review_required=rng.random() < 0.5,
        )
        days = sorted(rng.sample(range(-90, 25), rng.randint(1, 4)))
        run, sessions = _run(
            training,
            capacity=rng.randint(2, 8),
            status=rng.choice([RunStatus.PUBLISHED, RunStatus.COMPLETED]),
            days=days,
        )
        for session in sessions:
            if rng.random() < 0.2:
                Session.objects.filter(pk=session.pk).update(is_cancelled=True)
        asked = timezone.now() - timedelta(days=60)
        question = RunQuestion.objects.create(
            run=run, kind=QuestionKind.SCALE, text="Hoe was het?", position=1
        )
        for _ in range(rng.randint(0, 7)):
            status = rng.choice(
                [EnrolmentStatus.ENROLLED] * 3
                + [EnrolmentStatus.WAITLISTED, EnrolmentStatus.CANCELLED]
            )
            requested = asked + timedelta(hours=rng.randint(0, 100))
            enrolled_at = {
                "at once": requested,
                "moved up": requested + timedelta(days=2),
                "never": None,
            }[rng.choice(["at once", "moved up", "never"])]
            enrolment = EnrolmentFactory(
                run=run, status=status, requested_at=requested, enrolled_at=enrolled_at
            )
            for session in sessions:
                if rng.random() < 0.7:
                    _mark(enrolment, session, rng.choice([PRESENT, PRESENT, ABSENT, EXCUSED]))
            learned = rng.choice([None, "", " \n\t", "Veel geleerd"])
            if learned is not None:
                DevelopmentPlan.objects.create(enrolment=enrolment, learned=learned)
            if rng.random() < 0.4:
                EvaluationRespondent.objects.create(run=run, participant=enrolment.participant)
                EvaluationAnswer.objects.create(
                    question=question, score=rng.choice([None, 1, 3, 5])
                )
            if rng.random() < 0.4:
                FollowupRespondent.objects.create(run=run, participant=enrolment.participant)
                answer = FollowupAnswer.objects.create(run=run, contacted=rng.random() < 0.6)
                for organisation in rng.sample(providers, rng.randint(0, 2)):
                    FollowupContact.objects.create(answer=answer, organisation=organisation)


@pytest.mark.parametrize("runs,seed", [(8, 1), (40, 2)])
def test_the_page_of_runs_counts_what_the_dashboard_counts(programme, partners, runs, seed):
    """The page of runs counts in SQL of its own; every figure of every run, page by page
    (of all providers and of one), equals what ``programme_dashboard`` counts with the
    dashboard's definitions."""
    _mixed_world(programme, partners, runs, seed)
    programme = selectors.dashboard_programme(user=beheerder(), programme_id=programme.pk)
    first, last = _period_days()
    period = stats.custom_period(first, last)
    now = timezone.now()
    expected = selectors.programme_dashboard(programme=programme, period=period, now=now)
    providers = selectors.dashboard_providers(programme=programme)
    assert [p.name for p in providers] == sorted(p.name for p in partners.values())
    for provider_id in (None, partners["politie"].pk):
        shown, after = [], None
        while True:
            page = selectors.dashboard_run_page(
                programme=programme,
                period=period,
                now=now,
                providers=providers,
                provider_id=provider_id,
                after=after,
            )
            figures = page.figures
            ids = figures.run_ids
            assert figures.completion == {pk: expected.completion[pk] for pk in ids}
            assert figures.evaluations == {pk: expected.evaluations[pk] for pk in ids}
            assert figures.followups == {pk: expected.followups[pk] for pk in ids}
            shown += figures.runs
            if page.next_after is None:
                break
            after = page.next_after
        assert shown == [run for run in expected.runs if provider_id in (None, run.provider_id)]
    # The counts are not all nought: the world holds every case.
    assert any(done for done, _held in expected.completion.values())
    assert any(f.asked for f in expected.followups.values())
    assert any(f.per_organisation for f in expected.followups.values())
