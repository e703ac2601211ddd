"""The production path, end to end, without Docker: every process is started through
``scripts/portal-run``, the same script the container uses, under the production settings.

A fresh PostgreSQL database of its own, a queue and cache prefix of its own on Redis (so
parallel runs never take each other's tasks or keys), a real SMTP sink,
``check --deploy``, ``migrate``, ``collectstatic``, gunicorn on a free loopback port, a Celery
worker and beat. Then over real HTTP, as behind the TLS proxy: log in, enrol, report a signal
with a picture, log in with TOTP and open the queue, and see the due reminders arrive by mail
exactly once. Everything started here is stopped, and the database dropped, afterwards.
"""

import base64
import json
import re
import secrets
import uuid
from pathlib import Path

import psycopg2
import pytest

from portal.models import PlannedReminder, ReminderStatus
from trainings.scheduling import ENROLMENT_CONFIRMED, SESSION_DAY_BEFORE

from .harness import (
    PASSWORD,
    PORTAL_RUN,
    Client,
    Sink,
    Stack,
    answers_healthz,
    beat_started,
    csrf,
    log_in,
    png_bytes,
    worker_ready,
)

pytestmark = pytest.mark.production

SETUP_SCRIPT = Path(__file__).with_name("setup_data.py")
MAIL_TIMEOUT = 45


# --- the test ----------------------------------------------------------------------------------


def test_production_path(production_stack, smtp_sink, smoke_database):
    stack: Stack = production_stack
    sink: Sink = smtp_sink[0]
    _url, credentials, database_name = smoke_database
    run = str(PORTAL_RUN)
    stack.prepare_database(credentials, database_name)
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
    output = stack.shell("setup data", SETUP_SCRIPT, "SMOKE_SETUP", json.dumps(setup))
    result = json.loads(re.search(r"^SMOKE_RESULT (.+)$", output, re.MULTILINE).group(1))

    web = stack.start("gunicorn", "web", BIND=f"127.0.0.1:{stack.port}")
    worker = stack.start("worker", "worker", "-n", f"{stack.env['CELERY_QUEUE']}@%h")
    beat = stack.start("beat", "beat")
    client = Client(stack.port)

    stack.wait_for("gunicorn to answer /healthz/", lambda: answers_healthz(stack.port))
    stack.wait_for("the worker to be ready", lambda: worker_ready(worker))
    stack.wait_for("beat to start", lambda: beat_started(beat))
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
    contact = Client(stack.port)
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
    assert f"https://127.0.0.1:{stack.port}{run_path}" in confirmation.body
    stack.check_running()
