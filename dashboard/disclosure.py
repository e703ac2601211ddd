"""The small-number rule for counts about people (pure: no Django).

A count of signals reported by the participants of a bewustwordingssessie must never let a
reader pick out one person. So:

- a cell about fewer than ``MIN_GROUP`` people shows no signal count at all (with one
  participant, "1 signal" would be that person's);
- a signal count from 1 to ``MIN_GROUP - 1`` shows as "<5";
- 0 and counts from ``MIN_GROUP`` on show as they are.

Cells never overlap (whole quarters) and no total is shown for signals, so a hidden count
cannot be worked out by subtracting one cell from another.
"""

from dataclasses import dataclass

MIN_GROUP = 5


@dataclass(frozen=True)
class ShownCount:
    """What a page shows: ``value`` when exact, else ``below`` ("<5") or ``hidden``."""

    value: int | None
    below: int | None = None
    hidden: bool = False


def shown_count(count: int, *, group_size: int) -> ShownCount:
    """``count`` (about ``group_size`` people) as the small-number rule allows it to be shown."""
    if group_size < MIN_GROUP:
        return ShownCount(value=None, hidden=True)
    if 0 < count < MIN_GROUP:
        return ShownCount(value=None, below=MIN_GROUP)
    return ShownCount(value=count)
