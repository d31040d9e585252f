"""A laptop's push (issue 12, design.md "Push"): its outbox and audit entries sent to the
team server as one batch, and the server's answer acknowledged.

No HTTP here: the sender is a callable ``send(batch) -> PushResult`` (the app passes
ServerConnection.push, tests the in-process engine).

1. A batch stored as pending (org setting ``sync_pending_batch``) is sent again first:
   the server knows it by its id and answers its stored result, so a crash between
   sending and acknowledging loses nothing and duplicates nothing.
2. Otherwise the counter's value S is noted and a batch built from the outbox, parents
   first: each row's current wire form restricted to its recorded fields (all of them
   for a row created here), with its base version and deletion, and the audit entries
   after the watermark. It is stored as pending and COMMITTED before it is sent.
3. The acknowledgement is one transaction: inside ``applying`` each applied row takes
   the server's version (no outbox entry for that), and a row kept apart as a conflict
   the version it was pushed from (its local number was never the server's); then
   the batch's outbox entries not changed since S are deleted, those changed since
   keep their fields with the acked version as their new base; the audit watermark
   moves and the pending batch is cleared. Conflicts need nothing more here: they
   arrive by pull.

A refused batch (HTTP 403, or the engine's Refused) applied nothing on the server, and
the server refuses a whole batch for one change outside the user's scope (a person
moved to another area while she edited them offline). Sent again as it is, it would be
refused for ever and hold back every other change. So when the refusal names a change
of the batch (``<table> <uuid>: <reason>``, services/sync/push.py), that change is SET
ASIDE in one transaction: the change as sent (its values) is kept with the reason and
time in the org setting ``sync_refused_changes``, where the user sees it and decides
(services/sync_client/engine.refused_changes); its outbox entry is removed, unless the
row was edited again after the batch was built (the later edit goes in the next push,
and is set aside in turn), and a refused deletion is taken back here, as the server
kept the row; the pending batch is dropped and the next push sends the rest. A
refusal that names no change of the batch drops the pending batch, keeps the outbox and
is raised.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, select, update
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.services import org_settings
from boligsag.services.sync.errors import Refused
from boligsag.services.sync.wire_read import rows_to_wire
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.storage.database import Database
from boligsag.storage.models import AuditEntry, Base, SyncCounter, SyncOutboxEntry, User
from boligsag.storage.sync_applying import applying

from . import refused_facts, server_link
from .errors import ServerRefused

__all__ = ["PushOutcome", "pending_batch", "push_once", "pushable_count", "refused_changes"]

Sender = Callable[[dict[str, Any]], dict[str, Any]]

_CREATED_HERE = "*"
_ORDER = {name: index for index, name in enumerate(SYNCED_TABLES)}
MAX_AUDIT = 5000  # per batch; the server takes up to 20,000
_PENDING = "sync_pending_batch"
_REFUSED = "sync_refused_changes"
MAX_SET_ASIDE = 500  # the oldest beyond this go (each is also in the audit trail)
# The server's refusal names the change first (services/sync/push.py); the transport
# wraps a detail in brackets.
_NAMED = re.compile(r"^\(?([a-z_]+) ([0-9a-f-]{36}): (.*?)\)?$", re.DOTALL)
_WATERMARK = "sync_audit_pushed_through"
_UUID = "acked_row_uuid"  # a parameter name no column has


@dataclass
class PushOutcome:
    sent: int = 0  # changes in the batch sent
    applied: int = 0  # of those, changes the server applied
    conflicts: int = 0  # conflict rows the server recorded
    left: int = 0  # outbox entries with something to push afterwards
    audit: int = 0  # audit entries sent
    resent: bool = False  # the batch was a pending one sent again
    set_aside: int = 0  # a refused change kept aside for the user (see the docstring)


def _database(target: Any) -> Database:
    return target if isinstance(target, Database) else target.db


def pending_batch(target: Any) -> dict[str, Any] | None:
    """The batch sent and not yet acknowledged (as sent), or None."""
    with _database(target).reading() as session:
        pending = _pending(session)
    return None if pending is None else pending["batch"]


def _pending(session: Session) -> dict[str, Any] | None:
    text = str(org_settings.get_setting(session, _PENDING))
    return json.loads(text) if text else None


def _pushable(entry: SyncOutboxEntry) -> bool:
    # An entry without fields that is not a deletion only remembers a base (C2's rule).
    return entry.deleted or json.loads(entry.fields) != []


def _wire_by_uuid(session: Session, table: str, uuids: list[str]) -> dict[str, dict]:
    t = Base.metadata.tables[table]
    ids = list(session.scalars(select(t.c.id).where(t.c.uuid.in_(uuids))))
    return {row["uuid"]: row for row in rows_to_wire(session, table, ids)} if ids else {}


def _changes(session: Session, limit: int) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Up to ``limit`` changes, parents first, and the outbox keys of rows no longer
    here (nothing to send; their entries go with the acknowledgement)."""
    entries = sorted((e for e in session.scalars(select(SyncOutboxEntry)) if _pushable(e)),
                     key=lambda e: (_ORDER.get(e.table_name, len(_ORDER)), e.local_seq))
    entries = entries[:limit]
    by_table: dict[str, list[SyncOutboxEntry]] = {}
    for entry in entries:
        by_table.setdefault(entry.table_name, []).append(entry)
    wire_rows: dict[tuple[str, str], dict] = {}
    for table, group in by_table.items():
        for row_uuid, row in _wire_by_uuid(session, table, [e.row_uuid for e in group]).items():
            wire_rows[(table, row_uuid)] = row
    changes: list[dict[str, Any]] = []
    gone: list[list[str]] = []
    for entry in entries:
        row = wire_rows.get((entry.table_name, entry.row_uuid))
        if row is None:
            gone.append([entry.table_name, entry.row_uuid])
            continue
        names = json.loads(entry.fields)
        fields = (dict(row["fields"]) if _CREATED_HERE in names
                  else {n: row["fields"][n] for n in names if n in row["fields"]})
        changes.append({"table": entry.table_name, "uuid": entry.row_uuid,
                        "base_version": entry.base_version, "deleted": bool(entry.deleted),
                        "fields": fields})
    return changes, gone


