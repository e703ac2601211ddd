"""More than one machine: two web instances behind a load balancer and two Celery workers.

Everything the nodes of a deployment share is shared here the same way: one PostgreSQL
database (sessions included), one Redis (queue, cache: rate limits and used TOTP codes), one
SECRET_KEY; everything else is per process. Debian's HAProxy balances round robin over two
gunicorn instances, without stickiness, sets ``X-Forwarded-Proto: https`` as the TLS proxy
in front would, and names the instance that answered in ``X-Backend``. A request header
``X-Pin-Backend`` lets the test choose the instance where it must (a form fetched from one,
posted to the other); everything else is balanced.

Over HTTP through HAProxy: a contact person logs in with password and TOTP, each step on the
other instance, and keeps the session on whichever answers; a used TOTP code is refused on the
other instance too; a form fetched from one instance is accepted by the other, a forged one by
neither, and its picture is handed out by the other instance; many people enrol at once and
exactly the places are taken, the rest waiting in order. Two workers and one beat send every
planned reminder exactly once, both workers sending.
"""

import base64
import json
import re
import secrets
import shutil
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
from celery import Celery

from portal.models import PlannedReminder, ReminderStatus
from trainings.models import Enrolment, EnrolmentStatus

from .harness import (
    PASSWORD,
    PORTAL_RUN,
    Client,
    Response,
    Sink,
    Stack,
    answers_healthz,
    beat_started,
    csrf,
    free_port,
    png_bytes,
    totp_code,
    worker_ready,
)

pytestmark = pytest.mark.production

SETUP_SCRIPT = Path(__file__).with_name("setup_scale_out.py")
INSTANCES = ("web-a", "web-b")
RACE_PEOPLE = 60
RACE_CAPACITY = 10
BULK_PEOPLE = 100
# Small dispatcher rounds, so the due reminders take several rounds, side by side.
DISPATCH_LIMIT = 10
DISPATCH_TASK = "portal.tasks.dispatch_due_reminders"
SEND_TASKS = {DISPATCH_TASK, "portal.tasks.send_reminders", "portal.tasks.send_reminder"}
MAIL_TIMEOUT = 90
HAPROXY_CONFIG = """\
global
    maxconn 1024
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout queue 60s

frontend portal
    bind 127.0.0.1:{port}
    # As the TLS proxy in front of the balancer would.
    http-request set-header X-Forwarded-Proto https
    default_backend web

backend web
    balance roundrobin
    http-response set-header X-Backend %s
    use-server web-a if {{ req.hdr(x-pin-backend) -m str web-a }}
    use-server web-b if {{ req.hdr(x-pin-backend) -m str web-b }}
    # No health checks: on a busy test machine a slow answer could take an instance out
    # and hide what is tested; both are up before HAProxy starts.
    server web-a 127.0.0.1:{web_a}
    server web-b 127.0.0.1:{web_b}
"""


def backend(response: Response) -> str:
    name = response.headers["X-Backend"]
    assert name in INSTANCES, f"{response.path} came without a known X-Backend: {name!r}"
    return name


def other(name: str) -> dict[str, str]:
    """The header that sends a request to the instance that is not ``name``."""
    return {"X-Pin-Backend": next(i for i in INSTANCES if i != name)}


def pin(name: str) -> dict[str, str]:
    return {"X-Pin-Backend": name}


