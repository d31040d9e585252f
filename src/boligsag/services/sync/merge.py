"""One pushed change against the server's row: apply it, merge it, or keep it as a conflict
(design.md "Merge rules"; DESIGN.md §8: conflicts are data, not losses).

- base_version equal to the server's version: the change applies as it is.
- An older base: the fields changed on the server since then are the union of the change
  log's ``fields`` for the versions after the base. A pushed field outside that set
  merges; one inside it whose value differs from the current one is a ``same_field``
  conflict (the current value stays: the first to reach the server wins). Where the log
  no longer covers those versions (pruned, services/server/prune.py), every pushed field
  counts as changed there: a differing value is a conflict, an equal one merges.
- An edit of a row deleted on the server is an ``edit_of_deleted`` conflict; a delete
  from a stale base a ``delete_of_edited`` one (the row stays); a create of a uuid the
  server already holds with other values a ``created_twice`` one.
- A new contact naming a person the server holds as deleted (a colleague deleted them
  while the laptop was offline) is created as it was sent, and a ``contact_for_deleted``
  conflict on its ``people`` field names the deleted people (kept) and who deleted the
  first of them when: the contact would otherwise drop out of every list with its
  person, unseen.
- A change the change log shows this very (device, batch) made before, pushed again
  after ``boligsag server prune`` removed the batch's stored result: applied already,
  answered with the version it made, nothing written again.

Nothing is discarded: each conflict is a ``sync_conflicts`` row holding both values and
who wrote each when, and it syncs like any row. Device clocks order nothing; only the
order in which changes reached the server does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from boligsag.storage.models import Base, Person, SyncConflict, new_uuid

from . import wire
from .actor import SyncActor
from .errors import BadBatch
from .merge_reads import Current, History, Reads
from .ordering import ChangeEntry
from .people_lists import Hidden, with_hidden, without_hidden
from .wire_creates import apply_creates

__all__ = ["CONFLICT_KINDS", "WHOLE_RECORD", "Change", "Outcome", "Push", "create_all",
           "merge_change",
           "write_stamps"]

CONFLICT_KINDS = ("same_field", "edit_of_deleted", "delete_of_edited", "created_twice",
                  "contact_for_deleted")
WHOLE_RECORD = "*"


@dataclass(frozen=True)
class Change:
    """One checked change of a push batch."""

    table: str
    uuid: str
    base_version: int | None
    deleted: bool
    fields: Mapping[str, Any]


@dataclass
class Outcome:
    applied: dict[str, Any] | None = None  # {"table", "uuid", "version"} when it stands
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    log: list[ChangeEntry] = field(default_factory=list)


@dataclass
class Push:
    """What every change of one push shares, and the version stamps of the rows it only
    deletes, written at the end (:func:`write_stamps`): one statement per table instead
    of one per row."""

    actor: SyncActor
    batch_uuid: str
    now: datetime
    reads: Reads  # the batch's rows, read up front (merge_reads.py)
    # The server's list items about people the actor cannot see (people_lists.py):
    # left out of what the merge compares and records, added back to what it writes.
    hidden: Hidden = field(default_factory=dict)
    stamps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def merge_change(session: Session, push: Push, change: Change) -> Outcome:
    """Apply, merge or keep apart ``change``, against the server's row as the push read
    it (push.reads)."""
    current = push.reads.currents.get((change.table, change.uuid))
    if current is None:
        if change.base_version is not None:
            raise BadBatch(f"{change.table} {change.uuid}: the server has no such row "
                           f"(base_version given for a row never pushed)")
        return _create(session, push, change)
    replayed = push.reads.applied_before(change.table, change.uuid, push.actor.user_id,
                                         push.actor.device_id, push.batch_uuid)
    if replayed is not None:
        # This batch was applied before (its result pruned since): what it wrote stands,
        # or was changed by later pushes since; applying it again would only bring back
        # its old values as conflicts, or a create as created_twice.
        return Outcome(applied=_applied(change, replayed))
    if change.base_version is None:
        return _created_twice(session, push, change, current)
    if change.base_version > current.version:
        raise BadBatch(f"{change.table} {change.uuid}: base_version "
                       f"{change.base_version} is newer than the server's")
    if current.deleted:
        _check(session, change, change.fields)  # kept in the conflict, or dropped
        if change.deleted:  # deleted on both sides: nothing to keep apart
            return Outcome(applied=_applied(change, current.version))
        return _whole_conflict(session, push, change, current, "edit_of_deleted",
                               kept={"deleted": True}, other=dict(change.fields))
    if change.base_version == current.version:
        return _write(session, push, change, current, dict(change.fields), change.deleted)
    history = push.reads.history(session, change.table, change.uuid, change.base_version,
                                 current.version)
    if change.deleted:
        _check(session, change, change.fields)
        # The log after the base pruned (merge_reads.History): which fields changed is
        # not known, so the conflict keeps every field's value as the delete found it.
        changed = sorted(history.fields if history.fields is not None
                         else wire.wire_fields(change.table))
        kept = _seen(push, change, push.reads.current_values(
            session, change.table, change.uuid, changed))
        return _whole_conflict(session, push, change, current, "delete_of_edited",
                               kept=kept, other={"deleted": True}, history=history)
    return _merge_fields(session, push, change, current, history)


def _merge_fields(session: Session, push: Push, change: Change, current: Current,
                  history: History) -> Outcome:
    touched = [name for name in change.fields
               if history.fields is None or name in history.fields]
    _check(session, change, {name: change.fields[name] for name in touched})
    now_values = _seen(push, change, push.reads.current_values(
        session, change.table, change.uuid, touched))
    merged = {name: value for name, value in change.fields.items() if name not in touched}
    outcome = Outcome()
    for name in touched:
        if same_value(change.fields[name], now_values.get(name)):
            continue  # both sides wrote the same value: nothing to keep apart
        who = history.last_writer(name)
        outcome.conflicts.append(_conflict(
            session, push, change, name, "same_field", kept=now_values.get(name),
            other=change.fields[name], kept_by=who))
    if merged:
        written = _write(session, push, change, current, merged, False)
        outcome.applied, outcome.log = written.applied, written.log
    elif not outcome.conflicts:
        outcome.applied = _applied(change, current.version)
    outcome.log.extend(_conflict_entries(push, outcome.conflicts))
    return outcome


def _create(session: Session, push: Push, change: Change) -> Outcome:
    uid = push.actor.user_id
    # A created row gets version 1 and its created_*/updated_* from apply_change.
    wire.apply_change(session, change.table, change.uuid, dict(change.fields), create=True,
                      user_id=uid, now=push.now)
    if change.deleted:
        wire.mark_deleted(session, change.table, change.uuid, user_id=uid, now=push.now)
    entry = ChangeEntry(change.table, change.uuid, 1, sorted(change.fields), change.deleted,
                        uid, push.actor.device_id, push.batch_uuid)
    outcome = Outcome(applied=_applied(change, 1), log=[entry])
    _people_deleted_meanwhile(session, push, [change], [outcome])
    return outcome


def create_all(session: Session, push: Push, changes: Sequence[Change]) -> list[Outcome]:
    """:func:`merge_change` for changes that create rows of one table the server does not
    hold (none with a base version), written together (wire_creates.py)."""
    uid = push.actor.user_id
    apply_creates(session, changes[0].table, [(c.uuid, dict(c.fields)) for c in changes],
                  user_id=uid, now=push.now)
    outcomes = []
    for change in changes:
        if change.deleted:
            wire.mark_deleted(session, change.table, change.uuid, user_id=uid, now=push.now)
        entry = ChangeEntry(change.table, change.uuid, 1, sorted(change.fields),
                            change.deleted, uid, push.actor.device_id, push.batch_uuid)
        outcomes.append(Outcome(applied=_applied(change, 1), log=[entry]))
    _people_deleted_meanwhile(session, push, changes, outcomes)
    return outcomes


def _people_deleted_meanwhile(session: Session, push: Push, changes: Sequence[Change],
                              outcomes: list[Outcome]) -> None:
    """A ``contact_for_deleted`` conflict on each new contact that names a person the
    server holds as deleted (one look-up for all of them; none when no contact is new)."""
    named = {c.uuid: [u for u in c.fields.get("people") or [] if isinstance(u, str)]
             for c in changes if c.table == "contacts" and not c.deleted}
    wanted = sorted({u for people in named.values() for u in people})
    if not wanted:
        return
    deleted = {row.uuid: (row.deleted_by_id, row.deleted_at) for row in session.execute(
        select(Person.uuid, Person.deleted_by_id, Person.deleted_at)
        .where(Person.uuid.in_(wanted), Person.deleted_at.is_not(None)))
        # Deleted by this very push (a contact logged, then its person deleted, on the
        # same laptop): what the pusher chose, nothing to show them.
        if (row.deleted_by_id, row.deleted_at) != (push.actor.user_id, push.now)}
    if not deleted:
        return
    for change, outcome in zip(changes, outcomes, strict=True):
        gone = [u for u in named.get(change.uuid, []) if u in deleted]
        if not gone or change.table != "contacts":
            continue
        conflict = _conflict(session, push, change, "people", "contact_for_deleted",
                             kept=gone, other=named[change.uuid], kept_by=deleted[gone[0]])
        outcome.conflicts.append(conflict)
        outcome.log.extend(_conflict_entries(push, [conflict]))


def _write(session: Session, push: Push, change: Change, current: Current,
           values: dict[str, Any], delete: bool) -> Outcome:
    uid = push.actor.user_id
    version = current.version + 1
    if values:  # the row's values and its new version in one UPDATE
        wire.apply_change(session, change.table, change.uuid,
                          with_hidden(push.hidden, change.table, change.uuid, values),
                          create=False, user_id=uid, now=push.now, version=version)
    if delete:
        wire.mark_deleted(session, change.table, change.uuid, user_id=uid, now=push.now)
    if not values:  # a deletion only: its version with the batch's other stamps
        push.stamps.setdefault(change.table, []).append(
            {"_id": current.id, "_version": version, "_user": uid})
    entry = ChangeEntry(change.table, change.uuid, version, sorted(values), delete, uid,
                        push.actor.device_id, push.batch_uuid)
    return Outcome(applied=_applied(change, version), log=[entry])


def _created_twice(session: Session, push: Push, change: Change, current: Current) -> Outcome:
    """A create of a uuid the server holds: a client that lost its batch id and sent the
    create again. The same values are no conflict (a deletion since is the server's
    newer state, which the laptop pulls); other values, or a deletion the server's row
    does not have, are kept apart."""
    _check(session, change, change.fields)
    now_values = _seen(push, change, push.reads.current_values(
        session, change.table, change.uuid, list(change.fields)))
    differing = {name: value for name, value in change.fields.items()
                 if not same_value(value, now_values.get(name))}
    if not differing and (current.deleted or not change.deleted):
        return Outcome(applied=_applied(change, current.version))
    other: dict[str, Any] = dict(differing)
    if change.deleted:
        other["deleted"] = True
    kept = {name: now_values.get(name) for name in differing}
    return _whole_conflict(session, push, change, current, "created_twice", kept=kept,
                           other=other)


def _seen(push: Push, change: Change, values: dict[str, Any]) -> dict[str, Any]:
    """The server's ``values`` as the pushing actor sees them (people_lists.py)."""
    return without_hidden(push.hidden, change.table, change.uuid, values)


