"""What trainings plans in the portal's reminder table, and the mailed release token.

Called by the services inside their transactions. Due times are stored, not queued:
the portal's dispatcher sends what is due, so a moved session only needs its rows
re-planned and a cancelled one its rows cancelled.

The mails about a place (confirmed, waiting list, moved up, run cancelled) target the
enrolment's current episode (``EnrolmentEpisode``), so someone who cancels and enrols
again gets them again; a moved or called-off session is told through its ``SessionChange``.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from portal import answer_links
from portal import services as portal_services
from portal.models import ReminderStatus

from . import evaluation
from .models import (
    Enrolment,
    EnrolmentEpisode,
    EnrolmentStatus,
    EvaluationSettings,
    Idea,
    IdeaStatusChange,
    ManagerApproval,
    Run,
    RunMailing,
    RunStatus,
    Session,
    SessionChange,
)

SESSION_DAY_BEFORE = "trainings.session_day_before"

REFLECTION_INVITE = "trainings.reflection_invite"

ENROLMENT_CONFIRMED = "trainings.enrolment_confirmed"

WAITLISTED = "trainings.waitlisted"

PROMOTED = "trainings.promoted"

RUN_CANCELLED = "trainings.run_cancelled"

SESSION_MOVED = "trainings.session_moved"

SESSION_CANCELLED = "trainings.session_cancelled"

IDEA_PROPOSED = "trainings.idea_proposed"

IDEA_STATUS_CHANGED = "trainings.idea_status_changed"

SESSION_KINDS = (SESSION_DAY_BEFORE, REFLECTION_INVITE)

APPROVAL_ASKED = "trainings.approval_asked"

APPROVAL_REMINDER = "trainings.approval_reminder"

APPROVAL_ANSWERED = "trainings.approval_answered"

APPROVAL_TOKEN_SALT = "trainings.approval"

RUN_MAILING = "trainings.run_mailing"

# After the run's last session: the evaluation, one reminder to who has not answered, and
# weeks later the samenwerkingsmeter. Each targets the run, one per participant.
EVALUATION = "trainings.evaluation"

EVALUATION_REMINDER = "trainings.evaluation_reminder"

FOLLOWUP = "trainings.followup"

RUN_END_KINDS = (EVALUATION, EVALUATION_REMINDER, FOLLOWUP)

DAY_BEFORE = timedelta(hours=24)

_RELEASE_SALT = "trainings.release"


def _session_plans(
    session: Session, enrolment: Enrolment, now: datetime
) -> list[portal_services.ReminderPlan]:
    """The session's reminders for ``enrolment``, to plan; those it no longer gets, cancelled."""
    participant = enrolment.participant
    if session.is_cancelled or enrolment.status != EnrolmentStatus.ENROLLED:
        for kind in SESSION_KINDS:
            portal_services.reminder_cancel(target=session, kind=kind, recipient=participant)
        return []
    plans = []
    if session.starts_at > now:
        # Enrolled less than a day ahead: the reminder goes now, still before the session.
        plans.append(
            portal_services.ReminderPlan(
                kind=SESSION_DAY_BEFORE,
                target=session,
                recipient=participant,
                due_at=max(session.starts_at - DAY_BEFORE, now),
            )
        )
    else:
        # Moved into the past (a correction): there is no "tomorrow" left to announce.
        portal_services.reminder_cancel(
            target=session, kind=SESSION_DAY_BEFORE, recipient=participant
        )
    plans.append(
        portal_services.ReminderPlan(
            kind=REFLECTION_INVITE, target=session, recipient=participant, due_at=session.ends_at
        )
    )
    return plans


def enrolment_reminders_plan(*, enrolment: Enrolment) -> None:
    """The day-before reminder and the reflection invitation for each session still to come.

    Sessions already over are left out: nobody is invited to reflect on one they missed.
    """
    now = timezone.now()
    plans = []
    for session in Session.objects.filter(run_id=enrolment.run_id, ends_at__gt=now):
        plans += _session_plans(session, enrolment, now)
    run = Run.objects.select_related("training").get(pk=enrolment.run_id)
    plans += _run_end_plans(run, enrolment.participant, followup_weeks(run.training.programme_id))
    portal_services.reminders_plan(plans=plans)


def enrolment_reminders_cancel(*, enrolment: Enrolment) -> None:
    for session in Session.objects.filter(run_id=enrolment.run_id):
        for kind in SESSION_KINDS:
            portal_services.reminder_cancel(
                target=session, kind=kind, recipient=enrolment.participant
            )
    run = Run(pk=enrolment.run_id)
    for kind in RUN_END_KINDS:
        portal_services.reminder_cancel(target=run, kind=kind, recipient=enrolment.participant)


