"""The audit log: every read and change recorded, no free text, append-only, tamper-evident."""

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils.html import escape

from signalen import audit, services
from signalen.audit import GENESIS_HASH, entry_digest
from signalen.models import AuditEntry
from tests.portal.factories import UserFactory
from tests.signalen.factories import meldpunt, report

pytestmark = pytest.mark.django_db
Act = AuditEntry.Act


def _actions(signal):
    return list(
        AuditEntry.objects.filter(object_id=signal.pk)
        .order_by("seq")
        .values_list("action", "result")
    )


def test_every_read_and_change_is_recorded_with_actor_result_and_ip(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation, description="Vrije tekst die geheim blijft")
    client.force_login(contact)

    client.get(reverse("signalen:detail", args=[signal.pk]), REMOTE_ADDR="192.0.2.7")
    client.post(reverse("signalen:assign", args=[signal.pk]), {"assignee": contact.pk})
    client.post(reverse("signalen:note", args=[signal.pk]), {"note-text": "Notitie met namen"})
    client.post(reverse("signalen:note", args=[signal.pk]), {"note-text": ""})
    client.get(reverse("signalen:history", args=[signal.pk]))

    assert _actions(signal) == [
        (Act.SIGNAL_CREATE, "ok"),
        (Act.SIGNAL_VIEW, "ok"),
        (Act.SIGNAL_ASSIGN, "ok"),
        (Act.SIGNAL_NOTE, "ok"),
        (Act.SIGNAL_NOTE, "rejected"),  # an empty note is refused: one row, no extra "view"
        (Act.SIGNAL_HISTORY, "ok"),
    ]
    entries = list(AuditEntry.objects.filter(object_id=signal.pk).order_by("seq"))
    view = next(e for e in entries if e.action == Act.SIGNAL_VIEW)
    assert (view.actor, view.ip_address) == (contact, "192.0.2.7")
    # Nothing of the signal's content ends up in the log.
    for entry in entries:
        values = " ".join(str(getattr(entry, f.attname)) for f in AuditEntry._meta.fields)
        assert "geheim" not in values.lower() and "namen" not in values


def _rows_written_by(request):
    before = AuditEntry.objects.count()
    response = request()
    return response, list(
        AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", "result")
    )


def test_a_rejected_triage_post_writes_exactly_one_audit_row(client):
    """Regression: the refusal was recorded, and then the page shown again as a "view" too."""
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)

    invalid_form, rows = _rows_written_by(
        lambda: client.post(reverse("signalen:note", args=[signal.pk]), {"note-text": ""})
    )
    assert invalid_form.status_code == 400
    assert rows == [(Act.SIGNAL_NOTE, "rejected")]

    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    refused_by_service, rows = _rows_written_by(
        lambda: client.post(reverse("signalen:assign", args=[signal.pk]), {"assignee": contact.pk})
    )
    assert refused_by_service.status_code == 400
    assert "al aan deze persoon toegewezen" in refused_by_service.content.decode()
    assert rows == [(Act.SIGNAL_ASSIGN, "rejected")]


def test_a_rejected_reply_of_the_reporter_writes_exactly_one_audit_row(client):
    organisation, (contact,) = meldpunt()
    reporter = UserFactory(organisation=organisation)
    signal = report(reporter=reporter, organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    services.signal_ask_reporter(actor=contact, signal=signal, question="Welk huisnummer?")
    client.force_login(reporter)

    response, rows = _rows_written_by(
        lambda: client.post(reverse("signalen:my_reply", args=[signal.pk]), {"text": ""})
    )

    assert response.status_code == 400
    assert rows == [(Act.SIGNAL_REPLY, "rejected")]


def test_chain_verifies_and_each_hash_covers_fields_and_previous_hash():
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    services.signal_add_note(actor=contact, signal=signal, text="x")
    first, second = AuditEntry.objects.order_by("seq")[:2]

    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert second.hash == entry_digest(
        seq=second.seq,
        created_at=second.created_at,
        actor_id=second.actor_id,
        action=second.action,
        object_type=second.object_type,
        object_id=second.object_id,
        result=second.result,
        ip_address=second.ip_address,
        prev_hash=first.hash,
    )
    report_ = audit.audit_chain_verify()
    assert report_.ok and report_.checked == 2


def _tamper(sql, params):
    """Change the table the way an attacker with database access would: around the trigger."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE signalen_auditentry DISABLE TRIGGER signalen_auditentry_append_only"
        )
        cursor.execute(sql, params)
        cursor.execute(
            "ALTER TABLE signalen_auditentry ENABLE TRIGGER signalen_auditentry_append_only"
        )


@pytest.fixture
def chain():
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    for i in range(4):
        services.signal_add_note(actor=contact, signal=signal, text=f"{i}")
    return list(AuditEntry.objects.order_by("seq"))


def test_a_changed_entry_is_reported_as_the_first_broken_link(chain, capsys):
    _tamper("UPDATE signalen_auditentry SET result = 'denied' WHERE seq = %s", [3])

    result = audit.audit_chain_verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    with pytest.raises(CommandError, match="regel 3"):
        call_command("verify_audit_chain")


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(chain):
    tampered = chain[1]
    new_hash = entry_digest(
        seq=tampered.seq,
        created_at=tampered.created_at,
        actor_id=None,
        action=tampered.action,
        object_type=tampered.object_type,
        object_id=tampered.object_id,
        result=tampered.result,
        ip_address=tampered.ip_address,
        prev_hash=tampered.prev_hash,
    )
    _tamper(
        "UPDATE signalen_auditentry SET actor_id = NULL, hash = %s WHERE seq = %s",
        [new_hash, tampered.seq],
    )
    assert audit.audit_chain_verify().broken_seq == tampered.seq + 1


def test_a_deleted_entry_is_detected(chain):
    _tamper("DELETE FROM signalen_auditentry WHERE seq = %s", [2])
    result = audit.audit_chain_verify()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_verify_command_reports_an_intact_chain(chain, capsys):
    call_command("verify_audit_chain")
    assert "5 regels" in capsys.readouterr().out


def test_the_database_refuses_updates_and_deletes_of_audit_entries(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(result="denied")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()
    assert audit.audit_chain_verify().ok


def test_the_audit_log_is_not_in_the_admin():
    # Its rows name who reported and read which signal; an anonymous reporter among them.
    assert AuditEntry not in site._registry


def test_history_tab_lists_who_read_the_signal(client):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation)
    client.force_login(colleague)
    client.get(reverse("signalen:detail", args=[signal.pk]))
    client.force_login(contact)
    response = client.get(reverse("signalen:history", args=[signal.pk]))
    html = response.content.decode()
    # Escaped as the page writes it: a name such as "van 't Riet" holds an apostrophe.
    assert escape(colleague.full_name) in html
    assert "Signaal bekeken" in html
