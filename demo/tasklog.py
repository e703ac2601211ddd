"""Quiet the one-line log Celery writes for every task it runs in-process."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_task_log() -> Iterator[None]:
    """Tasks run in-process without a broker; their success lines would bury what matters."""
    logger = logging.getLogger("celery.app.trace")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