def _audit(session: Session, after: int) -> list[dict[str, Any]]:
    """The audit entries after id ``after``, in the shape server_audit.append takes
    (the user by uuid: this laptop's ids mean nothing on the server), with their id."""
    rows = session.execute(
        select(AuditEntry, User.uuid).outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.id > after).order_by(AuditEntry.id).limit(MAX_AUDIT)).all()
    return [{"id": e.id, "at": e.at.isoformat(), "action": AuditAction(e.action).value,
             "user_uuid": user_uuid or "",
             "username": e.username or "", "entity": e.entity or "",
             "entity_uuid": e.entity_uuid or "", "person_uuid": e.person_uuid or "",
             "detail": e.detail or ""} for e, user_uuid in rows]


def _build(db: Database, limit: int) -> dict[str, Any] | None:
    """Build, store as pending and commit the next batch; None when nothing waits."""
    with db.writing(None) as session:
        seq = session.scalar(select(SyncCounter.local_seq).where(SyncCounter.id == 1)) or 0
        changes, gone = _changes(session, limit)
        watermark = int(org_settings.get_setting(session, _WATERMARK))
        audit = _audit(session, watermark)
        if not changes and not gone and not audit:
            return None
        through = audit[-1]["id"] if audit else watermark
        batch = {"batch_id": str(uuid.uuid4()), "changes": changes,
                 "audit": [{k: v for k, v in a.items() if k != "id"} for a in audit]}
        pending = {"batch": batch, "seq": seq, "audit_through": through, "gone": gone}
        org_settings.set_setting(session, _PENDING, json.dumps(pending))
        return pending


@cache
def _set_version(table: str) -> Executable:
    t = Base.metadata.tables[table]
    return update(t).where(t.c.uuid == bindparam(_UUID))


def _ack(db: Database, pending: dict[str, Any], result: dict[str, Any]) -> None:
    seq = int(pending["seq"])
    acked: dict[tuple[str, str], int | None] = {
        (c["table"], c["uuid"]): None for c in pending["batch"]["changes"]}
    for applied in result.get("applied", []):
        acked[(applied["table"], applied["uuid"])] = int(applied["version"])
    for table, row_uuid in pending["gone"]:
        acked[(table, row_uuid)] = None
    # A change the server kept apart as a conflict (not applied) leaves its row at a
    # local version number the server never had; the next edit here would record that
    # number as its base and the server refuse the batch for ever ("base_version ... is
    # newer than the server's"). The row goes back to the version it was pushed from.
    bases = {(c["table"], c["uuid"]): c["base_version"] or 1
             for c in pending["batch"]["changes"]}
    with db.writing(None) as session:
        with applying(session):
            for (table, row_uuid), version in acked.items():
                version = version if version is not None else bases.get((table, row_uuid))
                if version is not None:
                    session.execute(_set_version(table), {"version": version,
                                                          _UUID: row_uuid})
        for (table, row_uuid), version in acked.items():
            entry = session.get(SyncOutboxEntry, (table, row_uuid))
            if entry is None:
                continue
            if entry.local_seq <= seq:
                session.delete(entry)
            elif version is not None:
                entry.base_version = version
        org_settings.set_setting(session, _WATERMARK, int(pending["audit_through"]))
        org_settings.set_setting(session, _PENDING, "")


