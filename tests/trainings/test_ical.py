"""The personal iCal feed: RFC 5545 structure, what it holds, and its secret address."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.portal.factories import UserFactory, trainer
from tests.trainings.factories import (
    EnrolmentFactory,
    RunFactory,
    TrainingFactory,
    coordinator_of,
)
from trainings import services
from trainings.models import RunStatus

pytestmark = pytest.mark.django_db

# Properties RFC 5545 (3.6.1) allows at most once in a VEVENT.
EVENT_SINGLETONS = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "URL",
    "LAST-MODIFIED",
)


def feed_of(client, person) -> tuple[bytes, Calendar]:
    feed = services.calendar_feed_get_or_create(user=person)
    response = client.get(reverse("trainings:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content, Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def unfolded_lines(raw: bytes) -> list[str]:
    """Content lines after undoing RFC 5545 folding (CRLF followed by one space)."""
    return raw.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def event_blocks(raw: bytes) -> list[list[str]]:
    blocks, current = [], None
    for line in unfolded_lines(raw):
        if line == "BEGIN:VEVENT":
            current = []
        elif line == "END:VEVENT":
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def assert_rfc5545(raw: bytes, calendar: Calendar) -> None:
    """What a strict reader checks, beyond icalendar's own tolerant parse."""
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends in CRLF"
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, f"line not folded at 75 octets: {line!r}"
        line.decode("utf-8")  # folding never splits a multi-byte character
    lines = unfolded_lines(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    # Components nest properly: every BEGIN has its END, in order.
    stack = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == []
    # Every content line is NAME[;PARAM=...]:VALUE.
    assert all(re.match(r"^[A-Z][A-Z0-9-]*[;:]", line) for line in lines)
    calendar.validate()  # PRODID, VERSION and at least one component
    assert calendar["VERSION"] == "2.0"
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    for block in event_blocks(raw):
        names = [re.split(r"[;:]", line, maxsplit=1)[0] for line in block]
        for name in EVENT_SINGLETONS:
            assert names.count(name) <= 1, f"{name} more than once"
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"):
            assert required in names
        assert "ORGANIZER" not in names
        (stamp,) = [line for line in block if line.startswith("DTSTAMP")]
        assert stamp.endswith("Z"), "DTSTAMP is in UTC"
    for event in events(calendar):
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        tzid = event["DTSTART"].params["TZID"]
        assert tzid in {tz["TZID"] for tz in calendar.walk("VTIMEZONE")}


def test_the_feed_is_well_formed_rfc5545_in_amsterdam_time(client, settings):
    settings.PORTAL_BASE_URL = "https://portaal.werkendleren.example"
    person = UserFactory()
    run = RunFactory(
        location="Stadskantoor, zaal Één",
        # Long and with non-ASCII text, so folding is exercised on multi-byte characters.
        training=TrainingFactory(title="Hoe werkt de gemeente? Één dag over ondermijning " * 3),
    )
    services.enrolment_create(run=run, participant=person)

    raw, calendar = feed_of(client, person)

    assert_rfc5545(raw, calendar)
    assert b"\r\n " in raw  # the long summary was folded
    session = run.sessions.get()
    (event,) = events(calendar)
    assert event["UID"] == f"session-{session.pk}@portaal.werkendleren.example"
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "Stadskantoor, zaal Één"
    assert event["SUMMARY"] == run.training.title
    run_url = f"https://portaal.werkendleren.example/trainingen/uitvoeringen/{run.pk}/"
    assert run_url in event["DESCRIPTION"]
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    # iCalendar carries whole seconds.
    assert event.decoded("DTSTART") == session.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == session.ends_at.replace(microsecond=0)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Amsterdam"
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert calendar["X-WR-CALNAME"].startswith("Werkend Leren")
    assert b"ORGANIZER" not in raw


def test_a_feed_without_sessions_is_still_a_valid_calendar(client):
    raw, calendar = feed_of(client, UserFactory())

    assert_rfc5545(raw, calendar)
    assert events(calendar) == []


def test_the_uid_is_stable_and_the_sequence_rises_when_a_session_moves(client):
    person = UserFactory()
    run = RunFactory()
    services.enrolment_create(run=run, participant=person)
    session = run.sessions.get()
    _, before = feed_of(client, person)

    services.session_update(
        actor=coordinator_of(run.training.programme),
        session=session,
        starts_at=session.starts_at + timedelta(hours=1),
        ends_at=session.ends_at + timedelta(hours=1),
        title=session.title,
        location=session.location,
    )
    raw, after = feed_of(client, person)

    assert_rfc5545(raw, after)
    (old,), (new,) = events(before), events(after)
    assert old["UID"] == new["UID"]
    assert new["SEQUENCE"] == old["SEQUENCE"] + 1
    assert new.decoded("DTSTART") - old.decoded("DTSTART") == timedelta(hours=1)


def test_cancelled_sessions_and_runs_show_as_cancelled_with_a_raised_sequence(client):
    person = UserFactory()
    run = RunFactory()
    services.enrolment_create(run=run, participant=person)
    services.session_cancel(
        actor=coordinator_of(run.training.programme), session=run.sessions.get()
    )
    other = RunFactory(starts_at=timezone.now() + timedelta(days=20))
    services.enrolment_create(run=other, participant=person)
    services.run_cancel(
        actor=coordinator_of(other.training.programme), run=other, reason="Te weinig aanmeldingen"
    )

    raw, calendar = feed_of(client, person)

    assert_rfc5545(raw, calendar)
    assert [(e["STATUS"], e["SEQUENCE"]) for e in events(calendar)] == [
        ("CANCELLED", 1),
        ("CANCELLED", 1),
    ]


def test_the_feed_holds_my_places_and_the_runs_i_teach_only(client):
    person = trainer()
    mine, taught, someone_elses = RunFactory(), RunFactory(), RunFactory()
    full = RunFactory(capacity=1)
    EnrolmentFactory(run=full)
    draft = RunFactory(status=RunStatus.DRAFT)
    services.enrolment_create(run=mine, participant=person)
    services.enrolment_create(run=full, participant=person)  # waiting list: not in my agenda
    taught.trainers.add(person)
    draft.trainers.add(person)
    EnrolmentFactory(run=someone_elses)
    given_up = RunFactory()
    services.enrolment_cancel(
        enrolment=services.enrolment_create(run=given_up, participant=person), actor=person
    )

    _, calendar = feed_of(client, person)

    summaries = {str(event["SUMMARY"]) for event in events(calendar)}
    assert summaries == {mine.training.title, taught.training.title}


def test_calendar_apps_may_check_the_feed_with_head(client):
    token = services.calendar_feed_get_or_create(user=UserFactory()).token
    assert client.head(reverse("trainings:feed", args=[token])).status_code == 200


def test_an_unknown_token_or_an_inactive_owner_gives_404(client):
    assert client.get(reverse("trainings:feed", args=["verzonnen"])).status_code == 404
    person = UserFactory()
    token = services.calendar_feed_get_or_create(user=person).token
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(reverse("trainings:feed", args=[token])).status_code == 404


def test_resetting_the_token_retires_the_old_address(client):
    person = UserFactory()
    old = services.calendar_feed_get_or_create(user=person).token
    client.force_login(person)

    response = client.post(reverse("trainings:feed_reset"))

    assert response.status_code == 302
    new = services.calendar_feed_get_or_create(user=person).token
    assert new != old
    client.logout()
    assert client.get(reverse("trainings:feed", args=[old])).status_code == 404
    assert client.get(reverse("trainings:feed", args=[new])).status_code == 200


def test_the_token_is_reset_only_by_a_post(client):
    person = UserFactory()
    token = services.calendar_feed_get_or_create(user=person).token
    client.force_login(person)

    assert client.get(reverse("trainings:feed_reset")).status_code == 405

    assert services.calendar_feed_get_or_create(user=person).token == token


def test_the_feed_settings_page_shows_my_address_and_its_webcal_variant(
    client, django_assert_max_num_queries
):
    person = UserFactory()
    client.force_login(person)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainings:feed_settings"))
    token = services.calendar_feed_get_or_create(user=person).token
    page = response.content.decode()
    assert f"http://testserver/trainingen/agenda/{token}.ics" in page
    assert f"webcal://testserver/trainingen/agenda/{token}.ics" in page
    assert page.count("<h1") == 1


def test_the_feed_settings_need_a_login(client):
    response = client.get(reverse("trainings:feed_settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_feed_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    person = trainer()
    for _ in range(10):
        services.enrolment_create(run=RunFactory(), participant=person)
    for _ in range(5):
        RunFactory().trainers.add(person)
    token = services.calendar_feed_get_or_create(user=person).token
    with django_assert_max_num_queries(3):
        response = client.get(reverse("trainings:feed", args=[token]))
    assert len(events(Calendar.from_ical(response.content))) == 15
