"""Which reflections a participant still owes: one rule, the same on every page that asks."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import UserFactory
from tests.trainings.factories import EnrolmentFactory, RunFactory
from trainings import reflections, selectors
from trainings.models import EnrolmentStatus, Reflection, Run, Session

NOW = datetime(2026, 5, 14, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def session(pk=1, *, starts=NOW - timedelta(hours=2), cancelled=False):
    return SimpleNamespace(pk=pk, starts_at=starts, is_cancelled=cancelled)


def owes(one=None, *, holds_place=True, written=False, since=None):
    return reflections.owes_reflection(
        holds_place=holds_place,
        session=one or session(),
        written=written,
        now=NOW,
        since=since,
    )


def test_a_session_that_began_is_owed_until_written():
    assert owes()
    assert not owes(written=True)


def test_a_session_beginning_right_now_is_owed_and_one_a_second_later_is_not():
    assert owes(session(starts=NOW))
    assert not owes(session(starts=NOW + timedelta(seconds=1)))


def test_a_cancelled_session_is_never_owed():
    assert not owes(session(cancelled=True))


def test_nothing_is_owed_without_a_place_in_the_run():
    assert not owes(holds_place=False)


def test_since_keeps_sessions_that_began_at_that_moment_or_later():
    since = NOW - timedelta(days=30)

    assert owes(session(starts=since), since=since)
    assert not owes(session(starts=since - timedelta(seconds=1)), since=since)
    assert owes(session(starts=since - timedelta(days=400)))  # no since: no limit


def test_owed_sessions_keeps_the_given_order_and_skips_written_ones():
    first, second, third = (session(pk, starts=NOW - timedelta(days=pk)) for pk in (3, 2, 1))

    owed = reflections.owed_sessions(
        holds_place=True, sessions=[first, second, third], written_session_ids={2}, now=NOW
    )

    assert owed == [first, third]


# --- the pages read the same rule ------------------------------------------------------------


def _ran(participant, *, days_ago: int, status=EnrolmentStatus.ENROLLED):
    """An enrolment in a run whose one session began ``days_ago`` days ago."""
    start = timezone.now() - timedelta(days=days_ago, hours=1)
    run = RunFactory(starts_at=start)
    Run.objects.filter(pk=run.pk).update(starts_at=start, ends_at=start + timedelta(hours=4))
    return EnrolmentFactory(run=run, participant=participant, status=status), run.sessions.get()


@pytest.mark.django_db
def test_my_trainings_and_the_home_page_owe_the_same_recent_reflections(client):
    person = UserFactory()
    owed, owed_session = _ran(person, days_ago=2)
    done, done_session = _ran(person, days_ago=3)
    Reflection.objects.create(enrolment=done, session=done_session, struck_me="Al gedaan")
    called_off, off_session = _ran(person, days_ago=4)
    Session.objects.filter(pk=off_session.pk).update(is_cancelled=True)
    waiting, wait_session = _ran(person, days_ago=5, status=EnrolmentStatus.WAITLISTED)
    old, old_session = _ran(person, days_ago=45)
    now = timezone.now()

    by_enrolment = {
        enrolment.pk: selectors.reflections_owed(enrolment=enrolment, now=now)
        for enrolment in selectors.my_enrolments(user=person)
    }
    home = selectors.participant_overview(user=person).reflections_due

    assert by_enrolment == {
        owed.pk: [owed_session],
        done.pk: [],
        called_off.pk: [],
        waiting.pk: [],
        old.pk: [old_session],  # "my trainings" lists it; the home page no longer nags
    }
    assert home == [(owed, owed_session)]
    client.force_login(person)
    page = client.get(reverse("trainings:my_trainings"))
    todo = {
        row.pk: [session.pk for session in row.reflection_todo]
        for row in page.context["past"].object_list
    }
    assert todo[owed.pk] == [owed_session.pk] and todo[old.pk] == [old_session.pk]
    assert todo[done.pk] == todo[called_off.pk] == todo[waiting.pk] == []


@pytest.mark.django_db
def test_the_home_page_lists_the_latest_owed_reflections_first_up_to_its_limit():
    person = UserFactory()
    sessions = [_ran(person, days_ago=days)[1] for days in (9, 1, 5, 3)]

    due = selectors.participant_overview(user=person, limit=3).reflections_due

    assert [one for _enrolment, one in due] == [sessions[1], sessions[3], sessions[2]]
    assert due[0][1].run.training.title  # joined for the page
