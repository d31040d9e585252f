"""A laptop's push: the rows it changed, each with the version it started from, applied in
one transaction on the team server (design.md "Sync engine", issue 11 §3).

In the caller's transaction, which commits right after :func:`push` returns:

1. the batch is claimed in ``sync_batches`` (batches.py): a batch already received
   returns its stored result and changes nothing;
2. the rows the batch touches are locked (per-row advisory locks, in one fixed order),
   so two pushes of one row merge one after the other instead of racing; then they are
   read, with what their merge needs, a few statements per table (merge_reads.py);
3. the whole batch is checked against the actor's scope (scope.may_write_all, a few
   look-ups per table), one refusal refusing it all (:class:`Refused`); then each
   change, parents before children, is merged (merge.py), over the part of its
   people lists the actor sees (people_lists.py); an edited row gets its new version
   in the UPDATE of its values, a row only deleted at the end, one statement per table;
4. the result is stored with the batch; the changes are numbered under the ordering
   lock (ordering.py) and the device's row updated; the laptop's audit entries are
   appended last. The locks are taken in the order of ordering.py's docstring.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from boligsag.services import server_audit

from . import batches, ordering, people_lists, scope, wire, wire_creates
from .actor import SyncActor
from .errors import BadBatch, Refused
from .merge import Change, Push, create_all, merge_change, write_stamps
from .merge_reads import Reads, read_for_merge
from .ordering import ChangeEntry
from .people_lists import without_hidden

__all__ = ["MAX_CHANGES", "push"]

MAX_CHANGES = 5000  # per batch: a laptop sends more in several batches
MAX_AUDIT = 20000
# Advisory lock class of the per-row locks (two-key form: apart from the one-key locks of
# ordering.py and server_audit.py).
ROW_LOCK_CLASS = 0x4253524F  # "BSRO"


def push(session: Session, actor: SyncActor, batch: object, *, audit_key: bytes,
         now: datetime | None = None) -> dict[str, Any]:
    """Apply ``batch`` (a PushBatch) for ``actor`` and return the PushResult.

    Raises BadBatch for a malformed batch and Refused when a change is outside the
    actor's scope; either way the caller rolls back and nothing is applied. ``now`` is
    the server's clock (injectable for tests): naive UTC, as in the server's own tables
    (services/server/accounts.py), and never a device's clock."""
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    batch_uuid, changes, audit = _checked_batch(batch)
    stored = batches.claim(session, actor, batch_uuid, now)
    if stored is not None:
        return stored
    lock_rows(session, changes)
    reads = read_for_merge(session, changes)
    # No "refused" list: one refused change refuses the whole batch (Refused, HTTP 403).
    result: dict[str, Any] = {"batch_id": batch_uuid, "applied": [], "conflicts": []}
    log: list[ChangeEntry] = []
    ordered = _parents_first(changes)
    reasons = scope.may_write_all(session, actor, [_as_dict(c) for c in ordered])
    for change, reason in zip(ordered, reasons, strict=True):
        if reason is not None:
            raise Refused(f"{change.table} {change.uuid}: {reason}")
    hidden = people_lists.hidden_members(session, actor, ordered)
    context = Push(actor, batch_uuid, now, reads, hidden)
    # Items about people hidden from the actor are the server's to keep: a laptop never
    # holds them, and one that sends them anyway does not set them.
    visible = [Change(c.table, c.uuid, c.base_version, c.deleted,
                      without_hidden(hidden, c.table, c.uuid, c.fields)) for c in ordered]
    for run in _runs(visible, reads):
        outcomes = (create_all(session, context, run) if len(run) > 1
                    else [merge_change(session, context, run[0])])
        for outcome in outcomes:
            if outcome.applied is not None:
                result["applied"].append(outcome.applied)
            result["conflicts"].extend(outcome.conflicts)
            log.extend(outcome.log)
    write_stamps(session, context)
    batches.store_result(session, actor, batch_uuid, result)
    ordering.log_changes(session, log, now=now, device_uuid=actor.device_id)
    if audit:
        try:
            server_audit.append(session, audit_key, audit)
        except server_audit.BadAuditEntry as exc:
            raise BadBatch(f"audit: {exc}") from None
    return result


def _runs(changes: Sequence[Change], reads: Reads) -> list[list[Change]]:
    """The changes in order, cut into runs to apply together: consecutive creates of one
    table the server does not hold (merge.create_all), every other change on its own."""
    runs: list[list[Change]] = []
    open_table: str | None = None  # the table of the run of creates that is open, if any
    for change in changes:
        new = (change.base_version is None and wire_creates.batchable(change.table)
               and (change.table, change.uuid) not in reads.currents)
        if new and change.table == open_table:
            runs[-1].append(change)
        else:
            runs.append([change])
        open_table = change.table if new else None
    return runs


