"""Running one action for many items at the same moment, each in its own database connection."""

import threading
from collections.abc import Callable, Iterable

from django.db import connection


def at_once(action: Callable[[object], object], items: Iterable[object]) -> list[BaseException]:
    """Start ``action(item)`` for every item together (behind a barrier); the errors raised."""
    items = list(items)
    barrier = threading.Barrier(len(items))
    errors: list[BaseException] = []

    def run(item):
        try:
            barrier.wait()
            action(item)
        except BaseException as error:  # noqa: BLE001  (returned to the test to assert on)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