def test_two_web_instances_and_two_workers_behave_as_one(
    production_stack, smtp_sink, smoke_database
):
    stack: Stack = production_stack
    sink: Sink = smtp_sink[0]
    _url, credentials, database_name = smoke_database
    stack.env["REMINDER_DISPATCH_LIMIT"] = str(DISPATCH_LIMIT)
    # HAProxy appends the client's address to X-Forwarded-For (README, "Meer dan één machine").
    stack.env["TRUSTED_PROXY_COUNT"] = "1"
    stack.prepare_database(credentials, database_name)
    stack.run("collectstatic", [str(PORTAL_RUN), "collectstatic"])

    suffix = uuid.uuid4().hex[:8]
    domain = f"schaalproef-{suffix}.example"
    contact_address = f"contactpersoon@{domain}"
    contact_secret = base64.b32encode(secrets.token_bytes(20)).decode()
    setup = {
        "domain": domain,
        "password": PASSWORD,
        "contact_person": contact_address,
        "contact_totp_secret": contact_secret,
        "training_title": f"Schaalproef {suffix}",
        "race_people": RACE_PEOPLE,
        "race_capacity": RACE_CAPACITY,
        "bulk_people": BULK_PEOPLE,
    }
    output = stack.shell("setup data", SETUP_SCRIPT, "SCALE_OUT_SETUP", json.dumps(setup))
    result = json.loads(re.search(r"^SCALE_OUT_RESULT (.+)$", output, re.MULTILINE).group(1))

    # Two web instances, HAProxy in front; two workers and one beat.
    ports = {name: free_port() for name in INSTANCES}
    for name, port in ports.items():
        stack.start(name, "web", BIND=f"127.0.0.1:{port}")
    namespace = stack.env["CELERY_QUEUE"]
    workers = [stack.start(f"worker-{n}", "worker", "-n", f"{namespace}-{n}@%h") for n in "ab"]
    beat = stack.start("beat", "beat")
    for name, port in ports.items():
        stack.wait_for(f"{name} to answer /healthz/", lambda port=port: answers_healthz(port))
    config = stack.log_dir / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(port=stack.port, web_a=ports["web-a"], web_b=ports["web-b"])
    )
    stack.start("haproxy", command=[haproxy_binary(), "-db", "-f", str(config)])
    stack.wait_for("HAProxy to answer", lambda: answers_healthz(stack.port))
    for worker in workers:
        stack.wait_for(f"{worker.name} to be ready", lambda worker=worker: worker_ready(worker))
    stack.wait_for("beat to start", lambda: beat_started(beat))

    contact = session_survives_both_instances(stack, contact_address, contact_secret)
    form_from_one_instance_is_accepted_by_the_other(contact, result)
    enrolment_race_stays_exact(stack, result, credentials, database_name)
    reminders_are_sent_exactly_once(stack, sink, workers, credentials, database_name)


