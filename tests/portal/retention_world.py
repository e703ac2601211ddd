"""Rows of every retention kind, dated against a rule's cutoff, with a marker in their text.

``plant(kind, anchor, marker)`` makes one row of ``kind`` whose anchor (end of the run, of the
werkplaats, of the verkenning, the login, the closing of the signal) is ``anchor`` and whose
personal text holds ``marker``; ``stored_text()`` is everything those tables hold, to look
for markers after a run.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from portal.models import FiguresSnapshot, LoginEvent
from signalen.models import Signal, SignalEvent
from tests.portal.factories import LoginEventFactory
from tests.signalen.factories import meldpunt, report, signal_in
from tests.trainings.factories import EnrolmentFactory, RunFactory
from tests.verkenning.factories import (
    InterviewFactory,
    ObservationFactory,
    VerkenningFactory,
    ensure_question_bank,
)
from tests.werkplaats.factories import ParticipationFactory, PracticeLogFactory, SessionFactory
from trainings.models import (
    DevelopmentPlan,
    EvaluationAnswer,
    FollowupAnswer,
    QuestionKind,
    Reflection,
    RunQuestion,
)
from verkenning.models import Answer, Interview, Observation, Question, VerkenningStatus
from werkplaats.models import PracticeLog


def _run_ended_at(anchor: datetime):
    return RunFactory(starts_at=anchor - timedelta(hours=4), ends_at=anchor)


def _reflection(anchor, marker):
    run = _run_ended_at(anchor)
    enrolment = EnrolmentFactory(run=run)
    Reflection.objects.create(
        enrolment=enrolment, session=run.sessions.get(), struck_me=marker, will_apply=marker
    )


def _plan(anchor, marker):
    enrolment = EnrolmentFactory(run=_run_ended_at(anchor))
    DevelopmentPlan.objects.create(
        enrolment=enrolment, content_goals=marker, personal_goals=marker, learned=marker
    )


def _evaluation_text(anchor, marker):
    run = _run_ended_at(anchor)
    open_question = RunQuestion.objects.create(
        run=run, kind=QuestionKind.OPEN, text="Wat neem je mee?", position=1
    )
    scale = RunQuestion.objects.create(
        run=run, kind=QuestionKind.SCALE, text="Hoe nuttig?", position=2
    )
    EvaluationAnswer.objects.create(question=open_question, text=marker)
    EvaluationAnswer.objects.create(question=scale, score=4)


def _followup_outcome(anchor, marker):
    FollowupAnswer.objects.create(run=_run_ended_at(anchor), contacted=True, outcome=marker)


def _practice_log(anchor, marker):
    session = SessionFactory(starts_at=anchor - timedelta(hours=4), ends_at=anchor)
    participation = ParticipationFactory(werkplaats=session.werkplaats)
    PracticeLogFactory(participation=participation, after_session=session, tried=marker)


def _interview_notes(anchor, marker):
    if not Question.objects.exists():
        ensure_question_bank()
    verkenning = VerkenningFactory(status=VerkenningStatus.DONE, finished_at=anchor)
    interview = InterviewFactory(verkenning=verkenning, notes=marker)
    Answer.objects.create(interview=interview, question=Question.objects.first(), notes=marker)
    ObservationFactory(interview=interview, text=marker, include_as_quote=True)


def _login_event(anchor, marker):
    LoginEventFactory(created_at=anchor, identifier=f"{marker}@example.org", succeeded=False)


def _figures_snapshot(anchor, marker):
    snapshot = FiguresSnapshot.objects.create(key=f"tests.figures:{marker}", figures={"m": marker})
    FiguresSnapshot.objects.filter(pk=snapshot.pk).update(updated_at=anchor)


def _signal(anchor, marker):
    _organisation, (contact,) = meldpunt()
    signal = report(organisation=contact.organisation, description=marker, involved=marker)
    signal_in("closed", actor=contact, signal=signal)
    Signal.objects.filter(pk=signal.pk).update(closed_at=anchor)


PLANTERS = {
    "trainings.reflections": _reflection,
    "trainings.plans": _plan,
    "trainings.evaluation_texts": _evaluation_text,
    "trainings.followup_outcomes": _followup_outcome,
    "werkplaats.practice_logs": _practice_log,
    "verkenning.interview_notes": _interview_notes,
    "portal.login_events": _login_event,
    "portal.figures_snapshots": _figures_snapshot,
    "signalen.signals": _signal,
}


def plant(kind: str, anchor: datetime, marker: str) -> None:
    PLANTERS[kind](anchor, marker)


def stored_text() -> str:
    """Every value of every table a retention rule treats, as one string."""
    tables = [
        Reflection,
        DevelopmentPlan,
        EvaluationAnswer,
        FollowupAnswer,
        PracticeLog,
        Interview,
        Answer,
        Observation,
        LoginEvent,
        FiguresSnapshot,
        Signal,
        SignalEvent,
    ]
    return repr([list(model.objects.values()) for model in tables])


def now() -> datetime:
    """A fixed moment for a test's runs (the runs take ``now``; the clock is not read)."""
    return timezone.now().replace(microsecond=0)