def _check(session: Session, change: Change, fields: Mapping[str, Any]) -> None:
    """Pushed values that are not handed to wire.apply_change (kept in a conflict, equal
    to the server's, or given with a deletion) pass its checks all the same: a bad
    value refuses the batch (BadBatch) whatever becomes of it, and a conflict never
    stores what the server would not have taken."""
    if fields:
        wire.check_fields(session, change.table, change.uuid, dict(fields))


def _whole_conflict(session: Session, push: Push, change: Change, current: Current,
                    kind: str, *, kept: Any, other: Any,
                    history: History | None = None) -> Outcome:
    history = history or push.reads.history(session, change.table, change.uuid, 0,
                                            current.version)
    conflict = _conflict(session, push, change, WHOLE_RECORD, kind, kept=kept, other=other,
                         kept_by=history.last_writer(None))
    return Outcome(conflicts=[conflict], log=_conflict_entries(push, [conflict]))


def _conflict(session: Session, push: Push, change: Change, name: str, kind: str, *,
              kept: Any, other: Any, kept_by: tuple[int | None, datetime | None]) -> dict:
    uid = push.actor.user_id
    row = {"uuid": new_uuid(), "version": 1, "table_name": change.table,
           "row_uuid": change.uuid, "field": name, "kind": kind,
           "kept_value": json.dumps(kept, ensure_ascii=False),
           "other_value": json.dumps(other, ensure_ascii=False),
           "kept_user_id": kept_by[0], "kept_at": kept_by[1], "other_user_id": uid,
           "other_device_uuid": push.actor.device_id, "other_at": push.now,
           "resolution": "", "created_at": push.now, "created_by_id": uid,
           "updated_at": push.now, "updated_by_id": uid}
    session.execute(insert(SyncConflict), row)
    return {"uuid": row["uuid"], "table": change.table, "row_uuid": change.uuid,
            "field": name, "kind": kind}


