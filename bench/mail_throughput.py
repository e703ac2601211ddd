"""Benchmark: 2,000 due reminders through a real Celery worker to a local SMTP sink.

    .venv/bin/python -m bench.mail_throughput [--mails 2000]

Uses a PostgreSQL database of its own (``portal_mail_bench`` unless DATABASE_URL is set;
created and migrated when missing) and Redis database 13 for the broker (REDIS_URL). A
real worker (``celery worker --pool=solo``) runs the dispatcher, which claims the due rows
a chunk at a time and sends them over one SMTP connection to an aiosmtpd sink in this
process. Prints mails per second, duplicates and lost mails; then the same with the worker
killed (SIGKILL) at a random moment mid-batch (``--kills`` rounds) and a new worker
started: the rows the dead worker had claimed and not finished are sent again after their
lease (set short here). A row is recorded sent just before its end-of-data mark
(portal/smtp_transaction.py), so the mail the worker was sending when it died arrives once.

There is no trivial view to compare with (a mail is not a page): the figures are absolute.
"""

import argparse
import email
import email.policy
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_mail_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/12")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

ROOT = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 5


class Sink:
    """aiosmtpd handler keeping the Message-ID of every message it accepts."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.message_ids)

    def clear(self) -> None:
        with self.lock:
            self.message_ids.clear()


def start_worker(queue: str, smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "REMINDER_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
        "REMINDER_DISPATCH_LIMIT": "100000",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def plan(total: int) -> list[int]:
    """``total`` due reminders of the bench kind, inserted in bulk (planning is not measured)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from bench.reminders import BENCH_MAIL
    from portal.models import Organisation, PlannedReminder

    PlannedReminder.objects.filter(kind=BENCH_MAIL).delete()
    organisation, _ = Organisation.objects.get_or_create(
        name="Benchmark-organisatie", defaults={"kind": Organisation.Kind.OTHER}
    )
    due = timezone.now() - timezone.timedelta(minutes=1)
    target_type = ContentType.objects.get_for_model(Organisation)
    rows = PlannedReminder.objects.bulk_create(
        PlannedReminder(
            kind=BENCH_MAIL,
            target_type=target_type,
            target_id=organisation.pk,
            recipient_email=f"ontvanger{i}@bench.example",
            due_at=due,
        )
        for i in range(total)
    )
    return [row.pk for row in rows]


def outcome(ids: list[int], sink: Sink) -> tuple[int, int, int]:
    """(duplicates, lost, lease expiries) of these rows at the sink."""
    from portal.models import PlannedReminder

    rows = PlannedReminder.objects.filter(pk__in=ids)
    expected = set(rows.values_list("message_id", flat=True))
    with sink.lock:
        delivered = list(sink.message_ids)
    duplicates = len(delivered) - len(set(delivered))
    lost = len(expected - set(delivered)) + rows.exclude(status="sent").count()
    expiries = sum(rows.values_list("lease_expiries", flat=True))
    return duplicates, lost, expiries


def dispatch(queue: str, timeout: float = 600) -> int:
    from portal.tasks import dispatch_due_reminders

    return dispatch_due_reminders.apply_async(queue=queue).get(timeout=timeout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=5, help="kill -9 rounds, each mid-batch")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    # Stopped from outside (timeout, Ctrl-C): the finally below still stops the worker, which
    # would otherwise live on in its own session and take the next run's rows.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from bench.signalen_queue import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from portal.celery import app

    app.conf.task_always_eager = False
    # aiosmtpd logs every SMTP command at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    queue = f"bench-mail-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, port)
    try:
        dispatch(queue)  # the worker is up and warm: nothing due yet
        print(
            f"Mail throughput: {args.mails} due reminders, one worker (solo pool), "
            "SMTP sink on loopback; absolute figures (a mail has no trivial view)."
        )

        ids = plan(args.mails)
        started = time.perf_counter()
        handled = dispatch(queue)
        elapsed = time.perf_counter() - started
        duplicates, lost, expiries = outcome(ids, sink)
        print(
            f"  steady:  {handled} mails in {elapsed:.2f} s = {handled / elapsed:.0f} mails/s; "
            f"duplicates {duplicates}, lost {lost}"
        )

        from portal.models import PlannedReminder
        from portal.tasks import dispatch_due_reminders

        rng = random.Random(args.seed)
        totals = [0, 0]
        for round_number in range(1, args.kills + 1):
            sink.clear()
            ids = plan(args.mails)
            dispatch_due_reminders.apply_async(queue=queue)
            # A moment somewhere in the batch, not a mail boundary.
            threshold = rng.randint(args.mails // 10, args.mails * 9 // 10)
            while sink.count() < threshold:
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.01))
            kill(worker)
            at_kill = sink.count()
            worker = start_worker(queue, port)
            started = time.perf_counter()
            while PlannedReminder.objects.filter(pk__in=ids).exclude(status="sent").exists():
                dispatch(queue)
                time.sleep(0.5)
            recovery = time.perf_counter() - started
            duplicates, lost, expiries = outcome(ids, sink)
            totals[0] += duplicates
            totals[1] += lost
            print(
                f"  kill -9 #{round_number}: worker killed after {at_kill} mails; a new worker "
                f"sent the rest in {recovery:.1f} s (lease {LEASE_SECONDS} s); re-sent after an "
                f"expired lease {expiries}, duplicates {duplicates}, lost {lost}",
                flush=True,
            )
        print(f"  over {args.kills} kills: duplicates {totals[0]}, lost {totals[1]}")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill(worker)
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