def lock_rows(session: Session, changes: Sequence[Change]) -> None:
    """Lock every row the batch names, existing or about to be created, in ascending key
    order: a concurrent push of the same row waits here until this one commits, and two
    pushes never wait on each other in a circle. A key collision only serialises two
    unrelated rows."""
    keys = sorted({_row_key(c.table, c.uuid) for c in changes})
    if keys:
        session.execute(text(
            "SELECT pg_advisory_xact_lock(:cls, k) FROM unnest(CAST(:keys AS integer[])) "
            "WITH ORDINALITY AS t(k, n) ORDER BY n"), {"cls": ROW_LOCK_CLASS, "keys": keys})


def _row_key(table: str, row_uuid: str) -> int:
    digest = hashlib.blake2b(f"{table}:{row_uuid}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _parents_first(changes: Sequence[Change]) -> list[Change]:
    order = {name: i for i, name in enumerate(wire.SYNCED_TABLES)}
    return sorted(changes, key=lambda c: order[c.table])  # stable: batch order within a table


def _as_dict(change: Change) -> dict[str, Any]:
    return {"table": change.table, "uuid": change.uuid, "base_version": change.base_version,
            "deleted": change.deleted, "fields": dict(change.fields)}


def _checked_batch(batch: object) -> tuple[str, list[Change], list[Mapping[str, Any]]]:
    if not isinstance(batch, Mapping):
        raise BadBatch("the batch must be an object")
    unknown = set(batch) - {"batch_id", "changes", "audit"}
    if unknown:
        raise BadBatch(f"unknown batch keys: {', '.join(sorted(map(str, unknown)))}")
    batch_uuid = _checked_uuid(batch.get("batch_id"), "batch_id")
    changes = batch.get("changes", [])
    audit = batch.get("audit", [])
    if not isinstance(changes, list) or len(changes) > MAX_CHANGES:
        raise BadBatch(f"'changes' must be a list of at most {MAX_CHANGES}")
    if not isinstance(audit, list) or len(audit) > MAX_AUDIT:
        raise BadBatch(f"'audit' must be a list of at most {MAX_AUDIT}")
    checked = [_checked_change(change, i) for i, change in enumerate(changes)]
    seen: set[tuple[str, str]] = set()
    for i, change in enumerate(checked):
        if (change.table, change.uuid) in seen:
            raise BadBatch(f"changes[{i}]: {change.table} {change.uuid} twice in one batch")
        seen.add((change.table, change.uuid))
    # A laptop's own users.id means nothing here: its entries name their user by uuid.
    entries = [{k: v for k, v in e.items() if k != "user_id"} if isinstance(e, Mapping) else e
               for e in audit]
    return batch_uuid, checked, entries


def _checked_change(change: object, i: int) -> Change:
    where = f"changes[{i}]"
    if not isinstance(change, Mapping):
        raise BadBatch(f"{where}: must be an object")
    unknown = set(change) - {"table", "uuid", "base_version", "deleted", "fields"}
    if unknown:
        raise BadBatch(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    table = change.get("table")
    if table not in wire.SYNCED_TABLES:
        raise BadBatch(f"{where}: 'table' is not a synced table")
    row_uuid = _checked_uuid(change.get("uuid"), f"{where}.uuid")
    base = change.get("base_version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 1):
        raise BadBatch(f"{where}: 'base_version' must be null or a positive integer")
    deleted = change.get("deleted", False)
    if not isinstance(deleted, bool):
        raise BadBatch(f"{where}: 'deleted' must be true or false")
    fields = change.get("fields", {})
    if not isinstance(fields, Mapping):
        raise BadBatch(f"{where}: 'fields' must be an object")
    extra = set(fields) - wire.wire_fields(table)
    if extra:
        raise BadBatch(f"{where}: {table} has no field(s) "
                       f"{', '.join(sorted(map(str, extra)))}")
    if not fields and not deleted and base is not None:
        raise BadBatch(f"{where}: a change with no fields and no deletion")
    return Change(table, row_uuid, base, deleted, dict(fields))


def _checked_uuid(value: object, where: str) -> str:
    if not isinstance(value, str) or len(value) != 36:
        raise BadBatch(f"{where}: expected a uuid")
    try:
        uuid_module.UUID(value)
    except ValueError:
        raise BadBatch(f"{where}: expected a uuid") from None
    return value
