"""Pruning the sync engine's bookkeeping on the team server: ``boligsag server prune``.

Two tables grow with every push and nothing else ever shrinks them:

- ``sync_batches``, each push's stored result, there so that a laptop whose answer was
  lost can push the same batch again and get the same result (services/sync/batches.py).
  A batch older than the batches age is removed. Pushed again after that, it is
  claimed anew, and the merge makes that safe (services/sync/merge.py): a
  change the change log shows this batch made is answered with the version it made
  and not applied again; where that entry was pruned too, a create of a uuid the server
  holds is a no-op when the values are the same and a ``created_twice`` conflict when
  they differ, never a second row, and an edit is merged like any edit from an old
  base. Its audit entries are appended again: the audit log then holds them twice, and
  loses none.
- ``sync_changes``, the change log. Only entries superseded by a newer change of the
  same row and older than the changes age are removed; a row's newest entry stays, so a
  pull, which sends each row once at its newest change (services/sync/pull.py), returns
  the same rows before and after. The merge reads the entries after a laptop's base
  version; where some of them are gone it cannot tell which fields changed since, and
  treats every pushed field that differs from the server's value as a conflict
  (merge_reads.History), so nothing is ever silently overwritten. A removed entry may
  have moved a row out of someone's scope: the newest seq removed is kept (the org
  setting ``sync_pruned_through``), and a pull page from a cursor before it tells the
  laptop to compare its holdings (services/sync/holdings_rescope.py).

It runs beside a serving server: it deletes in short transactions of at most
:data:`STRETCH` rows, takes neither a push's ordering lock nor its row locks, and the
pulls already running read their own snapshot. One audit entry in the server's chain
records what it removed (appended as a push's are, under the chain's lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, exists, func, select, text, tuple_
from sqlalchemy.orm import Session, aliased

from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.storage.models import SyncBatch, SyncChange

from .. import org_settings
from ..sync.wire_ids import among
from .accounts import audit_admin
from .handle import ServerDb

__all__ = ["DEFAULT_BATCHES_DAYS", "DEFAULT_CHANGES_DAYS", "STRETCH", "BadAge", "Pruned",
           "prune"]

DEFAULT_CHANGES_DAYS = 180
DEFAULT_BATCHES_DAYS = 30
STRETCH = 5000  # rows looked at (and at most deleted) per transaction
MAX_DAYS = 36500
PRUNED_THROUGH = "sync_pruned_through"  # org setting: the newest seq removed
# Fixed advisory-lock key (the bytes "BSPRUNE" and 1), used for nothing else.
PRUNE_LOCK_KEY = 0x4253_5052_554E_4501


class BadAge(UserError):
    def __init__(self, option: str) -> None:
        super().__init__("{option} must be a whole number of days from 1 to {most}.",
                         option=option, most=MAX_DAYS)


@dataclass(frozen=True)
class Pruned:
    """What a prune removed (a dry run: would remove), and the cut-off times (UTC)."""

    changes: int
    batches: int
    changes_before: datetime
    batches_before: datetime
    dry_run: bool


def prune(server: ServerDb, *, changes_days: int = DEFAULT_CHANGES_DAYS,
          batches_days: int = DEFAULT_BATCHES_DAYS, dry_run: bool = False,
          now: datetime | None = None, stretch: int = STRETCH) -> Pruned:
    """Remove the stored results of batches received more than ``batches_days`` ago and
    the superseded change-log entries made more than ``changes_days`` ago; with
    ``dry_run`` only count them. ``now`` is naive UTC (injectable for tests).

    The log's times are the server's clock (pushes stamp UTC, the server commands local
    time): a few hours either way against an age in days."""
    for option, days in (("--changes-days", changes_days), ("--batches-days", batches_days)):
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            raise BadAge(option)
    now = now or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    changes_before = now - timedelta(days=changes_days)
    batches_before = now - timedelta(days=batches_days)
    batches = _prune_batches(server, batches_before, dry_run, stretch)
    changes = _prune_changes(server, changes_before, dry_run, stretch)
    if not dry_run:
        with server.write() as session:
            audit_admin(server, session, AuditAction.DELETE, entity="sync_changes",
                        entity_uuid=None,
                        detail=f"pruned {changes} superseded change-log entries older than "
                               f"{changes_days} days and {batches} push results older "
                               f"than {batches_days} days")
    return Pruned(changes, batches, changes_before, batches_before, dry_run)


def _prune_batches(server: ServerDb, before: datetime, dry_run: bool, stretch: int) -> int:
    old = SyncBatch.received_at < before
    if dry_run:
        with server.read() as session:
            return session.scalar(select(func.count()).select_from(SyncBatch).where(old)) or 0
    removed = 0
    while True:
        with server.write() as session:  # one short transaction per stretch
            some = select(SyncBatch.device_uuid, SyncBatch.batch_uuid).where(old).limit(stretch)
            done = session.execute(delete(SyncBatch).where(
                tuple_(SyncBatch.device_uuid, SyncBatch.batch_uuid).in_(some))).rowcount
        removed += done
        if done < stretch:
            return removed


def _prune_changes(server: ServerDb, before: datetime, dry_run: bool, stretch: int) -> int:
    """Walk the log in ``seq`` order, a stretch at a time, each stretch's superseded old
    entries deleted in its own transaction.

    The walk ends at the log's end or at the first stretch made entirely after
    ``before``: the log's times grow with ``seq`` except across one push (its clock is
    read at its start, its numbers taken at its end), so an entry beyond that stretch
    stamped earlier is at most a push's duration older than the cut-off; the next run
    removes it."""
    removed = 0
    start = 0
    while True:
        unit = server.read() if dry_run else server.write()
        with unit as session:
            part = (select(SyncChange.seq, SyncChange.table_name, SyncChange.row_uuid,
                           SyncChange.version, SyncChange.at)
                    .where(SyncChange.seq > start).order_by(SyncChange.seq).limit(stretch)
                    .subquery("part"))
            newer = aliased(SyncChange)
            superseded = exists().where(and_(newer.table_name == part.c.table_name,
                                             newer.row_uuid == part.c.row_uuid,
                                             newer.version > part.c.version))
            rows = session.execute(select(part.c.seq, part.c.at, superseded)
                                   .order_by(part.c.seq)).all()
            # An entry once superseded stays so (only this removes entries, and never a
            # row's newest), so what this read found may be deleted by seq alone.
            doomed = [seq for seq, at, old in rows if old and at < before]
            if doomed and not dry_run:
                session.execute(delete(SyncChange).where(among(session, SyncChange.seq,
                                                               doomed)))
                _remember_pruned(session, max(doomed))
        removed += len(doomed)
        if len(rows) < stretch or all(at >= before for _seq, at, _old in rows):
            return removed
        start = rows[-1][0]


def _remember_pruned(session: Session, seq: int) -> None:
    """Raise ``sync_pruned_through`` to ``seq`` in the transaction that removes it: a
    pull page from a cursor before it may have lost a change that moved a row out of
    the actor's scope, so it says rescope (services/sync/holdings_rescope.py). The lock
    keeps two prunes at once from lowering it."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PRUNE_LOCK_KEY})
    if seq > org_settings.get_setting(session, PRUNED_THROUGH):
        org_settings.set_setting(session, PRUNED_THROUGH, seq)
