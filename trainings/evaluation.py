"""The arithmetic of evaluations and follow-ups, and the anonymity threshold (no Django).

One rule protects the participants: nothing about a group's answers (no mean, no count per
option, no open answer, no organisation named) is shown while the group has fewer than
``MIN_ANSWERS`` answers. A group is one run; figures over several runs (per training, per
quarter) only count runs that reached the threshold themselves, so a small run never hides
inside a larger total.
"""

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

MIN_ANSWERS = 5
SCALE = (1, 2, 3, 4, 5)
# The evaluation reminder goes this many days after the invitation, to who has not answered.
REMINDER_AFTER_DAYS = 5
DEFAULT_FOLLOWUP_WEEKS = 8


def shown(answer_count: int) -> bool:
    """Whether a group with this many answers may be shown at all."""
    return answer_count >= MIN_ANSWERS


@dataclass(frozen=True)
class ScaleSummary:
    """A scale question's result over one group; ``mean`` and ``counts`` None when hidden."""

    answers: int
    mean: float | None
    counts: tuple[int, ...] | None

    @property
    def shown(self) -> bool:
        return self.mean is not None


def scale_summary(counts_by_score: Mapping[int, int]) -> ScaleSummary:
    """Mean and count per score from ``{score: count}``; hidden below the threshold."""
    total = sum(counts_by_score.get(score, 0) for score in SCALE)
    if not shown(total):
        return ScaleSummary(answers=total, mean=None, counts=None)
    mean = sum(score * counts_by_score.get(score, 0) for score in SCALE) / total
    return ScaleSummary(
        answers=total,
        mean=round(mean, 2),
        counts=tuple(counts_by_score.get(score, 0) for score in SCALE),
    )


def mean_if_shown(
    answer_count: int, score_sum: int, score_count: int, *, rounded: bool = True
) -> float | None:
    """A group's mean over all its scale answers (to two decimals unless not ``rounded``, for
    who rounds it once more), or None below the threshold."""
    if not shown(answer_count) or score_count == 0:
        return None
    mean = score_sum / score_count
    return round(mean, 2) if rounded else mean


@dataclass(frozen=True)
class GroupTotals:
    """What one run contributes to a figure over several runs."""

    answers: int
    score_sum: int
    score_count: int


@dataclass
class Combined:
    """A figure over several runs: only the runs at or above the threshold count."""

    runs: int = 0
    answers: int = 0
    score_sum: int = 0
    score_count: int = 0
    hidden_runs: int = 0

    @property
    def exact_mean(self) -> float | None:
        """The mean unrounded, for who rounds it to fewer decimals (no double rounding)."""
        if self.runs == 0 or self.score_count == 0:
            return None
        return self.score_sum / self.score_count

    @property
    def mean(self) -> float | None:
        exact = self.exact_mean
        return None if exact is None else round(exact, 2)


def combine(groups: Iterable[GroupTotals]) -> Combined:
    """Add up the runs that may be shown; count the others only as hidden."""
    result = Combined()
    for group in groups:
        if not shown(group.answers):
            result.hidden_runs += 1
            continue
        result.runs += 1
        result.answers += group.answers
        result.score_sum += group.score_sum
        result.score_count += group.score_count
    return result


def quarter_of(day: date) -> str:
    """``2027-K1`` for a day in the first quarter of 2027."""
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


def shuffled(texts: Sequence[str], *, rng: random.Random | None = None) -> list[str]:
    """Open answers in a random order, so their order tells nothing about who wrote them."""
    result = list(texts)
    (rng or random.SystemRandom()).shuffle(result)
    return result


@dataclass(frozen=True)
class FollowupTotals:
    """A run's samenwerkingsmeter: counts hidden (None) below the threshold."""

    asked: int
    answered: int
    contacted: int | None
    per_organisation: dict[str, int] | None = field(default=None)

    @property
    def shown(self) -> bool:
        return self.contacted is not None


def followup_totals(
    *, asked: int, answered: int, contacted: int, per_organisation: Mapping[str, int]
) -> FollowupTotals:
    """The follow-up figures of one group; everything but the two counts hidden below 5."""
    if not shown(answered):
        return FollowupTotals(asked=asked, answered=answered, contacted=None)
    ordered = dict(sorted(per_organisation.items(), key=lambda item: (-item[1], item[0])))
    return FollowupTotals(
        asked=asked, answered=answered, contacted=contacted, per_organisation=ordered
    )
