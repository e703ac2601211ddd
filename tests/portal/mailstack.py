"""Real pieces of the mail path for tests: an SMTP sink, a Redis server and Celery workers.

Nothing here stands in for the database, the broker or the mail server: each is a real
server on a loopback port of its own, started and stopped by the test.
"""

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
POLL = 0.05


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, what: str):
    """Poll until ``condition()`` is truthy; an upper bound only, never a measurement."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}")
        time.sleep(POLL)


# --- SMTP --------------------------------------------------------------------------------------


@dataclass
class SinkHandler:
    """Keeps every message accepted and counts the connections (EHLO/HELO) it served.

    ``hold_after``: accept that many messages, then keep the next mail waiting until
    ``release`` is set (a mail server that stalls mid-batch); after that, accept everything
    again. ``hold_at`` says where it waits: at ``"data"``, after the whole message and its
    end-of-data mark, then answering ``held_reply``; or at ``"rcpt"``, before the message was
    transmitted, then refusing the recipient for now (451).
    ``refuse_data_to``: recipients whose finished mail is refused (554) after the end mark.
    """

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    sessions: int = 0
    hold_after: int | None = None
    # Refuse the mail after this many on one connection with 421 (a provider's limit).
    mails_per_connection: int | None = None
    hold_at: str = "data"
    held_reply: str = "451 Try again later"
    refuse_data_to: set[str] = field(default_factory=set)
    release: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    def _stalls_at(self, at: str) -> bool:
        holding = self.hold_after is not None and not self.release.is_set()
        return at == self.hold_at and holding and len(self.messages) >= self.hold_after

    async def _wait_for_release(self) -> None:
        self.held.set()
        while not self.release.is_set():
            await _sleep(POLL)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._stalls_at("rcpt"):
            await self._wait_for_release()
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mails_per_connection is not None:
            session.mails = getattr(session, "mails", 0) + 1
            if session.mails > self.mails_per_connection:
                return "421 Too many mails on one connection, closing"
        if set(envelope.rcpt_tos) & self.refuse_data_to:
            return "554 Message refused"
        if self._stalls_at("data"):
            if self.held_reply.startswith("250"):
                # The server took the mail at its end mark (as a real one queues it); only
                # its answer is late, and a client gone by then never hears it.
                self._keep(envelope)
            await self._wait_for_release()
            return self.held_reply
        self._keep(envelope)
        return "250 Message accepted for delivery"

    def _keep(self, envelope) -> None:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def recipients(self) -> list[str]:
        with self.lock:
            return [str(m["To"]) for m in self.messages]


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


class SmtpSink:
    """A real SMTP server on a loopback port, which can be stopped and started again."""

    def __init__(self, handler: SinkHandler | None = None, port: int | None = None) -> None:
        self.handler = handler or SinkHandler()
        self.port = port or free_port()
        self.controller: Controller | None = None

    def start(self) -> "SmtpSink":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.handler.release.set()
            self.controller.stop()
            self.controller = None

    def use_in(self, settings, *, timeout: float = 10) -> None:
        """Point Django's SMTP backend at this sink."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = timeout


class SilentServer:
    """Accepts connections and never says a word: a hung mail server."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _address = self.listener.accept()
                self.accepted.append(conn)

    def close(self) -> None:
        for conn in self.accepted:
            conn.close()
        self.listener.close()


# --- Redis -------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, what="redis-server to answer")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@contextlib.contextmanager
def celery_broker(url: str):
    """Send tasks from this process to the broker at ``url`` (not run in-process)."""
    conf = celery_app.conf
    previous = (conf.broker_url, conf.task_always_eager)
    conf.broker_url, conf.task_always_eager = url, False
    _forget_broker_connections()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = previous
        _forget_broker_connections()


def _forget_broker_connections() -> None:
    # Celery keeps a pool of broker connections per app; a new broker URL needs a new pool.
    # (Not closed: kombu shares pools per URL process-wide, and the old one is used again.)
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None


# --- Celery workers ----------------------------------------------------------------------------


class Worker:
    """A real Celery worker process on its own queue, against the test database."""

    def __init__(self, queue: str, env: dict[str, str] | None = None) -> None:
        db = connection.settings_dict
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        self.queue = queue
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **(env or {}),
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                self.queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, nothing finished."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None
