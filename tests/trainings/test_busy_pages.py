"""The register and the calendar at volume: pages, a name search, a capped day with a link
to the rest, and an attendance form that marks one page at a time."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import UserFactory, coordinator
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    SessionFactory,
    TrainingFactory,
)
from trainings.models import Attendance, EnrolmentStatus, Session
from trainings.views import participant as participant_views
from trainings.views.coordination import (
    CALENDAR_PAGE_SIZE,
    MONTH_SESSIONS_PER_DAY,
    REGISTER_PAGE_SIZE,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Werkend leren drukte")


@pytest.fixture
def boss(client, programme):
    person = coordinator()
    programme.coordinators.add(person)
    client.force_login(person)
    return person


def _held_run(programme, *, enrolled: int, waiting: int):
    run = RunFactory(
        training=TrainingFactory(programme=programme), capacity=enrolled, with_session=False
    )
    Session.objects.create(
        run=run,
        starts_at=timezone.now() - timedelta(hours=4),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    start = timezone.now() - timedelta(days=3)
    for n in range(enrolled):
        EnrolmentFactory(
            run=run,
            participant=UserFactory(full_name=f"Deelnemer {n:03d}"),
            requested_at=start + timedelta(minutes=n),
        )
    for n in range(waiting):
        EnrolmentFactory(
            run=run,
            participant=UserFactory(full_name=f"Wachtende {n:03d}"),
            status=EnrolmentStatus.WAITLISTED,
            enrolled_at=None,
            requested_at=start + timedelta(hours=1, minutes=n),
        )
    return run


def test_the_register_pages_both_lists_and_finds_people_by_name(client, boss, programme):
    run = _held_run(programme, enrolled=REGISTER_PAGE_SIZE + 5, waiting=REGISTER_PAGE_SIZE + 3)
    url = reverse("trainings:register", args=[run.pk])

    first = client.get(url)
    body = first.content.decode()
    assert len(first.context["rows"]) == REGISTER_PAGE_SIZE
    assert f"Ingeschreven ({REGISTER_PAGE_SIZE + 5} van {REGISTER_PAGE_SIZE + 5})" in body
    assert f"Wachtlijst ({REGISTER_PAGE_SIZE + 3})" in body
    last = f"Deelnemer {REGISTER_PAGE_SIZE + 4:03d}"
    assert "Deelnemer 000" in body and last not in body
    # One radio group per person on the page, no more.
    assert body.count("<fieldset") == REGISTER_PAGE_SIZE

    second = client.get(url, {"pagina": 2}).content.decode()
    assert last in second and "Deelnemer 000" not in second
    last_waiting = client.get(url, {"wachtlijst": 2}).content.decode()
    # Places on the waiting list count from the start of the whole list.
    assert f'<li value="{REGISTER_PAGE_SIZE + 3}">Wachtende {REGISTER_PAGE_SIZE + 2:03d}' in (
        last_waiting
    )

    one = client.get(url, {"q": "deelnemer 003"}).content.decode()
    assert "1 ingeschreven deelnemer gevonden met „deelnemer 003”." in one
    assert "Niemand op de wachtlijst gevonden met deze zoekterm." in one

    found = client.get(url, {"q": f"wachtende {REGISTER_PAGE_SIZE + 2:03d}"})
    found_body = found.content.decode()
    assert found.context["rows"] == []
    assert f'<li value="{REGISTER_PAGE_SIZE + 3}">Wachtende {REGISTER_PAGE_SIZE + 2:03d}' in (
        found_body
    )
    assert "Wachtende 000" not in found_body


def test_the_attendance_form_marks_the_people_of_its_page_and_refuses_a_wrong_value(
    client, boss, programme
):
    run = _held_run(programme, enrolled=REGISTER_PAGE_SIZE + 2, waiting=1)
    session = run.sessions.get()
    enrolments = list(run.enrolments.filter(status=EnrolmentStatus.ENROLLED).order_by("pk"))
    url = reverse("trainings:register", args=[run.pk])

    answer = client.post(
        f"{url}?pagina=2",
        {"session": session.pk, f"e{enrolments[-1].pk}": "present"},
    )
    assert answer.status_code == 302 and "pagina=2" in answer["Location"]
    assert list(Attendance.objects.values_list("enrolment_id", "status")) == [
        (enrolments[-1].pk, "present")
    ]

    # A value that is no status, or someone on the waiting list: nothing changes.
    waiting = run.enrolments.get(status=EnrolmentStatus.WAITLISTED)
    for bad, message in (
        ({f"e{enrolments[0].pk}": "weet niet"}, "Kies per persoon"),
        (
            {f"e{enrolments[0].pk}": "absent", f"e{waiting.pk}": "present"},
            "staat niet ingeschreven",
        ),
    ):
        answer = client.post(url, {"session": session.pk, **bad}, follow=True)
        assert message in answer.content.decode()
        assert Attendance.objects.count() == 1


def test_the_register_reads_as_many_queries_with_ten_times_the_people(
    client, boss, programme, django_assert_num_queries
):
    small = _held_run(programme, enrolled=4, waiting=4)
    large = _held_run(programme, enrolled=40, waiting=60)
    client.get(reverse("trainings:register", args=[small.pk]))
    with CaptureQueriesContext(connection) as counted:
        client.get(reverse("trainings:register", args=[small.pk]))
    with django_assert_num_queries(len(counted.captured_queries)):
        assert client.get(reverse("trainings:register", args=[large.pk])).status_code == 200


def _sessions_on(programme, day, count: int, title: str) -> None:
    for n in range(count):
        starts = timezone.make_aware(datetime.combine(day, time(9))) + timedelta(minutes=n)
        SessionFactory(
            run=RunFactory(
                training=TrainingFactory(programme=programme, title=f"{title} {n:02d}"),
                with_session=False,
            ),
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )


def test_a_busy_day_shows_a_few_sessions_and_links_to_its_paged_list(client, boss, programme):
    day = (timezone.localdate() + timedelta(days=45)).replace(day=10)
    busy = CALENDAR_PAGE_SIZE + 4
    _sessions_on(programme, day, busy, "Drukke dag")

    month = client.get(reverse("trainings:calendar"), {"maand": day.strftime("%Y-%m")})
    body = month.content.decode()
    assert len(month.context["entries"]) == MONTH_SESSIONS_PER_DAY
    day_link = f"?dag={day.isoformat()}"
    assert day_link in body
    assert f"nog {busy - MONTH_SESSIONS_PER_DAY} meer" in body

    first = client.get(reverse("trainings:calendar"), {"dag": day.isoformat()})
    first_body = first.content.decode()
    assert f"{busy} bijeenkomsten" in first_body
    assert "Drukke dag 00" in first_body and f"Drukke dag {busy - 1}" not in first_body
    rest = client.get(reverse("trainings:calendar"), {"dag": day.isoformat(), "pagina": 2})
    assert f"Drukke dag {busy - 1}" in rest.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"maand": "9999-12"}, {"week": "9999-W52"}, {"dag": "9999-12-31"}, {"dag": "onzin"}],
)
def test_a_period_at_the_end_of_time_falls_back_without_an_error(client, boss, query):
    assert client.get(reverse("trainings:calendar"), query).status_code == 200


def test_a_catalogue_past_its_count_cap_says_more_than_and_pages_on_to_the_last_run(
    client, monkeypatch
):
    monkeypatch.setattr(participant_views, "CATALOGUE_COUNT_CAP", 3)
    monkeypatch.setattr(participant_views, "CATALOGUE_PAGE_SIZE", 2)
    client.force_login(UserFactory())
    start = timezone.now() + timedelta(days=20)
    for n in range(5):
        RunFactory(
            training=TrainingFactory(title=f"Aanbod {n}"), starts_at=start + timedelta(days=n)
        )

    first = client.get(reverse("trainings:catalogue"))
    body = first.content.decode()
    assert "Meer dan 3 uitvoeringen" in body
    assert "Pagina 1</span>" in body and 'href="?pagina=2"' in body

    last = client.get(reverse("trainings:catalogue"), {"pagina": 3}).content.decode()
    assert "Aanbod 4" in last and 'href="?pagina=4"' not in last
    # A page past the last falls back to a page that exists.
    assert client.get(reverse("trainings:catalogue"), {"pagina": 99}).status_code == 200
    assert client.get(reverse("trainings:catalogue"), {"pagina": 10**30}).status_code == 200
