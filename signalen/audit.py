"""The audit chain: appending an entry, anchoring the chain's head outside the database,
and verifying the whole chain against those anchors.

Each entry's digest covers its fields and the previous entry's digest (``entry_digest``),
so any change, insertion or deletion breaks the chain from that entry on. Since version 2
the digest is an HMAC-SHA256 with ``AUDIT_HMAC_KEY``, a key from the environment that the
database never holds: whoever can write the table but lacks the key cannot recompute the
chain after rewriting a row. Rows written before the key (version 1, plain SHA-256) keep
verifying; the first keyed row (a seal written by the migration that introduced the key)
covers their last hash, and a chain may never fall back to version 1 after it.

What the chain alone cannot show is rows removed from its end (or all of them): an
*anchor* records the head (sequence and hash, with an HMAC of the line) in an append-only
file outside the database (``AUDIT_ANCHOR_FILE``) and mails it to the auditor
(``AUDIT_ANCHOR_EMAIL``), at least daily. ``audit_chain_verify`` checks the chain against
every anchor: a head that is shorter than an anchor, or differs from it, is reported.
"""

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from portal import services as portal_services
from portal.models import User

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# A fixed key for PostgreSQL's advisory lock that serialises appends to the chain.
ADVISORY_LOCK_KEY = 0x5167_A0D1
# 1: SHA-256 without a key (rows written before the key existed); 2: HMAC-SHA256.
LEGACY_VERSION = 1
KEYED_VERSION = 2
# The mail that sends an anchor to the auditor (a portal reminder kind).
ANCHOR_MAIL = "signalen.audit_anchor"


def _key() -> bytes:
    key = settings.AUDIT_HMAC_KEY
    if not key:
        raise RuntimeError("AUDIT_HMAC_KEY is not set; the audit chain cannot be written.")
    return key.encode()


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
    version: int = KEYED_VERSION,
) -> str:
    """The digest over a canonical JSON array of the entry's fields and its predecessor's hash.

    Version 2: HMAC-SHA256 with ``AUDIT_HMAC_KEY`` over the array with the version first.
    Version 1: plain SHA-256 over the array, as rows were written before the key.
    """
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
    if version == LEGACY_VERSION:
        encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode()
        return hashlib.sha256(encoded).hexdigest()
    if version != KEYED_VERSION:
        raise ValueError(f"Unknown audit digest version {version}")
    encoded = json.dumps([version, *payload], separators=(",", ":"), ensure_ascii=True).encode()
    return hmac.new(_key(), encoded, hashlib.sha256).hexdigest()


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
        version=KEYED_VERSION,
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
        version=KEYED_VERSION,
    )


# --- anchors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment, as written outside the database."""

    at: str
    seq: int
    hash: str
    mac: str = ""

    def _message(self) -> bytes:
        return f"audit-anchor|{self.at}|{self.seq}|{self.hash}".encode()

    def signed(self) -> "Anchor":
        mac = hmac.new(_key(), self._message(), hashlib.sha256).hexdigest()
        return Anchor(at=self.at, seq=self.seq, hash=self.hash, mac=mac)

    @property
    def is_genuine(self) -> bool:
        """The line was written with the key: nobody without it made or changed it."""
        return hmac.compare_digest(self.signed().mac, self.mac)

    def as_line(self) -> str:
        return json.dumps(
            {"at": self.at, "seq": self.seq, "hash": self.hash, "mac": self.mac},
            separators=(",", ":"),
        )


class AnchorFileError(Exception):
    """The anchor file cannot be read, or holds a line that was not written with the key."""


def audit_head() -> tuple[int, str]:
    """The last sequence number and hash of the chain; (0, genesis) when it is empty."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0], last[1]) if last else (0, GENESIS_HASH)


def _append_line(path: Path, line: str) -> None:
    """Append one line; O_APPEND so the file is only ever extended, then flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def audit_anchor(*, now: datetime | None = None) -> Anchor:
    """Record the chain's head outside the database: a line in the anchor file and a mail.

    The line holds the time, the last sequence number, its hash and an HMAC of the three;
    the mail to each ``AUDIT_ANCHOR_EMAIL`` address holds sequence and hash only. Safe to
    run twice: a second line is harmless, and the mail about one head goes out once.
    """
    now = now or timezone.now()
    seq, digest = audit_head()
    anchor = Anchor(at=now.astimezone(UTC).isoformat(timespec="seconds"), seq=seq, hash=digest)
    anchor = anchor.signed()
    _append_line(Path(settings.AUDIT_ANCHOR_FILE), anchor.as_line())
    head = AuditEntry.objects.filter(seq=seq).first()
    if head is not None:
        with transaction.atomic():
            planned = [
                portal_services.reminder_plan(
                    kind=ANCHOR_MAIL, target=head, recipient_email=address, due_at=now
                )
                for address in settings.AUDIT_ANCHOR_EMAIL
            ]
            portal_services.reminders_send_soon(reminder_ids=[r.pk for r in planned])
    return anchor


