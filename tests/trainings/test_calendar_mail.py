"""Calendar items in the mail: RFC 5545 with METHOD, the feed's UID and a rising SEQUENCE."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from portal.tasks import dispatch_due_reminders
from tests.portal.factories import UserFactory
from tests.trainings.factories import RunFactory, SessionFactory, coordinator_of
from trainings import ical, services

pytestmark = pytest.mark.django_db


def _sent(subject_start: str, person=None) -> list:
    dispatch_due_reminders()
    return [
        m
        for m in mail.outbox
        if m.subject.startswith(subject_start) and (person is None or m.to == [person.email])
    ]


def _items(message) -> list[tuple[str, Calendar]]:
    """(mimetype, parsed calendar) of each calendar attachment of a sent message."""
    return [
        (mimetype, Calendar.from_ical(content))
        for _filename, content, mimetype in message.attachments
        if mimetype.startswith("text/calendar")
    ]


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def _enrolled_run(*, sessions: int = 1):
    run = RunFactory(with_session=False)
    for n in range(sessions):
        start = run.starts_at + timedelta(days=7 * n)
        SessionFactory(run=run, starts_at=start, ends_at=start + timedelta(hours=3))
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    return run, person, coordinator_of(run.training.programme)


def test_the_confirmation_holds_one_request_per_session_with_the_feeds_uid():
    run, person, _coordinator = _enrolled_run(sessions=2)
    (confirmation,) = _sent("Ingeschreven", person)

    items = _items(confirmation)
    sessions = list(run.sessions.order_by("starts_at"))
    assert [mimetype for mimetype, _calendar in items] == ["text/calendar; method=REQUEST"] * 2
    for (_mimetype, calendar), session in zip(items, sessions, strict=True):
        assert calendar["METHOD"] == "REQUEST"
        event = _event(calendar)
        assert str(event["UID"]) == ical.session_uid(session)
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert event["DTSTART"].dt == session.starts_at.replace(microsecond=0)
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
        assert str(event["ORGANIZER"]).startswith("mailto:")
    # The MIME part says it too, for clients that look only there.
    parts = [p for p in confirmation.message().walk() if p.get_content_type() == "text/calendar"]
    assert [p.get_param("method") for p in parts] == ["REQUEST", "REQUEST"]


def test_the_feed_and_the_mail_name_a_session_by_the_same_uid(client):
    run, person, _coordinator = _enrolled_run()
    (confirmation,) = _sent("Ingeschreven", person)
    feed = services.calendar_feed_get_or_create(user=person)
    body = client.get(reverse("trainings:feed", args=[feed.token])).content
    (feed_event,) = Calendar.from_ical(body).walk("VEVENT")
    ((_mimetype, calendar),) = _items(confirmation)
    assert _event(calendar)["UID"] == feed_event["UID"]


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence_each_time():
    run, person, coordinator = _enrolled_run()
    session = run.sessions.get()
    (confirmation,) = _sent("Ingeschreven", person)
    first = _event(_items(confirmation)[0][1])

    sequences = []
    for days in (1, 2):
        start = session.starts_at + timedelta(days=days)
        services.session_update(
            actor=coordinator,
            session=session,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            title="",
            location="Zaal 4",
        )
        moved = _sent("Gewijzigd", person)[-1]
        ((mimetype, calendar),) = _items(moved)
        assert mimetype == "text/calendar; method=REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        event = _event(calendar)
        assert event["UID"] == first["UID"]
        assert event["DTSTART"].dt == start.replace(microsecond=0)
        assert event["LOCATION"] == "Zaal 4"
        sequences.append(event["SEQUENCE"])
    assert first["SEQUENCE"] < sequences[0] < sequences[1]
    assert len(_sent("Gewijzigd", person)) == 2


def test_two_moves_before_the_mail_goes_out_send_only_the_last():
    run, person, coordinator = _enrolled_run()
    session = run.sessions.get()
    for days in (1, 2):
        start = session.starts_at + timedelta(days=days)
        services.session_update(
            actor=coordinator,
            session=session,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            title="",
            location="",
        )
    (moved,) = _sent("Gewijzigd", person)
    session.refresh_from_db()
    assert _event(_items(moved)[0][1])["SEQUENCE"] == session.sequence


def test_a_cancelled_session_is_cancelled_in_the_calendar():
    run, person, coordinator = _enrolled_run(sessions=2)
    session = run.sessions.order_by("starts_at").first()
    (confirmation,) = _sent("Ingeschreven", person)
    before = _event(_items(confirmation)[0][1])

    services.session_cancel(actor=coordinator, session=session)

    (cancelled,) = _sent("Vervallen", person)
    ((mimetype, calendar),) = _items(cancelled)
    assert mimetype == "text/calendar; method=CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    event = _event(calendar)
    assert event["UID"] == before["UID"]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] > before["SEQUENCE"]


def test_a_cancelled_run_cancels_every_session_for_who_held_a_place_only():
    run, person, coordinator = _enrolled_run(sessions=2)
    run.capacity = 1
    run.save(update_fields=["capacity"])
    waiting = UserFactory()
    services.enrolment_create(run=run, participant=waiting)

    services.run_cancel(actor=coordinator, run=run, reason="Te weinig aanmeldingen.")

    (message,) = _sent("Geannuleerd", person)
    items = _items(message)
    assert len(items) == 2
    uids = set()
    for mimetype, calendar in items:
        assert mimetype == "text/calendar; method=CANCEL"
        event = _event(calendar)
        assert (calendar["METHOD"], event["STATUS"], event["SEQUENCE"]) == (
            "CANCEL",
            "CANCELLED",
            1,
        )
        uids.add(str(event["UID"]))
    assert uids == {ical.session_uid(s) for s in run.sessions.all()}
    (waiting_message,) = _sent("Geannuleerd", waiting)
    assert _items(waiting_message) == []


def test_a_session_change_mails_exactly_who_holds_a_place():
    run, person, coordinator = _enrolled_run()
    left = UserFactory()
    services.enrolment_cancel(
        enrolment=services.enrolment_create(run=run, participant=left), actor=left
    )
    run.capacity = 1
    run.save(update_fields=["capacity"])
    waiting = UserFactory()
    services.enrolment_create(run=run, participant=waiting)
    session = run.sessions.get()
    start = session.starts_at + timedelta(hours=1)
    services.session_update(
        actor=coordinator,
        session=session,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        title="",
        location="",
    )
    # Not who cancelled, not who waits: only who holds a place.
    assert [m.to for m in _sent("Gewijzigd")] == [[person.email]]