def _refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, ServerRefused):
        return refusal.detail
    return str(getattr(refusal, "message", "") or refusal)


def _set_aside(target: Any, db: Database, pending: dict[str, Any],
               refusal: Exception) -> bool:
    """Drop the pending batch; set the refused change aside when the refusal names one
    of the batch's changes. Whether it did (one transaction either way).

    The row's outbox entry goes with it, unless the row was edited again after the
    batch was built (a pending batch sent again after an offline edit): then the entry
    stays, and its next push, the later edit with it, is refused and set aside in turn
    (before, that later edit was lost)."""
    batch = pending["batch"]
    named = _NAMED.match(_refusal_text(refusal).strip())
    change = None
    if named is not None:
        table, row_uuid = named.group(1), named.group(2)
        change = next((c for c in batch["changes"]
                       if c["table"] == table and c["uuid"] == row_uuid), None)
    with db.writing(None) as session:
        org_settings.set_setting(session, _PENDING, "")
        if change is None:
            return False
        entry = session.get(SyncOutboxEntry, (change["table"], change["uuid"]))
        if entry is not None and entry.local_seq <= int(pending["seq"]):
            session.delete(entry)
            if change.get("deleted"):
                # The server keeps the row: so does this laptop, until the comparison
                # after this push drops it (out of her scope) or she decides.
                with applying(session):
                    t = Base.metadata.tables[change["table"]]
                    session.execute(update(t).where(t.c.uuid == change["uuid"])
                                    .values(deleted_at=None, deleted_by_id=None))
        if change.get("base_version") is not None:
            # As in _ack: the row's local version number was never the server's, and a
            # next edit from it (should the comparison after this push not run) would
            # be refused for ever.
            with applying(session):
                session.execute(_set_version(change["table"]),
                                {"version": int(change["base_version"]),
                                 _UUID: change["uuid"]})
        # Its local values are the refused ones, at the server's version: the next
        # comparison fetches the server's row (or drops it, out of her scope).
        server_link.add_refetch(session, change["table"], change["uuid"])
        now = datetime.now() if isinstance(target, Database) else target.clock.now()
        kept = list(org_settings.get_setting(session, _REFUSED) or [])
        kept.append({"change": change, "reason": named.group(3).strip() if named else "",
                     "at": now.replace(microsecond=0).isoformat(),
                     # Whose it is, and whom it is about while the record is still here
                     # (the reconcile after a refusal may remove it): refused.py shows it.
                     "by": None if isinstance(target, Database) else target.actor.user_uuid,
                     "about": refused_facts.snapshot(session, change["table"],
                                                     change["uuid"])})
        org_settings.set_setting(session, _REFUSED, kept[-MAX_SET_ASIDE:])
    return True


def refused_changes(session: Session) -> list[dict[str, Any]]:
    """The changes set aside after a refusal, oldest first: ``{"change", "reason",
    "at", "by", "about"}`` each, ``change`` as it was sent (table, uuid, base_version,
    deleted, fields), ``by`` the pushing user's uuid (None when pushed without an
    AppContext), ``about`` refused_facts.snapshot of the record then."""
    return list(org_settings.get_setting(session, _REFUSED) or [])


def pushable_count(session: Session) -> int:
    """Outbox entries with something to push (the status bar's waiting changes)."""
    return sum(1 for e in session.scalars(select(SyncOutboxEntry)) if _pushable(e))


def _left(db: Database) -> int:
    with db.reading() as session:
        return pushable_count(session)


def push_once(target: Any, send: Sender, *, limit: int = 1000) -> PushOutcome:
    """Send one batch (the pending one first) and acknowledge the answer; the counts.
    ``target`` is an AppContext or a Database. A refusal naming one of the batch's
    changes sets it aside (the module docstring); another refusal is raised after the
    pending batch is dropped; any other failure of ``send`` leaves it pending."""
    db = _database(target)
    with db.reading() as session:
        pending = _pending(session)
    resent = pending is not None
    if pending is None:
        pending = _build(db, limit)
    if pending is None:
        return PushOutcome(left=_left(db))
    batch = pending["batch"]
    try:
        result = send(batch)
    except (Refused, ServerRefused) as refusal:
        if _set_aside(target, db, pending, refusal):
            return PushOutcome(left=_left(db), resent=resent, set_aside=1)
        raise
    _ack(db, pending, result)
    return PushOutcome(sent=len(batch["changes"]), applied=len(result.get("applied", [])),
                       conflicts=len(result.get("conflicts", [])), left=_left(db),
                       audit=len(batch["audit"]), resent=resent)
