""" "Mijn trainingen" writes its rows in Python from what the page query read: the HTML of both
lists stays as it was, in Dutch and in English, for every kind of row (a place held, waiting,
awaiting a manager, a cancelled run, completed with or without a certificate, revoked,
attendance missed, questionnaires owed or answered, reflections owed, a run without sessions).

The expected HTML (``my_trainings_rows/*.html``) was written by the page before its rows were
read as values; ids in links are numbered in order of appearance, so the files hold whatever
ids the database hands out."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import OrganisationFactory, UserFactory
from tests.trainings.factories import (
    EnrolmentFactory,
    RunFactory,
    SessionFactory,
    TrainingFactory,
)
from trainings import selectors, services
from trainings.models import (
    Attendance,
    AttendanceStatus,
    Certificate,
    DevelopmentPlan,
    EnrolmentStatus,
    EvaluationRespondent,
    EvaluationSettings,
    FollowupRespondent,
    Reflection,
    RunStatus,
)

pytestmark = pytest.mark.django_db

EXPECTED = Path(__file__).parent / "my_trainings_rows"
MOMENT = datetime(2027, 3, 10, 9, 30, tzinfo=UTC)


def _run(title, *, days, sessions=1, hours=4, step=7, **fields):
    """A run whose first session begins ``days`` from now (negative: in the past)."""
    start = timezone.now() + timedelta(days=days)
    fields.setdefault("training", TrainingFactory(title=title, **fields.pop("training_fields", {})))
    run = RunFactory(
        with_session=False,
        starts_at=start,
        ends_at=start + timedelta(days=step * max(sessions - 1, 0), hours=hours),
        enrolment_opens_at=start - timedelta(days=40),
        enrolment_closes_at=start - timedelta(days=1),
        **fields,
    )
    for index in range(sessions):
        moment = start + timedelta(days=step * index)
        SessionFactory(run=run, starts_at=moment, ends_at=moment + timedelta(hours=hours))
    return run


def _attend(enrolment, *statuses):
    for session, status in zip(
        enrolment.run.sessions.order_by("starts_at"), statuses, strict=False
    ):
        Attendance.objects.create(enrolment=enrolment, session=session, status=status)


def _world():
    present, absent = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT
    me = UserFactory()
    provider = OrganisationFactory(name="Politie & Partners <Oost>")
    # Ahead and going on.
    going = _run(
        "Loopt nu: <de> gemeente",
        days=-8,
        sessions=3,
        training_fields={"end_review_required": True, "provider": provider},
        location="Stadhuis & zaal 2",
    )
    second = going.sessions.order_by("starts_at")[1]
    second.is_cancelled = True
    second.location = "Raadzaal"
    second.save()
    going_place = EnrolmentFactory(run=going, participant=me)
    _attend(going_place, present)
    _run("Nog niet begonnen", days=20, sessions=2)
    EnrolmentFactory(run=_run("Nog niet begonnen 2", days=21, sessions=2), participant=me)
    full = _run("Vol", days=22, capacity=1)
    EnrolmentFactory(run=full)
    EnrolmentFactory(
        run=full,
        status=EnrolmentStatus.WAITLISTED,
        requested_at=timezone.now() - timedelta(days=2),
    )
    EnrolmentFactory(
        run=full,
        participant=me,
        status=EnrolmentStatus.WAITLISTED,
        requested_at=timezone.now() - timedelta(days=1),
    )
    EnrolmentFactory(
        run=_run("Met akkoord", days=23), participant=me, status=EnrolmentStatus.PENDING
    )
    EnrolmentFactory(
        run=_run("Geannuleerd komend", days=24, status=RunStatus.CANCELLED), participant=me
    )
    EnrolmentFactory(run=_run("Zonder sessies", days=25, sessions=0), participant=me)
    EnrolmentFactory(
        run=_run("Geen drempel", days=26, training_fields={"min_attendance_percent": 0}),
        participant=me,
    )
    # Over.
    done = EnrolmentFactory(run=_run("Voltooid", days=-30, sessions=2), participant=me)
    _attend(done, present, present)
    DevelopmentPlan.objects.create(enrolment=done, learned="Veel.")
    Reflection.objects.create(
        enrolment=done,
        session=done.run.sessions.order_by("starts_at").first(),
        struck_me="Goed.",
    )
    certified = EnrolmentFactory(run=_run("Met certificaat", days=-40), participant=me)
    _attend(certified, present)
    DevelopmentPlan.objects.create(enrolment=certified, learned="Veel.")
    services.certificate_get_or_issue(
        enrolment=selectors.own_enrolment_for_certificate(user=me, enrolment_id=certified.pk),
        participant=me,
    )
    revoked = EnrolmentFactory(run=_run("Ingetrokken", days=-50), participant=me)
    _attend(revoked, present)
    DevelopmentPlan.objects.create(enrolment=revoked, learned="Veel.")
    services.certificate_get_or_issue(
        enrolment=selectors.own_enrolment_for_certificate(user=me, enrolment_id=revoked.pk),
        participant=me,
    )
    Certificate.objects.filter(enrolment=revoked).update(
        revoked_at=timezone.now(), revocation_reason="Fout."
    )
    missed = EnrolmentFactory(run=_run("Gemist", days=-60, sessions=3), participant=me)
    _attend(missed, present, absent, absent)
    review = EnrolmentFactory(
        run=_run("Eindreflectie", days=-70, training_fields={"end_review_required": True}),
        participant=me,
    )
    _attend(review, present)
    never = EnrolmentFactory(run=_run("Nooit gekomen", days=-80, sessions=2), participant=me)
    _attend(never, absent, absent)
    answered = _run("Beantwoord", days=-90)
    EnrolmentFactory(run=answered, participant=me)
    EvaluationRespondent.objects.create(run=answered, participant=me)
    slow = _run("Lange opvolging", days=-100)
    EvaluationSettings.objects.create(programme=slow.training.programme, followup_weeks=20)
    EnrolmentFactory(run=slow, participant=me)
    EnrolmentFactory(
        run=_run("Geannuleerd voorbij", days=-110, status=RunStatus.CANCELLED), participant=me
    )
    EnrolmentFactory(
        run=_run("Wachtlijst voorbij", days=-120),
        participant=me,
        status=EnrolmentStatus.WAITLISTED,
    )
    EnrolmentFactory(
        run=_run("Afgerond door coordinator", days=-3, sessions=2, status=RunStatus.COMPLETED),
        participant=me,
    )
    EnrolmentFactory(
        run=_run("Afgemeld", days=-5), participant=me, status=EnrolmentStatus.CANCELLED
    )
    return me


def _sections(html: str) -> str:
    """The two lists, ids numbered by first appearance per kind."""
    body = "\n".join(re.findall(r"<section.*?</section>", html, flags=re.S))
    numbers: dict[tuple[str, str], str] = {}

    def number(match):
        key = (match.group(1), match.group(2))
        label = numbers.setdefault(key, f"{sum(k[0] == key[0] for k in numbers) + 1}")
        return f"{match.group(1)}/#{match.group(1)[0]}{label}/"

    return re.sub(r"(uitvoeringen|inschrijvingen)/(\d+)/", number, body)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("query", ["", "?pagina=2"])
def test_my_trainings_rows_are_written_as_before(client, language, query):
    with time_machine.travel(MOMENT, tick=False):
        me = _world()
        client.force_login(me)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("trainings:my_trainings") + query).content.decode()
    expected = EXPECTED / f"{language}{query.replace('?', '_').replace('=', '')}.html"
    import os

    if os.environ.get("WRITE_EXPECTED"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(_sections(page))
    assert _sections(page) == expected.read_text()


def _expected_rows(me, now):
    """What each row should show, from the ORM rules: (upcoming, past) as lists of tuples."""
    enrolments = list(selectors.my_enrolments(user=me))
    run_ids = [enrolment.run_id for enrolment in enrolments]
    invited = set(selectors.evaluation_invitees(run_ids=run_ids).values_list("pk", flat=True))
    evaluated = set(
        EvaluationRespondent.objects.filter(participant=me).values_list("run_id", flat=True)
    )
    followed = set(
        FollowupRespondent.objects.filter(participant=me).values_list("run_id", flat=True)
    )
    upcoming, past = [], []
    for enrolment in enrolments:
        run = enrolment.run
        over = run.ends_at is not None and run.ends_at < now
        held = enrolment.status == EnrolmentStatus.ENROLLED
        newest = enrolment.certificate_list[0] if enrolment.certificate_list else None
        row = (
            enrolment.pk,
            enrolment.status,
            run.status,
            None if over else enrolment.waitlist_position,
            [session.pk for session in run.session_list],
            [s.pk for s in selectors.reflections_owed(enrolment=enrolment, now=now)],
            selectors.completion_of(enrolment=enrolment, sessions=run.session_list)
            if held
            else None,
            newest.is_revoked if newest else None,
            selectors._questionnaires_owed(
                # Asked in a run that was held: ``evaluation_invitees`` of a run not cancelled.
                invited=enrolment.pk in invited and run.status != RunStatus.CANCELLED,
                evaluated=run.pk in evaluated,
                followed=run.pk in followed,
                followup_weeks=selectors.evaluation_settings_of(
                    run.training.programme_id
                ).followup_weeks,
                ends_at=run.ends_at,
                now=now,
            )
            if over
            else [],
        )
        (past if over else upcoming).append((run.starts_at, enrolment.pk, row))
    upcoming.sort(key=lambda item: (item[0], item[1]))
    past.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [item[2] for item in upcoming], [item[2] for item in past]


def _read(row):
    return (
        row.pk,
        row.status,
        row.run_status,
        row.waitlist_position,
        [session.pk for session in row.sessions],
        [session.pk for session in row.reflection_todo],
        row.completion,
        row.certificate_revoked,
        row.questionnaires,
    )


@pytest.mark.parametrize("days", [-130, -45, 0, 1, 30, 200])
def test_the_rows_follow_the_rules_they_stand_for(days):
    with time_machine.travel(MOMENT, tick=False):
        me = _world()
    with time_machine.travel(MOMENT + timedelta(days=days), tick=False):
        now = timezone.now()
        upcoming, past = selectors.my_training_rows(
            user=me, now=now, upcoming=(0, 100), past=(0, 100)
        )
        expected_upcoming, expected_past = _expected_rows(me, now)
        assert [_read(row) for row in upcoming] == expected_upcoming
        assert [_read(row) for row in past] == expected_past
        assert selectors.my_enrolment_counts(user=me, now=now) == (len(upcoming), len(past))
    assert upcoming or past


def test_the_pages_of_rows_are_slices_of_the_whole_lists():
    with time_machine.travel(MOMENT, tick=False):
        me = _world()
        now = timezone.now()
        upcoming, past = selectors.my_training_rows(
            user=me, now=now, upcoming=(0, 100), past=(0, 100)
        )
        for offset, limit in [(0, 3), (3, 3), (6, 3), (2, 0)]:
            ahead, over = selectors.my_training_rows(
                user=me, now=now, upcoming=(offset, limit), past=(offset, limit)
            )
            assert [row.pk for row in ahead] == [row.pk for row in upcoming][offset:][:limit]
            assert [row.pk for row in over] == [row.pk for row in past][offset:][:limit]
