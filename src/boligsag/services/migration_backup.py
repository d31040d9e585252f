"""A verified backup into the backup folder before a migration changes the schema
(issue 13 §1).

The unlock that finds an older schema first keeps its byte copy beside the database
(``….before-<revision>.bak``, unlock.py); when a backup folder is chosen it also
writes a regular verified backup there (services/backups.py), so the state before
the upgrade survives a lost laptop too and is listed, restorable and rotated like any
other backup. This runs before anyone is signed in and before the services' schema
applies, so the two settings it needs are read with plain SQL from the ``settings``
table, whose shape every revision shares. A folder that cannot be reached, or a copy
that fails its check, does not stop the upgrade (the copy beside the database is
there); the unlock's audit entry says which it was.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from boligsag.storage import keys, migrate
from boligsag.storage.file_copies import CopyDamaged

from .backups import BackupFolderMissing, tag_of, write_verified_backup

log = logging.getLogger(__name__)


def _setting(engine: Engine, key: str) -> str:
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT value FROM settings WHERE key = ?",
                                   (key,)).fetchone()
    return str(json.loads(row[0])) if row is not None and row[0] else ""


def backup_before_migration(engine: Engine, db_key: bytes, path: Path,
                            now: datetime) -> str | None:
    """Back the database at ``path`` up into its backup folder; the audit entry's text,
    or None when no folder is chosen."""
    folder = _setting(engine, "backup_folder")
    if not folder:
        return None
    revision = migrate.current_revision(engine)
    try:
        final, counts = write_verified_backup(
            engine, db_key, keys.keys_path_for(path), Path(folder),
            tag_of(_setting(engine, "database_id")), now.replace(microsecond=0))
    except (BackupFolderMissing, CopyDamaged, OSError, ValueError) as error:
        log.warning("no backup before the migration: %s", type(error).__name__)
        return f"no backup in the backup folder before migrating from {revision}: " \
               f"{type(error).__name__}"
    return (f"backup {final.name} before migrating from {revision} verified: "
            f"{sum(counts.values())} rows in {len(counts)} tables")
