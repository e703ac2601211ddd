"""The dashboard's counters (``SignalTally``): kept by the services, checked against a count.

Every service that makes a signal, changes its status or its first pick-up, or gives an
organisation access calls ``tally_shift`` inside its own transaction, so the counters move
with the change they count and roll back with it. The update is an upsert that adds to
the row (``signals = signals + 1``) under the row's lock: two transactions changing
signals at once both count. Rows are touched in a fixed order, so two such transactions
cannot deadlock on them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from .models import Signal

COLUMNS = "organisation_id, category_id, status, month, signals, picked_up, pickup_seconds"

# What the counters should hold, counted from the signals themselves.
FRESH_COUNT_SQL = """
    SELECT a.organisation_id, s.category_id, s.status,
           date_trunc('month', s.created_at AT TIME ZONE %s)::date AS month,
           count(*) AS signals,
           count(s.first_picked_up_at) AS picked_up,
           coalesce(sum(extract(epoch FROM s.first_picked_up_at - s.created_at)), 0)::float8
               AS pickup_seconds
    FROM signalen_signal s JOIN signalen_signalaccess a ON a.signal_id = s.id
    GROUP BY 1, 2, 3, 4
"""


@dataclass(frozen=True)
class State:
    """What of one signal the counters count."""

    category_id: int
    status: str
    month: date
    pickup_seconds: float | None


def state_of(signal: Signal) -> State:
    created = signal.created_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    pickup = None
    if signal.first_picked_up_at is not None:
        pickup = (signal.first_picked_up_at - signal.created_at).total_seconds()
    return State(
        category_id=signal.category_id,
        status=signal.status,
        month=created.date().replace(day=1),
        pickup_seconds=pickup,
    )


def tally_shift(
    *, organisation_ids: Iterable[int], before: State | None, after: State | None
) -> None:
    """Move one signal's count from ``before`` to ``after`` for each organisation; one query.

    ``before=None`` adds the signal (new, or newly accessible); ``after=None`` removes it.
    """
    if before == after:
        return
    deltas: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for organisation_id in organisation_ids:
        for state, sign in ((before, -1), (after, 1)):
            if state is None:
                continue
            row = deltas[(organisation_id, state.category_id, state.status, state.month)]
            row[0] += sign
            if state.pickup_seconds is not None:
                row[1] += sign
                row[2] += sign * state.pickup_seconds
    rows = [(*key, *delta) for key, delta in sorted(deltas.items()) if any(delta)]
    if not rows:
        return
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            # Only placeholders are joined into the text; the values go as parameters.
            f"""
            INSERT INTO signalen_signaltally AS t ({COLUMNS})
            VALUES {values}
            ON CONFLICT (organisation_id, category_id, status, month) DO UPDATE SET
                signals = t.signals + EXCLUDED.signals,
                picked_up = t.picked_up + EXCLUDED.picked_up,
                pickup_seconds = t.pickup_seconds + EXCLUDED.pickup_seconds
            """,  # noqa: S608
            [value for row in rows for value in row],
        )


def _rows(sql: str, params=()) -> dict[tuple, tuple]:
    """Counter rows by key; pick-up seconds to the millisecond, as sums of floats differ
    below it. Rows that count nothing are left out: a counter at zero equals no counter."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            tuple(row[:4]): (row[4], row[5], round(float(row[6]), 3))
            for row in cursor.fetchall()
            if row[4] or row[5] or round(float(row[6]), 3)
        }


@dataclass(frozen=True)
class Difference:
    key: tuple  # organisation_id, category_id, status, month
    counted: tuple  # signals, picked_up, pickup_seconds from the signals
    kept: tuple  # the same from the counters


def tally_differences() -> list[Difference]:
    """Where the counters differ from a fresh count over all signals (empty: they agree)."""
    counted = _rows(FRESH_COUNT_SQL, [settings.TIME_ZONE])
    kept = _rows(
        "SELECT organisation_id, category_id, status, month, signals, picked_up, pickup_seconds "
        "FROM signalen_signaltally"
    )
    nothing = (0, 0, 0.0)
    return [
        Difference(key=key, counted=counted.get(key, nothing), kept=kept.get(key, nothing))
        for key in sorted(set(counted) | set(kept))
        if counted.get(key, nothing) != kept.get(key, nothing)
    ]


def tally_rebuild() -> int:
    """Count the counters afresh from the signals; returns the number of rows written.

    Locks the counters against the services' updates while it runs (reads go on), so a
    change committed during the rebuild is either counted by it or added after it.
    """
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE signalen_signaltally IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM signalen_signaltally")
        cursor.execute(
            "INSERT INTO signalen_signaltally (" + COLUMNS + ") " + FRESH_COUNT_SQL,
            [settings.TIME_ZONE],
        )
        return cursor.rowcount
