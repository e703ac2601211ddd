"""When a participant has completed a run: the completion rule, without Django.

The rule of a training: attended at least ``min_attendance_percent`` of the run's sessions,
and, where the training asks for one, written the end review of the development plan.

Decisions, so every page and the certificate agree:

- The sessions that count are the run's sessions that were not called off. A cancelled
  session counts neither for nor against anyone.
- Only "present" counts as attended. "Excused" (afgemeld met reden) is an absence with a
  reason, not attendance: the percentage already leaves room for that (80 % of five
  sessions allows one absence).
- No rounding: the rule holds when ``attended * 100 >= percent * sessions``. Two of three
  (66.67 %) does not meet 67 %; the number of sessions needed is the ceiling.
- A run is judged only once it is finished (every session that counts has ended, or a
  coordinator marked it completed). Until then the participant sees their progress.
- A run without sessions that count, a cancelled run and a place given up (withdrawn
  enrolment) or never held (waiting list) are never complete.
- A certificate, once issued, is a snapshot: changing the rule later neither issues nor
  withdraws certificates; a coordinator revokes one by hand.
"""

from dataclasses import dataclass, field

DEFAULT_MIN_ATTENDANCE_PERCENT = 80


@dataclass(frozen=True)
class Facts:
    """What the rule is applied to, for one participant in one run."""

    min_attendance_percent: int
    end_review_required: bool
    # Sessions of the run that were not called off, and how many of them have ended.
    sessions: int
    sessions_ended: int
    # Sessions that count at which the participant was marked present.
    attended: int
    end_review_written: bool
    holds_place: bool
    run_cancelled: bool = False
    # A coordinator marked the run completed.
    run_completed: bool = False


@dataclass(frozen=True)
class Completion:
    """The outcome, with what is still missing, for the participant's page."""

    is_complete: bool
    is_eligible: bool
    sessions: int
    sessions_required: int
    attended: int
    # Sessions still to attend to meet the percentage (0 when met).
    sessions_missing: int
    # False when the sessions left cannot make up the shortfall any more.
    attendance_still_possible: bool
    end_review_missing: bool
    run_finished: bool
    reasons: tuple[str, ...] = field(default=())


# Codes of what is missing, turned into sentences by the page that shows them.
NOT_ELIGIBLE = "not_eligible"
NO_SESSIONS = "no_sessions"
ATTENDANCE = "attendance"
ATTENDANCE_MISSED = "attendance_missed"
END_REVIEW = "end_review"
RUN_NOT_FINISHED = "run_not_finished"


def sessions_required(*, percent: int, sessions: int) -> int:
    """The fewest sessions that make ``percent`` of ``sessions`` (exact, rounded up)."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must lie between 0 and 100")
    return -(-percent * sessions // 100)


def evaluate(facts: Facts) -> Completion:
    """Apply the completion rule to ``facts``."""
    required = sessions_required(percent=facts.min_attendance_percent, sessions=facts.sessions)
    eligible = facts.holds_place and not facts.run_cancelled
    missing = max(required - facts.attended, 0)
    still_possible = facts.attended + (facts.sessions - facts.sessions_ended) >= required
    review_missing = facts.end_review_required and not facts.end_review_written
    finished = facts.run_completed or (
        facts.sessions > 0 and facts.sessions_ended >= facts.sessions
    )
    reasons = []
    if not eligible:
        reasons.append(NOT_ELIGIBLE)
    elif facts.sessions == 0:
        reasons.append(NO_SESSIONS)
    else:
        if missing:
            reasons.append(ATTENDANCE if still_possible and not finished else ATTENDANCE_MISSED)
        if review_missing:
            reasons.append(END_REVIEW)
        if not finished:
            reasons.append(RUN_NOT_FINISHED)
    return Completion(
        is_complete=not reasons,
        is_eligible=eligible,
        sessions=facts.sessions,
        sessions_required=required,
        attended=facts.attended,
        sessions_missing=missing,
        attendance_still_possible=still_possible and not finished,
        end_review_missing=review_missing,
        run_finished=finished,
        reasons=tuple(reasons),
    )
