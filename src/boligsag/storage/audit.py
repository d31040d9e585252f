"""Appending to and verifying the tamper-evident audit log.

Each entry's hash is an HMAC-SHA256, under a key derived from the database key, over the
previous entry's hash and the entry's own fields: editing or deleting an entry anywhere
breaks every later link, and someone who can run SQL on the file but does not hold the
key cannot compute a valid chain again. The head of the chain is also anchored outside
the database (``audit_anchor.py``), so cutting off the newest entries is detected too.

Databases written before the chain was keyed hold a plain SHA-256 chain. Such a legacy
prefix stays as it was (it is pinned by the first keyed entry, whose MAC covers the last
legacy hash); ``convert_legacy`` records the switch once, in a keyed entry.

Entries name records by UUID and describe actions in a few words; they never carry
note text or CPR numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction

from .models import AuditEntry

GENESIS = "0" * 64
# Fixed label: the audit key is bound to its purpose, so it differs from any other key
# ever derived from the database key.
_KEY_INFO = b"boligsag audit chain v1"
# Session.info key: the newest entry appended in the open transaction (for the anchor).
HEAD_INFO = "boligsag_audit_head"


def derive_key(db_key: bytes) -> bytes:
    """The audit HMAC key: HKDF-SHA256 of the database key with a fixed label."""
    if len(db_key) != 32:
        raise ValueError("the audit key is derived from the 32-byte database key")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(db_key)


def _payload(prev_hash: str, entry: AuditEntry) -> bytes:
    return json.dumps(
        [
            prev_hash,
            entry.at.isoformat(timespec="microseconds"),
            entry.user_id,
            entry.username,
            str(entry.action),
            entry.entity,
            entry.entity_uuid,
            entry.person_uuid,
            entry.detail,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def plain_digest(prev_hash: str, entry: AuditEntry) -> str:
    """The unkeyed link of databases written before the chain was keyed."""
    return hashlib.sha256(_payload(prev_hash, entry)).hexdigest()


def keyed_digest(key: bytes, prev_hash: str, entry: AuditEntry) -> str:
    return hmac.new(key, _payload(prev_hash, entry), "sha256").hexdigest()


def same(stored: object, computed: str) -> bool:
    """Constant-time comparison that also survives a non-text value planted by SQL."""
    if not isinstance(stored, str):
        return False
    return hmac.compare_digest(stored.encode("utf-8"), computed.encode("ascii"))


def is_keyed(key: bytes, entry: AuditEntry) -> bool:
    return same(entry.hash, keyed_digest(key, str(entry.prev_hash), entry))


def is_plain(entry: AuditEntry) -> bool:
    return same(entry.hash, plain_digest(str(entry.prev_hash), entry))


@dataclass(frozen=True)
class Head:
    """One entry as the anchor names it: id, hash and time."""

    entry_id: int
    hash: str
    at: datetime


def append(
    session: Session,
    key: bytes,
    *,
    at: datetime,
    user_id: int | None,
    username: str,
    action: AuditAction,
    entity: str = "",
    entity_uuid: str | None = None,
    person_uuid: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one keyed entry to the chain; the anchor follows when the session commits."""
    last = session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry = AuditEntry(
        at=at,
        user_id=user_id,
        username=username,
        action=action,
        entity=entity,
        entity_uuid=entity_uuid,
        person_uuid=person_uuid,
        detail=detail[:300],
    )
    entry.prev_hash = last or GENESIS
    entry.hash = keyed_digest(key, entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    session.info[HEAD_INFO] = Head(entry.id, entry.hash, entry.at)
    return entry


# -- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """Where the chain breaks. ``kind``: ``changed`` (the entry's hash does not match its
    contents), ``link`` (it does not follow the entry before it: one was removed or
    changed), ``unkeyed`` (an unkeyed entry after keyed ones)."""

    kind: str
    entry_id: int
    at: datetime


@dataclass(frozen=True)
class Scan:
    entries: int
    legacy_entries: int  # the unkeyed prefix
    keyed_entries: int
    last: Head | None
    breaks: tuple[Break, ...]


def _entries(session: Session, after_id: int = 0) -> Iterator[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)
    yield from session.scalars(query.execution_options(yield_per=2000))


def scan(session: Session, key: bytes, *, max_breaks: int = 50) -> Scan:
    """Walk the whole chain: an unkeyed (legacy) prefix, then keyed entries only."""
    breaks: list[Break] = []
    prev = GENESIS
    count = legacy = keyed = 0
    last: Head | None = None
    for entry in _entries(session):
        count += 1
        kind = ""
        if is_keyed(key, entry):
            keyed += 1
        elif not keyed and is_plain(entry):
            legacy += 1
        elif keyed and is_plain(entry):
            kind = "unkeyed"
        else:
            kind = "changed"
        if not kind and entry.prev_hash != prev:
            kind = "link"
        if kind and len(breaks) < max_breaks:
            breaks.append(Break(kind, entry.id, entry.at))
        prev = entry.hash
        last = Head(entry.id, entry.hash, entry.at)
    return Scan(count, legacy, keyed, last, tuple(breaks))


def segment_intact(session: Session, key: bytes, start: Head, end: Head) -> bool:
    """Does the chain run, keyed and unbroken, from ``start`` to ``end``? Used before the
    anchor moves forward, so a cut-off tail is never blessed by the next save."""
    first = session.get(AuditEntry, start.entry_id)
    if first is None or first.hash != start.hash:
        return False
    prev = first.hash
    for entry in _entries(session, start.entry_id):
        if entry.id > end.entry_id:
            break
        if entry.prev_hash != prev or not is_keyed(key, entry):
            return False
        prev = entry.hash
        if entry.id == end.entry_id:
            return entry.hash == end.hash
    return False


# -- legacy chains ---------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    """A legacy (unkeyed) chain found on the first unlock with the key."""

    legacy_entries: int
    first_break: Break | None

    def detail(self) -> str:
        """The conversion entry's text: counts, entry ids and times, no personal data."""
        text = f"audit chain keyed; {self.legacy_entries} earlier unkeyed entries"
        if self.first_break is None:
            return f"{text} verified intact"
        at = self.first_break.at.isoformat(sep=" ", timespec="seconds")
        return f"{text}; that chain was already broken at entry {self.first_break.entry_id} ({at})"


def find_legacy(session: Session, key: bytes) -> Conversion | None:
    """A legacy chain that still needs its conversion entry, or None.

    Call only when the key file holds no anchor. A chain whose newest entry is keyed was
    converted already (another program may have done it a moment ago). A chain with any
    keyed entry is not legacy but damaged, and is left for the check to report.
    """
    newest = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    if newest is None or is_keyed(key, newest):
        return None
    result = scan(session, key, max_breaks=1)
    if result.keyed_entries:
        return None
    return Conversion(result.entries, result.breaks[0] if result.breaks else None)
