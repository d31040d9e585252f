"""Restoring a database from one of its backups (issue 13 §1; the backups are
services/backups.py's).

:func:`inspect_backup` opens a backup read-only with a user's password (the backup's own
key file) and says when it was taken and what it holds, after ``PRAGMA
integrity_check``: what the user confirms before a restore.

:func:`restore_backup` then, with no Boligsag holding the database open (its ``-shm``
is there exactly while one does):

1. copies the backup and its key file beside the database under temporary names,
   fsynced;
2. moves the current database, its ``-wal`` and its key file ASIDE, to
   ``<name>.before-restore-<YYYYMMDD-HHMMSS>`` (encrypted, as they were), and the copies
   into place;
3. opens the restored database with the same password, checks its row counts against
   the backup's, and appends the audit entry "restored from backup …" to it.

A failure in 2 or 3 puts the current files back; the copies are removed. The files set
aside stay after a good restore, so that nothing written since the backup is lost by a
mistaken restore; the message names them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from boligsag.atomic import fsync_directory, temp_name
from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.services.backups import taken_at_of
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.damage import forget_damage, is_damaged, mark_damaged
from boligsag.storage.engine import open_engine
from boligsag.storage.file_copies import CopyDamaged, checked_counts, table_counts

__all__ = ["BackupContents", "DatabaseOpenElsewhere", "RestoreResult", "inspect_backup",
           "restore_backup"]

class DatabaseOpenElsewhere(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__("{file} is open in Boligsag (or was not closed properly). Close "
                         "every Boligsag that uses it, then restore.", file=str(path))


@dataclass(frozen=True)
class BackupContents:
    path: Path
    taken_at: datetime | None  # from the backup's name (None: renamed by hand)
    counts: dict[str, int]  # rows per table

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RestoreResult:
    contents: BackupContents
    set_aside: list[Path]  # the database's files as they were before the restore


def inspect_backup(backup: Path, username: str, password: str) -> BackupContents:
    """When ``backup`` was taken and its row counts, after an integrity check; opened
    read-only with ``username``'s password in its own key file (WrongPassword …)."""
    backup = Path(backup).absolute()
    _user_uuid, db_key = keys.KeyStore.load(keys.keys_path_for(backup)).unwrap_for_user(
        username, password)
    return _contents(backup, db_key)


def _contents(backup: Path, db_key: bytes) -> BackupContents:
    engine = open_engine(backup, db_key, read_only=True, integrity_check=False)
    try:
        raw = engine.raw_connection()
        try:
            counts = checked_counts(raw.driver_connection, backup)
        finally:
            raw.close()
    finally:
        engine.dispose()
    return BackupContents(backup, taken_at_of(backup), counts)


def restore_backup(backup: Path, target: Path, username: str, password: str, *,
                   now: datetime | None = None) -> RestoreResult:
    """Put ``backup`` in the place of the database at ``target`` (see the module
    docstring); the caller has shown :func:`inspect_backup`'s answer and the user has
    confirmed. DatabaseOpenElsewhere, CopyDamaged, WrongPassword, OSError."""
    backup, target = Path(backup).absolute(), Path(target).absolute()
    contents = inspect_backup(backup, username, password)
    if Path(f"{target}-shm").exists():
        raise DatabaseOpenElsewhere(target)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = target.parent
    target_keys = keys.keys_path_for(target)
    temp, temp_keys = folder / temp_name(), folder / temp_name()
    moved: list[tuple[Path, Path]] = []
    was_damaged = is_damaged(target)  # found damaged in this process (storage/damage.py)
    try:
        _copy(backup, temp)
        _copy(keys.keys_path_for(backup), temp_keys)
        for current in (target, Path(f"{target}-wal"), target_keys):
            if current.exists():
                aside = current.with_name(f"{current.name}.before-restore-{stamp}")
                os.replace(current, aside)
                moved.append((current, aside))
        os.replace(temp_keys, target_keys)
        os.replace(temp, target)
        fsync_directory(folder)
        forget_damage(target)  # a new file there now, and it must take the audit entry
        _check_and_audit(target, username, password, contents)
    except BaseException:
        for name in (temp, temp_keys):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
        if moved:  # the restored files out, the current ones back
            for name in (target, Path(f"{target}-wal"), Path(f"{target}-shm"), target_keys):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)
            for current, aside in moved:
                os.replace(aside, current)
            fsync_directory(folder)
        if was_damaged:  # the damaged file is back in its place
            mark_damaged(target)
        raise
    return RestoreResult(contents, [aside for _current, aside in moved])


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())


def _check_and_audit(target: Path, username: str, password: str,
                     contents: BackupContents) -> None:
    ctx = unlock(target, username, password, options=UnlockOptions(integrity_check=False))
    try:
        raw = ctx.db.engine.raw_connection()
        try:
            counts = table_counts(raw.driver_connection)
        finally:
            raw.close()
        # At least the backup's rows in each of its tables: the unlock itself may add
        # (its audit entry; a migration of an older backup, new tables).
        if any(counts.get(name, -1) < rows for name, rows in contents.counts.items()):
            raise CopyDamaged(target, "the restored database holds fewer rows")
        taken = contents.taken_at.isoformat(sep=" ") if contents.taken_at else "unknown"
        with ctx.write(None) as unit:
            unit.audit(AuditAction.UPDATE, entity="database",
                       detail=f"restored from backup {contents.path.name} (taken {taken}, "
                              f"{contents.rows} rows)"[:300])
    finally:
        lock(ctx)
