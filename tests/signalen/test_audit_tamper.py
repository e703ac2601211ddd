"""BIO 8.15: an audit log an auditor can trust.

The chain is keyed (HMAC with a key outside the database), its head is anchored outside
the database, and ``verify_audit_chain`` catches the three attacks a database owner
without the key can make: emptying the table, cutting rows off its end, and rewriting a
row with every later hash recomputed. The application's own database role cannot even
try: PostgreSQL refuses it UPDATE, DELETE and TRUNCATE on the table.
"""

import importlib
import json
import os

import psycopg2
import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from signalen import audit, services
from signalen.audit import Anchor, entry_digest, read_anchors
from signalen.models import AuditEntry
from tests.signalen.factories import meldpunt, report

pytestmark = pytest.mark.django_db
APP_ROLE = os.environ.get("TEST_APP_DATABASE_ROLE", "portal_app")
APP_PASSWORD = os.environ.get("TEST_APP_DATABASE_PASSWORD", "portal_app")
AUDITOR = "auditor@toezicht.example"


def _owner_sql(sql, params=()):
    """What a compromised owner role can do: anything, around the trigger too."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE signalen_auditentry DISABLE TRIGGER signalen_auditentry_append_only"
        )
        cursor.execute(sql, params)
        cursor.execute(
            "ALTER TABLE signalen_auditentry ENABLE TRIGGER signalen_auditentry_append_only"
        )


def _unkeyed_rehash(from_seq: int, *, actor_id=None) -> None:
    """Rewrite the actor of ``from_seq`` and recompute every later hash without the key."""
    previous = audit.GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=from_seq - 1).order_by("seq"):
        if entry.seq < from_seq:
            previous = entry.hash
            continue
        if entry.seq == from_seq:
            entry.actor_id = actor_id
        digest = entry_digest(
            seq=entry.seq,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            result=entry.result,
            ip_address=entry.ip_address,
            prev_hash=previous,
            version=audit.LEGACY_VERSION,
        )
        _owner_sql(
            "UPDATE signalen_auditentry SET actor_id = %s, prev_hash = %s, hash = %s, "
            "version = 1 WHERE seq = %s",
            [entry.actor_id, previous, digest, entry.seq],
        )
        previous = digest


@pytest.fixture
def anchored_chain(settings, django_capture_on_commit_callbacks):
    settings.AUDIT_ANCHOR_EMAIL = [AUDITOR]
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    for i in range(4):
        services.signal_add_note(actor=contact, signal=signal, text=f"{i}")
    with django_capture_on_commit_callbacks(execute=True):
        audit.audit_anchor()
    return signal, contact


def test_the_chain_is_keyed_with_a_key_the_database_does_not_hold(settings, anchored_chain):
    entry = AuditEntry.objects.order_by("seq").last()
    assert entry.version == audit.KEYED_VERSION
    assert audit.audit_chain_verify().ok
    settings.AUDIT_HMAC_KEY = "another-key-that-an-attacker-guessed"
    report_ = audit.audit_chain_verify()
    assert (report_.ok, report_.broken_seq) == (False, 1)


def test_an_anchor_is_a_signed_line_in_an_append_only_file_and_a_mail(settings, anchored_chain):
    head = AuditEntry.objects.order_by("seq").last()
    (anchor,) = read_anchors(settings.AUDIT_ANCHOR_FILE)
    assert (anchor.seq, anchor.hash) == (head.seq, head.hash)
    line = json.loads(settings.AUDIT_ANCHOR_FILE.read_text())
    assert set(line) == {"at", "seq", "hash", "mac"}
    (message,) = mail.outbox
    assert message.to == [AUDITOR]
    assert str(head.seq) in message.subject and head.hash in message.body
    assert "LET OP" not in message.subject

    # Run twice (a retried task): another line, but the same head is mailed once.
    audit.audit_anchor()
    assert len(read_anchors(settings.AUDIT_ANCHOR_FILE)) == 2
    call_command("audit_anchor")
    assert len(read_anchors(settings.AUDIT_ANCHOR_FILE)) == 3
    assert len(mail.outbox) == 1


def test_the_periodic_task_anchors_daily_or_more_often(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["signalen-anchor-audit-chain"]
    assert schedule["task"] == "signalen.tasks.anchor_audit_chain"
    assert schedule["schedule"] <= 24 * 60 * 60


def _verify_fails(match):
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit_chain")


def test_verify_passes_an_intact_anchored_chain(anchored_chain, capsys):
    signal, contact = anchored_chain
    services.signal_add_note(actor=contact, signal=signal, text="na het anker")
    call_command("verify_audit_chain")
    assert "6 regels, getoetst aan 1 ankers" in capsys.readouterr().out


def test_verify_detects_a_truncated_table(anchored_chain):
    _owner_sql("TRUNCATE signalen_auditentry")
    assert not AuditEntry.objects.exists()
    _verify_fails("noemt 5 regels, de database heeft er 0")


def test_verify_detects_rows_deleted_from_the_end(anchored_chain):
    _owner_sql("DELETE FROM signalen_auditentry WHERE seq >= 4")
    _verify_fails("regel 4: .*verwijderd")


def test_verify_detects_a_rewritten_row_with_every_later_hash_recomputed(anchored_chain):
    _unkeyed_rehash(2)
    _verify_fails("regel 2: regel zonder sleutel na een regel met sleutel|regel 2")
    # Even when every row is rewritten without the key, the anchor and the last row show it.
    _unkeyed_rehash(1)
    _verify_fails("regel 5: regel wijkt af van het anker")
    assert audit.audit_chain_verify().reason.startswith("de laatste regel heeft geen sleutel")


def test_verify_checks_an_anchor_from_the_auditors_mail(anchored_chain, settings):
    head = AuditEntry.objects.order_by("seq").last()
    settings.AUDIT_ANCHOR_FILE.unlink()
    call_command("verify_audit_chain", "--anchor", f"{head.seq}:{head.hash}")
    _owner_sql("DELETE FROM signalen_auditentry WHERE seq = %s", [head.seq])
    with pytest.raises(CommandError, match="verwijderd"):
        call_command("verify_audit_chain", "--anchor", f"{head.seq}:{head.hash}")


def test_a_forged_anchor_line_is_refused(anchored_chain, settings):
    forged = Anchor(at="2030-01-01T00:00:00+00:00", seq=2, hash="f" * 64, mac="0" * 64)
    with settings.AUDIT_ANCHOR_FILE.open("a") as anchors:
        anchors.write(forged.as_line() + "\n")
    _verify_fails("niet met de auditsleutel geschreven")


def test_the_migration_seals_rows_written_before_the_key():
    """Rows hashed without the key keep verifying; a keyed seal protects them from then on."""
    created = timezone.now()
    previous = audit.GENESIS_HASH
    for seq in (1, 2):
        digest = entry_digest(
            seq=seq,
            created_at=created,
            actor_id=None,
            action=AuditEntry.Act.SIGNAL_VIEW,
            object_type="signal",
            object_id=seq,
            result="ok",
            ip_address=None,
            prev_hash=previous,
            version=audit.LEGACY_VERSION,
        )
        AuditEntry.objects.create(
            seq=seq,
            created_at=created,
            action=AuditEntry.Act.SIGNAL_VIEW,
            object_type="signal",
            object_id=seq,
            result="ok",
            prev_hash=previous,
            hash=digest,
            version=audit.LEGACY_VERSION,
        )
        previous = digest
    assert audit.audit_chain_verify().reason.startswith("de laatste regel heeft geen sleutel")

    migration = importlib.import_module("signalen.migrations.0005_audit_chain_with_key")
    with connection.schema_editor() as editor:
        migration.seal(apps, editor)
    seal = AuditEntry.objects.get(seq=3)
    assert (seal.action, seal.version, seal.prev_hash) == ("audit.seal", 2, previous)
    assert audit.audit_chain_verify().ok

    # Rewriting an unkeyed row now breaks the link to the seal.
    _unkeyed_rehash(1, actor_id=99)
    _owner_sql("UPDATE signalen_auditentry SET version = 1 WHERE seq = 3")
    assert not audit.audit_chain_verify().ok


@pytest.fixture
def app_role_connection(transactional_db):
    """A connection as the application's restricted role, after the owner set its rights."""
    call_command("audit_lock_table", "--app-role", APP_ROLE)
    db = connection.settings_dict
    try:
        conn = psycopg2.connect(
            dbname=db["NAME"],
            user=APP_ROLE,
            password=APP_PASSWORD,
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
        )
    except psycopg2.OperationalError as error:
        pytest.fail(
            f"Cannot connect as the application role {APP_ROLE}: {error}. "
            "`make test` (scripts/ensure-services) creates it."
        )
    conn.autocommit = True
    yield conn
    conn.close()


