"""The team server's audit log: the same keyed chain as a laptop's (storage/audit.py),
keyed from the server's ``secret.key`` instead of a database key.

Server instances share one database, so two appends must never read the same chain head:
``append`` takes a PostgreSQL transaction-scoped advisory lock first, held until the
caller's transaction ends. Entries a laptop sends with a push are appended as new entries
after the server's chain; their own fields are kept as they came (their time, username,
action, entity and detail), never rewritten, and nothing in them is trusted to be keyed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.storage import audit
from boligsag.storage.models import User

# Fixed label: the server's audit key is bound to its purpose, so it differs from the
# token key and the throttle's username key derived from the same secret.
_KEY_INFO = b"boligsag server audit chain v1"
# Fixed advisory-lock key (the bytes "BSAUDIT" and 1), unique to this purpose: every
# server instance appends under it.
AUDIT_LOCK_KEY = 0x42534155_44495401

_TEXT_FIELDS = ("username", "entity", "entity_uuid", "person_uuid", "detail")
_LIMITS = {"username": 60, "entity": 40, "entity_uuid": 36, "person_uuid": 36, "detail": 300}


class BadAuditEntry(ValueError):
    """An entry a client sent that cannot be stored as an audit entry."""


def derive_key(secret: bytes) -> bytes:
    """The server's audit HMAC key: HKDF-SHA256 of ``secret.key`` with a fixed label."""
    if len(secret) != 32:
        raise ValueError("the server secret is 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret)


def lock_chain(session: Session) -> None:
    """Serialise appends across server instances until this transaction ends. SQLite
    (tests of the layer above) has one writer anyway and no advisory locks."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def append(session: Session, secret: bytes, entries: Sequence[Mapping[str, object]]) -> None:
    """Append ``entries`` in order, each a dict with ``at`` (datetime or ISO text),
    ``action`` (an AuditAction value) and optionally ``user_id`` (a server users.id),
    ``user_uuid`` (resolved to the server's user id when ``user_id`` is absent),
    ``username``, ``entity``, ``entity_uuid``, ``person_uuid``, ``detail``.

    Runs in the caller's transaction (nothing is committed here); raises BadAuditEntry
    for a malformed entry before anything is added.
    """
    if not entries:
        return
    checked = [_checked(entry) for entry in entries]
    key = derive_key(secret)
    lock_chain(session)
    uuids = {c["user_uuid"] for c in checked if c["user_uuid"] and c["user_id"] is None}
    ids: dict[str, int] = {}
    if uuids:
        ids = {row.uuid: row.id for row in session.execute(
            select(User.uuid, User.id).where(User.uuid.in_(uuids)))}
    for c in checked:
        user_id = c["user_id"] if c["user_id"] is not None else ids.get(c["user_uuid"])
        audit.append(session, key, at=c["at"], user_id=user_id, username=c["username"],
                     action=c["action"], entity=c["entity"], entity_uuid=c["entity_uuid"] or None,
                     person_uuid=c["person_uuid"] or None, detail=c["detail"])


def _checked(entry: Mapping[str, object]) -> dict:
    if not isinstance(entry, Mapping):
        raise BadAuditEntry("an audit entry must be an object")
    try:
        action = AuditAction(str(entry.get("action")))
    except ValueError:
        raise BadAuditEntry(f"unknown audit action {entry.get('action')!r}") from None
    at = entry.get("at")
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            raise BadAuditEntry(f"audit time {at!r} is not an ISO date-time") from None
    if not isinstance(at, datetime):
        raise BadAuditEntry("an audit entry needs its time 'at'")
    if at.tzinfo is not None:  # the column holds naive times, as on the laptop
        at = at.replace(tzinfo=None)
    out: dict = {"at": at, "action": action}
    for name in _TEXT_FIELDS:
        value = entry.get(name) or ""
        if not isinstance(value, str):
            raise BadAuditEntry(f"audit field {name!r} must be text")
        if len(value) > _LIMITS[name]:
            raise BadAuditEntry(f"audit field {name!r} is longer than {_LIMITS[name]}")
        out[name] = value
    user_id = entry.get("user_id")
    if user_id is not None and (not isinstance(user_id, int) or isinstance(user_id, bool)):
        raise BadAuditEntry("audit field 'user_id' must be a number")
    user_uuid = entry.get("user_uuid") or ""
    if not isinstance(user_uuid, str):
        raise BadAuditEntry("audit field 'user_uuid' must be text")
    out["user_id"] = user_id
    out["user_uuid"] = user_uuid
    return out