def followup_weeks(programme_id: int) -> int:
    """The programme's weeks between a run's end and the samenwerkingsmeter."""
    weeks = (
        EvaluationSettings.objects.filter(programme_id=programme_id)
        .values_list("followup_weeks", flat=True)
        .first()
    )
    return weeks or evaluation.DEFAULT_FOLLOWUP_WEEKS


def _run_end_plans(run: Run, participant, weeks: int) -> list[portal_services.ReminderPlan]:
    """The evaluation at the run's end, its reminder days later, the follow-up weeks later.

    Every participant holding a place gets them; whether they attended is checked when the
    mail is due (``selectors.evaluation_invitees``), as attendance is often recorded late.
    For a run without an end or a cancelled one they are cancelled and none are returned.
    """
    if run.ends_at is None or run.status == RunStatus.CANCELLED:
        for kind in RUN_END_KINDS:
            portal_services.reminder_cancel(target=run, kind=kind, recipient=participant)
        return []
    due = {
        EVALUATION: run.ends_at,
        EVALUATION_REMINDER: run.ends_at + timedelta(days=evaluation.REMINDER_AFTER_DAYS),
        FOLLOWUP: run.ends_at + timedelta(weeks=weeks),
    }
    return [
        portal_services.ReminderPlan(kind=kind, target=run, recipient=participant, due_at=due_at)
        for kind, due_at in due.items()
    ]


def run_end_reminders_replan(*, run: Run) -> None:
    """After the run's last session moved: its evaluation and follow-up move along.

    Mails already sent stay sent (``reminder_plan`` leaves them alone).
    """
    weeks = followup_weeks(run.training.programme_id)
    plans = []
    for enrolment in Enrolment.objects.filter(
        run_id=run.pk, status=EnrolmentStatus.ENROLLED
    ).select_related("participant"):
        plans += _run_end_plans(run, enrolment.participant, weeks)
    portal_services.reminders_plan(plans=plans)


def programme_followups_replan(*, programme_id: int) -> None:
    """After a programme's follow-up weeks changed: the follow-ups not yet sent move along."""
    weeks = followup_weeks(programme_id)
    enrolments = Enrolment.objects.filter(
        run__training__programme_id=programme_id,
        run__status__in=(RunStatus.PUBLISHED, RunStatus.COMPLETED),
        run__ends_at__isnull=False,
        status=EnrolmentStatus.ENROLLED,
    ).select_related("run", "participant")
    for enrolment in enrolments:
        portal_services.reminder_plan(
            kind=FOLLOWUP,
            target=enrolment.run,
            recipient=enrolment.participant,
            due_at=enrolment.run.ends_at + timedelta(weeks=weeks),
        )


def session_reminders_replan(*, session: Session) -> None:
    """After a session was added, moved or cancelled: its reminders follow for everyone enrolled."""
    if session.is_cancelled:
        for kind in SESSION_KINDS:
            portal_services.reminder_cancel(target=session, kind=kind)
        return
    now = timezone.now()
    plans = []
    for enrolment in Enrolment.objects.filter(
        run_id=session.run_id, status=EnrolmentStatus.ENROLLED
    ).select_related("participant"):
        plans += _session_plans(session, enrolment, now)
    portal_services.reminders_plan(plans=plans)


def run_reminders_cancel(*, run: Run) -> None:
    for session in Session.objects.filter(run=run):
        for kind in SESSION_KINDS:
            portal_services.reminder_cancel(target=session, kind=kind)
    for kind in RUN_END_KINDS:
        portal_services.reminder_cancel(target=run, kind=kind)


def current_episode(enrolment: Enrolment) -> EnrolmentEpisode:
    """The enrolment's newest episode; one is started for an enrolment that has none yet."""
    episode = EnrolmentEpisode.objects.filter(enrolment_id=enrolment.pk).order_by("-pk").first()
    if episode is None:
        episode = EnrolmentEpisode.objects.create(
            enrolment=enrolment, started_at=enrolment.requested_at
        )
    return episode


def _plan_now(kind: str, enrolment: Enrolment) -> None:
    reminder = portal_services.reminder_plan(
        kind=kind,
        target=current_episode(enrolment),
        recipient=enrolment.participant,
        due_at=timezone.now(),
    )
    # Immediate messages go out right after commit rather than at the dispatcher's next round.
    if reminder.status == ReminderStatus.PLANNED:
        portal_services.reminders_send_soon(reminder_ids=[reminder.pk])


def enrolment_confirmation_plan(*, enrolment: Enrolment) -> None:
    _plan_now(ENROLMENT_CONFIRMED, enrolment)


def waitlisted_notice_plan(*, enrolment: Enrolment) -> None:
    _plan_now(WAITLISTED, enrolment)


def promotion_notice_plan(*, enrolment: Enrolment) -> None:
    _plan_now(PROMOTED, enrolment)


