"""The production path, end to end, without Docker: every process is started through
``scripts/portal-run``, the same script the container uses, under the production settings.

A fresh PostgreSQL database of its own, a queue and cache prefix of its own on Redis (so
parallel runs never take each other's tasks or keys), a real SMTP sink,
``check --deploy``, ``migrate``, ``collectstatic``, gunicorn on a free loopback port, a Celery
worker and beat. Then over real HTTP, as behind the TLS proxy: log in, enrol, report a signal
with a picture, log in with TOTP and open the queue, and see the due reminders arrive by mail
exactly once. Everything started here is stopped, and the database dropped, afterwards.

Redis is the test run's broker database (REDIS_URL), which tests never flush, unlike the
cache databases; PRODUCTION_SMOKE_REDIS_URL chooses another.
"""

import base64
import contextlib
import email
import email.policy
import http.client
import io
import json
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

import psycopg2
import pytest
import redis
from aiosmtpd.controller import Controller
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from django.conf import settings
from PIL import Image

from portal.models import PlannedReminder, ReminderStatus
from trainings.scheduling import ENROLMENT_CONFIRMED, SESSION_DAY_BEFORE

pytestmark = pytest.mark.production

# The application's restricted database role that scripts/ensure-services creates.
APP_ROLE = os.environ.get("TEST_APP_DATABASE_ROLE", "portal_app")
APP_PASSWORD = os.environ.get("TEST_APP_DATABASE_PASSWORD", "portal_app")
ROOT = Path(__file__).resolve().parents[2]
PORTAL_RUN = ROOT / "scripts" / "portal-run"
SETUP_SCRIPT = Path(__file__).with_name("setup_data.py")
PASSWORD = "Rookproef-wachtwoord-2026"
# Upper bounds only: every wait polls and returns as soon as its condition holds.
STEP_TIMEOUT = 60
READY_TIMEOUT = 30
MAIL_TIMEOUT = 45
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
    """The processes of one smoke run, their logs and their environment."""

    def __init__(self, env: dict[str, str], log_dir: Path, web_port: int):
        self.env = env
        self.log_dir = log_dir
        self.web_port = web_port
        self.processes: list[Process] = []
        self.outputs: dict[str, str] = {}

    def run(self, name: str, command: list[str], **extra_env: str) -> str:
        """Run a one-off command to completion; fail on a non-zero exit."""
        result = subprocess.run(
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        self.outputs[name] = result.stdout + result.stderr
        if result.returncode != 0:
            pytest.fail(f"{name} failed with exit code {result.returncode}")
        return result.stdout

    def start(self, name: str, *args: str) -> Process:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("w") as log:
            popen = subprocess.Popen(
                [str(PORTAL_RUN), *args],
                cwd=ROOT,
                env=self.env,
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    HTTP, so this client keeps them itself.
    """

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", **(headers or {})}
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

    def get(self, path: str) -> Response:
        return self.follow(self.request("GET", path))

    def post(self, path: str, fields: dict, files: dict | None = None) -> Response:
        if files:
            body, content_type = multipart(fields, files)
        else:
            body = urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.follow(self.request("POST", path, body, {"Content-Type": content_type}))

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


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def smoke_database():
    """A fresh database of its own, dropped afterwards; yields its URL."""
    db = settings.DATABASES["default"]
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    credentials = {"user": db["USER"], "password": db["PASSWORD"], "host": host, "port": port}
    name = f"portal_smoke_{uuid.uuid4().hex[:12]}"

    def admin(statement: str) -> None:
        connection = psycopg2.connect(dbname="postgres", **credentials)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{name}", credentials, name
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


@pytest.fixture
def redis_namespace():
    """A Redis URL and a name for this run's queue and cache prefix; its keys removed after."""
    url = os.environ.get("PRODUCTION_SMOKE_REDIS_URL") or settings.REDIS_URL
    name = f"smoke-{uuid.uuid4().hex[:12]}"
    yield url, name
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"*{name}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def stack(tmp_path, smoke_database, smtp_sink, redis_namespace):
    database_url, _credentials, _name = smoke_database
    _sink, smtp_port = smtp_sink
    redis_url, namespace = redis_namespace
    web_port = free_port()
    origin = f"https://127.0.0.1:{web_port}"
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env = {
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
        "BIND": f"127.0.0.1:{web_port}",
        "WEB_CONCURRENCY": "2",
        "CELERY_CONCURRENCY": "1",
        "BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
        "REMINDER_DISPATCH_SECONDS": "1",
        "LOG_LEVEL": "INFO",
    }
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    stack = Stack(env, log_dir, web_port)
    try:
        yield stack
    finally:
        stack.stop()


# --- the test ----------------------------------------------------------------------------------


def test_production_path(stack, smtp_sink, smoke_database):
    try:
        _production_path(stack, smtp_sink[0], smoke_database)
    except BaseException:
        stack.print_logs()
        raise


def _production_path(stack: Stack, sink: Sink, smoke_database) -> None:
    _url, credentials, database_name = smoke_database
    run = str(PORTAL_RUN)
    stack.run("check --deploy", [run, "check"])
    stack.run("migrate", [run, "migrate"])
    # The owner migrated; from here on the portal runs as the restricted application role,
    # which may only read and append the audit table (README, "Database roles").
    stack.run(
        "audit_lock_table",
        [sys.executable, "manage.py", "audit_lock_table", "--app-role", APP_ROLE],
    )
    stack.env["DATABASE_URL"] = (
        f"postgres://{APP_ROLE}:{APP_PASSWORD}@{credentials['host']}:{credentials['port']}"
        f"/{database_name}"
    )
    stack.run("collectstatic", [run, "collectstatic"])
    assert (Path(stack.env["STATIC_ROOT"]) / "staticfiles.json").exists()

    suffix = uuid.uuid4().hex[:8]
    domain = f"rookproef-{suffix}.example"
    people = {
        "coordinator": f"coordinator@politie-{suffix}.example",
        "participant": f"deelnemer@{domain}",
        "contact_person": f"contactpersoon@{domain}",
    }
    contact_secret = base64.b32encode(secrets.token_bytes(20)).decode()
    training_title = f"Rookproef {suffix}"
    setup = {
        **people,
        "domain": domain,
        "password": PASSWORD,
        "coordinator_totp_secret": base64.b32encode(secrets.token_bytes(20)).decode(),
        "contact_totp_secret": contact_secret,
        "training_title": training_title,
    }
    output = stack.run(
        "setup data",
        [sys.executable, "manage.py", "shell", "-c", SETUP_SCRIPT.read_text()],
        SMOKE_SETUP=json.dumps(setup),
    )
    result = json.loads(re.search(r"^SMOKE_RESULT (.+)$", output, re.MULTILINE).group(1))

    web = stack.start("gunicorn", "web")
    worker = stack.start("worker", "worker", "-n", f"{stack.env['CELERY_QUEUE']}@%h")
    beat = stack.start("beat", "beat")
    client = Client(stack.web_port)

    def healthy():
        try:
            # As the container's healthcheck asks: plain HTTP, no proxy header.
            connection = http.client.HTTPConnection("127.0.0.1", stack.web_port, timeout=2)
            connection.request("GET", "/healthz/", headers={"Host": "127.0.0.1"})
            return connection.getresponse().status == 200
        except OSError:
            return False

    stack.wait_for("gunicorn to answer /healthz/", healthy)
    stack.wait_for("the worker to be ready", lambda: " ready." in worker.log())
    stack.wait_for("beat to start", lambda: "beat: Starting" in beat.log())
    assert web.popen.poll() is None

    # Static files: hashed names in the page, served by WhiteNoise for ever.
    login_page = client.get("/accounts/login/")
    assert login_page.status == 200
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', login_page.text)
    assert css, "the page does not link the hashed stylesheet"
    stylesheet = client.get(css.group(1))
    assert stylesheet.status == 200
    assert stylesheet.headers["Content-Type"].startswith("text/css")
    assert "immutable" in stylesheet.headers["Cache-Control"]

    # The participant enrols.
    log_in(client, people["participant"])
    run_path = f"/trainingen/uitvoeringen/{result['run_id']}/"
    enrolled = client.submit(run_path, {}, action=run_path + "inschrijven/")
    assert enrolled.path == run_path
    assert "Je bent ingeschreven" in enrolled.text

    # ... and reports a signal with a picture.
    report_page = client.get("/signalen/melden/")
    category = re.search(r'<option value="(\d+)"', report_page.text.split('name="category"')[1])
    reported = client.post(
        "/signalen/melden/",
        {
            "csrfmiddlewaretoken": csrf(report_page),
            "description": "Leeg pand, maar elke nacht brandt er licht.",
            "location": "Dorpsstraat 1",
            "category": category.group(1),
            "organisation": str(result["organisation_id"]),
        },
        files={"attachments": ("foto.png", "image/png", png_bytes())},
    )
    assert reported.path.startswith("/signalen/mijn/"), reported.path
    reference = re.search(r"referentie (\S+?)\.", reported.text).group(1)

    # The contact person logs in with TOTP and finds it in the queue, picture included.
    contact = Client(stack.web_port)
    log_in(contact, people["contact_person"], totp_secret=contact_secret)
    queue = contact.get("/signalen/")
    assert queue.status == 200
    assert reference in queue.text
    detail_path = re.search(r'href="(/signalen/\d+/)"', queue.text).group(1)
    detail = contact.get(detail_path)
    attachment = contact.get(re.search(r'href="(/signalen/bijlage/\d+/)"', detail.text).group(1))
    assert attachment.status == 200
    assert attachment.body.startswith(b"\x89PNG")

    # The confirmation and the due day-before reminder reach the SMTP sink exactly once:
    # through the worker, beat's dispatcher and SMTP.
    participant = people["participant"]

    def sent_reminders() -> dict[str, str]:
        connection = psycopg2.connect(dbname=database_name, **credentials)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT kind, subject FROM {PlannedReminder._meta.db_table} "
                    "WHERE recipient_email = %s AND status = %s",
                    [participant, ReminderStatus.SENT],
                )
                return dict(cursor.fetchall())
        finally:
            connection.close()

    def arrived():
        sent = sent_reminders()
        if not {ENROLMENT_CONFIRMED, SESSION_DAY_BEFORE} <= sent.keys():
            return None
        subjects = {m.subject for m in sink.to(participant)}
        return sent if set(sent.values()) <= subjects else None

    sent = stack.wait_for("the reminder mails at the SMTP sink", arrived, timeout=MAIL_TIMEOUT)

    # Let the dispatcher run twice more: nothing is sent again.
    def dispatcher_runs() -> int:
        return len(re.findall(r"dispatch_due_reminders\[[^\]]+\] succeeded", worker.log()))

    after = dispatcher_runs()
    stack.wait_for("two more dispatcher runs", lambda: dispatcher_runs() >= after + 2)
    messages = sink.to(participant)
    assert sorted(m.subject for m in messages) == sorted(sent.values())
    confirmation = next(m for m in messages if m.subject == sent[ENROLMENT_CONFIRMED])
    assert f"https://127.0.0.1:{stack.web_port}{run_path}" in confirmation.body
    stack.check_running()
