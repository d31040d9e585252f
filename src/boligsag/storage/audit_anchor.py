"""The audit chain's head, anchored in the key file beside the database.

The chain inside the database shows that no entry was changed or removed *between*
others; only a record of its head kept elsewhere shows that the newest entries were
not cut off, or the whole log emptied. After every commit that appended entries, the
key file's ``audit_anchor`` moves to the newest entry: its id, hash and time, with an
HMAC under the audit key so the anchor cannot be edited without the database key.

Several programs may write one database. The anchor is read and written under the key
file's lock (``keys.edit_key_file``), only ever moves forward, and moves only when the
chain still runs unbroken from the anchored entry to the new head, so a save made after
someone cut off the tail never hides the cut.
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from . import keys
from .audit import HEAD_INFO, Head, segment_intact
from .models import AuditEntry

log = logging.getLogger(__name__)

ANCHOR_VERSION = 1
_MAC_LABEL = "boligsag audit anchor"
# Session.info keys set by the unit of work (services/context.py).
TARGET_INFO = "boligsag_audit_anchor"
# Set by the session that converted a legacy chain: only it may create a missing anchor.
# Anyone else finding none leaves it missing, for the check to report.
MAY_CREATE_INFO = "boligsag_audit_anchor_may_create"
# A save waits at most this long for a password change holding the key file.
LOCK_TIMEOUT = 10.0


class AnchorInvalid(ValueError):
    """The anchor in the key file is malformed or its MAC does not match."""


def _mac(key: bytes, head: Head) -> str:
    payload = json.dumps([_MAC_LABEL, ANCHOR_VERSION, head.entry_id, head.hash,
                          head.at.isoformat(timespec="microseconds")], separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), "sha256").hexdigest()


def to_json(key: bytes, head: Head) -> dict[str, Any]:
    return {"version": ANCHOR_VERSION, "entry_id": head.entry_id, "hash": head.hash,
            "at": head.at.isoformat(timespec="microseconds"), "mac": _mac(key, head)}


def from_json(key: bytes, doc: Any) -> Head:
    """The anchored head; raises AnchorInvalid for a malformed or forged anchor."""
    if not isinstance(doc, dict) or doc.get("version") != ANCHOR_VERSION:
        raise AnchorInvalid("not an audit anchor of this version")
    entry_id, digest, at, mac = (doc.get(k) for k in ("entry_id", "hash", "at", "mac"))
    if not (isinstance(entry_id, int) and isinstance(digest, str) and isinstance(at, str)
            and isinstance(mac, str)):
        raise AnchorInvalid("an audit anchor field has the wrong type")
    try:
        head = Head(entry_id, digest, datetime.fromisoformat(at))
    except ValueError:
        raise AnchorInvalid("the audit anchor's time is not a time") from None
    if not hmac.compare_digest(mac.encode("utf-8"), _mac(key, head).encode("ascii")):
        raise AnchorInvalid("the audit anchor's MAC does not match")
    return head


@dataclass(frozen=True)
class AnchorTarget:
    """Where a unit of work's audit entries are anchored."""

    keys_path: Path
    engine: Engine
    key: bytes


def for_entry(key: bytes, entry: AuditEntry) -> dict[str, Any]:
    """The anchor naming ``entry`` (a new database's first entry, set at creation)."""
    return to_json(key, Head(entry.id, entry.hash, entry.at))


def advance(target: AnchorTarget, head: Head, *, may_create: bool = False) -> str:
    """Move the key file's anchor forward to ``head``. Returns ``moved``, ``newer`` (a
    newer entry is anchored already), or why it must not move: ``missing`` (no anchor,
    and this session did not convert a legacy chain), ``invalid`` (forged or malformed),
    ``broken`` (the chain no longer runs from the anchored entry to ``head``)."""
    with keys.edit_key_file(target.keys_path, timeout=LOCK_TIMEOUT) as store:
        if store.audit_anchor is None:
            if not may_create:
                return "missing"
        else:
            try:
                current = from_json(target.key, store.audit_anchor)
            except AnchorInvalid:
                return "invalid"  # keep the evidence; the check reports it
            if current.entry_id >= head.entry_id:
                return "newer"
            with Session(target.engine) as session:
                if not segment_intact(session, target.key, current, head):
                    return "broken"
        store.audit_anchor = to_json(target.key, head)
        return "moved"


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    head: Head | None = session.info.pop(HEAD_INFO, None)
    target: AnchorTarget | None = session.info.get(TARGET_INFO)
    if head is None or target is None:
        return
    may_create = bool(session.info.pop(MAY_CREATE_INFO, False))
    try:
        outcome = advance(target, head, may_create=may_create)
        if outcome not in ("moved", "newer"):
            log.warning("audit anchor not moved to entry %d: %s", head.entry_id, outcome)
    except Exception as error:  # the save itself is committed already
        # The commit stands; the anchor lags behind (the check still verifies up to it).
        # Only the error's type: its text may hold a path with a person's name.
        log.warning("audit anchor not updated: %s", type(error).__name__)


@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop(HEAD_INFO, None)
    session.info.pop(MAY_CREATE_INFO, None)
