"""Where a file the user asked for (a letter, a summary) may not be written.

One rule for every output: never the open database or one of its own files, never a
backup of it, never a key file, and never anything that is not a regular file (a
device, a FIFO, a folder). ``boligsag letter … --out boligsag.db`` used to replace the
database with a PDF, and ``--out /dev/null`` as root replaced the device.

Paths are compared after resolving symlinks and ``..`` *and* by device and inode, so a
symlink, a hard link or ``./x/../boligsag.db`` names the same file and is refused too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import stat
from enum import StrEnum
from pathlib import Path

from .keys import SIDECAR_FORMAT

# Files SQLite, the key store and its lock keep beside the database, by suffix.
COMPANION_SUFFIXES = ("", "-wal", "-shm", "-journal", ".keys", ".keys.lock")
# "boligsag.db.before-0004.bak" (migration backup), and by extension any name that starts
# with the database's name and a separator: "boligsag.db.bak", "boligsag.db~", ...
_SEPARATORS = ".-_~ "
MIGRATION_BACKUP_PATTERN = "*.before-*.bak"
# SQLCipher starts every database file with its random 16-byte KDF salt, so a copy
# (a backup anywhere) starts with the same 16 bytes.
_SALT_BYTES = 16
_KEY_FILE_MAX = 1 << 20


class OutputRefusal(StrEnum):
    DATABASE_FILE = "database_file"  # the database, a file of it, a backup or a key file
    NOT_A_FILE = "not_a_file"  # exists and is not a regular file


def output_refusal(target: Path | str, database: Path | str | None) -> OutputRefusal | None:
    """Why ``target`` may not be written while ``database`` is open, or None if it may.
    ``database`` None: a team-server database, which has no file here to protect."""
    target = Path(target)
    try:
        found = os.stat(target)  # follows symlinks: the file that would be read
    except (FileNotFoundError, NotADirectoryError):  # nothing there yet: the usual case
        found = None
    except OSError:  # e.g. a symlink loop: nothing a user meant to name
        return OutputRefusal.NOT_A_FILE
    if found is not None and not stat.S_ISREG(found.st_mode):
        return OutputRefusal.NOT_A_FILE
    if database is None:
        return None
    resolved = target.resolve()
    db = Path(database).resolve()
    for suffix in COMPANION_SUFFIXES:
        if _same(resolved, found, db.with_name(db.name + suffix)):
            return OutputRefusal.DATABASE_FILE
    if _backup_name(resolved, db) or (
            found is not None and (_copy_of(target, db) or _is_key_file(target, found))):
        return OutputRefusal.DATABASE_FILE
    return None


def _same(resolved: Path, found: os.stat_result | None, own: Path) -> bool:
    if os.path.normcase(resolved) == os.path.normcase(own):
        return True
    if found is None:
        return False
    try:
        theirs = os.stat(own)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (theirs.st_dev, theirs.st_ino)


def _backup_name(resolved: Path, db: Path) -> bool:
    name = os.path.normcase(resolved.name)
    if fnmatch.fnmatch(name, os.path.normcase(MIGRATION_BACKUP_PATTERN)):
        return True
    own = os.path.normcase(db.name)
    if not _same_folder(resolved.parent, db.parent) or not name.startswith(own):
        return False
    rest = name[len(own):]
    return rest == "" or rest[0] in _SEPARATORS


def _same_folder(a: Path, b: Path) -> bool:
    if os.path.normcase(a) == os.path.normcase(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _copy_of(target: Path, db: Path) -> bool:
    """A byte copy of the database (a backup, wherever it is)."""
    try:
        with open(db, "rb") as f:
            salt = f.read(_SALT_BYTES)
        with open(target, "rb") as f:
            head = f.read(_SALT_BYTES)
    except OSError:
        return False
    return len(salt) == _SALT_BYTES and head == salt


def _is_key_file(target: Path, found: os.stat_result) -> bool:
    """Any Boligsag key file, of this database or another: losing one locks a database."""
    if found.st_size > _KEY_FILE_MAX:
        return False
    try:
        with open(target, "rb") as f:
            text = f.read(_KEY_FILE_MAX)
        doc = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("format") == SIDECAR_FORMAT

