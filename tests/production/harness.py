"""What the production tests share: processes started through ``scripts/portal-run`` with an
environment of their own, bounded waits, an SMTP sink, and an HTTP client that talks to the
portal as the TLS proxy in front of it would.

The fixtures that build on these (a database, a Redis namespace, the sink) are in conftest.py.
"""

import contextlib
import email
import email.policy
import http.client
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from PIL import Image

# The application's restricted database role that scripts/ensure-services creates.
APP_ROLE = os.environ.get("TEST_APP_DATABASE_ROLE", "portal_app")
APP_PASSWORD = os.environ.get("TEST_APP_DATABASE_PASSWORD", "portal_app")
ROOT = Path(__file__).resolve().parents[2]
PORTAL_RUN = ROOT / "scripts" / "portal-run"
PASSWORD = "Rookproef-wachtwoord-2026"
# Upper bounds only: every wait polls and returns as soon as its condition holds.
STEP_TIMEOUT = 180
READY_TIMEOUT = 30
POLL = 0.1


# --- the SMTP sink -----------------------------------------------------------------------------


@dataclass
class SinkMessage:
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return " ".join(str(self.message["Subject"]).split())

    @property
    def body(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()


@dataclass
class Sink:
    """aiosmtpd handler keeping every message it accepts."""

    messages: list[SinkMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(SinkMessage(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[SinkMessage]:
        with self.lock:
            return [m for m in self.messages if address in m.recipients]

    def all(self) -> list[SinkMessage]:
        with self.lock:
            return list(self.messages)


# --- processes ---------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_running(self) -> None:
        code = self.popen.poll()
        if code is not None:
            pytest.fail(f"{self.name} exited with {code}")

    def stop(self) -> None:
        # Each process leads its own group, so its children (gunicorn's and the worker's pool
        # processes) are stopped with it, even when the leader has already exited.
        self._signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait()

    def _signal_group(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, number)


class Stack:
    """The processes of one run, their logs and their environment; ``port`` is the loopback
    port of its public origin (gunicorn's, or the load balancer's in front)."""

    def __init__(self, env: dict[str, str], log_dir: Path, port: int):
        self.env = env
        self.log_dir = log_dir
        self.port = port
        self.processes: list[Process] = []
        self.outputs: dict[str, str] = {}

    def run(self, name: str, command: list[str], **extra_env: str) -> str:
        """Run a one-off command to completion; fail on a non-zero exit."""
        try:
            result = subprocess.run(
                command,
                cwd=ROOT,
                env={**self.env, **extra_env},
                capture_output=True,
                text=True,
                timeout=STEP_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as timeout:
            self.outputs[name] = _text(timeout.stdout) + _text(timeout.stderr)
            pytest.fail(f"{name} did not finish within {STEP_TIMEOUT} s")
        self.outputs[name] = result.stdout + result.stderr
        if result.returncode != 0:
            pytest.fail(f"{name} failed with exit code {result.returncode}")
        return result.stdout

    def start(self, name: str, *args: str, command=None, **extra_env: str) -> Process:
        """Start ``portal-run <args>`` (or ``command``) in a process group of its own."""
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("w") as log:
            popen = subprocess.Popen(
                command or [str(PORTAL_RUN), *args],
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def check_running(self) -> None:
        for process in self.processes:
            process.check_running()

    def wait_for(self, what: str, condition, timeout: float = READY_TIMEOUT):
        """Poll ``condition`` until it returns something truthy; fail early if a process died."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(POLL)

    def print_logs(self) -> None:
        for name, output in self.outputs.items():
            print(f"===== {name} =====\n{output}")
        for process in self.processes:
            print(f"===== {process.name} (exit {process.popen.poll()}) =====\n{process.log()}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def prepare_database(self, credentials: dict, database_name: str) -> None:
        """``check --deploy``, migrate as the owner, then run as the restricted role from here
        on, which may only read and append the audit table (README, "Database roles")."""
        run = str(PORTAL_RUN)
        self.run("check --deploy", [run, "check"])
        self.run("migrate", [run, "migrate"])
        self.run(
            "audit_lock_table",
            [sys.executable, "manage.py", "audit_lock_table", "--app-role", APP_ROLE],
        )
        self.env["DATABASE_URL"] = (
            f"postgres://{APP_ROLE}:{APP_PASSWORD}@{credentials['host']}:{credentials['port']}"
            f"/{database_name}"
        )

    def shell(self, name: str, script: Path, variable: str, params: str) -> str:
        """Run ``script`` through ``manage.py shell`` with ``params`` in env ``variable``."""
        return self.run(
            name,
            [sys.executable, "manage.py", "shell", "-c", script.read_text()],
            **{variable: params},
        )


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


def production_env(
    tmp_path: Path,
    *,
    database_url: str,
    redis_url: str,
    namespace: str,
    smtp_port: int,
    origin: str,
) -> dict[str, str]:
    """The environment of one production run: fresh keys, its own queue, cache prefix and
    directories. Every process started with it shares them, as the nodes of a deployment do."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PYTHON": sys.executable,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
        "AUDIT_ANCHOR_FILE": str(tmp_path / "private" / "audit" / "anchors.log"),
        "MFA_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": namespace,
        "CACHE_KEY_PREFIX": namespace,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": origin,
        "PORTAL_BASE_URL": origin,
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SIGNALEN_ATTACHMENT_ROOT": str(tmp_path / "private" / "signalen"),
        "TRAININGS_MATERIAL_ROOT": str(tmp_path / "private" / "trainings"),
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        "BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
        "REMINDER_DISPATCH_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_healthz(port: int) -> bool:
    """Whether gunicorn on ``port`` answers /healthz/ as the container's healthcheck asks:
    plain HTTP, no proxy header."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz/", headers={"Host": "127.0.0.1"})
        return connection.getresponse().status == 200
    except OSError:
        return False


def worker_ready(process: Process) -> bool:
    return " ready." in process.log()


def beat_started(process: Process) -> bool:
    return "beat: Starting" in process.log()


# --- HTTP as behind the TLS proxy ----------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    path: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """Plain HTTP on loopback, as the TLS proxy would forward it.

    The portal's cookies are ``Secure``; a stock cookie jar would not send them over plain
    HTTP, so this client keeps them itself. ``forwarded_proto`` sends the TLS proxy's
    ``X-Forwarded-Proto: https`` itself; off when a load balancer in between sets it.
    ``responses`` keeps every response, redirects included, in order.
    """

    def __init__(self, port: int, *, forwarded_proto: bool = True):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.forwarded_proto = forwarded_proto
        self.cookies: dict[str, str] = {}
        self.responses: list[Response] = []

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}"}
        if self.forwarded_proto:
            sent["X-Forwarded-Proto"] = "https"
        sent.update(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent.update({"Origin": self.origin, "Referer": self.origin + path})
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read(), path)
        finally:
            connection.close()
        self.responses.append(response)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    assert morsel["secure"], f"cookie {name} is set without Secure"
                    self.cookies[name] = morsel.value
        return response

    def follow(self, response: Response) -> Response:
        for _ in range(10):
            if response.status not in (301, 302, 303):
                return response
            location = urlsplit(response.headers["Location"])
            assert location.scheme in ("", "https"), response.headers["Location"]
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.request("GET", path)
        pytest.fail("too many redirects")

    def get(self, path: str, headers=None) -> Response:
        return self.follow(self.request("GET", path, headers=headers))

    def post(self, path: str, fields: dict, files: dict | None = None, headers=None) -> Response:
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        sent = {"Content-Type": content_type, **(headers or {})}
        return self.follow(self.request("POST", path, body, sent))

    def submit(self, form_path: str, fields: dict, files=None, action: str | None = None):
        """GET the page with the form for its CSRF token, then POST the form."""
        page = self.get(form_path)
        assert page.status == 200, (form_path, page.status)
        return self.post(action or form_path, {**fields, "csrfmiddlewaretoken": csrf(page)}, files)


def csrf(page: Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {page.path}"
    return match.group(1)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        disposition = f'form-data; name="{name}"'
        parts.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n".encode()
        )
    for name, (filename, content_type, content) in files.items():
        disposition = f'form-data; name="{name}"; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}"
        parts.append(f"{head}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def totp_code(secret: str) -> str:
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        # Too close to the next step for the code to survive the round trip.
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def log_in(client: Client, address: str, totp_secret: str | None = None) -> Response:
    page = client.submit("/accounts/login/", {"login": address, "password": PASSWORD})
    if totp_secret is not None:
        assert page.path.startswith("/accounts/2fa/authenticate/"), page.path
        page = client.post(
            page.path, {"code": totp_code(totp_secret), "csrfmiddlewaretoken": csrf(page)}
        )
    assert page.status == 200
    assert page.path == "/", f"login of {address} ended on {page.path}"
    assert "sessionid" in client.cookies
    return page
