"""The iCal feed (RFC 5545), the participant CSV and the checked material download."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from icalendar import Calendar

from tests.portal.factories import UserFactory, coordinator, trainer
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
)
from trainings import services
from trainings.models import Material, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_material_root(settings, tmp_path):
    settings.TRAININGS_MATERIAL_ROOT = tmp_path / "materiaal"


def feed_of(client, person) -> tuple[bytes, Calendar]:
    feed = services.calendar_feed_get_or_create(user=person)
    response = client.get(reverse("trainings:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content, Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def test_the_feed_is_well_formed_rfc5545(client):
    person = UserFactory()
    run = RunFactory(location="Stadskantoor")
    services.enrolment_create(run=run, participant=person)

    raw, calendar = feed_of(client, person)

    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends in CRLF
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    (event,) = events(calendar)
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
        assert required in event
    assert "ORGANIZER" not in event
    assert b"ORGANIZER" not in raw
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "Stadskantoor"
    assert event.decoded("DTSTART").tzinfo is not None
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Amsterdam"
    # iCalendar carries whole seconds.
    assert event.decoded("DTSTART") == run.sessions.get().starts_at.replace(microsecond=0)


def test_the_uid_is_stable_and_the_sequence_rises_when_a_session_moves(client):
    person = UserFactory()
    run = RunFactory()
    services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    _, before = feed_of(client, person)

    services.session_update(
        session=session,
        starts_at=session.starts_at + timedelta(hours=1),
        ends_at=session.ends_at + timedelta(hours=1),
        title=session.title,
        location=session.location,
    )
    _, after = feed_of(client, person)

    (old,), (new,) = events(before), events(after)
    assert old["UID"] == new["UID"]
    assert new["SEQUENCE"] == old["SEQUENCE"] + 1


def test_cancelled_sessions_and_runs_show_as_cancelled(client):
    person = UserFactory()
    run = RunFactory()
    services.enrolment_create(run=run, participant=person)
    services.session_cancel(session=run.sessions.get())
    other = RunFactory()
    services.enrolment_create(run=other, participant=person)
    services.run_cancel(run=other, reason="Te weinig aanmeldingen")

    _, calendar = feed_of(client, person)

    assert [event["STATUS"] for event in events(calendar)] == ["CANCELLED", "CANCELLED"]


def test_the_feed_holds_only_my_runs_and_the_runs_i_teach(client):
    person = trainer()
    mine, taught, someone_elses = RunFactory(), RunFactory(), RunFactory()
    services.enrolment_create(run=mine, participant=person)
    taught.trainers.add(person)
    EnrolmentFactory(run=someone_elses)

    _, calendar = feed_of(client, person)

    summaries = {str(event["SUMMARY"]) for event in events(calendar)}
    assert summaries == {mine.training.title, taught.training.title}


def test_resetting_the_token_retires_the_old_address(client):
    person = UserFactory()
    old = services.calendar_feed_get_or_create(user=person).token
    client.force_login(person)

    client.post(reverse("trainings:feed_reset"))

    new = services.calendar_feed_get_or_create(user=person).token
    assert new != old
    client.logout()
    assert client.get(reverse("trainings:feed", args=[old])).status_code == 404
    assert client.get(reverse("trainings:feed", args=[new])).status_code == 200


def test_the_feed_settings_page_shows_my_address(client):
    person = UserFactory()
    client.force_login(person)
    response = client.get(reverse("trainings:feed_settings"))
    token = services.calendar_feed_get_or_create(user=person).token
    assert token in response.content.decode()
    assert "webcal://" in response.content.decode()


def test_the_feed_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    person = UserFactory()
    for _ in range(15):
        services.enrolment_create(run=RunFactory(), participant=person)
    token = services.calendar_feed_get_or_create(user=person).token
    with django_assert_max_num_queries(3):
        client.get(reverse("trainings:feed", args=[token]))


@pytest.fixture
def run_with_people():
    programme = ProgrammeFactory(name="CSV programma")
    run = RunFactory(training=TrainingFactory(programme=programme), capacity=1)
    placed = UserFactory(full_name='=HYPERLINK("http://kwaad")', job_title="Analist")
    waiting = UserFactory(full_name="Wachtende Wim")
    services.enrolment_create(run=run, participant=placed)
    services.enrolment_create(run=run, participant=waiting)
    boss = coordinator()
    programme.coordinators.add(boss)
    teacher = trainer()
    run.trainers.add(teacher)
    return run, boss, teacher


def test_the_participant_csv_opens_in_dutch_excel_and_defuses_formulas(client, run_with_people):
    run, boss, _teacher = run_with_people
    client.force_login(boss)

    response = client.get(reverse("trainings:run_csv", args=[run.pk]))

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffNaam;E-mail;Organisatie")
    rows = text.strip().splitlines()
    assert len(rows) == 3
    assert rows[1].startswith("\"'=HYPERLINK")
    assert "Wachtende Wim" in rows[2] and ";1;" in rows[2]


@pytest.mark.parametrize(("who", "status"), [("boss", 200), ("teacher", 200), ("other", 404)])
def test_only_coordinators_and_trainers_export_participants(client, run_with_people, who, status):
    run, boss, teacher = run_with_people
    client.force_login({"boss": boss, "teacher": teacher, "other": UserFactory()}[who])
    assert client.get(reverse("trainings:run_csv", args=[run.pk])).status_code == status


def test_materials_are_for_enrolled_participants_trainers_and_coordinators(client):
    programme = ProgrammeFactory(name="Materiaal programma")
    training = TrainingFactory(programme=programme)
    run = RunFactory(training=training, capacity=1)
    material = Material(training=training, title="Hand-out")
    material.file.save("hand-out.pdf", ContentFile(b"%PDF-1.4 hand-out"), save=True)
    enrolled, waiting, outsider = UserFactory(), UserFactory(), UserFactory()
    services.enrolment_create(run=run, participant=enrolled)
    services.enrolment_create(run=run, participant=waiting)
    teacher = trainer()
    run.trainers.add(teacher)
    boss = coordinator()
    programme.coordinators.add(boss)
    url = reverse("trainings:material", args=[material.pk])

    for person, expected in [
        (enrolled, 200),
        (teacher, 200),
        (boss, 200),
        (waiting, 404),
        (outsider, 404),
    ]:
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == expected, person
        if expected == 200:
            assert b"".join(response.streaming_content) == b"%PDF-1.4 hand-out"
            assert "attachment" in response["Content-Disposition"]


def test_a_material_link_redirects_for_those_allowed(client):
    training = TrainingFactory()
    run = RunFactory(training=training, status=RunStatus.PUBLISHED)
    link = Material.objects.create(training=training, title="Film", url="https://example.org/f")
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    client.force_login(person)

    response = client.get(reverse("trainings:material", args=[link.pk]))

    assert response.status_code == 302
    assert response["Location"] == "https://example.org/f"


def test_material_files_are_not_under_the_public_media_root(settings):
    training = TrainingFactory()
    material = Material(training=training, title="Geheim")
    material.file.save("x.pdf", ContentFile(b"%PDF"), save=True)
    assert not material.file.path.startswith(str(settings.MEDIA_ROOT))
