"""The audit chain's hash: each entry's digest covers its fields and the previous digest."""

import hashlib
import json
from datetime import UTC, datetime

from django.utils.ipv6 import clean_ipv6_address

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
