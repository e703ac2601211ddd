"""The demo's reminder dispatcher: what Celery beat does in production, without Redis.

``make demo`` runs it next to ``runserver``. Each round calls the portal's one dispatcher,
``portal.tasks.dispatch_due_reminders``, in this process: with Celery eager (no broker) the
sends run here too, each through ``reminder_send``, so a reminder still goes out at most
once, and the console mail backend prints it.
"""

import logging
import threading

from django.db import DatabaseError, close_old_connections

from portal.tasks import dispatch_due_reminders

logger = logging.getLogger(__name__)

# A demo should not keep anyone waiting for a reminder that fell due.
DEFAULT_INTERVAL_SECONDS = 10.0


def run(
    *,
    interval: float = DEFAULT_INTERVAL_SECONDS,
    rounds: int | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Dispatch due reminders every ``interval`` seconds until ``stop`` is set.

    ``rounds`` bounds the number of rounds (None: until stopped); returns the rounds run.
    A round that fails on the database (SQLite busy with the server's own write) is logged
    and left to the next round.
    """
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set() and (rounds is None or done < rounds):
        try:
            dispatch_due_reminders()
        except DatabaseError:
            logger.warning("Dispatching due reminders failed; next round in %ss", interval)
            # A connection left unusable is replaced before the next round.
            close_old_connections()
        done += 1
        if rounds is not None and done >= rounds:
            break
        stop.wait(interval)
    return done