def test_postgresql_refuses_the_app_role_update_delete_and_truncate(app_role_connection):
    organisation, (contact,) = meldpunt()
    report(organisation=organisation)
    cursor = app_role_connection.cursor()
    cursor.execute("SELECT count(*) FROM signalen_auditentry")
    assert cursor.fetchone()[0] == 1
    cursor.execute(
        "INSERT INTO signalen_auditentry (seq, created_at, action, object_type, result, "
        "prev_hash, hash, version) VALUES (2, now(), 'signal.view', 'signal', 'ok', 'x', 'y', 2)"
    )
    for statement in (
        "UPDATE signalen_auditentry SET result = 'denied'",
        "DELETE FROM signalen_auditentry",
        "TRUNCATE signalen_auditentry",
        "ALTER TABLE signalen_auditentry DISABLE TRIGGER signalen_auditentry_append_only",
    ):
        with pytest.raises(psycopg2.Error) as refused:
            cursor.execute(statement)
        assert refused.value.pgcode in {"42501"}, statement  # insufficient_privilege
    cursor.execute("SELECT count(*) FROM signalen_auditentry")
    assert cursor.fetchone()[0] == 2
    # Elsewhere the application role has its normal rights.
    cursor.execute("UPDATE signalen_signal SET location = location")
    cursor.execute("SELECT count(*) FROM portal_user")


def test_lock_table_refuses_the_owner_as_app_role():
    with pytest.raises(CommandError, match="eigenaar"):
        call_command("audit_lock_table", "--app-role", connection.settings_dict["USER"])