def run_cancelled_notice_plan(*, run: Run, enrolment: Enrolment) -> None:
    _plan_now(RUN_CANCELLED, enrolment)


def session_change_notice_plan(*, change: SessionChange) -> None:
    """Mail everyone holding a place about a moved or called-off session, at once.

    Nothing for a draft or a finished run, nor for a session already over (a correction).
    """
    session = change.session
    now = timezone.now()
    if session.run.status != RunStatus.PUBLISHED or session.ends_at <= now:
        return
    kind = SESSION_CANCELLED if change.is_cancellation else SESSION_MOVED
    planned = [
        portal_services.reminder_plan(
            kind=kind, target=change, recipient=enrolment.participant, due_at=now
        )
        for enrolment in Enrolment.objects.filter(
            run_id=session.run_id, status=EnrolmentStatus.ENROLLED
        ).select_related("participant")
    ]
    portal_services.reminders_send_soon(
        reminder_ids=[r.pk for r in planned if r.status == ReminderStatus.PLANNED]
    )


def release_token(enrolment: Enrolment) -> str:
    """The "ik kan toch niet" token; it is bound to this moment of enrolment.

    Deterministic, so the mail renderer can rebuild it and nothing secret is stored;
    enrolling again gives a new moment, which makes older tokens stop working.
    """
    moment = enrolment.enrolled_at.isoformat() if enrolment.enrolled_at else ""
    return signing.Signer(salt=_RELEASE_SALT).sign_object([enrolment.pk, moment], compress=True)


def enrolment_id_from_release_token(
    token: str, *, enrolment: Enrolment | None = None
) -> int | None:
    """The enrolment a token was made for, or None when it is forged.

    With ``enrolment`` given, also None unless the token belongs to its current place.
    """
    try:
        enrolment_id, moment = signing.Signer(salt=_RELEASE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(enrolment_id, int):
        return None
    if enrolment is not None:
        current = enrolment.enrolled_at.isoformat() if enrolment.enrolled_at else ""
        if enrolment.pk != enrolment_id or current != moment:
            return None
    return enrolment_id


def idea_proposed_notice_plan(*, idea: Idea) -> None:
    """Tell each coordinator of the idea's programme about a new idea, right after commit."""
    planned = [
        portal_services.reminder_plan(
            kind=IDEA_PROPOSED, target=idea, recipient=coordinator, due_at=timezone.now()
        )
        for coordinator in idea.programme.coordinators.filter(is_active=True)
    ]
    portal_services.reminders_send_soon(
        reminder_ids=[r.pk for r in planned if r.status == ReminderStatus.PLANNED]
    )


def idea_status_notice_plan(*, change: IdeaStatusChange) -> None:
    """Tell the proposer about one status change; each change is its own mail."""
    reminder = portal_services.reminder_plan(
        kind=IDEA_STATUS_CHANGED,
        target=change,
        recipient=change.idea.proposer,
        due_at=timezone.now(),
    )
    if reminder.status == ReminderStatus.PLANNED:
        portal_services.reminders_send_soon(reminder_ids=[reminder.pk])


def approval_token(approval: ManagerApproval) -> str:
    """The manager's answer token, rebuilt from the approval row and the server secret."""
    return answer_links.token_for(approval, salt=APPROVAL_TOKEN_SALT)


def approval_mails_plan(*, approval: ManagerApproval) -> None:
    """The question to the manager now, and one reminder after some working days."""
    answer_links.mails_plan(
        approval,
        email=approval.manager_email,
        asked_kind=APPROVAL_ASKED,
        reminder_kind=APPROVAL_REMINDER,
        working_days=settings.TRAININGS_APPROVAL_WORKING_DAYS,
    )


def approval_withdrawn(*, approval: ManagerApproval) -> None:
    """No more asking: the participant withdrew, or the manager answered."""
    for kind in (APPROVAL_ASKED, APPROVAL_REMINDER):
        portal_services.reminder_cancel(target=approval, kind=kind)


def approval_answered_plan(*, approval: ManagerApproval, enrolment: Enrolment) -> None:
    """Stop the reminder and tell the participant the manager's answer, at once."""
    approval_withdrawn(approval=approval)
    told = portal_services.reminder_plan(
        kind=APPROVAL_ANSWERED,
        target=approval,
        recipient=enrolment.participant,
        due_at=timezone.now(),
    )
    portal_services.reminders_send_soon(reminder_ids=[told.pk])


def run_mailing_plan(*, mailing: RunMailing, recipients) -> None:
    """One mail per recipient of a coordinator's message, sent at once, each exactly once."""
    now = timezone.now()
    planned = [
        portal_services.reminder_plan(
            kind=RUN_MAILING, target=mailing, recipient=person, due_at=now
        )
        for person in recipients
    ]
    portal_services.reminders_send_soon(reminder_ids=[reminder.pk for reminder in planned])