def _conflict_entries(push: Push, conflicts: list[dict]) -> list[ChangeEntry]:
    names = sorted(wire.wire_fields("sync_conflicts"))
    return [ChangeEntry("sync_conflicts", c["uuid"], 1, names, False, push.actor.user_id,
                        push.actor.device_id, push.batch_uuid) for c in conflicts]


def write_stamps(session: Session, push: Push) -> None:
    """The server's own columns of the rows the push deleted without changing a value
    (an edited row got them with its values, in apply_change's UPDATE): the version it
    assigns, and who changed the row when. One UPDATE per table over unnest()ed arrays:
    an executemany would still cost the server one statement per row."""
    for table, stamps in push.stamps.items():
        t = Base.metadata.tables[table]
        session.execute(text(
            f"UPDATE {t.name} SET version = v.version, updated_by_id = v.user_id, "
            "updated_at = :now FROM unnest(CAST(:ids AS integer[]), "
            "CAST(:versions AS integer[]), CAST(:users AS integer[])) "
            f"AS v(id, version, user_id) WHERE {t.name}.id = v.id"),
            {"now": push.now, "ids": [s["_id"] for s in stamps],
             "versions": [s["_version"] for s in stamps],
             "users": [s["_user"] for s in stamps]})
    push.stamps.clear()


def _applied(change: Change, version: int) -> dict[str, Any]:
    return {"table": change.table, "uuid": change.uuid, "version": version}


def same_value(a: Any, b: Any) -> bool:
    """Equal as wire values; a list field (a link set) is a set: its order means nothing."""
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in value)
    return value
