"""The portal over real HTTP under the production settings, for the load benchmark and the
production tests: a database of its own, gunicorn started through ``scripts/portal-run``
on a free loopback port, and a small client that talks to it as the TLS proxy would.

No Django is imported here, so the module also serves a process that runs the load tool.
"""

import base64
import contextlib
import hashlib
import hmac
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
PORTAL_RUN = ROOT / "scripts" / "portal-run"
PASSWORD = "Belasting-proef-wachtwoord-2026"
# TOTP's step (allauth's default period); a code too close to the next step waits for it.
TOTP_PERIOD = 30
READY_TIMEOUT = 60


class HarnessError(RuntimeError):
    pass


# --- database ----------------------------------------------------------------------------------


def _admin(url: str, statement: str, params=()) -> list:
    parsed = urlparse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=parsed.username,
        password=parsed.password,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def create_database(url: str) -> bool:
    """Create the database of ``url`` unless it exists; True when it was created."""
    name = database_name(url)
    if _admin(url, "SELECT 1 FROM pg_database WHERE datname = %s", [name]):
        return False
    _admin(url, f'CREATE DATABASE "{name}"')
    return True


def drop_database(url: str) -> None:
    _admin(url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def query(url: str, sql: str, params=()) -> list:
    parsed = urlparse(url)
    connection = psycopg2.connect(
        dbname=database_name(url),
        user=parsed.username,
        password=parsed.password,
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 5432,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fernet_key(seed: str) -> str:
    """A Fernet key derived from ``seed``: stable, so a database filled once stays readable."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode()


def totp_secret(address: str) -> str:
    """The TOTP secret of a generated account, derived from its address (base32, 160 bits)."""
    return base64.b32encode(hashlib.sha256(f"totp:{address}".encode()).digest()[:20]).decode()


def production_env(
    *,
    database_url: str,
    redis_url: str,
    namespace: str,
    port: int,
    state_dir: Path,
    workers: int,
    seed: str,
) -> dict[str, str]:
    """The environment of the production processes, as behind one TLS proxy on loopback.

    Keys are derived from ``seed``, so a second run reads the TOTP secrets the first stored.
    TRUSTED_PROXY_COUNT=1: the proxy's X-Forwarded-For names each visitor's address, so the
    login rate limit per address applies per person, as it does behind the real proxy.
    """
    origin = f"https://127.0.0.1:{port}"
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PYTHON": sys.executable,
        "SECRET_KEY": hashlib.sha512(f"secret:{seed}".encode()).hexdigest(),
        "AUDIT_HMAC_KEY": hashlib.sha256(f"audit:{seed}".encode()).hexdigest(),
        "AUDIT_ANCHOR_FILE": str(state_dir / "private" / "audit" / "anchors.log"),
        "MFA_ENCRYPTION_KEY": fernet_key(f"mfa:{seed}"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": namespace,
        "CACHE_KEY_PREFIX": namespace,
        # Mail goes nowhere: the load bench measures pages, the mail benchmark measures mail.
        "EMAIL_URL": "smtp://127.0.0.1:9",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": origin,
        "PORTAL_BASE_URL": origin,
        "TRUSTED_PROXY_COUNT": "1",
        "STATIC_ROOT": str(state_dir / "static"),
        "MEDIA_ROOT": str(state_dir / "media"),
        "SIGNALEN_ATTACHMENT_ROOT": str(state_dir / "private" / "signalen"),
        "TRAININGS_MATERIAL_ROOT": str(state_dir / "private" / "trainings"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
    }


def run_step(env: dict[str, str], command: list[str], timeout: float = 900, **extra: str) -> str:
    """Run a one-off command to completion; its output, or HarnessError with it."""
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise HarnessError(
            f"{' '.join(command[:3])} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout


@dataclass
class Web:
    """gunicorn started through ``scripts/portal-run web``; leads its own process group."""

    popen: subprocess.Popen
    port: int
    log_path: Path

    @classmethod
    def start(cls, env: dict[str, str], log_path: Path, *extra: str) -> "Web":
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("w") as log:
            popen = subprocess.Popen(
                [str(PORTAL_RUN), "web", "--access-logfile", "/dev/null", *extra],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        web = cls(popen, int(env["BIND"].rsplit(":", 1)[1]), log_path)
        web.wait_ready()
        return web

    def healthy(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", "/healthz/", headers={"Host": "127.0.0.1"})
            return connection.getresponse().status == 200
        except OSError:
            return False

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not self.healthy():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise HarnessError(f"gunicorn did not answer /healthz/:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


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
    """One visitor over plain HTTP on loopback, as the TLS proxy forwards it.

    The portal's cookies are ``Secure``; a stock cookie jar would not send them over plain
    HTTP, so this client keeps them itself. ``address`` is the visitor's address the proxy
    names in X-Forwarded-For (a header only: every connection goes to loopback).
    """

    def __init__(self, port: int, address: str = "192.0.2.1"):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            **(headers or {}),
        }
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
                    self.cookies[name] = morsel.value
        return response

    def follow(self, response: Response) -> Response:
        for _ in range(10):
            if response.status not in (301, 302, 303):
                return response
            location = urlsplit(response.headers["Location"])
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.request("GET", path)
        raise HarnessError("too many redirects")

    def get(self, path: str) -> Response:
        return self.follow(self.request("GET", path))

    def post(self, path: str, fields: dict, *, follow: bool = True) -> Response:
        body = urlencode(fields, doseq=True).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response = self.request("POST", path, body, headers)
        return self.follow(response) if follow else response


class _Forms(HTMLParser):
    """The fields of every form of a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", []))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            fields.append((name, attributes.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = attributes.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in attributes and not self._select_chosen:
                fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.forms[-1][1].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1][1].append((self._textarea, self._text))
            self._textarea = None


def form_fields(html: str, action: str) -> dict[str, str]:
    """The fields of the page's form that posts to ``action`` (the last value of a name)."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action == action:
            return dict(fields)
    raise HarnessError(f"no form posting to {action}")


def csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise HarnessError("no CSRF token on the page")
    return match.group(1)


def totp_code(secret: str) -> str:
    """The current TOTP code (RFC 6238, SHA-1, six digits), never one about to expire."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < 2:
        time.sleep(left + 0.05)
    counter = int(time.time()) // TOTP_PERIOD
    key = base64.b32decode(secret)
    digest = hmac.new(key, counter.to_bytes(8, "big"), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def log_in(client: Client, address: str, totp: str | None = None) -> None:
    """Log in over HTTP: e-mail and password, then the TOTP step where the account has one."""
    page = client.get("/accounts/login/")
    page = client.post(
        "/accounts/login/",
        {"login": address, "password": PASSWORD, "csrfmiddlewaretoken": csrf(page.text)},
    )
    if totp is not None:
        if not page.path.startswith("/accounts/2fa/authenticate/"):
            raise HarnessError(f"{address}: expected the TOTP step, got {page.path}")
        page = client.post(
            page.path, {"code": totp_code(totp), "csrfmiddlewaretoken": csrf(page.text)}
        )
    if page.status != 200 or page.path != "/" or "sessionid" not in client.cookies:
        raise HarnessError(f"login of {address} ended on {page.path} ({page.status})")


def visitor_address(index: int) -> str:
    """A distinct documentation address (RFC 5737) per simulated visitor, for X-Forwarded-For."""
    networks = ("192.0.2", "198.51.100", "203.0.113")
    return f"{networks[index // 250 % 3]}.{index % 250 + 1}"


# --- the enrolment race ------------------------------------------------------------------------


@dataclass
class RaceResult:
    seconds: float
    statuses: list[int]
    enrolled_messages: int
    waitlist_positions: list[int]


ENROLLED_MESSAGE = "Je bent ingeschreven"
WAITLIST_MESSAGE = re.compile(r"je staat op plaats (\d+) van de wachtlijst")


def enrolment_race(
    port: int, run_id: int, sessions: list[str], after_presses=None, before_presses=None
) -> RaceResult:
    """Everyone presses "Inschrijven" on the same run at the same moment, each in a session
    and with a CSRF token of their own; then each reads the message their answer left.

    ``seconds`` runs from the moment all are released to the last answer of the presses;
    ``before_presses``, when given, is called just before that release (after each person
    read the run's page for a token), ``after_presses`` after the last answer, before the
    messages are read.
    """
    run_path = f"/trainingen/uitvoeringen/{run_id}/"
    clients = []
    for index, session in enumerate(sessions):
        client = Client(port, visitor_address(index))
        client.cookies["sessionid"] = session
        clients.append(client)
    tokens = [csrf(client.get(run_path).text) for client in clients]
    barrier = threading.Barrier(len(clients) + 1)
    statuses: list[int] = [0] * len(clients)

    def press(index: int) -> None:
        barrier.wait()
        try:
            response = clients[index].post(
                run_path + "inschrijven/", {"csrfmiddlewaretoken": tokens[index]}, follow=False
            )
            statuses[index] = response.status
        except OSError:
            statuses[index] = -1

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    if before_presses is not None:
        before_presses()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if after_presses is not None:
        after_presses()

    enrolled, positions = 0, []
    for client in clients:
        page = client.get(run_path).text
        if ENROLLED_MESSAGE in page:
            enrolled += 1
        match = WAITLIST_MESSAGE.search(page)
        if match:
            positions.append(int(match.group(1)))
    return RaceResult(seconds, statuses, enrolled, sorted(positions))


def race_rows(database_url: str, run_id: int) -> list[tuple[int, str, int | None]]:
    """(participant, status, waiting-list position) of every enrolment of the run, the
    position numbered as the portal numbers it: by time of request, then by row."""
    return query(
        database_url,
        """
        SELECT participant_id, status,
               CASE WHEN status = 'waitlisted' THEN
                   ROW_NUMBER() OVER (PARTITION BY status ORDER BY requested_at, id)
               END
          FROM trainings_enrolment WHERE run_id = %s ORDER BY id
        """,
        [run_id],
    )


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds of a process and its children so far, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, ..., utime (field 14) and stime (15) of stat(5).
        if int(entry) == root_pid or int(fields[1]) == root_pid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks
