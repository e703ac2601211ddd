import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import dispatcher
from demo.tasklog import quiet_task_log

# How often the dispatcher checks that whoever started it is still there.
PARENT_CHECK_SECONDS = 1.0


def _stop_with_parent(stop: threading.Event, parent: int) -> None:
    """Stop when the process that started us is gone (``make demo``'s shell after runserver)."""
    while not stop.wait(PARENT_CHECK_SECONDS):
        if os.getppid() != parent:
            stop.set()


class Command(BaseCommand):
    help = (
        "Send due reminders every few seconds without Redis (development only); "
        "stops on Ctrl-C, SIGTERM or when the process that started it exits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=dispatcher.DEFAULT_INTERVAL_SECONDS,
            help="Seconds between rounds (default: %(default)s).",
        )
        parser.add_argument("--rounds", type=int, default=None, help="Stop after this many rounds.")

    def handle(self, *args, interval: float, rounds: int | None, **options):
        if not settings.DEBUG:
            raise CommandError("Only available with DEBUG on; production runs Celery beat.")
        stop = threading.Event()
        if rounds is None:
            threading.Thread(
                target=_stop_with_parent, args=(stop, os.getppid()), daemon=True
            ).start()
            self.stdout.write(
                f"Sending due reminders every {interval:g} s; with the console mail backend "
                "they are printed here."
            )
        with _stopped_by_signals(stop), quiet_task_log():
            dispatcher.run(interval=interval, rounds=rounds, stop=stop)


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM finish the current round, then stop (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        signal.signal(signum, lambda *_: stop.set())
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
