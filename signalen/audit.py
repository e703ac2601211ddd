"""The audit chain: appending an entry and verifying the whole chain.

Each entry's digest covers its fields and the previous entry's digest (``entry_digest``,
pure hashing), so any change, insertion or deletion breaks the chain from that entry on.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from portal.models import User

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# A fixed key for PostgreSQL's advisory lock that serialises appends to the chain.
ADVISORY_LOCK_KEY = 0x5167_A0D1


def normalise_ip(ip: str | None) -> str | None:
    """The form in which PostgreSQL returns the address, so a re-read hashes the same."""
    if not ip:
        return None
    return clean_ipv6_address(ip) if ":" in ip else ip


def entry_digest(
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    result: str,
    ip_address: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON array of the entry's fields and its predecessor's hash."""
    payload = [
        seq,
        created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        actor_id,
        action,
        object_type,
        object_id,
        result,
        normalise_ip(ip_address),
        prev_hash,
    ]
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(encoded).hexdigest()


@transaction.atomic
def audit_append(
    *,
    actor: User | None,
    action: str,
    object_id: int | None,
    result: str = AuditEntry.Result.OK,
    ip_address: str | None = None,
    object_type: str = "signal",
) -> AuditEntry:
    """Append one entry to the audit chain; appends are serialised so the chain cannot fork."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    ip_address = normalise_ip(ip_address)
    created_at = timezone.now()
    digest = entry_digest(
        seq=seq,
        created_at=created_at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        result=result,
        ip_address=ip_address,
        prev_hash=prev_hash,
    )
    return AuditEntry.objects.create(
        seq=seq,
        created_at=created_at,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        result=result,
        ip_address=ip_address,
        prev_hash=prev_hash,
        hash=digest,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def audit_chain_verify() -> ChainReport:
    """Recompute the whole chain in order; stop at the first entry that does not match."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = AuditEntry.objects.order_by("seq").values_list(
        "seq",
        "created_at",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "result",
        "ip_address",
        "prev_hash",
        "hash",
    )
    for row in rows.iterator(chunk_size=2000):
        seq, created_at, actor_id, action, object_type, object_id, result, ip, prev, digest = row
        if seq != expected_seq:
            return ChainReport(checked, seq, f"volgnummer {expected_seq} ontbreekt")
        if prev != previous_hash:
            return ChainReport(checked, seq, "verwijzing naar de vorige regel klopt niet")
        recomputed = entry_digest(
            seq=seq,
            created_at=created_at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            result=result,
            ip_address=ip,
            prev_hash=prev,
        )
        if recomputed != digest:
            return ChainReport(checked, seq, "inhoud van de regel is gewijzigd")
        previous_hash = digest
        expected_seq += 1
        checked += 1
    return ChainReport(checked)