def read_anchors(path: Path) -> list[Anchor]:
    """Every anchor in the file, oldest first; raises ``AnchorFileError`` on a forged line."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise AnchorFileError(f"ankerbestand {path} is niet te lezen: {error}") from None
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(
                at=str(data["at"]), seq=int(data["seq"]), hash=str(data["hash"]), mac=data["mac"]
            )
        except (ValueError, KeyError, TypeError):
            raise AnchorFileError(f"regel {number} van {path} is onleesbaar") from None
        if not anchor.is_genuine:
            raise AnchorFileError(
                f"regel {number} van {path} is niet met de auditsleutel geschreven"
            )
        anchors.append(anchor)
    return anchors


def entry_is_genuine(entry: AuditEntry) -> bool:
    """The row's hash matches its fields (for a keyed row: written by someone with the key)."""
    return hmac.compare_digest(
        entry.hash,
        entry_digest(
            seq=entry.seq,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            result=entry.result,
            ip_address=entry.ip_address,
            prev_hash=entry.prev_hash,
            version=entry.version,
        ),
    )


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def audit_chain_verify(*, anchors: list[Anchor] = ()) -> ChainReport:
    """Recompute the whole chain in order and hold it against ``anchors``.

    Stops at the first entry that does not match: a missing sequence number, a broken
    link, a changed entry, a fall back to the unkeyed version, or an anchored head the
    chain no longer has (rewritten and rehashed). Then the chain must reach every
    anchor's sequence number (nothing cut off its end, not emptied) and end in a keyed row.
    """
    anchored = {}
    for anchor in anchors:
        anchored.setdefault(anchor.seq, []).append(anchor)
    previous_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_version = None
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
        "version",
    )
    for row in rows.iterator(chunk_size=2000):
        seq, created_at, actor_id, action, object_type, object_id, result, ip, prev, digest, ver = (
            row
        )
        if seq != expected_seq:
            return ChainReport(checked, seq, f"volgnummer {expected_seq} ontbreekt")
        if prev != previous_hash:
            return ChainReport(checked, seq, "verwijzing naar de vorige regel klopt niet")
        if last_version == KEYED_VERSION and ver != KEYED_VERSION:
            return ChainReport(checked, seq, "regel zonder sleutel na een regel met sleutel")
        try:
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
                version=ver,
            )
        except ValueError:
            return ChainReport(checked, seq, f"onbekende hashversie {ver}")
        if not hmac.compare_digest(recomputed, digest):
            return ChainReport(checked, seq, "inhoud van de regel is gewijzigd")
        for anchor in anchored.get(seq, ()):
            if anchor.hash != digest:
                return ChainReport(
                    checked,
                    seq,
                    f"regel wijkt af van het anker van {anchor.at}: de keten is herschreven",
                )
        previous_hash = digest
        last_version = ver
        expected_seq += 1
        checked += 1
    longest = max(anchors, key=lambda a: a.seq, default=None)
    if longest is not None and longest.seq > checked:
        return ChainReport(
            checked,
            checked + 1,
            f"het anker van {longest.at} noemt {longest.seq} regels, de database heeft er "
            f"{checked}: regels aan het eind zijn verwijderd of de tabel is geleegd",
        )
    for anchor in anchored.get(0, ()):
        if anchor.hash != GENESIS_HASH:
            return ChainReport(checked, 0, f"het anker van {anchor.at} is ongeldig")
    if checked and last_version != KEYED_VERSION:
        return ChainReport(
            checked, checked, "de laatste regel heeft geen sleutel: de keten is herschreven"
        )
    return ChainReport(checked, anchors=len(anchors))