def haproxy_binary() -> str:
    """Debian's HAProxy; `make test` installs it (scripts/ensure-haproxy)."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if not found:
        pytest.fail("haproxy is not installed: `make haproxy` (scripts/ensure-haproxy) installs it")
    return found


def session_survives_both_instances(stack: Stack, address: str, totp_secret: str) -> Client:
    """Log in with each step on the other instance, then browse on whichever answers."""
    client = Client(stack.port, forwarded_proto=False)
    login_page = client.get("/accounts/login/", headers=pin("web-a"))
    assert backend(login_page) == "web-a"
    second_step = client.post(
        "/accounts/login/",
        {"login": address, "password": PASSWORD, "csrfmiddlewaretoken": csrf(login_page)},
        headers=pin("web-b"),
    )
    assert second_step.path.startswith("/accounts/2fa/authenticate/"), second_step.path
    code = totp_code(totp_secret)
    home = client.post(
        second_step.path,
        {"code": code, "csrfmiddlewaretoken": csrf(second_step)},
        headers=other(backend(second_step)),
    )
    assert home.status == 200 and home.path == "/", home.path
    posts = [r for r in client.responses if r.status in (301, 302, 303)]
    assert [backend(r) for r in posts] == ["web-b", other(backend(second_step))["X-Pin-Backend"]]

    # Balanced, without stickiness: both instances answer, and know who is logged in.
    client.responses.clear()
    for path in ["/", "/signalen/", "/trainingen/", "/trainingen/mijn/", "/signalen/mijn/"] * 2:
        page = client.get(path)
        assert page.status == 200 and page.path == path, (path, page.status, page.path)
        assert "Contactpersoon Schaalproef" in page.text, path
    assert {backend(r) for r in client.responses} == set(INSTANCES)

    # The used TOTP code is refused on the other instance too: the cache is shared.
    replay = Client(stack.port, forwarded_proto=False)
    page = replay.submit("/accounts/login/", {"login": address, "password": PASSWORD})
    assert page.path.startswith("/accounts/2fa/authenticate/"), page.path
    refused = replay.post(
        page.path,
        {"code": code, "csrfmiddlewaretoken": csrf(page)},
        headers=other(backend(home)),
    )
    assert refused.path.startswith("/accounts/2fa/authenticate/"), refused.path
    # Still not logged in: the portal sends it back to finish the login.
    assert replay.get("/signalen/").path.startswith("/accounts/")
    return client


def form_from_one_instance_is_accepted_by_the_other(client: Client, result: dict) -> None:
    """CSRF: a form fetched from one instance is accepted by the other; a forged one is not.
    The picture sent with it is stored by one instance and handed out by the other."""
    form = client.get("/signalen/melden/", headers=pin("web-a"))
    assert backend(form) == "web-a"
    category = re.search(r'<option value="(\d+)"', form.text.split('name="category"')[1])
    fields = {
        "description": "Nieuw bedrijfspand, nooit iemand te zien.",
        "location": "Havenweg 2",
        "category": category.group(1),
        "organisation": str(result["organisation_id"]),
    }
    forged = client.post(
        "/signalen/melden/",
        {**fields, "csrfmiddlewaretoken": secrets.token_hex(32)},
        headers=pin("web-b"),
    )
    assert forged.status == 403
    reported = client.post(
        "/signalen/melden/",
        {**fields, "csrfmiddlewaretoken": csrf(form)},
        files={"attachments": ("foto.png", "image/png", png_bytes())},
        headers=pin("web-b"),
    )
    accepted = client.responses[-2]
    assert accepted.status == 302 and backend(accepted) == "web-b"
    assert reported.path.startswith("/signalen/mijn/"), reported.path
    reference = re.search(r"referentie (\S+?)\.", reported.text).group(1)
    queue = client.get("/signalen/", headers=pin("web-a"))
    assert reference in queue.text
    detail = client.get(re.search(r'href="(/signalen/\d+/)"', queue.text).group(1))
    download = re.search(r'href="(/signalen/bijlage/\d+/)"', detail.text).group(1)
    attachment = client.get(download, headers=pin("web-a"))
    assert backend(attachment) == "web-a" and attachment.status == 200
    assert attachment.body.startswith(b"\x89PNG")


def enrolment_race_stays_exact(stack: Stack, result: dict, credentials, database_name) -> None:
    """Everyone presses "Inschrijven" at once, spread over both instances: exactly the places
    are taken, everyone else waits at a position of their own, 1 up."""
    run_path = f"/trainingen/uitvoeringen/{result['race_run_id']}/"
    people = []
    for address, session_key in result["sessions"].items():
        client = Client(stack.port, forwarded_proto=False)
        client.cookies["sessionid"] = session_key
        people.append((address, client))
    barrier = threading.Barrier(len(people))

    def enrol(person):
        _address, client = person
        page = client.get(run_path)
        assert page.status == 200 and page.path == run_path, (page.status, page.path)
        token = csrf(page)
        barrier.wait(timeout=60)
        return client.post(run_path + "inschrijven/", {"csrfmiddlewaretoken": token})

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        answers = list(pool.map(enrol, people))

    enrolled, positions = 0, []
    for answer in answers:
        assert answer.status == 200 and answer.path == run_path, (answer.status, answer.path)
        if "Je bent ingeschreven" in answer.text:
            enrolled += 1
        else:
            waiting = re.search(r"Je staat op plaats (\d+) van de wachtlijst", answer.text)
            assert waiting, "neither a place nor a waiting-list position"
            positions.append(int(waiting.group(1)))
    assert enrolled == RACE_CAPACITY
    assert sorted(positions) == list(range(1, RACE_PEOPLE - RACE_CAPACITY + 1))
    served = {backend(r) for _a, client in people for r in client.responses}
    assert served == set(INSTANCES)

    rows = query(
        credentials,
        database_name,
        f"SELECT status, count(*), count(DISTINCT participant_id) "
        f"FROM {Enrolment._meta.db_table} WHERE run_id = %s GROUP BY status",
        [result["race_run_id"]],
    )
    assert {status: (n, distinct) for status, n, distinct in rows} == {
        EnrolmentStatus.ENROLLED: (RACE_CAPACITY, RACE_CAPACITY),
        EnrolmentStatus.WAITLISTED: (RACE_PEOPLE - RACE_CAPACITY, RACE_PEOPLE - RACE_CAPACITY),
    }


def reminders_are_sent_exactly_once(stack, sink: Sink, workers, credentials, database_name):
    """Every planned reminder (the bulk run's, the race's, the signal's) reaches the sink once.

    The confirmations were queued as tasks; the day-before reminders are the dispatcher's,
    in rounds of DISPATCH_LIMIT, from beat and from rounds queued here so both workers run
    them side by side.
    """
    app = Celery(broker=stack.env["REDIS_URL"])
    try:
        for _ in range(10):
            app.send_task(DISPATCH_TASK, queue=stack.env["CELERY_QUEUE"])
    finally:
        app.close()

    table = PlannedReminder._meta.db_table

    def sent_message_ids() -> set[str]:
        rows = query(
            credentials,
            database_name,
            f"SELECT message_id FROM {table} WHERE status = %s",
            [ReminderStatus.SENT],
        )
        return {message_id for (message_id,) in rows}

    def all_sent():
        # Those planned for later (the day after the session, say) are not due yet.
        due = query(credentials, database_name, f"SELECT status FROM {table} WHERE due_at <= now()")
        if any(status != ReminderStatus.SENT for (status,) in due):
            return None
        sent = sent_message_ids()
        return sent if len(sink.all()) >= len(sent) else None

    stack.wait_for("every due reminder at the sink", all_sent, timeout=MAIL_TIMEOUT)

    def handled_by(worker) -> int:
        found = re.findall(r"Task (\S+)\[[^\]]+\] succeeded in [\d.]+s: (\d+)", worker.log())
        return sum(int(n) for task, n in found if task in SEND_TASKS)

    # Let the dispatcher run twice more on beat's schedule: nothing is sent again.
    def dispatcher_runs() -> int:
        pattern = re.escape(DISPATCH_TASK) + r"\[[^\]]+\] succeeded"
        return sum(len(re.findall(pattern, worker.log())) for worker in workers)

    after = dispatcher_runs()
    stack.wait_for("two more dispatcher runs", lambda: dispatcher_runs() >= after + 2)
    planned = sent_message_ids()
    # At least the bulk run's confirmation and day-before reminder per person.
    assert len(planned) >= 2 * BULK_PEOPLE
    stack.wait_for(
        "the workers to log their last rounds",
        lambda: sum(handled_by(w) for w in workers) >= len(planned),
    )
    received = Counter(message.message_id for message in sink.all())
    assert [mid for mid, n in received.items() if n > 1] == []
    assert set(received) == planned
    handled = [handled_by(worker) for worker in workers]
    print(f"{len(planned)} reminders sent once each; claimed per worker: {handled}")
    # Each row was claimed by one worker once: the two workers' counts add up exactly.
    assert sum(handled) == len(planned)
    assert all(handled), f"one worker sent nothing: {handled}"
    stack.check_running()


def query(credentials, database_name, sql: str, params=()) -> list[tuple]:
    connection = psycopg2.connect(dbname=database_name, **credentials)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()
