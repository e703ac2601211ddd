"""The audit chain gets a key: rows record how their hash was made, and a seal joins them.

Rows written so far keep their plain SHA-256 hash (version 1) and keep verifying. From now
on every row is an HMAC-SHA256 with AUDIT_HMAC_KEY (version 2). When the table already has
rows, one keyed seal row is appended: its HMAC covers the hash of the last unkeyed row, so
rewriting any earlier row breaks the chain, and the chain never ends unkeyed again. The
seal's digest is written out here (not imported from the app) so this migration keeps
meaning what it meant when it ran.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

ADVISORY_LOCK_KEY = 0x5167_A0D1


def seal(apps, schema_editor):
    AuditEntry = apps.get_model("signalen", "AuditEntry")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is None:
        return
    if not settings.AUDIT_HMAC_KEY:
        raise RuntimeError("AUDIT_HMAC_KEY must be set before the audit chain can be sealed.")
    seq, prev_hash = last[0] + 1, last[1]
    created_at = timezone.now()
    payload = [
        2,
        seq,
        created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        None,
        "audit.seal",
        "audit",
        None,
        "ok",
        None,
        prev_hash,
    ]
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    digest = hmac.new(settings.AUDIT_HMAC_KEY.encode(), encoded, hashlib.sha256).hexdigest()
    AuditEntry.objects.create(
        seq=seq,
        created_at=created_at,
        actor_id=None,
        action="audit.seal",
        object_type="audit",
        object_id=None,
        result="ok",
        ip_address=None,
        prev_hash=prev_hash,
        hash=digest,
        version=2,
    )


class Migration(migrations.Migration):
    dependencies = [("signalen", "0004_release_when_contact_person_leaves")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="hashversie"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("signal.create", "Signaal gemeld"),
                    ("signal.view", "Signaal bekeken"),
                    ("signal.view_own", "Eigen melding bekeken"),
                    ("signal.history", "Geschiedenis bekeken"),
                    ("signal.assign", "Toegewezen"),
                    ("signal.note", "Notitie toegevoegd"),
                    ("signal.ask_reporter", "Vraag aan melder gesteld"),
                    ("signal.reporter_reply", "Melder heeft geantwoord"),
                    ("signal.share_feedback", "Terugkoppeling gedeeld"),
                    ("signal.forward", "Doorgestuurd"),
                    ("signal.close", "Afgesloten"),
                    ("signal.anonymise", "Geanonimiseerd"),
                    ("signal.release", "Terug naar de wachtrij"),
                    ("audit.seal", "Auditketen voortaan met sleutel"),
                    ("attachment.download", "Bijlage gedownload"),
                ],
                max_length=40,
                verbose_name="actie",
            ),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
