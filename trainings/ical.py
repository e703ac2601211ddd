"""A person's training sessions as an RFC 5545 calendar, for subscribing in any calendar app."""

from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone

from .models import RunStatus, Session

PRODID = "-//Werkend Leren//Trainingen//NL"
# Enough history that past sessions stay visible without the feed growing for ever.
FIRST_DATE = date(2020, 1, 1)


def _host() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "werkendleren.invalid"


def session_uid(session: Session) -> str:
    """Stable per session, so a moved session updates the existing event instead of adding one."""
    return f"session-{session.pk}@{_host()}"


def build_calendar(sessions: Iterable[Session], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # Always present, so a feed without sessions still holds the one component RFC 5545
    # requires; generated from the tz database, with the DST rules from FIRST_DATE on.
    calendar.add_component(Timezone.from_tzid(settings.TIME_ZONE, first_date=FIRST_DATE))
    stamp = timezone.now()
    for session in sessions:
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
        cancelled = session.is_cancelled or run.status == RunStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("last-modified", session.updated_at)
        calendar.add_component(event)
    return calendar.to_ical()
