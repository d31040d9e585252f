"""Encrypted backups of the open database (issue 13 §1).

A backup is two files in the backup folder (a network drive, a USB disk):
``boligsag-backup-<db>-<YYYYMMDD-HHMMSS>.db`` (``-2`` … added for a second backup in
the same second), a copy of the database under its own key
(storage/file_copies.py: SQLite's online backup API, never a plaintext byte), and the
same name with ``.keys``: a copy of the key file, which holds wrapped keys only and
without which the copy could not be opened. ``<db>`` is the first 8 characters of the
database's id, so one folder can take the backups of several databases, and no name
says whose data it holds.

Both are written under temporary names, the copy fsynced and then VERIFIED: it opens
with the key, ``PRAGMA integrity_check`` passes, and its row counts equal the source's
at the copy's moment. Only then are they renamed into place: a file with a backup's
name is always a verified backup. The result is audited either way ("backup … verified:
N rows" as an export; a failed one as a failed output, and raised: it is not a backup).

:func:`rotate` keeps the 8 newest backups and the newest of each of the last 7 days, 4
weeks and 12 months (:class:`Keep`; the days, weeks and months are chosen in
Administration, :func:`set_keep`) and removes the rest of this database's, both files.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from boligsag.atomic import TEMP_PREFIX, TEMP_SUFFIX, fsync_directory, temp_name
from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.errors import UserError
from boligsag.services import org_settings
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.storage import audit_anchor, keys
from boligsag.storage.damage import is_damaged
from boligsag.storage.errors import DatabaseDamaged
from boligsag.storage.file_copies import CopyDamaged, verify_copy, write_copy
from boligsag.storage.models import AuditEntry

__all__ = ["Backup", "BackupFolderMissing", "Keep", "automatic_backup", "backup_folder",
           "changed_since_last_backup", "keep_of", "last_backup_at", "list_backups", "rotate",
           "set_backup_folder", "set_keep", "take_backup", "taken_at_of"]

PREFIX = "boligsag-backup-"
_NAME = re.compile(re.escape(PREFIX) + r"([0-9a-f]{8})-(\d{8}-\d{6})(?:-(\d+))?\.db")
_STAMP = "%Y%m%d-%H%M%S"
_TAKEN = re.compile(r"-(\d{8}-\d{6})(?:-\d+)?\.db$")  # in any name, for a restore
ABANDONED_AFTER_S = 3600


class BackupFolderMissing(UserError):
    def __init__(self, folder: Path) -> None:
        super().__init__("The backup folder {folder} cannot be reached. Connect the drive "
                         "or choose another folder.", folder=str(folder))


class BackupTooSoon(UserError):
    def __init__(self, path: Path) -> None:
        super().__init__("A backup named {file} exists already; wait a second and try "
                         "again.", file=str(path))


@dataclass(frozen=True)
class Backup:
    path: Path  # the copy; its key file is keys.keys_path_for(path)
    taken_at: datetime  # local time, to the second
    rows: int = 0  # rows in all tables (known for a backup just taken)


@dataclass(frozen=True)
class Keep:
    """How many backups rotation keeps: the ``recent`` newest, and the newest of each
    of the last ``daily`` days, ``weekly`` ISO weeks and ``monthly`` months."""

    recent: int = 8  # the newest few, whatever their day (several locks in a day)
    daily: int = 7
    weekly: int = 4
    monthly: int = 12


# What an administrator may choose: at least one of each (the newest backup of today
# is always kept), at most ten years of monthly ones.
KEEP_LIMITS = {"daily": (1, 90), "weekly": (1, 104), "monthly": (1, 120)}


def keep_of(ctx: AppContext) -> Keep:
    """The rotation chosen in Administration (Keep's defaults until one is)."""
    with ctx.db.reading() as session:
        chosen = org_settings.get_setting(session, "backup_keep") or {}
    return Keep(**{name: int(chosen[name]) for name in KEEP_LIMITS if name in chosen})


def set_keep(ctx: AppContext, daily: int, weekly: int, monthly: int) -> Keep:
    """Choose how many daily, weekly and monthly backups rotation keeps (the settings
    permission; audited); ValidationFailed outside KEEP_LIMITS."""
    ctx.require(Permission.MANAGE_SETTINGS)
    chosen = {"daily": daily, "weekly": weekly, "monthly": monthly}
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    for name, value in chosen.items():
        low, high = KEEP_LIMITS[name]
        if not low <= value <= high:
            problems[name] = ("Choose a number from {low} to {high}.", {"low": low, "high": high})
    if problems:
        raise ValidationFailed(problems)
    with ctx.write(Permission.MANAGE_SETTINGS) as unit:
        org_settings.set_setting(unit.session, "backup_keep", chosen)
        unit.audit(AuditAction.UPDATE, entity="settings",
                   detail=f"backup rotation: {daily} daily, {weekly} weekly, {monthly} monthly")
    return Keep(**chosen)


def _database_tag(ctx: AppContext) -> str:
    with ctx.db.reading() as session:
        database_id = str(org_settings.get_setting(session, "database_id"))
    return tag_of(database_id)


def tag_of(database_id: str) -> str:
    """The first 8 characters of a database id, as backup names carry it."""
    tag = database_id.replace("-", "")[:8].lower()
    if not re.fullmatch(r"[0-9a-f]{8}", tag):
        raise ValueError("the database has no id")
    return tag


def take_backup(ctx: AppContext, folder: Path, *, automatic: bool = False) -> Backup:
    """Write and verify a backup of ``ctx``'s database into ``folder`` (see the module
    docstring). A manual backup needs the settings permission; an automatic one (at
    lock or close, daily) is the program's and is made for any user. Raises
    BackupFolderMissing, CopyDamaged (audited), DatabaseDamaged (the database was
    found damaged: a copy of it is no backup), OSError (disk full, …)."""
    if not automatic:
        ctx.require(Permission.MANAGE_SETTINGS)
    if is_damaged(ctx.db.path):
        raise DatabaseDamaged(ctx.db.path or folder)
    taken_at = ctx.clock.now().replace(microsecond=0)
    try:
        final, counts = write_verified_backup(ctx.db.engine, ctx.db_key, ctx.key_file(),
                                              Path(folder), _database_tag(ctx), taken_at)
    except CopyDamaged:
        _audit(ctx, AuditAction.OUTPUT_FAILED, "backup failed its verification")
        raise
    rows = sum(counts.values())
    _audit(ctx, AuditAction.EXPORT,
           f"backup {final.name} {'(automatic) ' if automatic else ''}verified: {rows} rows "
           f"in {len(counts)} tables")
    with ctx.write(None) as unit:  # after the entry above: it is no change to back up
        newest = unit.session.scalar(select(func.max(AuditEntry.id))) or 0
        org_settings.set_setting(unit.session, "backup_last",
                                 {"at": taken_at.isoformat(), "audit_id": newest})
    return Backup(final, taken_at, rows)


def write_verified_backup(engine: Engine, db_key: bytes, key_file: Path, folder: Path,
                          tag: str, taken_at: datetime) -> tuple[Path, dict[str, int]]:
    """The backup itself, without a signed-in user (also before a migration, when the
    schema is not yet the one the services know): the key file copied, the database
    copied and verified, both renamed into place. The backup's path and the row counts
    it was verified against. BackupFolderMissing, CopyDamaged, OSError."""
    if not folder.is_dir():
        raise BackupFolderMissing(folder)
    final = _free_name(folder, f"{PREFIX}{tag}-{taken_at.strftime(_STAMP)}")
    _remove_abandoned(folder)
    temp = folder / temp_name()
    temp_keys = folder / temp_name()
    try:
        # The key file first, its audit anchor written out: the copy made after it then
        # holds at least the entries the anchor names (an anchor ahead of its chain
        # would read as entries cut off).
        audit_anchor.flush(key_file)
        shutil.copyfile(key_file, temp_keys)
        os.chmod(temp_keys, 0o600)
        with open(temp_keys, "rb+") as handle:
            os.fsync(handle.fileno())
        counts = write_copy(engine, db_key, temp)
        verify_copy(temp, db_key, counts)
        os.replace(temp_keys, keys.keys_path_for(final))
        os.replace(temp, final)
        fsync_directory(folder)
    finally:
        for leftover in (temp, temp_keys):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
    return final, counts


# Audit actions that change nothing in the data: no reason for another backup.
_READ_ONLY_ACTIONS = (AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.VIEW,
                      AuditAction.EXPORT, AuditAction.PRINT, AuditAction.SAVE_PDF,
                      AuditAction.OUTPUT_FAILED)


def changed_since_last_backup(ctx: AppContext) -> bool:
    """Whether anything was changed here (an audit entry that is not a log-in, a view
    or an export) since the last verified backup; True when there was none."""
    with ctx.db.reading() as session:
        last = org_settings.get_setting(session, "backup_last") or {}
        after = int(last.get("audit_id", 0))
        return session.scalar(select(AuditEntry.id).where(
            AuditEntry.id > after,
            AuditEntry.action.not_in([a.value for a in _READ_ONLY_ACTIONS])).limit(1)) is not None


def last_backup_at(ctx: AppContext) -> datetime | None:
    with ctx.db.reading() as session:
        last = org_settings.get_setting(session, "backup_last") or {}
    return datetime.fromisoformat(last["at"]) if last.get("at") else None


def automatic_backup(ctx: AppContext, *, older_than: timedelta | None = None,
                     protect: frozenset[Path] = frozenset()) -> Backup | None:
    """The program's own backup (at lock and close, and daily while open): made into the
    chosen folder when something changed since the last one and, with ``older_than``,
    only when that one is older; then the folder is rotated. None when nothing was due
    or no folder is chosen, and when the database was found damaged (its copy would
    rotate a good backup out); BackupFolderMissing when the folder cannot be reached."""
    folder = backup_folder(ctx)
    if folder is None or is_damaged(ctx.db.path) or not changed_since_last_backup(ctx):
        return None
    last = last_backup_at(ctx)
    if older_than is not None and last is not None and ctx.clock.now() - last < older_than:
        return None
    made = take_backup(ctx, folder, automatic=True)
    rotate(folder, ctx, keep_of(ctx), protect=protect)
    return made


def _free_name(folder: Path, stem: str) -> Path:
    """``stem.db``, or ``stem-2.db`` … when a backup was taken in the same second."""
    for number in range(1, 100):
        path = folder / (f"{stem}.db" if number == 1 else f"{stem}-{number}.db")
        if not path.exists() and not keys.keys_path_for(path).exists():
            return path
    raise BackupTooSoon(folder / f"{stem}.db")


def _remove_abandoned(folder: Path) -> None:
    """Temporary files of a backup that was killed (or lost its disk) an hour or more
    ago: encrypted, but of no use. A younger one may be another computer's backup
    being written into the same folder."""
    with contextlib.suppress(OSError):
        for path in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > ABANDONED_AFTER_S:
                    path.unlink()


def _audit(ctx: AppContext, action: AuditAction, detail: str) -> None:
    with ctx.write(None) as unit:
        unit.audit(action, entity="backup", detail=detail[:300])


def backup_folder(ctx: AppContext) -> Path | None:
    """The folder chosen in Administration (None: none yet)."""
    with ctx.db.reading() as session:
        text = str(org_settings.get_setting(session, "backup_folder"))
    return Path(text) if text else None


def set_backup_folder(ctx: AppContext, folder: Path) -> None:
    """Choose where backups go (the settings permission; audited). The folder must
    exist now; a drive missing later makes a backup fail with BackupFolderMissing."""
    ctx.require(Permission.MANAGE_SETTINGS)
    folder = Path(folder).absolute()
    if not folder.is_dir():
        raise BackupFolderMissing(folder)
    with ctx.write(Permission.MANAGE_SETTINGS) as unit:
        org_settings.set_setting(unit.session, "backup_folder", str(folder))
        unit.audit(AuditAction.UPDATE, entity="settings", detail="backup folder chosen")


def taken_at_of(path: Path) -> datetime | None:
    """When the backup at ``path`` was taken, from its name (None: renamed by hand)."""
    match = _TAKEN.search(Path(path).name)
    return datetime.strptime(match.group(1), _STAMP) if match else None


def list_backups(folder: Path, ctx: AppContext) -> list[Backup]:
    """This database's verified backups in ``folder`` (those with their key file),
    newest first; none when the folder cannot be read."""
    tag = _database_tag(ctx)
    found: list[tuple[datetime, int, Path]] = []  # a second backup in a second: -2 …
    with contextlib.suppress(OSError):
        for path in Path(folder).iterdir():
            match = _NAME.fullmatch(path.name)
            if match and match.group(1) == tag and keys.keys_path_for(path).exists():
                found.append((datetime.strptime(match.group(2), _STAMP),
                              int(match.group(3) or 1), path))
    return [Backup(path, taken_at) for taken_at, _n, path in sorted(found, reverse=True)]


def rotate(folder: Path, ctx: AppContext, keep: Keep | None = None, *,
           protect: frozenset[Path] = frozenset()) -> list[Path]:
    """Remove this database's backups in ``folder`` that ``keep`` does not keep (both
    files of each), never one in ``protect`` (a backup about to be restored); returns
    the copies removed."""
    keep = keep or Keep()
    backups = list_backups(folder, ctx)  # newest first
    kept: set[Path] = {b.path for b in backups[:keep.recent]} | set(protect)
    for count, period in ((keep.daily, lambda d: d.date()),
                          (keep.weekly, lambda d: d.isocalendar()[:2]),
                          (keep.monthly, lambda d: (d.year, d.month))):
        seen: list[object] = []
        for backup in backups:
            key = period(backup.taken_at)
            if key not in seen:
                seen.append(key)
                if len(seen) > count:
                    break
                kept.add(backup.path)
    removed = [b.path for b in backups if b.path not in kept]
    for path in removed:
        for file in (keys.keys_path_for(path), path):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(file)
    return removed
