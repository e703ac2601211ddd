"""When a participant owes a reflection: the one definition, read by every page that nags.

Pure: plain values in, no Django. A reflection is owed on a session when the participant
holds a place in its run, the session was not called off, it has begun, and nothing has
been written on it yet. Pages that only nag about recent sessions pass ``since``.
"""

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol, TypeVar


class SessionLike(Protocol):
    pk: int
    starts_at: datetime
    is_cancelled: bool


S = TypeVar("S", bound=SessionLike)


def owes_reflection(
    *,
    holds_place: bool,
    session: SessionLike,
    written: bool,
    now: datetime,
    since: datetime | None = None,
) -> bool:
    """Whether a reflection on ``session`` is owed at ``now`` (and the session began ``since``)."""
    return (
        holds_place
        and not session.is_cancelled
        and session.starts_at <= now
        and (since is None or session.starts_at >= since)
        and not written
    )


def owed_sessions(
    *,
    holds_place: bool,
    sessions: Iterable[S],
    written_session_ids: Collection[int],
    now: datetime,
    since: datetime | None = None,
) -> list[S]:
    """The sessions of one enrolment, in the order given, on which a reflection is owed."""
    return [
        session
        for session in sessions
        if owes_reflection(
            holds_place=holds_place,
            session=session,
            written=session.pk in written_session_ids,
            now=now,
            since=since,
        )
    ]
