"""What the merge of one push reads, fetched for the whole batch at once (merge.py).

After the push has locked the rows its batch names (push.lock_rows), nobody else can
change them until it commits, and the batch names each row once, so every row's state,
change log and wire values can be read up front, a few statements per table instead of
several per change: the server's rows (:func:`read_for_merge`), and for the changes that
did not start from the server's version, the change log after their base and the
values they may conflict with.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.storage.models import Base, SyncChange

from . import wire
from .wire_ids import among, chunks, row_ids

__all__ = ["Current", "History", "LogEntry", "Reads", "read_for_merge"]

Key = tuple[str, str]  # (table, row uuid)


class Named(Protocol):
    """A change as far as these reads need it (merge.Change)."""

    @property
    def table(self) -> str: ...
    @property
    def uuid(self) -> str: ...
    @property
    def base_version(self) -> int | None: ...


@dataclass(frozen=True)
class Current:
    """The server's row as the merge found it."""

    id: int
    version: int
    deleted: bool


@dataclass(frozen=True)
class LogEntry:
    version: int
    fields: frozenset[str]
    user_id: int | None
    at: datetime
    device_uuid: str | None = None
    batch_uuid: str | None = None


@dataclass(frozen=True)
class History:
    """The change log of one row after a base version: ``fields`` is None when the log
    does not cover every version (rows written before the log existed, or entries
    removed by ``boligsag server prune``, services/server/prune.py), in which case every
    field counts as changed: each pushed value that differs from the server's is a
    conflict, none overwrites it."""

    fields: frozenset[str] | None
    writers: tuple[LogEntry, ...]

    def last_writer(self, name: str | None) -> tuple[int | None, datetime | None]:
        """Who wrote ``name`` last (None: the row itself, any change), and when."""
        for entry in reversed(self.writers):
            if name is None or name in entry.fields:
                return entry.user_id, entry.at
        return None, None


@dataclass
class Reads:
    currents: dict[Key, Current]
    logs: dict[Key, list[LogEntry]]  # every logged version, for the rows read up front
    values: dict[Key, dict[str, Any]]  # every wire field, for the rows read up front

    def history(self, session: Session, table: str, uuid: str, base: int,
                version: int) -> History:
        entries = self.logs.get((table, uuid))
        if entries is None:  # a row not read up front (a rarer conflict)
            entries = _logs(session, table, [uuid]).get((table, uuid), [])
        window = tuple(e for e in entries if base < e.version <= version)
        complete = len({e.version for e in window}) == version - base
        fields = frozenset().union(*(e.fields for e in window)) if complete else None
        return History(fields, window)

    def applied_before(self, table: str, uuid: str, user_id: int, device_uuid: str,
                       batch_uuid: str) -> int | None:
        """The version this (device, batch) gave the row, if the log holds it: the batch
        was applied before and is pushed again after ``boligsag server prune`` removed
        its stored result (batches.py). Only rows read up front are looked at; a batch
        applied to a row before cannot be one that starts from the row's version."""
        for entry in self.logs.get((table, uuid), ()):
            if (entry.batch_uuid, entry.device_uuid, entry.user_id) == (
                    batch_uuid, device_uuid, user_id):
                return entry.version
        return None

    def current_values(self, session: Session, table: str, uuid: str,
                       names: Iterable[str]) -> dict[str, Any]:
        row = self.values.get((table, uuid))
        if row is None:
            return wire.current_values(session, table, uuid, names)
        return {name: row[name] for name in names}


def read_for_merge(session: Session, changes: Sequence[Named]) -> Reads:
    """The rows the changes name; for those that exist and were pushed from an older
    version (or created again), their change log and current wire values too."""
    currents = _current_rows(session, changes)
    stale: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        current = currents.get((change.table, change.uuid))
        if current is not None and (change.base_version is None or (
                not current.deleted and change.base_version < current.version)):
            stale[change.table].append(change.uuid)
    logs: dict[Key, list[LogEntry]] = {}
    values: dict[Key, dict[str, Any]] = {}
    for table, uuids in stale.items():
        found = _logs(session, table, uuids)
        for uuid in uuids:
            logs[(table, uuid)] = found.get((table, uuid), [])
        rows = wire.rows_to_wire(session, table, [currents[(table, u)].id for u in uuids])
        values.update(((table, row["uuid"]), row["fields"]) for row in rows)
    return Reads(currents, logs, values)


def _current_rows(session: Session, changes: Sequence[Named]) -> dict[Key, Current]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for change in changes:
        wanted[change.table].append(change.uuid)
    found: dict[Key, Current] = {}
    known = row_ids(session)
    for table, uuids in wanted.items():
        t = Base.metadata.tables[table]
        for part in chunks(session, uuids):
            for row in session.execute(select(t.c.uuid, t.c.id, t.c.version, t.c.deleted_at)
                                       .where(among(session, t.c.uuid, part))):
                found[(table, row.uuid)] = Current(row.id, row.version,
                                                   row.deleted_at is not None)
                # wire.apply_change then finds the row's id without asking again.
                known.remember(table, row.id, row.uuid)
    return found


def _logs(session: Session, table: str, uuids: Sequence[str]) -> Mapping[Key, list[LogEntry]]:
    found: dict[Key, list[LogEntry]] = defaultdict(list)
    for part in chunks(session, list(uuids)):
        for row in session.execute(
                select(SyncChange.row_uuid, SyncChange.version, SyncChange.fields,
                       SyncChange.user_id, SyncChange.at, SyncChange.device_uuid,
                       SyncChange.batch_uuid)
                .where(SyncChange.table_name == table,
                       among(session, SyncChange.row_uuid, part))
                .order_by(SyncChange.row_uuid, SyncChange.version)):
            found[(table, row.row_uuid)].append(LogEntry(
                row.version, frozenset(json.loads(row.fields)), row.user_id, row.at,
                row.device_uuid, row.batch_uuid))
    return found
