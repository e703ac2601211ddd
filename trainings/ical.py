"""A person's training sessions as RFC 5545 calendars: the subscribed feed, and the items in mail.

The feed (``build_calendar``) and the items attached to mails (``session_itip``) describe a
session the same way, with the same UID and SEQUENCE, so a calendar app that has both
updates or cancels one item rather than showing two.
"""

from collections.abc import Iterable
from datetime import date, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from .models import RunStatus, Session

PRODID = "-//Werkend Leren//Trainingen//NL"
# Enough history that past sessions stay visible without the feed growing for ever.
FIRST_DATE = date(2020, 1, 1)
# iTIP methods (RFC 5546) of the items attached to mails.
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _host() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "werkendleren.invalid"


def session_uid(session: Session) -> str:
    """Stable per session, so a moved session updates the existing event instead of adding one."""
    return f"session-{session.pk}@{_host()}"


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # Always present, so a calendar without sessions still holds the one component RFC 5545
    # requires; generated from the tz database, with the DST rules from FIRST_DATE on.
    calendar.add_component(Timezone.from_tzid(settings.TIME_ZONE, first_date=FIRST_DATE))
    return calendar


def _event(session: Session, *, stamp: datetime, cancelled: bool = False) -> Event:
    run = session.run
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    event.add("sequence", session.sequence)
    title = run.training.title
    event.add("summary", f"{title} — {session.title}" if session.title else title)
    event.add("location", session.location or run.location)
    run_url = settings.PORTAL_BASE_URL + reverse("trainings:run_detail", args=[run.pk])
    event.add("description", run_url)
    event.add("url", run_url)
    cancelled = cancelled or session.is_cancelled or run.status == RunStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("last-modified", session.updated_at)
    return event


def build_calendar(sessions: Iterable[Session], *, name: str) -> bytes:
    """The subscribed feed: every session, cancelled ones marked so."""
    calendar = _calendar("PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for session in sessions:
        calendar.add_component(_event(session, stamp=stamp))
    return calendar.to_ical()


def _address(email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def session_itip(session: Session, *, method: str, attendee_email: str) -> str:
    """One session as a calendar item for a mail: ``REQUEST`` adds or updates it, ``CANCEL``
    removes it (with STATUS:CANCELLED).

    One session per item: RFC 5546 wants one UID per iTIP message, and calendar apps
    handle a message with several events badly.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unsupported iTIP method {method!r}")
    calendar = _calendar(method)
    event = _event(session, stamp=timezone.now(), cancelled=method == CANCEL)
    # RFC 5546: a REQUEST or CANCEL names its organizer and the attendee it is for. The
    # participant already took the place, so the item needs no answer.
    name, sender = parseaddr(settings.DEFAULT_FROM_EMAIL)
    event.add("organizer", _address(sender, CN=name or "Werkend Leren"))
    event.add(
        "attendee",
        _address(attendee_email, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", RSVP="FALSE"),
    )
    calendar.add_component(event)
    return calendar.to_ical().decode()
